"""The one canonical marker for a missing fact: 【待补充：<label>】."""

from __future__ import annotations

import re

MARKER_OPEN = "【待补充："
MARKER_CLOSE = "】"
MARKER_RE = re.compile(r"【待补充：([^【】\n]{1,80})】")
"""A label holds no 【: a marker whose 】 was deleted is not read on into the next one."""


def marker(label: str) -> str:
    """The marker for a missing fact with this Chinese label."""
    return f"{MARKER_OPEN}{label}{MARKER_CLOSE}"


def find_markers(text: str) -> list[tuple[int, int, str]]:
    """Every marker in `text` as (start, end, label)."""
    return [(m.start(), m.end(), m.group(1)) for m in MARKER_RE.finditer(text)]
