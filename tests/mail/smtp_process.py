"""Run only Intake's SMTP listener in its own process, for tests that kill it (SIGKILL)."""

from __future__ import annotations

import signal
import sys

from connectors.smtp import SmtpService
from intake.context import AppContext
from intake.settings import Settings


def main() -> None:
    database_url, port = sys.argv[1], int(sys.argv[2])
    settings = Settings(
        database_url=database_url,
        smtp_port=port,
        smtp_recipients=["complaints@landlord.example"],
    )
    ctx = AppContext.build(settings)
    SmtpService(ctx)
    print("ready", flush=True)
    signal.pause()  # until killed


if __name__ == "__main__":
    main()
