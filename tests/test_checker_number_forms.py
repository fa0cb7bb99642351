"""`style.number-form`: number forms a proofreader marks (GB/T 15835-2011) — 二0二0年, 百分之95,
3百余人次, 1.5万万元, 约300余人 —, the 〇 that `--fix` writes, and none on any real text of the
repository."""

from __future__ import annotations

import json

import pytest

from pipeline.checker import apply_fixes, check_text, clean_text
from pipeline.checker.fix import style_fixed
from pipeline.checker.wording import fix_zh, problem_zh
from tests.conftest import repository_texts

CODE = "style.number-form"
SCHOOL = "红星中学2020年工作总结\n\n一、主要工作\n\n"
PROOFREAD = (
    "二0二0年，我校共开展活动12次，覆盖率达百分之95。全年共接待来访3百余人次，约300余人参加，"
    "投入资金1.5万万元。\n"
)


def number_forms(text: str) -> list[tuple[str, str, str]]:
    return [(f.excerpt, f.message, f.hint) for f in check_text(text).findings if f.code == CODE]


@pytest.mark.parametrize(
    ("text", "excerpt", "message", "hint"),
    [
        (
            "二0二0年，我校",
            "二0二0",
            "a digit zero in Chinese numerals: “二0二0”",
            "write “二〇二〇” (draft check --fix does)",
        ),
        (
            "二O二五年工作要点",
            "二O二五",
            "a letter O in Chinese numerals: “二O二五”",
            "write “二〇二五” (draft check --fix does)",
        ),
        ("建于一九九0年", "一九九0", "a digit zero in Chinese numerals: “一九九0”", None),
        ("二０二０年", "二０二０", "a digit zero in Chinese numerals: “二０二０”", None),
        ("九0后教师", "九0", "a digit zero in Chinese numerals: “九0”", None),
        (
            "二零二〇年工作总结",
            "二零二〇",
            "零 in a year written digit by digit: “二零二〇年”",
            "write “二〇二〇年” (draft check --fix does)",
        ),
        ("建于一九九零年", "一九九零", None, "write “一九九〇年” (draft check --fix does)"),
        (
            "覆盖率达百分之95。",
            "百分之95",
            "百分之 before Arabic digits: “百分之95”",
            "write “95%” or “百分之九十五”",
        ),
        ("降低百分之0.5", "百分之0.5", None, "write “0.5%” or “百分之零点五”"),
        (
            "接待来访3百余人次",
            "3百",
            "Arabic digits with “百” as a unit: “3百”",
            "write “300” or “三百”",
        ),
        ("奖励5千元", "5千", "Arabic digits with “千” as a unit: “5千”", "write “5000” or “五千”"),
        ("共2十人", "2十", None, "write “20” or “二十”"),
        ("投入1.5千元", "1.5千", None, "write “1500” or “一千五百”"),
        ("投入3千万元", "3千万", None, "write “3000万” or “三千万”"),
        ("共３百人", "３百", None, "write “300” or “三百”"),
        (
            "投入资金1.5万万元",
            "1.5万万",
            "a doubled unit after a number: “1.5万万”",
            "write the unit once (“1.5万”), or the amount meant (万万 is 亿)",
        ),
        (
            "人口一万万",
            "一万万",
            None,
            "write the unit once (“一万”), or the amount meant (万万 is 亿)",
        ),
        ("3亿亿元", "3亿亿", None, None),
        (
            "5千千",
            "5千千",
            None,
            "write the unit once (“5000”), or the amount meant (千千 is 百万)",
        ),
        (
            "约300余人参加",
            "约300余",
            "an approximation said twice: “约” and “余” in “约300余”",
            "keep one of the two: “约300” or “300余”",
        ),
        (
            "大约30人左右",
            "大约30人左右",
            "an approximation said twice: “大约” and “左右” in “大约30人左右”",
            "keep one of the two: “大约30人” or “30人左右”",
        ),
        ("近50余次", "近50余", None, "keep one of the two: “近50” or “50余”"),
        ("将近100多名", "将近100多", None, None),
        ("大概20人上下", "大概20人上下", None, None),
        ("约3万余元", "约3万余", None, "keep one of the two: “约3万” or “3万余”"),
        ("约三百余人", "约三百余", None, None),
        ("用时约1小时左右", "约1小时左右", None, None),
    ],
)
def test_each_form_is_reported_with_its_corrected_form(text, excerpt, message, hint):
    found = number_forms(text)
    assert [e for e, _, _ in found] == [excerpt]
    if message is not None:
        assert found[0][1] == message
    if hint is not None:
        assert found[0][2] == hint


