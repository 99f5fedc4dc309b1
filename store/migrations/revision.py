"""Write the next numbered migration from the difference between the models and the head."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from store.db import alembic_config, make_engine, migrate

VERSIONS = Path(__file__).parent / "versions"


def next_revision_id() -> str:
    """0001, 0002, ...: one more than the highest numbered file in versions/."""
    numbers = [int(p.name[:4]) for p in VERSIONS.glob("[0-9][0-9][0-9][0-9]_*.py")]
    return f"{max(numbers, default=0) + 1:04d}"


def main(message: str) -> None:
    """Upgrade an empty database to head, then autogenerate what the models add to it."""
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/head.db")
        migrate(engine)
        command.revision(
            alembic_config(engine), message=message, autogenerate=True, rev_id=next_revision_id()
        )
        engine.dispose()


if __name__ == "__main__":
    main(" ".join(sys.argv[1:]) or "schema change")
