"""The classifier library: texts in, predictions out; training kept apart from inference."""
