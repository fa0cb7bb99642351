"""Numbers, years and dates as office staff type them, read into values.

The same reading serves a facts file and the web form: 全角数字 (１２), the fact's unit
(12次), thousands separators (1,200), Chinese numerals (十二, 二〇二〇年), 1.2万, an ordinal's
customary forms (十九大, 第二十次), and dates
as 2021年1月15日, 2021.1.15, 2021/1/15 or 二〇二一年一月十五日. What cannot be read is
returned unchanged, so that validation refuses it, with `hint` saying which form to use.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal
from typing import Any

from pipeline.lazy_re import lazy_pattern
from pipeline.numerals import parse_chinese

_date = lazy_pattern(r"^(\d{4})\s*[年/.\-]\s*(\d{1,2})\s*[月/.\-]\s*(\d{1,2})\s*[日号]?$")
_cn_date = lazy_pattern(
    r"^([〇零一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,2})\s*月"
    r"\s*([一二三四五六七八九十]{1,3})\s*[日号]$"
)
"""Dates as clerks type them: 日 or the everyday 号 (1月8号); a draft writes them with 日.
Compiled when a date is first typed as text (a YAML date needs neither)."""
_CN_NUMBER = lazy_pattern(r"[零〇一二两三四五六七八九十百千万]+")
_WAN = lazy_pattern(r"^(\d+(?:\.\d+)?)\s*万$")
_APPROXIMATE = lazy_pattern(r"约|余|多|几|若干|左右|近|以上|超过|大概|上下")
_THOUSANDS = lazy_pattern(r"(?<=\d),(?=\d{3}(?!\d))")
"""A comma between groups of three digits (1,200); any other (3，5: two numbers) is kept."""
_RANGE = lazy_pattern(r"\d\s*[-－~～—–至到]\s*\d")
_ORDINAL_ENDINGS = ("次全国代表大会", "届全国代表大会", "次", "届", "大")
"""What follows a 届次 as it is written: 十九次全国代表大会, 第十九届, 十九大."""
_TWO_NUMERALS = lazy_pattern(r"[一二两三四五六七八九]{2}")
"""Two numerals side by side outside a year (三四, 二十三四): one figure or the other (three or
four), not 34."""


def _normalise(text: str) -> str:
    """Full-width digits and letters to half-width, surrounding space and quotes removed."""
    return unicodedata.normalize("NFKC", text).strip().strip("“”\"'‘’").strip()


def _without_unit(text: str, units: tuple[str | None, ...]) -> str:
    """`text` without the unit it ends in; a unit in 万 or 亿 (万元) also when only its 万
    is written (1.2万 for 1.2万元), which is not then read as ten thousand times 1.2."""
    for unit in filter(None, units):
        short = unit[0] if len(unit) > 1 and unit[0] in "万亿" else None
        for written in filter(None, (unit, short)):
            if text.endswith(written):
                return text[: -len(written)].strip()
    return text


def to_int(text: str, unit: str | None, *, year: bool = False, ordinal: bool = False) -> Any:
    """An integer from what a clerk types (12次, 十二, １２, 1,200, 1.2万, 2020年; for an
    `ordinal` also 十九大, 第二十次, 第十九届, 党的十九次全国代表大会), or the text unchanged."""
    t = _without_unit(_THOUSANDS().sub("", _normalise(text)), (unit, "年度" if year else None))
    t = _without_unit(t, ("年" if year else None,))
    if ordinal:
        t = t.removeprefix("党的").removeprefix("第").strip()
        t = next((t[: -len(w)].strip() for w in _ORDINAL_ENDINGS if t.endswith(w)), t)
    if re.fullmatch(r"[+-]?\d+", t):
        return int(t)
    if not year and two_numerals(t) is not None:  # a year is written digit by digit: 二〇二一
        return text
    value = _wan_or_chinese(t)
    return int(value) if value is not None and value == value.to_integral_value() else text


def _wan_or_chinese(t: str) -> Decimal | None:
    """The value of 1.2万 or of a Chinese numeral (十二), in decimal: 0.57万 is 5700, where
    floats give 5699.999…; None for anything else."""
    wan = _WAN().match(t)
    if wan:
        return Decimal(wan[1]) * 10_000
    if t and _CN_NUMBER().fullmatch(t):
        value = parse_chinese(t)
        return None if value is None else Decimal(value)
    return None


def to_float(text: str, unit: str | None) -> Any:
    """A number from what a clerk types (12.5, 1,200.5, 1.6万, 十二, 12.5万元 for unit 万元),
    or the text."""
    t = _without_unit(_THOUSANDS().sub("", _normalise(text)), (unit,))
    if re.fullmatch(r"[+-]?\d+(\.\d+)?", t):
        return float(t)
    if two_numerals(t) is not None:
        return text
    value = _wan_or_chinese(t)
    return text if value is None else float(value)


def to_date(text: str) -> Any:
    """An ISO date from what a clerk types (2021年1月15日, 2021.1.15, 2021/1/15,
    二〇二一年一月十五日, 2021年元月15日, 2021年1月15号), or the text."""
    t = _normalise(text)
    if "元月" in t:  # January as a 落款 may name it (2024年元月8日)
        t = t.replace("元月", "1月" if t[:1].isdigit() else "一月")
    m = _date().match(t)
    parts: tuple[int | None, ...] = ()
    if m:
        parts = (int(m[1]), int(m[2]), int(m[3]))
    elif (cn := _cn_date().match(t)) is not None:
        parts = tuple(parse_chinese(g) for g in cn.groups())
    if parts and None not in parts:
        try:
            return dt.date(*parts).isoformat()  # type: ignore[arg-type]
        except ValueError:
            return text
    return text


def two_numerals(text: str) -> str | None:
    """The two numerals side by side in a number typed outside a year (三四 in 三四次: three
    or four), which no one figure can stand for; None if there are none."""
    found = _TWO_NUMERALS().search(_normalise(text))
    return found[0] if found else None


def _number_in(text: str) -> str | None:
    """The first number written in `text` (约12次 → 12, 十九大 → 19), in digits."""
    digits = re.search(r"\d+(?:\.\d+)?", text)
    if digits:
        return digits[0]
    for run in _CN_NUMBER().findall(text):
        value = parse_chinese(run)
        if value is not None:
            return str(value)
    return None


def hint(kind: str, given: Any, example: Any = None, *, required: bool = False) -> str:
    """Which form to use instead of `given`, for an integer, number or date a clerk typed
    that cannot be read ("" when there is nothing to add); `example` is the fact's, and a
    `required` one cannot be left empty for a marker instead."""
    if not isinstance(given, str):
        return ""
    t = _normalise(given)
    if kind in ("integer", "number"):
        or_empty = "" if required else ", or leave the field empty for a 【待补充】 marker"
        if _APPROXIMATE().search(t):
            digits = re.search(r"\d+(?:\.\d+)?", t)  # 约12次 → 12, but 十几次 → the example
            return (
                "; an approximate figure cannot be checked against the draft: write the exact "
                f"number alone, such as {digits[0] if digits else example or 30}{or_empty}"
            )
        if _RANGE().search(t):
            return f"; write one exact number, not a range{or_empty}"
        if (two := two_numerals(t)) is not None:
            return (
                f"; {two} reads as {parse_chinese(two[0])} or {parse_chinese(two[1])}, not one "
                f"number: write the exact number alone in digits{or_empty}"
            )
        number = _number_in(t)
        if number is not None:
            return f"; write the number alone in digits: {number} (the draft adds the words)"
        return f"; write the number alone in digits, such as {example or 12}"
    if kind == "year":
        return "; write the year in four digits, such as 2020"
    if kind == "date":
        if re.fullmatch(r"\d{1,2}\s*[月/.\-]\s*\d{1,2}\s*日?", t):
            return "; the year is missing: write the whole date, such as 2021-01-15"
        if re.fullmatch(r"\d{4}\s*[年/.\-]\s*\d{1,2}\s*月?", t):
            return "; the day is missing: write the whole date, such as 2021-01-15"
        if _date().match(t) or _cn_date().match(t):
            return "; there is no such day: check the month and the day"
        return "; write the whole date, such as 2021-01-15 or 2021年1月15日"
    return ""
