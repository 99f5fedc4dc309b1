"""Sub-commands of the intake console script, one module each."""
