"""The case store: SQLModel tables, engine set-up, CRUD and migrations."""
