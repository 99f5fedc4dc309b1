"""Backfill historic mail (mbox, Maildir, a folder of .eml) through the normal pipeline."""

from __future__ import annotations

import hashlib
import mailbox
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session, col, func, select

from intake.context import AppContext
from intake.pipeline.prefetch import prefetch
from intake.pipeline.runner import load_steps, process
from intake.worker import claim
from store.crud import enqueue_inbound
from store.models import Case, Channel, Inbound, InboundStatus

BATCH = 200
# Messages classified per model call: the model costs about as much for 32 as for one.
CHUNK = 32
Progress = Callable[[int], object]


class ImportError_(ValueError):
    """The path is not a mailbox we can read; the message says why."""


@dataclass
class ImportResult:
    """What an import did, for the summary line."""

    found: int = 0
    stored: int = 0
    already: int = 0
    triaged: int = 0
    inbound_ids: list[int] = field(default_factory=list)
    triaged_ids: list[int] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)


def open_source(path: Path) -> tuple[int, Iterator[bytes]]:
    """How many messages a path holds, and their raw bytes one at a time (memory stays flat)."""
    if path.is_dir():
        if all((path / sub).is_dir() for sub in ("cur", "new")):
            box = mailbox.Maildir(path, factory=None, create=False)
            keys = sorted(box.keys())
            return len(keys), (box.get_bytes(k) for k in keys)
        files = sorted(p for p in path.rglob("*.eml") if p.is_file())
        return len(files), (f.read_bytes() for f in files)
    if not path.is_file():
        raise ImportError_(f"{path} does not exist.")
    with path.open("rb") as fh:
        start = fh.read(5)
    if start == b"From ":
        mbox = mailbox.mbox(path, create=False)
        mbox_keys = list(mbox.keys())
        return len(mbox_keys), (mbox.get_bytes(k) for k in mbox_keys)
    if path.suffix.lower() == ".eml":
        return 1, iter([path.read_bytes()])
    raise ImportError_(
        f"{path} is not an mbox file (it should start with 'From '), a Maildir (with cur/ and "
        "new/ folders), a folder of .eml files, or an .eml file."
    )


def external_id(raw: bytes) -> str:
    """The same bytes imported twice are the same message: re-running changes nothing."""
    return "import:" + hashlib.sha256(raw).hexdigest()


def _store_batch(ctx: AppContext, batch: list[bytes], source: str, result: ImportResult) -> None:
    ids = {external_id(raw): raw for raw in batch}
    with Session(ctx.engine) as session:
        known = set(
            session.exec(
                select(Inbound.external_id).where(col(Inbound.external_id).in_(list(ids)))
            ).all()
        )
        rows = [
            enqueue_inbound(
                session=session,
                channel=Channel.EMAIL,
                raw=raw,
                envelope={"historic": True, "source": source},
                external_id=key,
                received_at=ctx.clock(),
            )
            for key, raw in ids.items()
            if key not in known
        ]
        new_ids = [r.id or 0 for r in rows]  # flushed, so known before the commit
        session.commit()
    result.stored += len(new_ids)
    result.already += len(batch) - len(new_ids)
    result.inbound_ids += new_ids


def store_all(ctx: AppContext, path: Path, progress: Progress = lambda n: None) -> ImportResult:
    """Store and queue every message (idempotently), in batches of one transaction each."""
    total, messages = open_source(path)
    result = ImportResult(found=total)
    batch: list[bytes] = []
    for raw in messages:
        batch.append(raw)
        if len(batch) >= BATCH:
            _store_batch(ctx, batch, str(path), result)
            progress(len(batch))
            batch = []
    if batch:
        _store_batch(ctx, batch, str(path), result)
        progress(len(batch))
    return result


def pending(ctx: AppContext) -> int:
    """Messages waiting for triage (this import's and any others)."""
    with Session(ctx.engine) as session:
        return session.exec(
            select(func.count())
            .select_from(Inbound)
            .where(col(Inbound.status).in_([InboundStatus.QUEUED, InboundStatus.PROCESSING]))
        ).one()


def triage_all(ctx: AppContext, result: ImportResult, progress: Progress = lambda n: None) -> None:
    """Run the pipeline over everything queued, as `intake serve`'s workers would.

    Messages are claimed a chunk at a time and classified in one model call per chunk;
    each then goes through the normal runner, one transaction per message.
    """
    steps = load_steps()
    while True:
        chunk: list[int] = []
        while len(chunk) < CHUNK and (inbound_id := claim(ctx, "import")) is not None:
            chunk.append(inbound_id)
        if not chunk:
            break
        batch_ctx = prefetch(ctx, chunk)
        for inbound_id in chunk:
            process(batch_ctx, inbound_id, steps)
            result.triaged += 1
            result.triaged_ids.append(inbound_id)
            progress(1)
    summarise(ctx, result)


def summarise(ctx: AppContext, result: ImportResult) -> None:
    """Count what the triaged messages became: proposed labels, duplicates, quarantine."""
    with Session(ctx.engine) as session:
        for start in range(0, len(result.triaged_ids), 500):
            chunk = result.triaged_ids[start : start + 500]
            rows = session.exec(
                select(Inbound.status, Case.proposed_label)
                .join(Case, col(Case.id) == Inbound.case_id, isouter=True)
                .where(col(Inbound.id).in_(chunk))
            ).all()
            for status, label in rows:
                # Both are str enums: their str() is the stored value.
                if status == InboundStatus.DONE and label is not None:
                    result.outcomes[str(label)] += 1
                else:
                    result.outcomes[str(status)] += 1
