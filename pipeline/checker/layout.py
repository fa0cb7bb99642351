"""Blanks that lay a report out rather than stand for removed words.

Chinese offices pad a two-character name with a blank to the width of three-character ones
(陈　静, 张 伟 as Word copies it, 欧阳　娜娜), separate a table's columns with tabs or
blanks (姓名　　职务 / 陈　静　局长), separate the fields of a line with a wide blank
(拟稿人：王　芳　　审核：陈　静), align a date with a run of blanks
(青山县教育局办公室　　　　2024年2月20日印发) and list 主题词 one after another with blanks
(主题词：教育　安全　检查), or set a name after its post on a 述职报告's byline
(县财政局副局长　李建平). None of these is a gap, and `--fix` must not join them.
"""

from __future__ import annotations

from pipeline.checker.noise import Blank
from pipeline.checker.text import HSPACE, is_cjk
from pipeline.checker.vocab import COMPOUND_SURNAMES, SURNAMES

_NAME_BEFORE = frozenset("\n：:、，,；;（(“《") | frozenset(HSPACE)
"""What may stand before a name in a list, after a role or at a line's start."""
_NAME_AFTER = frozenset("\r\n、，,。；;）)”》（(") | frozenset(HSPACE)
"""What may follow a name (and 同志: 吴　天同志)."""
_ROW_STOPS = frozenset("，。；：、！？,;:!?")
"""Punctuation of running text: a line holding one is not a table row."""
_CELL_MAX = 12
"""Characters of the longest cell of a table row written with blanks."""
_WORD_LISTS = ("主题词", "关键词")


_ROW_MAX = 120
"""Characters of the longest line read as a table row or a 主题词 list."""


def _line(text: str, pos: int) -> tuple[int, int] | None:
    """The start and end of the line holding `pos`, or None when it is longer than a row
    (searched only that far: a blank on a line of a megabyte costs no more than any other)."""
    start = text.rfind("\n", max(0, pos - _ROW_MAX), pos) + 1
    if start == 0 and pos > _ROW_MAX:
        return None
    end = text.find("\n", pos, pos + _ROW_MAX)
    if end == -1:
        if len(text) - pos > _ROW_MAX:
            return None
        end = len(text)
    return start, end


def _padded_name(text: str, b: Blank) -> bool:
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


def _row_cells(line: str) -> list[str] | None:
    """The cells of a table row written with blanks, or None when the line is running text
    (punctuation, a long cell) or holds fewer than two cells."""
    if not line.strip() or any(ch in _ROW_STOPS for ch in line):
        return None
    cells = line.split()
    if len(cells) < 2 or any(len(cell) > _CELL_MAX for cell in cells):
        return None
    return cells


def _in_table(text: str, b: Blank) -> bool:
    """The blank separates the columns of a table: a blank in a row of short cells next to
    another such row (姓名　　职务 / 陈　静　局长)."""
    line = _line(text, b.start)
    if line is None or _row_cells(text[line[0] : line[1]]) is None:
        return False
    start, end = line
    prev = _line(text, start - 1) if start > 0 else None
    if prev is not None and _row_cells(text[prev[0] : start - 1]) is not None:
        return True
    after = _line(text, end + 1) if end < len(text) else None
    return after is not None and _row_cells(text[end + 1 : after[1]]) is not None


def _aligning(text: str, b: Blank) -> bool:
    """A run of blanks typed to align (two full-width blanks or more, or four blanks): no
    extraction leaves one inside a line."""
    run = text[b.start : b.end]
    return run.count("\u3000") >= 2 or len(run) >= 4


_POSTS = (
    "长",
    "书记",
    "主任",
    "委员",
    "经理",
    "主席",
    "干事",
    "科员",
    "专员",
    "调研员",
    "总监",
    "助理",
)
"""Endings of the posts a byline names before the name (副局长, 党委书记, 办公室主任)."""
_BYLINE_MAX = 30


def _byline(text: str, b: Blank) -> bool:
    """The blank sets a name after its post on a line of their own (县财政局副局长　李建平)."""
    line = _line(text, b.start)
    if line is None or line[1] - line[0] > _BYLINE_MAX:
        return False
    post = text[line[0] : b.start].strip(HSPACE)
    name = text[b.end : line[1]].strip(HSPACE + "\r")
    if not post.endswith(_POSTS) or any(ch in _ROW_STOPS for ch in post):
        return False
    surname = name[:2] if name[:2] in COMPOUND_SURNAMES else name[:1]
    given = name[len(surname) :]
    known = surname in SURNAMES or surname in COMPOUND_SURNAMES
    return known and 1 <= len(given) <= 2 and all(is_cjk(ch) for ch in given)


def _in_word_list(text: str, b: Blank) -> bool:
    """The blank separates the words of a 主题词 or 关键词 line."""
    line = _line(text, b.start)
    if line is None:
        return False
    head = text[line[0] : b.start].lstrip(HSPACE)
    return head.startswith(_WORD_LISTS) and head[3:4] in ("：", ":")


def pads_name_or_column(text: str, b: Blank) -> bool:
    """The blank pads a name or is a tab between columns: nothing was removed there, whatever
    follows it (陈　天, 序号\t次数)."""
    return _padded_name(text, b) or "\t" in text[b.start : b.end]


def is_layout(text: str, b: Blank) -> bool:
    """The blank lays out a table, a form or a word list. Asked only of a blank that neither
    pads a name nor separates columns with a tab (`pads_name_or_column`, asked first) and that
    no rule reads as a missing number, ordinal or name: a wide blank before 次 is still a gap."""
    return _in_table(text, b) or _aligning(text, b) or _in_word_list(text, b) or _byline(text, b)
