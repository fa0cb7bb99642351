"""Times of day (14:30, 下午2:30, 上午9：00): read as one value, the minute of the day.

A notice calls people to a meeting at a time; a time the facts do not give is as wrong as a
count they do not give, and 下午3:30 for 下午2:30 sends them an hour late. So with facts a
time of day is held to the facts' times as a whole (`checker.facts`), not number by number:
14:30 and 下午2:30 are the same time, 3:30 after 下午 is 15:30.
"""

from __future__ import annotations

from typing import NamedTuple

from pipeline.lazy_re import lazy_pattern

_PART = r"(?P<part>上午|下午|中午|晚上|傍晚|早上|早晨|凌晨)?[ \t\u3000]*(?<![\d.:：])"
_MINUTES = r"[:：](?P<minute>[0-5]\d)(?![\d:：])"
_TIME = lazy_pattern(rf"{_PART}(?P<hour>[01]\d|2[0-3]|(?(part)\d|(?!))){_MINUTES}")
"""H:MM with its part of the day: not a ratio (1:10), which has no part of the day and a
one-digit first number. The part of the day may stand apart (下午 2:30, as PDF copies give it)."""
_FACT_TIME = lazy_pattern(rf"{_PART}(?P<hour>[01]?\d|2[0-3]){_MINUTES}")
"""H:MM in a fact's text, where 2:30 is a time (a fact's text is short and says what it is)."""
_AFTERNOON = frozenset({"下午", "晚上", "傍晚"})


class TimeOfDay(NamedTuple):
    """A time of day in a text: its span and the minutes of the day it may mean."""

    start: int
    end: int
    minutes: frozenset[int]
    """One minute of the day; two for an hour of 1–11 without 上午/下午 (2:30 is 2:30 or
    14:30)."""


def times_of_day(text: str, *, in_fact: bool = False) -> list[TimeOfDay]:
    """Every time of day written H:MM in `text`, with its part of the day before it; `in_fact`
    reads 2:30 without a part of the day as a time too."""
    out: list[TimeOfDay] = []
    if ":" not in text and "：" not in text:  # most texts and facts: no scan, no compile
        return out
    for m in (_FACT_TIME if in_fact else _TIME)().finditer(text):
        hour, minute, part = int(m["hour"]), int(m["minute"]), m["part"]
        if (part in _AFTERNOON and hour < 12) or (part == "中午" and hour < 3):  # 中午1:00
            hours = {hour + 12}
        elif part is None and 1 <= hour < 12:
            hours = {hour, hour + 12}
        else:
            hours = {hour}
        out.append(TimeOfDay(m.start(), m.end(), frozenset(h * 60 + minute for h in hours)))
    return out
