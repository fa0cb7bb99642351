"""How long a heading's title is: the checker's measure of a title with its text run on, and
the limit a value written as a subheading is held to as input, one number for both."""

from __future__ import annotations

SHORT_TITLE = 25
"""A heading title of at most 25 characters is a heading's own."""
RUN_ON_TITLE = 30
"""A title of more than 30 characters before its first ；, among siblings with short titles,
is a title with the text glued on (`structure.heading-run-on`)."""
