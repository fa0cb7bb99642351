"""Chinese numerals both ways."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.numerals import parse_chinese, to_chinese, year_digits

CASES = {
    0: "零",
    1: "一",
    10: "十",
    11: "十一",
    19: "十九",
    20: "二十",
    71: "七十一",
    100: "一百",
    105: "一百零五",
    110: "一百一十",
    1000: "一千",
    1001: "一千零一",
    2020: "二千零二十",
    10010: "一万零一十",
    35000: "三万五千",
    100000000: "一亿",
    120000000: "一亿二千万",
    100005000: "一亿零五千",
}


@pytest.mark.parametrize(("number", "text"), sorted(CASES.items()))
def test_known_values_both_ways(number, text):
    assert to_chinese(number) == text
    assert parse_chinese(text) == number


def test_digit_by_digit_years_and_two():
    assert year_digits(2020) == "二〇二〇"
    assert parse_chinese("二〇二〇") == 2020
    assert parse_chinese("两千") == 2000
    assert parse_chinese("一十九") == 19


@pytest.mark.parametrize("text", ["", "是", "十百", "百百", "一二三十", "统一", "万"])
def test_not_numerals(text):
    assert parse_chinese(text) is None


@given(st.integers(min_value=0, max_value=10**12))
def test_round_trip(n):
    assert parse_chinese(to_chinese(n)) == n
