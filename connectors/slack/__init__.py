"""The Slack app: frontline staff log what residents say; team leads triage from cards and Home."""

from connectors.slack.http import mount

__all__ = ["mount"]
