"""Tests for email: parsing, loops, outgoing letters, the quarantine and import."""
