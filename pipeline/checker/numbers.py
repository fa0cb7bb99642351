"""Finding the numbers a text states: Arabic and Chinese numerals, percentages, years, dates
(2020年12月28日, 2020-12-28, 二〇二〇年十二月二十八日, 12月28日, 十二月二十八日).

A Chinese numeral counts as a number only where it states one: before a measure word or unit
(七十周年, 三次), as a year (二〇二〇年), an ordinal of a congress or plenum (十九大, 五中全会),
a percentage (百分之三十, 3成) or 第N + unit (第三次). A round or vague figure states one too:
近百人, 上千份, 翻一番 (a doubling), and 数十场 or 几百人, which no fact can back (`approximate`). Ordinals of points and headings (一是, 二、,
（一）) and words such as 一些, 统一, 十分 are not numbers. A lone 一 before a measure word is
the indefinite article (一个, 一次), not a count.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from pipeline.checker.vocab import unit_at
from pipeline.lazy_re import lazy_pattern
from pipeline.numerals import parse_chinese

_FULLWIDTH = str.maketrans("０１２３４５６７８９．％", "0123456789.%")
_HAS_FULLWIDTH = re.compile("[０-９．％]")
_DIGIT_RUN = re.compile(r"\d+")
_DATE = re.compile(
    r"(?<!\d)(\d{4})[ \t]*年[ \t]*(\d{1,2})[ \t]*月(?:[ \t]*(\d{1,2})[ \t]*日)?"
    r"|(?<!\d)(\d{4})([-./])(\d{1,2})\5(\d{1,2})(?!\.?\d)"
)
"""2020年12月28日, 2020年9月, and 2020-12-28 (or 2020.12.28, 2020/12/28, as clerks write)."""
_MONTH_DAY = re.compile(r"(?<!\d)(\d{1,2})[ \t]*月[ \t]*(\d{1,2})[ \t]*日")
_RANGE_END_DAY = re.compile(r"[ \t]*[至到—–～~-][ \t]*(\d{1,2})[ \t]*日")
"""The end of a range of days whose month is left out, 3月1日至15日: a date of that month."""

_ARABIC = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?![\d])([ \t]*%)?")
_SCALES = {"万": 10_000, "亿": 100_000_000}
_CN_RUN = re.compile(r"[〇零一二三四五六七八九十百千万亿两]+")
_TENTHS = re.compile(r"[ \t]*成(?![为立员果效本绩功熟长交全])")
"""3成 (30%): a share in tenths, not the count 3; 成为, 成立… are words."""
_ROUNDING = frozenset("近上逾超约数几")
"""Before 百, 千, 万: a round figure stated as an amount (近百人), not a figure of speech."""
_VAGUE = frozenset("数几")
"""Before a numeral: an unknown multiple (数十场, 几百人), never a fact's value."""
_DOUBLING = lazy_pattern(r"翻了?([一两二三四五])番")

_CN_DIGITS = dict(zip("〇零一二三四五六七八九", "00123456789", strict=True))
_SERIES_BOUNDARY = frozenset("，。；：,;:“（(！？!?、 \t\u3000\n")
_ORDINAL_AFTER = re.compile(
    r"大(?:精神|会议|报告|以来|代表|胜利|召开|的|[，。、]|$)|届|中全会|次全会"
)


_cn_date = lazy_pattern(
    r"([〇零一二三四五六七八九]{4})[ \t]*年[ \t]*([一二三四五六七八九十]{1,2})[ \t]*月"
    r"(?:[ \t]*([一二三四五六七八九十]{1,3})[ \t]*日)?"
)
"""A date in Chinese numerals, compiled the first time a text may hold one (1 ms)."""
_CN_DAY = r"[一二三四五六七八九十廿卅]{1,3}"
_cn_month_day = lazy_pattern(
    r"(?<![〇零一二三四五六七八九十百千万亿两廿卅几数第])(十[一二]?|[一二三四五六七八九])"
    rf"[ \t]*月[ \t]*({_CN_DAY})[ \t]*日"
)
"""三月六日, 十二月三十一日: a date without its year in Chinese numerals. Only a month
followed by its day and 日 is one: 十月革命, 三月份 and 三个月 are not dates."""
_cn_range_end = lazy_pattern(rf"[ \t]*[至到—–～~-][ \t]*({_CN_DAY})[ \t]*日")
"""The end of a range of days in Chinese numerals, 三月六日至七日: a date of that month."""


