"""A counted list whose count is not its items (`numbers.list-count`, warning).

开设了疼痛科、老年病科3个专科 lists two and counts three; 开展主题党日、专题讲座、志愿服务等两项活动
lists three and counts two (等 may stand for items not listed, never for fewer than listed).

Narrow by design, since the count may count something else: the items are joined by 、 (和 or
及 before the last) in one clause, each 2–12 characters, and the count (a number and 个, 项,
类, 种 or 门) follows the last item at once, or after 等/等等, 共 or 在内的 (等 inside the last
item, 用工、融资等问题37个, counts too). A count larger than
the list without 等 is read as a total rather than a miscount when it exceeds the list by more
than two, or when the first item is a bare two-character word (制定、修订制度15项, 新建、改建公厕3个:
verbs sharing their object); items with counts of their own (制度23项、规程56项) are no counted
list.
"""

from __future__ import annotations

from pipeline.checker.context import Context
from pipeline.checker.findings import Finding, Severity
from pipeline.checker.vocab import unit_at
from pipeline.lazy_re import lazy_pattern
from pipeline.numerals import parse_chinese

_COUNTED = lazy_pattern("[个项类种门]")
"""The measure words a count of a list's items takes (3个, 两项, 5类)."""
_DIGIT_CHARS = frozenset("0123456789０１２３４５６７８９")
_CN_CHARS = frozenset("〇零一二三四五六七八九十百千两")
_OPEN_ENDED = ("等等", "等", "在内的")
_JOIN = lazy_pattern(r"(?<![温总缓平涉普危顾触波论提惠])(?:以及|和|及)(?![谐平美睦解善气时格早])")
"""和/及 joining the last item (not 和谐, 及时, 普及)."""
_LEAD = lazy_pattern(r".*(?:了|包括|涵盖|开展|组织|举办|开设|新设|设立|建立|成立)")
"""What leads into the first item, named without it: the verb before it (开设了疼痛科)."""
_ADMIN_LEVEL = lazy_pattern(r"[国省市县区乡镇村校]级")
"""省、市级荣誉: levels sharing 级, not a list of items."""
_CLAUSE_END = frozenset("，。；：！？,;:!?\n\r")
_CLOSERS = frozenset("”’》）)】」")
_OPENERS = frozenset("“‘《（(【「")
_MAX_ITEM = 12


def _items(text: str, end: int) -> list[tuple[int, int]] | None:
    """The spans of the items of the list ending at `end`, back to its clause's start; None
    when text there is no such list (an item too long or too short, a 、 inside brackets)."""
    items: list[tuple[int, int]] = []
    depth = 0
    item_end = pos = end
    while True:
        ch = text[pos - 1] if pos > 0 else "\n"
        if depth == 0 and (ch == "、" or ch in _CLAUSE_END):
            if not 2 <= item_end - pos <= _MAX_ITEM:
                # the first item runs back to the clause's start, its verb included
                return None
            items.append((pos, item_end))
            if ch != "、":
                break
            item_end = pos - 1
        elif ch in _CLOSERS:
            depth += 1
        elif ch in _OPENERS:
            depth -= 1
            if depth < 0:
                return None  # the list is inside brackets or quotes
        pos -= 1
        if item_end - pos > _MAX_ITEM:
            return None
    if len(items) < 2:
        return None
    items.reverse()
    lead = _LEAD().search(text, *items[0])
    if lead is not None and items[0][1] - lead.end() >= 2:
        items[0] = (lead.end(), items[0][1])  # 开设了疼痛科: the item is 疼痛科
    last_start, last_end = items[-1]
    join = _JOIN().search(text, last_start, last_end)
    if join is not None:
        if join.start() - last_start < 2 or last_end - join.end() < 2:
            return None
        items[-1:] = [(last_start, join.start()), (join.end(), last_end)]
    return items


def _quoted(item: str) -> str:
    return item if item.startswith("“") and item.endswith("”") else f"“{item}”"


def _value(numeral: str) -> int | None:
    if numeral.isdigit():
        return int(numeral)
    if numeral == "一":
        return None  # 一个, 一项: the indefinite article
    if len(numeral) > 1 and not any(ch in "十百千" for ch in numeral):
        return None  # 二〇: digits one by one, no count
    return parse_chinese(numeral)


def _count_before(text: str, unit: int) -> tuple[int, int, str | None] | None:
    """The count standing before the measure word at `unit`: where its numeral starts, where
    the count starts (共 or 等 before the numeral included), and the 等/等等/在内的 before it."""
    start = unit
    chars = _DIGIT_CHARS if text[unit - 1 : unit] in _DIGIT_CHARS else _CN_CHARS
    while start > 0 and text[start - 1] in chars:
        start -= 1
    if start == unit or (chars is _DIGIT_CHARS and text[start - 1 : start] in (".", "．")):
        return None
    numeral = begin = start
    if text[begin - 1 : begin] == "共":
        begin -= 1
    for word in _OPEN_ENDED:
        if text.endswith(word, 0, begin):
            return numeral, begin - len(word), word
    return numeral, begin, None


def check_counted_lists(ctx: Context) -> list[Finding]:
    """Counted lists whose count is fewer than their items, or more without 等."""
    text = ctx.text
    if "、" not in text:
        return []
    out: list[Finding] = []
    for u in _COUNTED().finditer(text):
        found = _count_before(text, u.start())
        if found is None:
            continue
        numeral, begin, open_word = found
        if text.rfind("、", max(0, begin - _MAX_ITEM - 1), begin) < 0:
            continue  # no 、 in reach of the last item: no list (the common case, found fast)
        unit = unit_at(text, u.start())
        count = _value(text[numeral : u.start()])
        if unit is None or count is None:
            continue
        items = _items(text, begin)
        if items is None:
            continue
        if any(ch.isdigit() for a, b in items for ch in text[a:b]):
            continue  # 制度23项、规程56项: items with counts of their own
        last = text[items[-1][0] : items[-1][1]]
        open_ended = open_word is not None or "等" in last  # 用工、融资等问题37个
        n = len(items)
        written = text[numeral : u.start() + len(unit)]
        if count == n or (count > n and open_ended):
            continue
        if count > n and (count > n + 2 or items[0][1] - items[0][0] <= 2):
            continue
        if _ADMIN_LEVEL().match(text, items[-1][0]):
            continue
        start, end = items[0][0], u.start() + len(unit)
        if ctx.in_residue(start, end) or ctx.in_marker(start) or ctx.in_marker(end - 1):
            continue
        listed = "、".join(_quoted(text[a:b]) for a, b in items)
        if count < n:
            hint = f"write {n}, or drop the items “{written}” does not count"
            if open_word is not None:
                hint += f" (with “{open_word}” the count is at least the items listed)"
        else:
            hint = f"write {n}, name the missing items, or add 等 if the list is not complete"
        out.append(
            ctx.finding(
                "numbers.list-count",
                Severity.WARNING,
                start,
                end,
                f"the list names {n} items ({listed}) but its count says “{written}”",
                hint,
            )
        )
    return out
