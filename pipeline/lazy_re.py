"""Regular expressions compiled on first use.

Python compiles a pattern with CJK character classes slowly (0.3–3 ms each, in Python code),
so a pattern that only a rare path needs is compiled when that path first runs, not when its
module is imported (start-up time is an issue #4 target).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, partial


def lazy_pattern(pattern: str, flags: int = 0) -> Callable[[], re.Pattern[str]]:
    """A function returning `pattern` compiled, compiling it on its first call only."""
    return cache(partial(re.compile, pattern, flags))