@dataclass(frozen=True)
class NumberToken:
    """A number stated in a text."""

    start: int
    end: int
    value: float
    kind: str
    """arabic, percent, year, cn, ordinal or date."""
    date: tuple[int, int, int | None] | None = None
    """(year, month, day) for a date; day may be None (2020年9月)."""
    approximate: bool = False
    """数十, 几百…: an unknown multiple, which no fact backs."""
    scale: int = 1
    """10000 or 100000000 for an Arabic number written with 万 or 亿 (1.2万): the amount it
    states is value × scale."""

    def amounts(self) -> tuple[float, ...]:
        """The value, and for 1.2万 also 12000: a fact may give either form, a draft write
        either (12000亩 where the facts say 1.2万亩)."""
        if self.scale == 1:
            return (self.value,)
        return (self.value, self.value * self.scale)


def cn_value(run: str) -> float | None:
    """The value of a Chinese numeral run (十九 → 19, 二〇二〇 → 2020), None if not one."""
    value = parse_chinese(run)
    return None if value is None else float(value)


def _finditer(pattern: re.Pattern[str], s: str, starts: list[int]) -> Iterator[re.Match[str]]:
    """`pattern.finditer(s)` for a pattern whose every match starts where a run of digits
    starts: tried only there (the patterns open with a look-behind, which keeps the regex
    engine from skipping ahead, so a plain scan tries every character of the text)."""
    end = 0
    for pos in starts:
        if pos < end:
            continue
        m = pattern.match(s, pos)
        if m is not None:
            end = m.end()
            yield m


def _take_range_end(
    s: str,
    base: int,
    out: list[NumberToken],
    taken: set[int],
    date: tuple[int, int, int | None],
    at: int,
) -> None:
    """Add the date a range's end day stands for, right after `date` (which ends at `at`)."""
    y, mo, day = date
    m = _RANGE_END_DAY.match(s, at) if day is not None else None
    if m is not None:
        out.append(
            NumberToken(base + m.start(1), base + m.end(), y, "date", (y, mo, int(m.group(1))))
        )
        taken.update(range(m.start(1), m.end()))


def _arabic(s: str, base: int, out: list[NumberToken], taken: set[int]) -> None:
    starts = [m.start() for m in _DIGIT_RUN.finditer(s)]
    if not starts:
        return
    for m in _finditer(_DATE, s, starts):
        if m.group(1):
            y, mo, d = int(m.group(1)), int(m.group(2)), m.group(3)
        else:
            y, mo, d = int(m.group(4)), int(m.group(6)), m.group(7)
        day = int(d) if d else None
        out.append(NumberToken(base + m.start(), base + m.end(), y, "date", (y, mo, day)))
        taken.update(range(m.start(), m.end()))
        _take_range_end(s, base, out, taken, (y, mo, day), m.end())
    for m in _finditer(_MONTH_DAY, s, starts):
        if m.start() in taken:
            continue
        date = (0, int(m.group(1)), int(m.group(2)))
        out.append(NumberToken(base + m.start(), base + m.end(), 0, "date", date))
        taken.update(range(m.start(), m.end()))
        _take_range_end(s, base, out, taken, date, m.end())
    for m in _finditer(_ARABIC, s, starts):
        if m.start() in taken:
            continue
        whole = m.group(1).replace(",", "")
        value = float(f"{whole}.{m.group(2)}") if m.group(2) else float(whole)
        after = s[m.end() : m.end() + 1]
        kind = (
            "percent" if m.group(3) else ("year" if after == "年" and len(whole) == 4 else "arabic")
        )
        tenths = None if m.group(3) else _TENTHS.match(s, m.end())
        if tenths and value <= 10:
            out.append(NumberToken(base + m.start(), base + tenths.end(), value * 10, "percent"))
            continue
        unit = "" if m.group(3) else (unit_at(s, m.end()) or "")
        scale = _SCALES.get(unit[:1], 1)
        out.append(
            NumberToken(base + m.start(), base + m.end() + len(unit), value, kind, scale=scale)
        )


def _cn_dates(s: str, base: int, out: list[NumberToken]) -> set[int]:
    """Dates in Chinese numerals (二〇二一年一月十五日, as a 落款 may be written); the offsets
    they cover."""
    taken: set[int] = set()
    if "〇" not in s and "零" not in s:  # every year of this century is written with one
        return taken
    for m in _cn_date().finditer(s):
        y, mo = cn_value(m.group(1)), cn_value(m.group(2))
        d = cn_value(m.group(3)) if m.group(3) else None
        if y is None or mo is None or d == 0:
            continue  # 十三月 or 三十二日 stays a date: `numbers.date` reports it
        day = int(d) if d is not None else None
        out.append(NumberToken(base + m.start(), base + m.end(), y, "date", (int(y), int(mo), day)))
        taken.update(range(m.start(), m.end()))
        if day is not None:
            _cn_range_end_at(s, base, out, taken, (int(y), int(mo), day), m.end())
    return taken


