"""Email: parsing received mail, loop protection, outgoing letters and the quarantine."""
