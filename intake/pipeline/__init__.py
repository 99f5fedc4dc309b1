"""The intake pipeline: named steps, one module each, shared by every channel."""

# The order matters: each step may use what the ones before it found.
PIPELINE: tuple[str, ...] = (
    "parse",
    "dedupe",
    "thread",
    "classify",
    "define",
    "flag",
    "deadlines",
    "propose",
)
