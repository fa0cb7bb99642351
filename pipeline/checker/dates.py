"""Dates that name no day (`numbers.date`) and weekdays that are not their date's
(`numbers.weekday`), both errors.

A clerk who reuses last year's notice changes 2024年3月5日（星期二） to 2025年3月5日 and leaves
the 星期二 (it is a 星期三): readers then see two different days. A typed 2025年2月29日 or 4月31日
names no day at all. Dates are read as `checker.numbers` reads them (2025年3月6日, full-width
digits, 2025-03-06, 二〇二五年三月六日, 3月6日, 三月六日, and 15日 in 3月1日至15日). Dates
written with 年/月/日 are held to the calendar; one written with dots, slashes or dashes
(2025.2.30) only where it can be nothing but a date: a year 19xx or 20xx, a month 1–12, a day
1–31, and nothing around it that makes it a version, a code or a longer number (v2025.2.30,
2025.2.30.1, 2025-2-30号; 2025.13.1 may be a number of another kind). A weekday is the one
right after a date, bracketed or not (（星期四）, (周四), 星期天, 礼拜四); a date without a year
is checked against the year every full date in the text shares, and not at all when they
differ. Where it may fall in the year before or after (1月6日 in a notice dated 2024年12月30日)
it is checked against both years, and reported only when its weekday is neither's. A range's
weekdays (3月6日至7日（星期四至星期五）) are checked end by end.
"""

from __future__ import annotations

import calendar
import datetime as dt
import unicodedata

from pipeline.checker.context import Context
from pipeline.checker.findings import Finding, Severity
from pipeline.checker.numbers import NumberToken
from pipeline.weekdays import RANGE_JOIN, WEEKDAYS_AFTER, weekday_cn, weekday_number

_LEAP_YEAR = 2000
"""A date without a year is held to a leap year: 2月29日 may exist, 2月30日 never does."""
_CODE_MARKS = frozenset("._/-#\\:")
"""Before a dotted or dashed date: it is part of a code or a longer number (v2025.2.30)."""
_CODE_AFTER = frozenset("_/-#号版")
"""After one: the same, or a document or version number (2025-2-30号, 2025.2.30版)."""
_NEAR_DAYS = 92
"""A date without a year this near a full date across the turn of the year may be in the
year before or after it: its weekday is checked against both years."""


def _exists(year: int, month: int, day: int | None) -> bool:
    if not 1 <= month <= 12:
        return False
    return day is None or 1 <= day <= calendar.monthrange(year or _LEAP_YEAR, month)[1]


def _written(ctx: Context, token: NumberToken, year: int) -> str:
    """The date as the message quotes it: as written when it has its year, else in full."""
    text = ctx.text[token.start : token.end]
    if "年" in text:
        return text
    assert token.date is not None
    _, month, day = token.date
    return f"{year}年{month}月{day}日"


def _plain_date(text: str, token: NumberToken) -> bool:
    """Whether 2025.2.30, 2025/2/30 or 2025-02-30 can be nothing but a date: a year of 19xx
    or 20xx, a month 1–12, a day 1–31, and no letter, digit or separator around it that
    makes it part of a version, a code or a longer number (v2025.2.30, 2025.2.30.1,
    0571-2025-2-30, 2025-2-30号)."""
    assert token.date is not None
    year, month, day = token.date
    if not (1900 <= year <= 2099 and 1 <= month <= 12 and day is not None and 1 <= day <= 31):
        return False
    before = _ascii(text[token.start - 1] if token.start else " ")
    after = _ascii(text[token.end : token.end + 2])
    if before.isascii() and (before.isalnum() or before in _CODE_MARKS):
        return False
    if after[:1] in _CODE_AFTER or (after[:1].isascii() and after[:1].isalnum()):
        return False
    return not (after[:1] == "." and after[1:].isascii() and after[1:].isalnum())


def _ascii(chars: str) -> str:
    """Full-width letters, digits and marks as ASCII (ｖ → v, ． → .)."""
    return unicodedata.normalize("NFKC", chars)


def _no_such_day(ctx: Context, token: NumberToken) -> Finding:
    assert token.date is not None
    year, month, day = token.date
    written = ctx.text[token.start : token.end]
    if "月" not in written and written.endswith("日"):  # the end of 4月1日至31日
        written = f"{year}年{month}月{day}日" if year else f"{month}月{day}日"
    if not 1 <= month <= 12:
        why = f"there is no month {month}"
    elif day is not None and day < 1:
        why = "there is no day 0"
    elif year:
        why = f"{month}月 has {calendar.monthrange(year, month)[1]} days in {year}"
    else:
        why = f"{month}月 has at most {calendar.monthrange(_LEAP_YEAR, month)[1]} days"
    return ctx.finding(
        "numbers.date",
        Severity.ERROR,
        token.start,
        token.end,
        f"{written} is no date: {why}",
        "correct the month or the day",
    )