def cn_day(run: str) -> int | None:
    """The day of the month a Chinese numeral names (六 → 6, 三十一 → 31, 廿三 → 23), None
    for none (〇, 三十二)."""
    value = parse_chinese(run.replace("廿", "二十").replace("卅", "三十"))
    return value if value is not None and 1 <= value <= 31 else None


def _cn_range_end_at(
    s: str, base: int, out: list[NumberToken], taken: set[int], date: tuple[int, int, int], at: int
) -> None:
    """Add the date a range's end day in Chinese numerals (至七日) stands for, right after
    `date` (which ends at `at`)."""
    m = _cn_range_end().match(s, at) if "日" in s[at : at + 8] else None
    if m is None or (day := cn_day(m.group(1))) is None:
        return
    y, mo, _ = date
    out.append(NumberToken(base + m.start(1), base + m.end(), y, "date", (y, mo, day)))
    taken.update(range(m.start(1), m.end()))


def _cn_month_days(s: str, base: int, out: list[NumberToken], taken: set[int]) -> None:
    """Dates without a year in Chinese numerals (三月六日, 三月六日至七日), the year 0: read
    like 3月6日. A day past 三十一 is no day, and its numerals stay counts."""
    if "月" not in s or "日" not in s:
        return
    for m in _cn_month_day().finditer(s):
        if m.start() in taken or (day := cn_day(m.group(2))) is None:
            continue
        date = (0, int(parse_chinese(m.group(1)) or 0), day)
        out.append(NumberToken(base + m.start(), base + m.end(), 0, "date", date))
        taken.update(range(m.start(), m.end()))
        _cn_range_end_at(s, base, out, taken, date, m.end())


def _cn(s: str, base: int, out: list[NumberToken]) -> None:
    taken = _cn_dates(s, base, out)
    _cn_month_days(s, base, out, taken)
    for m in _CN_RUN.finditer(s):
        run, start, end = m.group(0), m.start(), m.end()
        if start in taken:
            continue
        before = s[start - 1] if start else "\n"
        after = s[end : end + 1]
        if after in ("是", "要") and before in _SERIES_BOUNDARY and len(run) <= 2:
            continue  # 一是, 二要: the points of a series
        if after == "、" and before in _SERIES_BOUNDARY and len(run) <= 3:
            continue  # 一、 a heading number
        if before in "（(" and after in "）)":
            continue  # （一）
        if s[max(0, start - 3) : start] == "百分之":
            value = cn_value(run)
            if value is not None:
                out.append(NumberToken(base + start - 3, base + end, value, "percent"))
            continue
        if len(run) == 4 and after == "年" and all(ch in _CN_DIGITS for ch in run):
            out.append(NumberToken(base + start, base + end + 1, cn_value(run) or 0, "year"))
            continue
        if _ORDINAL_AFTER.match(s, end):
            value = cn_value(run)
            if value is not None:
                out.append(NumberToken(base + start, base + end, value, "ordinal"))
            continue
        unit = unit_at(s, end)
        if after == "成" and _TENTHS.match(s, end) and (value := cn_value(run)) and value <= 10:
            out.append(NumberToken(base + start, base + end + 1, value * 10, "percent"))
            continue
        if unit is None:
            continue
        rounded = before in _ROUNDING and run[0] in "十百千万亿"
        vague = rounded and before in _VAGUE
        if rounded:
            start -= 1  # the figure is 近百人, 数十场, not 百人, 十场
        if before == "第" and run == "一":
            continue  # 第一: first, rarely a fact
        if run == "一" or (run in ("几", "数")):
            continue  # 一个, 一次: the indefinite article
        if rounded and unit == "年":
            continue  # 近百年来, 几十年如一日: a figure of speech
        if all(ch in "百千万亿" for ch in run) and not rounded:
            continue  # 百年大计, 千家万户, 万人大会: a round figure of speech
        value = cn_value(run)
        if value is not None:
            kind = "ordinal" if before == "第" else "cn"
            out.append(
                NumberToken(base + start, base + end + len(unit), value, kind, approximate=vague)
            )
    if "番" in s:
        for m in _DOUBLING().finditer(s):
            times = 2.0 ** (cn_value(m.group(1)) or 1)
            out.append(NumberToken(base + m.start(), base + m.end(), times, "cn", approximate=True))


def find_numbers(text: str, start: int = 0, end: int | None = None) -> list[NumberToken]:
    """Every number stated in text[start:end], with offsets into `text`."""
    s = text[start:end]
    if _HAS_FULLWIDTH.search(s):
        s = s.translate(_FULLWIDTH)
    out: list[NumberToken] = []
    _arabic(s, start, out, set())
    _cn(s, start, out)
    out.sort(key=lambda t: t.start)
    return out
