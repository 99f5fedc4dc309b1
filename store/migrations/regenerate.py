"""Regenerate the initial migration from the models (allowed until the first release ships)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from alembic import command

from store.db import alembic_config, make_engine

VERSIONS = Path(__file__).parent / "versions"


def main() -> None:
    """Rewrite versions/0001_initial.py from SQLModel.metadata."""
    for old in VERSIONS.glob("0001_*.py"):
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/empty.db")
        command.revision(
            alembic_config(engine), message="initial", autogenerate=True, rev_id="0001"
        )
        engine.dispose()
    for new in VERSIONS.glob("0001_*.py"):
        new.rename(VERSIONS / "0001_initial.py")


if __name__ == "__main__":
    main()
