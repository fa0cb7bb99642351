"""Weekdays as Chinese writes them after a date: 星期四, 周四, 礼拜四; 星期日 or 星期天."""

from __future__ import annotations

import datetime as dt

from pipeline.lazy_re import lazy_pattern

DAY_NAMES = "一二三四五六日"
"""The day names, Monday first (`date.weekday()` indexes them)."""
WEEKDAY_WORD = r"(?:星期|礼拜|周)[一二三四五六日天]"
"""A weekday as a regular expression: 星期四, 周四, 礼拜天."""
RANGE_JOIN = lazy_pattern(r"[ \t]*[至到—–－～~\-][ \t]*")
"""What joins a range's start and end (3月6日至7日, 3月6日—7日)."""
WEEKDAYS_AFTER = lazy_pattern(
    rf"[ \t]*(?P<open>[（(])?[ \t]*(?P<first>{WEEKDAY_WORD})"
    rf"(?:[ \t]*[至到—–～~\-][ \t]*(?P<second>{WEEKDAY_WORD}))?[ \t]*(?P<close>[）)])?"
)
"""The weekday(s) written right after a date: （星期四）, (周四), 星期四, （星期四至星期五）; a
match whose brackets do not pair (`open` without `close`) is no weekday."""


def weekday_cn(day: dt.date, like: str = "星期一") -> str:
    """The weekday of `day`, written the way `like` writes one: 星期四, 周四 or 礼拜四."""
    return like[:-1] + DAY_NAMES[day.weekday()]


def weekday_number(word: str) -> int:
    """0 (Monday) to 6 (Sunday) for 星期四, 周日, 礼拜天."""
    last = word[-1]
    return 6 if last == "天" else DAY_NAMES.index(last)