def _wrong_weekday(
    ctx: Context, token: NumberToken, days: list[dt.date], word: str, start: int, end: int
) -> Finding | None:
    """A finding when `word` is the weekday of none of `days`, the years the date may be in
    (one, or two across the turn of the year)."""
    if any(day.weekday() == weekday_number(word) for day in days):
        return None
    rights = [weekday_cn(day, like=word) for day in days]
    if len(days) == 1:
        message = f"{_written(ctx, token, days[0].year)} is a {rights[0]}, not {word}"
        hint = f"write {rights[0]}, or correct the date if it is the weekday that is right"
    else:
        month, day = days[0].month, days[0].day
        written = ctx.text[token.start : token.end]
        written = written if "月" in written else f"{month}月{day}日"
        years = " and ".join(f"a {r} in {d.year}" for r, d in zip(rights, days, strict=True))
        message = f"{written} is {years}, not {word}"
        hint = "write the weekday of the year meant, or correct the date"
    return ctx.finding("numbers.weekday", Severity.ERROR, start, end, message, hint)


def _days(token: NumberToken, full: list[dt.date], after: dt.date | None = None) -> list[dt.date]:
    """The days `token` may name, in order. A date without a year: the first such day after
    `after` (the start of the range it ends: 1月2日 after 2025年12月31日), else the day in
    the year of every full date in the text (`full`), and in the year before or after too
    where that is as near a full date (1月6日 in a notice dated 2024年12月30日: 2024 or
    2025); none when the full dates' years differ or there are none."""
    assert token.date is not None
    year, month, day = token.date
    if day is None:
        return []
    if year:
        return [dt.date(year, month, day)]
    if after is not None:
        year = after.year + ((month, day) < (after.month, after.day))
        return [dt.date(year, month, day)] if _exists(year, month, day) else []
    if not full or len({d.year for d in full}) > 1:
        return []
    year = full[0].year
    return [
        dt.date(y, month, day)
        for y in (year - 1, year, year + 1)
        if _exists(y, month, day)
        and (y == year or any(abs((dt.date(y, month, day) - d).days) <= _NEAR_DAYS for d in full))
    ]


def _dates(ctx: Context) -> list[NumberToken]:
    """The dates the text writes outside markers and site residue."""
    return [
        t
        for t in ctx.numbers(0, len(ctx.text))
        if t.date is not None and not ctx.in_marker(t.start) and not ctx.in_residue(t.start, t.end)
    ]


def check_dates(ctx: Context) -> list[Finding]:
    """Dates that do not exist, and weekdays that disagree with the date they follow."""
    text = ctx.text
    if not any(mark in text for mark in "日月.-/．"):
        return []
    dates = _dates(ctx)
    out: list[Finding] = []
    valid: list[NumberToken] = []
    for token in dates:
        assert token.date is not None
        if _exists(*token.date):
            valid.append(token)
        elif (
            "月" in (written := text[token.start : token.end])
            or written.endswith("日")
            or _plain_date(text, token)
        ):
            out.append(_no_such_day(ctx, token))
    full = [d for t in valid if t.date is not None and t.date[0] for d in _days(t, [])]
    for i, token in enumerate(valid):
        m = WEEKDAYS_AFTER().match(text, token.end)
        if m is None or bool(m["open"]) != bool(m["close"]):
            continue
        start = _range_start(text, valid, i)
        if m["second"] is not None:
            if start is None:
                continue  # two weekdays after one date: not a range this rule can read
            pairs = [(start, m["first"]), (token, m["second"])]
        elif start is None:
            pairs = [(token, m["first"])]
        else:
            continue  # one weekday after a range's end: which end it names is not said
        # each reading of the range: a year its start may be in, and its end after it
        readings = [[first] for first in _days(pairs[0][0], full)]
        if len(pairs) == 2:
            readings = [[r[0], *ends] for r in readings if (ends := _days(token, full, r[0]))]
        for k, (date_token, word) in enumerate(pairs):
            days = [r[k] for r in readings]
            if days and (
                found := _wrong_weekday(ctx, date_token, days, word, date_token.start, m.end())
            ):
                out.append(found)
    return out


def _range_start(text: str, dates: list[NumberToken], i: int) -> NumberToken | None:
    """The date opening the range that dates[i] ends (3月6日 in 3月6日至7日), if it ends one."""
    if i == 0:
        return None
    before = dates[i - 1]
    join = RANGE_JOIN().fullmatch(text, before.end, dates[i].start)
    return before if join is not None and before.date is not None and before.date[2] else None
