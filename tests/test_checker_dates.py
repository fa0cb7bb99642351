"""`numbers.date` and `numbers.weekday`: dates that name no day, weekdays that are not their
date's; and none of either on any real text of the repository."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.checker import check_text
from pipeline.checker.wording import problem_zh
from pipeline.textio import read_text
from tests.conftest import repository_texts

DATA = Path(__file__).parent / "data"
CODES = ("numbers.date", "numbers.weekday")
TOWNSHIP = DATA / "realworld" / "notice-township-meeting-2025.txt"


def date_findings(text: str) -> list[tuple[str, str, str]]:
    return [(f.code, f.excerpt, f.message) for f in check_text(text).findings if f.code in CODES]


@pytest.mark.parametrize(
    ("text", "excerpt", "message"),
    [
        (
            "会议定于2025年2月29日召开。",
            "2025年2月29日",
            "2025年2月29日 is no date: 2月 has 28 days in 2025",
        ),
        ("请于4月31日前报送。", "4月31日", "4月31日 is no date: 4月 has at most 30 days"),
        ("请于2月30日前报送。", "2月30日", "2月30日 is no date: 2月 has at most 29 days"),
        (
            "2025年13月1日起施行。",
            "2025年13月1日",
            "2025年13月1日 is no date: there is no month 13",
        ),
        ("2025年13月起施行。", "2025年13月", "2025年13月 is no date: there is no month 13"),
        ("2025年3月0日起施行。", "2025年3月0日", "2025年3月0日 is no date: there is no day 0"),
        (
            "2025年3月32日起施行。",
            "2025年3月32日",
            "2025年3月32日 is no date: 3月 has 31 days in 2025",
        ),
        (
            "２０２５年４月３１日",
            "２０２５年４月３１日",
            "２０２５年４月３１日 is no date: 4月 has 30 days in 2025",
        ),
        (
            "二〇二五年二月三十日",
            "二〇二五年二月三十日",
            "二〇二五年二月三十日 is no date: 2月 has 28 days in 2025",
        ),
        (
            "二〇二五年十三月一日",
            "二〇二五年十三月一日",
            "二〇二五年十三月一日 is no date: there is no month 13",
        ),
        (
            "检查于2025年4月1日至31日进行。",
            "31日",
            "2025年4月31日 is no date: 4月 has 30 days in 2025",
        ),
        # without a year, in Chinese numerals
        (
            "请于四月三十一日前报送。",
            "四月三十一日",
            "四月三十一日 is no date: 4月 has at most 30 days",
        ),
        ("请于二月卅日前报送。", "二月卅日", "二月卅日 is no date: 2月 has at most 29 days"),
        (
            "检查于二〇二五年四月一日至三十一日进行。",
            "三十一日",
            "2025年4月31日 is no date: 4月 has 30 days in 2025",
        ),
        # with dots, slashes or dashes, where the form can be nothing but a date
        ("截至2025.2.30。", "2025.2.30", "2025.2.30 is no date: 2月 has 28 days in 2025"),
        ("截至2025/2/30，", "2025/2/30", "2025/2/30 is no date: 2月 has 28 days in 2025"),
        ("截至2025-02-30", "2025-02-30", "2025-02-30 is no date: 2月 has 28 days in 2025"),
        ("于2023.4.31前", "2023.4.31", "2023.4.31 is no date: 4月 has 30 days in 2023"),
        (
            "２０２５．２．３０。",
            "２０２５．２．３０",
            "２０２５．２．３０ is no date: 2月 has 28 days in 2025",
        ),
    ],
)
def test_a_date_that_names_no_day_is_an_error(text, excerpt, message):
    assert date_findings(text) == [("numbers.date", excerpt, message)]


@pytest.mark.parametrize(
    ("text", "excerpt", "message"),
    [
        (
            "会议定于2025年3月6日（星期三）14:30召开。",
            "2025年3月6日（星期三）",
            "2025年3月6日 is a 星期四, not 星期三",
        ),
        ("2025年3月6日(星期三)", "2025年3月6日(星期三)", "2025年3月6日 is a 星期四, not 星期三"),
        ("2025年3月6日星期三上午", "2025年3月6日星期三", "2025年3月6日 is a 星期四, not 星期三"),
        ("2025年3月6日 周日上午", "2025年3月6日 周日", "2025年3月6日 is a 周四, not 周日"),
        ("2025年3月6日（周三）", "2025年3月6日（周三）", "2025年3月6日 is a 周四, not 周三"),
        (
            "2025年3月6日（礼拜天）",
            "2025年3月6日（礼拜天）",
            "2025年3月6日 is a 礼拜四, not 礼拜天",
        ),
        (
            "2025年3月9日（星期六）",
            "2025年3月9日（星期六）",
            "2025年3月9日 is a 星期日, not 星期六",
        ),
        (
            "２０２５年３月６日（星期三）",
            "２０２５年３月６日（星期三）",
            "２０２５年３月６日 is a 星期四, not 星期三",
        ),
        (
            "二〇二五年三月六日（星期三）",
            "二〇二五年三月六日（星期三）",
            "二〇二五年三月六日 is a 星期四, not 星期三",
        ),
        (
            "请于3月5日（星期二）17:00前报送。\n\n青石镇人民政府\n2025年3月3日",
            "3月5日（星期二）",
            "2025年3月5日 is a 星期三, not 星期二",
        ),
        (
            "会期为2025年3月6日至7日（星期四至星期六）。",
            "7日（星期四至星期六）",
            "2025年3月7日 is a 星期五, not 星期六",
        ),
        (
            "会期为2025年3月6日至3月7日（星期三至星期五）。",
            "2025年3月6日至3月7日（星期三至星期五）",
            "2025年3月6日 is a 星期四, not 星期三",
        ),
        (  # a full-width dash joins a range as 至 does
            "会期为2025年3月6日－3月7日（星期四至星期六）。",
            "3月7日（星期四至星期六）",
            "2025年3月7日 is a 星期五, not 星期六",
        ),
        # without a year, in Chinese numerals: held to the year of the full dates
        (
            "请于三月六日（星期三）前报送。\n\n二〇二五年三月三日",
            "三月六日（星期三）",
            "2025年3月6日 is a 星期四, not 星期三",
        ),
        (
            "请于十二月三十一日（星期二）前报送。2025年12月1日",
            "十二月三十一日（星期二）",
            "2025年12月31日 is a 星期三, not 星期二",
        ),
        (
            "请于三月廿三日（星期一）前报送。2025年3月1日",
            "三月廿三日（星期一）",
            "2025年3月23日 is a 星期日, not 星期一",
        ),
        (
            "会期为三月六日至七日（星期四至星期六）。2025年3月1日",
            "七日（星期四至星期六）",
            "2025年3月7日 is a 星期五, not 星期六",
        ),
        (
            "会期为二〇二五年三月六日至七日（星期四至星期六）。",
            "七日（星期四至星期六）",
            "2025年3月7日 is a 星期五, not 星期六",
        ),
        # across the turn of the year: the weekday of neither year
        (
            "请于1月6日（星期二）前报送。\n\n青石镇人民政府\n2024年12月30日",
            "1月6日（星期二）",
            "1月6日 is a 星期六 in 2024 and a 星期一 in 2025, not 星期二",
        ),
        (
            "会期为1月6日至7日（星期一至星期三）。\n\n青石镇人民政府\n2024年12月30日",
            "7日（星期一至星期三）",
            "1月7日 is a 星期日 in 2024 and a 星期二 in 2025, not 星期三",
        ),
        (
            "请于12月29日（星期四）前报送。\n\n青石镇人民政府\n2025年1月3日",
            "12月29日（星期四）",
            "12月29日 is a 星期日 in 2024 and a 星期一 in 2025, not 星期四",
        ),
    ],
)
def test_a_weekday_that_is_not_its_date_s_is_an_error(text, excerpt, message):
    assert date_findings(text) == [("numbers.weekday", excerpt, message)]


@pytest.mark.parametrize(
    "text",
    [
        "2025年3月6日（星期四）14:30",
        "2025年3月9日（星期日）",
        "2025年3月9日（星期天）",
        "2025年3月6日(周四)",
        "二〇二五年三月六日（星期四）",
        "2024年2月29日（星期四）",  # a leap year
        "2000年2月29日",
        "请于2月29日前报送。",  # some year has one
        "会期为2025年3月6日至7日（星期四至星期五）。",
        "会期为2025年3月6日（星期四）至7日（星期五）。",
        "3月1日至15日开展检查，2025年3月15日（星期六）前报送。",
        "2025年3月6日至7日（星期五）",  # which end it names is not said
        # without a year and with full dates of two years: which year is not said
        "请于3月5日（星期二）前报送。2025年3月1日，2024年1月1日",
        "请于3月5日（星期二）前报送。",  # no year at all
        "2025年3月6日第3周，建校70周年，周边村镇，周末和一周内",
        "2025年3月6日周年庆",
        # across the turn of the year: 1月6日 may be the next year's (a 星期一 in 2025) or,
        # written in a notice of the 30th about the week before, this year's (a 星期六)
        "请于1月6日（星期一）前报送。\n\n青石镇人民政府\n2024年12月30日",
        "1月6日（星期六）已完成。\n\n青石镇人民政府\n2024年12月30日",
        "会期为1月6日至7日（星期一至星期二）。\n\n青石镇人民政府\n2024年12月30日",
        "请于2月29日（星期四）前报送。\n\n2023年12月30日",  # only 2024 has one
        # ... and not when the full dates' years differ
        "请于1月6日（星期三）前报送。2024年12月30日，2025年1月2日",
        "会期为2025年12月31日至1月1日（星期三至星期四）。",
        "【待补充：2025年2月30日（星期一）】",
        "2025年X月X日（星期三）",
        "2025年　月　日（星期　）",
        "2025年3月6日（星期四",  # an unclosed bracket: read no weekday
        # Chinese numerals that are no dates, and dates that are right
        "元旦（一月一日）放假。2025年1月1日（星期三）",
        "请于三月六日（星期四）前报送。2025年3月1日",
        "十月革命，三月份完成，三个月内，十二月底，五月一日至三日",
        "十三月一日，三月三十二日，第三月一日",  # not read: month 一…十二, day 一…三十一
        # dotted, slashed or dashed forms that may be versions, codes or other numbers
        "v2025.2.30",
        "版本V2025.2.30版",
        "ｖ２０２５．２．３０",
        "2025.2.30.1",
        "0571-2025-2-30",
        "编号2025-2-30号",
        "第3.2.1条，2025.13.1，2025.2.0，2025.2.32，1899.2.30",
        "见https://example.com/2025/2/30/a",
        "2024.2.29，2025-03-06（星期四）",
    ],
)
def test_no_date_finding_on_true_dates_and_what_is_no_date(text):
    assert date_findings(text) == []


def test_no_date_finding_on_any_real_text_of_the_repository():
    texts = repository_texts()
    assert sum(p.endswith(".docx") for p in texts) >= 2 and len(texts) >= 90
    assert {p: f for p, t in texts.items() if (f := date_findings(t))} == {}
    # the scan reads dates with their weekdays: the two notices that write one, and the
    # meeting notice's draft
    for name in ("notice-township-meeting-2025.txt", "notice-company-party-2025.txt"):
        text = texts[str(DATA / "realworld" / name)]
        assert "（星期" in text
        changed = text.replace("（星期四）", "（星期三）").replace("（星期五）", "（星期三）")
        assert [code for code, _, _ in date_findings(changed)] == ["numbers.weekday"]
    assert "2025年3月6日（星期四）" in texts["draft of meeting-notice.yaml"]


def test_draft_check_reports_a_wrong_weekday_and_passes_once_it_is_fixed(cli, tmp_path):
    notice = tmp_path / "通知.txt"
    right = read_text(TOWNSHIP)
    assert "2025年3月6日（星期四）" in right
    notice.write_text(right.replace("2025年3月6日（星期四）", "2025年3月6日（星期三）"), "utf-8")
    done = cli("check", notice, "--format", "json")
    assert done.returncode == 1, done.stdout + done.stderr
    found = [f for f in json.loads(done.stdout)["findings"] if f["code"] in CODES]
    assert [(f["code"], f["severity"], f["message"]) for f in found] == [
        ("numbers.weekday", "error", "2025年3月6日 is a 星期四, not 星期三")
    ]
    plain = cli("check", notice)
    assert "numbers.weekday" in plain.stdout and "Traceback" not in plain.stderr
    notice.write_text(right, "utf-8")
    fixed = cli("check", notice, "--format", "json")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr


@pytest.mark.parametrize(
    ("text", "zh"),
    [
        (
            "会议定于2025年3月6日（星期三）召开。",
            "星期几与所写日期不符（2025年3月6日是星期四，不是星期三）",
        ),
        (
            "请于1月6日（星期二）前报送。\n\n2024年12月30日",
            "星期几与所写日期不符（1月6日在2024年是星期六、在2025年是星期一，都不是星期二）",
        ),
        ("请于4月31日前报送。", "日期不存在（月份或日数超出日历）（4月31日：4月最多只有30天）"),
        (
            "截至2025.2.30。",
            "日期不存在（月份或日数超出日历）（2025.2.30：2025年2月只有28天）",
        ),
        ("2025 年 13 月起", "日期不存在（月份或日数超出日历）（2025 年 13 月：没有13月）"),
        ("2025年3月0日起", "日期不存在（月份或日数超出日历）（2025年3月0日：没有0日）"),
    ],
)
def test_a_date_finding_is_told_in_chinese_with_its_date(text, zh):
    found = [f for f in check_text(text).findings if f.code in CODES]
    assert [problem_zh(f) for f in found] == [zh]
