"""The HTTP JSON API of the contract (bearer tokens from `intake user add`)."""
