"""The filters and globals section templates may use: Chinese numerals, dates, series of
items, 书名号 titles and the names of an area's organs (县委, 镇党委, 街道办事处…).

Each filter hands a missing fact (`Missing`) on untouched, so that it renders as its marker.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, ParamSpec, cast

from pipeline.items import clause as _clause
from pipeline.items import series_item
from pipeline.markers import marker
from pipeline.numerals import to_chinese
from pipeline.template_sandbox import Missing
from pipeline.weekdays import weekday_cn

_P = ParamSpec("_P")


def _passes_missing(fn: Callable[_P, str]) -> Callable[_P, str]:
    """`fn` as a template filter that hands a Missing value on untouched."""

    def wrapper(value: Any, *args: Any, **kwargs: Any) -> str | Missing:
        return value if isinstance(value, Missing) else fn(value, *args, **kwargs)

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    # Only a template hands these a Missing (and gets it back); Python callers pass fn's own
    # arguments and get its str, so they keep fn's signature.
    return cast(Callable[_P, str], wrapper)


@_passes_missing
def cn(value: int) -> str:
    """19 → 十九: a Chinese numeral, for ordinals such as 党的十九大 and 一是/二是."""
    return to_chinese(int(value))


@_passes_missing
def series(items: list[Any], sep: str = "、") -> str:
    """Join items with 、 (or `sep`), each without the number, punctuation or 等 a user ends
    it with (教师阅览室；, 休闲书吧等 → 教师阅览室、休闲书吧)."""
    return sep.join(filter(None, map(series_item, items)))


@_passes_missing
def quoted(items: list[Any]) -> str:
    """Quote each item with “” and run them together: “甲”“乙” (items without their final
    punctuation or quotation marks of their own)."""
    texts = (series_item(i).strip('“”"') for i in items)
    return "".join(f"“{text}”" for text in texts if text)


def book_title(value: Any) -> str:
    """A document's title in 书名号: 《关于做好意识形态工作的通知》, whether or not the user
    typed the 《》 (or quotation marks) and a final 。 (a missing title: its marker in 《》)."""
    if isinstance(value, Missing):
        return f"《{value}》"
    text = _clause(value)
    pair = text[:1] + text[-1:]
    if pair in ("《》", "“”", '""') and not any(ch in text[1:-1] for ch in pair):
        text = text[1:-1].strip()
    return f"《{text}》"


@_passes_missing
def date_cn(value: dt.date | str, weekday: bool = False) -> str:
    """2021-01-15 → 2021年1月15日 (GB/T 9704: Arabic numerals, no leading zeros); with
    `weekday`, 2025-03-06 → 2025年3月6日（星期四）, the weekday computed, never copied."""
    d = dt.date.fromisoformat(value) if isinstance(value, str) else value
    written = f"{d.year}年{d.month}月{d.day}日"
    return f"{written}（{weekday_cn(d)}）" if weekday else written


def weekdays(first: Any, last: Any) -> str:
    """The weekdays of a range, computed from its dates: 2025-03-06, 2025-03-07 →
    （星期四至星期五）, for `{{ start | date_cn }}至{{ end | until(start) }}{{ start |
    weekdays(end) }}`; nothing when either date is missing (its marker stands for it)."""
    if isinstance(first, Missing) or isinstance(last, Missing):
        return ""
    days = [dt.date.fromisoformat(v) if isinstance(v, str) else v for v in (first, last)]
    return f"（{weekday_cn(days[0])}至{weekday_cn(days[1])}）"


@_passes_missing
def until(end: dt.date | str, start: Any = None) -> str:
    """The last day of a period begun on `start`: 3月31日 after 2025年3月1日至 (the year is
    the start's), in full when the year differs or the start is missing."""
    last = dt.date.fromisoformat(end) if isinstance(end, str) else end
    first = dt.date.fromisoformat(start) if isinstance(start, str) else start
    if isinstance(first, dt.date) and first.year == last.year:
        return f"{last.month}月{last.day}日"
    return date_cn(last)


@_passes_missing
def sentence(text: str) -> str:
    """Text ending in one full stop: strips a leading item number and trailing punctuation
    and adds 。."""
    return _clause(text) + "。"


@_passes_missing
def clause(text: str) -> str:
    """Text without a leading item number and trailing punctuation, to be continued by the
    template."""
    return _clause(text)


AREA_LEVELS = ("省", "市", "县", "区", "乡", "镇", "街道")
"""The levels of an area an office belongs to: what 全县, 我镇 and 县委 are written with."""
_ORGANS = {
    "党委": {"乡": "乡党委", "镇": "镇党委", "街道": "街道党工委"},
    "政府": {"街道": "街道办事处"},
    "人民政府": {"街道": "街道办事处"},
    # An area's own institutions: what the same body is called at each level (a 镇's
    # 派出所 is a 县's 公安局); a level not listed writes the level and the kind.
    "派出所": {"省": "省公安厅", "市": "市公安局", "县": "县公安局", "区": "区公安分局"},
    "公安局": {
        "省": "省公安厅",
        "区": "区公安分局",
        "乡": "乡派出所",
        "镇": "镇派出所",
        "街道": "街道派出所",
    },
    "司法所": {"省": "省司法厅", "市": "市司法局", "县": "县司法局", "区": "区司法局"},
    "司法局": {"省": "省司法厅", "乡": "乡司法所", "镇": "镇司法所", "街道": "街道司法所"},
    "卫生院": {
        "省": "省人民医院",
        "市": "市人民医院",
        "县": "县人民医院",
        "区": "区人民医院",
        "街道": "社区卫生服务中心",
    },
    "人民医院": {"乡": "乡卫生院", "镇": "镇卫生院", "街道": "社区卫生服务中心"},
    "教育局": {"省": "省教育厅", "乡": "乡中心学校", "镇": "镇中心学校", "街道": "区教育局"},
    "中心学校": {
        "省": "省教育厅",
        "市": "市教育局",
        "县": "县教育局",
        "区": "区教育局",
        "街道": "区教育局",
    },
    # A 乡, 镇 or 街道 has no health bureau: the one above it leads its health work.
    "卫生健康局": {
        "省": "省卫生健康委员会",
        "市": "市卫生健康委员会",
        "乡": "县卫生健康局",
        "镇": "县卫生健康局",
        "街道": "区卫生健康局",
    },
}
INSTITUTIONS = tuple(k for k in _ORGANS if k not in ("党委", "政府", "人民政府"))
"""The institutions `organ` knows at every level (派出所, 卫生院, 教育局…)."""


@_passes_missing
def organ(level: str, kind: str) -> str:
    """The party committee, the government or an institution of an area's level, as reports
    write them: 县 → 县委, 镇 → 镇党委, 街道 → 街道党工委 (`kind` 党委); 县 → 县政府,
    街道 → 街道办事处 (`kind` 政府 or 人民政府); 镇 → 镇派出所, 县 → 县公安局 (`kind` 派出所)."""
    default = f"{level}委" if kind == "党委" else f"{level}{kind}"
    return _ORGANS.get(kind, {}).get(level, default)


FILTERS = {
    "cn": cn,
    "organ": organ,
    "series": series,
    "quoted": quoted,
    "book_title": book_title,
    "date_cn": date_cn,
    "until": until,
    "weekdays": weekdays,
    "sentence": sentence,
    "clause": clause,
}
GLOBALS = {"marker": marker}
REMOVED_GLOBALS = ("lipsum",)
"""Jinja's own globals a template may not use: `lipsum()` writes Latin filler with HTML
tags into the report, which no check finds (Jinja's others: range, dict, cycler, joiner and
namespace, stay)."""
