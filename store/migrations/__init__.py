"""Alembic migrations for the case store."""