@pytest.mark.parametrize(
    "text",
    [
        "一万多",
        "十余年来",
        "万余人",
        "第十四个五年规划",
        "“十四五”时期",
        "落实“三会一课”制度",
        "千千万万的群众",
        "万万不可",
        "成千上万",
        "二〇二〇年",
        "一百零五人",  # a quantity takes 零
        "零星分布，零五年",
        "2025年3月6日",
        "0.5",
        "下午2:30",
        "〔2025〕1号",
        "人民路10号3单元",
        "电话：0371-12345678",
        "【待补充：二0二0年度百分之95】",
        "3万人",
        "1.5亿元",
        "5千米",
        "10千克",
        "2024十大新闻",
        "统一0点开始",
        "第一0",  # one Chinese digit at the end of the text: no year
        "节约300余元",
        "预约300余人",
        "最近3年多来",
        "附近50余户",
        "约30人多次参加",
        "约300人上下班",
        "GB3百",
        "A0一二",
        "近年来",
        "大约一半",
        "近一年多",
        "百分之百",
        "百分之三十",
        "一百0五",
        "约一个多月",
        "3百分点",
        "30%",
    ],
)
def test_no_finding_on_right_forms_and_what_is_no_number(text):
    assert number_forms(text) == []


@pytest.mark.parametrize(
    ("line", "form"),
    [
        ("下面是小编为大家整理的二0二0年工作总结范文，供大家参考。", "二0二0年"),
        ("二0二0年学校工作总结范文(精选10篇)", "二0二0年"),
        ("更多约300余篇精品文档请访问 www.example.com", "约300余篇"),
    ],
)
def test_site_residue_is_not_the_writer_s_text(line, form):
    text = f"{line}\n学校2020年工作总结\n正文。"
    residue = [f.excerpt for f in check_text(text).findings if f.code == "noise.boilerplate"]
    assert residue == [line]
    assert number_forms(text) == []
    assert number_forms(f"学校2020年工作总结\n我校{form}。") != []  # in the text it is reported


def test_fix_writes_the_zero_in_chinese_numerals_and_leaves_the_rest_to_the_writer():
    text = SCHOOL + PROOFREAD
    fixed = clean_text(text)
    assert fixed == text.replace("二0二0年", "二〇二〇年")
    # the forms that need a person's choice stay, and are reported again
    assert [e for e, _, _ in number_forms(fixed)] == ["百分之95", "3百", "约300余", "1.5万万"]
    assert apply_fixes("二O二五年", check_text("二O二五年").findings) == "二〇二五年"
    assert apply_fixes("二零零八年", check_text("二零零八年").findings) == "二〇〇八年"


def test_a_model_s_answer_gets_the_zero_fix_too():
    assert style_fixed("二0二0年，学校完成任务。") == "二〇二〇年，学校完成任务。"
    assert style_fixed("约300余人参加。") == "约300余人参加。"
    assert style_fixed("二零二五年，学校完成任务。") == "二〇二五年，学校完成任务。"


def test_the_finding_in_chinese_names_the_form():
    finding = next(f for f in check_text("覆盖率达百分之95。").findings if f.code == CODE)
    assert "数字用法不规范" in problem_zh(finding)
    assert fix_zh(finding).startswith("按规范改写数字")


def test_draft_check_reports_the_forms_and_fix_writes_the_zero(cli, tmp_path):
    path = tmp_path / "总结.txt"
    path.write_text(SCHOOL + PROOFREAD, "utf-8")
    done = cli("check", path, "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr  # warnings only
    found = [f for f in json.loads(done.stdout)["findings"] if f["code"] == CODE]
    assert [(f["excerpt"], f["severity"]) for f in found] == [
        ("二0二0", "warning"),
        ("百分之95", "warning"),
        ("3百", "warning"),
        ("约300余", "warning"),
        ("1.5万万", "warning"),
    ]
    plain = cli("check", path)
    assert "style.number-form" in plain.stdout and "Traceback" not in plain.stderr
    assert "write “95%” or “百分之九十五”" in plain.stdout
    fixed = cli("check", path, "--fix")
    assert fixed.returncode == 0, fixed.stderr
    copy = (tmp_path / "总结.fixed.txt").read_text("utf-8")
    assert copy == (SCHOOL + PROOFREAD).replace("二0二0年", "二〇二〇年")
    assert path.read_text("utf-8") == SCHOOL + PROOFREAD  # the original is left as it was


def test_no_number_form_finding_on_any_real_text_of_the_repository():
    texts = repository_texts()
    assert sum(p.endswith(".docx") for p in texts) >= 2 and len(texts) >= 90
    assert {p: f for p, t in texts.items() if (f := number_forms(t))} == {}
    # the scan reads the real texts' numbers: a year typed with a zero in one is reported
    drafts = [t for p, t in texts.items() if p.startswith("draft of") and "2020年" in t]
    assert drafts
    changed = drafts[0].replace("2020年", "二0二0年", 1)
    assert [e for e, _, _ in number_forms(changed)] == ["二0二0"]
