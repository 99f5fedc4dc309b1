"""Several workers at once: every email is triaged exactly once (SKIP LOCKED on PostgreSQL)."""

from __future__ import annotations

import time

from sqlalchemy import func
from sqlmodel import Session, select

from intake.worker import Worker
from store.crud import enqueue_inbound
from store.models import Case, Channel, Inbound, InboundStatus, Message, TriageProposal
from tests.mail.servers import email_bytes


def test_four_workers_triage_each_email_exactly_once(engine, ctx) -> None:
    count = 40
    with Session(engine) as session:
        for index in range(count):
            enqueue_inbound(
                session=session,
                channel=Channel.EMAIL,
                raw=email_bytes(
                    sender=f"Resident {index} <r{index}@example.org>",
                    message_id=f"<w{index}@example.org>",
                    body=f"My kitchen tap number {index} is broken, please repair it.",
                ),
                received_at=ctx.clock(),
            )
        session.commit()
    workers = [Worker(ctx, index=i, idle_seconds=0.05) for i in range(4)]
    for worker in workers:
        worker.start()
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with Session(engine) as session:
                left = session.exec(
                    select(func.count())
                    .select_from(Inbound)
                    .where(Inbound.status != InboundStatus.DONE)
                ).one()
            if left == 0:
                break
            time.sleep(0.1)
    finally:
        for worker in workers:
            worker.stop()
    with Session(engine) as session:
        rows = session.exec(select(Inbound)).all()
        assert all(r.status is InboundStatus.DONE and r.attempts == 1 for r in rows)
        assert len(session.exec(select(Case)).all()) == count
        assert len(session.exec(select(Message)).all()) == count
        assert len(session.exec(select(TriageProposal)).all()) == count
        assert len({r.claimed_by for r in rows}) >= 1


def test_a_backlog_is_classified_in_one_model_call(
    engine, ctx, fake_classifier, monkeypatch
) -> None:
    from intake.worker import drain

    batches: list[int] = []
    predict = fake_classifier.predict
    monkeypatch.setattr(
        fake_classifier,
        "predict",
        lambda texts, channels=None: batches.append(len(texts)) or predict(texts, channels),
    )
    with Session(engine) as session:
        for index in range(5):
            enqueue_inbound(
                session=session,
                channel=Channel.EMAIL,
                raw=email_bytes(
                    message_id=f"<b{index}@example.org>", body=f"Tap {index} is broken."
                ),
                received_at=ctx.clock(),
            )
        session.commit()
    assert drain(ctx) == 5
    assert batches == [5]  # one call for the backlog; the runner then reads the answers
