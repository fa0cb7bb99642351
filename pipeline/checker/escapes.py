"""Markdown escapes: a text from pandoc, Typora or a web editor writes `\\_\\_` for a blank,
`\\*\\*` for a starred-out name and `1\\.` for a numbered heading.

The checker reads such a text as its reader sees it rendered (`____`, `**`, `1.`), and every
finding is then placed back on the text exactly as given, its escapes included.
"""

from __future__ import annotations

from bisect import bisect_left

from pipeline.lazy_re import lazy_pattern

_ESCAPE = lazy_pattern(r"\\([!-/:-@\[-`{-~])")
"""A backslash before an ASCII punctuation character (CommonMark's escapes)."""
_BLOCK_START = lazy_pattern(r"[ \t\u3000]*\\[#>]")
"""An escaped heading or quote mark at a line's start: kept, so it is not read as one."""


class Unescaped:
    """A text with its Markdown escapes resolved, and the map back to the original offsets."""

    def __init__(self, text: str):
        parts: list[str] = []
        self._escaped: list[int] = []
        """Offsets, in the resolved text, of the characters that were escaped."""
        pos = 0
        for m in _ESCAPE().finditer(text):
            if m.group(1) in "#>":
                line_start = text.rfind("\n", 0, m.start()) + 1
                if _BLOCK_START().fullmatch(text, line_start, m.start() + 2):
                    continue
            parts.append(text[pos : m.start()])
            self._escaped.append(m.start() - len(self._escaped))
            pos = m.start() + 1  # the backslash goes, the character stays
        parts.append(text[pos:])
        self.text = "".join(parts)

    @property
    def changed(self) -> bool:
        """True when the text had an escape to resolve."""
        return bool(self._escaped)

    def original(self, offset: int) -> int:
        """The original offset where resolved character `offset` is written: its backslash
        when it was escaped (the end of the text maps to the end of the text)."""
        return offset + bisect_left(self._escaped, offset)
