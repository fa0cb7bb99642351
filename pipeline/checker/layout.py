"""Blanks that lay a report out rather than stand for removed words.

Chinese offices pad a two-character name with a blank to the width of three-character ones
(陈　静, 张 伟 as Word copies it, 欧阳　娜娜) in lists of names, after a role (组长：陈　静)
and in a signature block. Such a blank is no gap.
"""

from __future__ import annotations

from pipeline.checker.noise import Blank
from pipeline.checker.text import HSPACE, is_cjk
from pipeline.checker.vocab import COMPOUND_SURNAMES, SURNAMES

_NAME_BEFORE = frozenset("\n：:、，,；;（(“《") | frozenset(HSPACE)
"""What may stand before a name in a list, after a role or at a line's start."""
_NAME_AFTER = frozenset("\r\n、，,。；;）)”》（(") | frozenset(HSPACE)
"""What may follow a name (and 同志: 吴　天同志)."""


def pads_name(text: str, b: Blank) -> bool:
    """The blank pads a name: 陈　静, 张 伟 (a surname and a one-character given name), or
    欧阳　娜娜 (a compound surname and one or two characters), standing between the marks
    that delimit a name (、，： a line's edges, blanks)."""
    if b.end - b.start > 2:
        return False
    for surname_len, given_lens in ((1, (1,)), (2, (1, 2))):
        surname = text[max(0, b.start - surname_len) : b.start]
        known = SURNAMES if surname_len == 1 else COMPOUND_SURNAMES
        if len(surname) != surname_len or surname not in known:
            continue
        before = text[b.start - surname_len - 1] if b.start - surname_len > 0 else "\n"
        if before not in _NAME_BEFORE:
            continue
        for n in given_lens:
            given = text[b.end : b.end + n]
            after = text[b.end + n] if b.end + n < len(text) else "\n"
            delimited = after in _NAME_AFTER or text.startswith("同志", b.end + n)
            if len(given) == n and all(is_cjk(ch) for ch in given) and delimited:
                return True
    return False
