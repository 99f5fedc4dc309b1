"""Pipeline steps: each module has one `run(item, ctx, session)` function."""
