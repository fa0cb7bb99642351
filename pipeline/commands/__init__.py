"""The `draft` sub-commands, one module each."""
