"""The SMTP server and recording relay fixtures, shared by this folder's tests."""

from tests.mail.servers import relay, smtp

__all__ = ["relay", "smtp"]
