"""Chinese numerals both ways: 19 ⇄ 十九, 2020 ⇄ 二〇二〇, 105 ⇄ 一百零五.

Written here rather than taken from cn2an: importing cn2an costs about 0.9 s, which alone
would break the CLI's start-up budget, and the pipeline needs only whole numbers.
"""

from __future__ import annotations

from functools import lru_cache

DIGITS = "零一二三四五六七八九"
_DIGIT_VALUES = {ch: i for i, ch in enumerate(DIGITS)} | {"〇": 0, "两": 2}
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_BIG_UNITS = {"万": 10_000, "亿": 100_000_000}
MAX_NUMERAL_LENGTH = 32
"""Longest run of numeral characters read as a number (九千九百九十九万…亿 fits). A longer
run is no number anyone writes, and its value could outgrow a float (一亿 repeated) or
Python's limit on converting digits to an int, and would take time quadratic in its length."""


def _below_10000(n: int) -> str:
    out = ""
    zero = False
    for unit, value in (("千", 1000), ("百", 100), ("十", 10), ("", 1)):
        digit, n = divmod(n, value)
        if digit:
            if zero and out:
                out += "零"
            out += DIGITS[digit] + unit
            zero = False
        elif out:
            zero = True
    return out


def to_chinese(n: int) -> str:
    """A whole number in Chinese numerals: 19 → 十九, 105 → 一百零五, 10010 → 一万零一十."""
    if n < 0:
        return "负" + to_chinese(-n)
    if n == 0:
        return "零"
    if n >= 10**16:
        raise ValueError(f"{n} is too large")
    parts: list[str] = []
    gap = False
    for unit, value in (("亿", 10**8), ("万", 10**4), ("", 1)):
        chunk, n = divmod(n, value)
        if chunk:
            text = _below_10000(chunk) if chunk < 10000 else to_chinese(chunk)
            if parts and (chunk < 1000 or gap):
                text = "零" + text
            parts.append(text + unit)
            gap = False
        elif parts:
            gap = True
    text = "".join(parts)
    return text[1:] if text.startswith("一十") else text  # 十九, not 一十九


def year_digits(n: int) -> str:
    """A year digit by digit: 2020 → 二〇二〇."""
    return "".join("〇" if d == "0" else DIGITS[int(d)] for d in str(n))


@lru_cache(maxsize=4096)
def parse_chinese(text: str) -> int | None:
    """The value of a Chinese numeral (十九, 二〇二〇, 一百零五, 三万五千, 两千), None if it is not one."""
    if (
        not text
        or len(text) > MAX_NUMERAL_LENGTH
        or any(
            ch not in _DIGIT_VALUES and ch not in _SMALL_UNITS and ch not in _BIG_UNITS
            for ch in text
        )
    ):
        return None
    if all(ch in _DIGIT_VALUES for ch in text):
        if len(text) == 1:
            return _DIGIT_VALUES[text]
        return int("".join(str(_DIGIT_VALUES[ch]) for ch in text))  # 二〇二〇
    total = section = 0
    digit: int | None = None
    last_small = 10_000
    for ch in text:
        if ch in _DIGIT_VALUES:
            if digit is not None and _DIGIT_VALUES[ch] != 0 and digit != 0:
                return None  # two digits in a row inside a positional numeral
            digit = _DIGIT_VALUES[ch]
        elif ch in _SMALL_UNITS:
            value = _SMALL_UNITS[ch]
            if value >= last_small:
                return None  # 十百, 百百: units must fall
            section += (1 if digit is None else digit) * value
            digit, last_small = None, value
        else:
            value = _BIG_UNITS[ch]
            section += digit or 0
            total = (total + section) * value if value > 10_000 else total + section * value
            if total == 0:
                return None
            section, digit, last_small = 0, None, 10_000
    return total + section + (digit or 0)
