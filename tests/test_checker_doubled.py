"""`style.repeated-word`: a character or word written twice (的的, 落实落实), the commonest typo;
the reduplications Chinese writes on purpose are not reported, on any real text either."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.checker import apply_fixes, check_text
from pipeline.checker.doubled import builtin_path, load_reduplications
from pipeline.errors import InputError
from tests.conftest import repository_texts

CODE = "style.repeated-word"
BRIEF = (
    "红星中学2020年工作总结\n\n一、主要工作\n\n"
    "我校认真学习贯彻党的的二十大精神，全面落实落实立德树人根本任务。"
    "我们按照按照要求，开展了了活动。\n"
)


def doubled(text: str) -> list[tuple[str, str]]:
    return [(f.excerpt, f.message) for f in check_text(text).findings if f.code == CODE]


def _wrapped(paragraph: str, width: int = 28) -> str:
    """A paragraph as PDF extraction leaves it: a blank at every line end."""
    return " ".join(paragraph[i : i + width] for i in range(0, len(paragraph), width))


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("我校认真学习贯彻党的的二十大精神。", [("的的", "“的” is written twice")]),
        ("全面落实落实立德树人根本任务。", [("落实落实", "“落实” is written twice")]),
        ("我们按照按照要求开展工作。", [("按照按照", "“按照” is written twice")]),
        ("开展了了主题教育活动。", [("了了", "“了” is written twice")]),
        ("在在全校推广典型经验。", [("在在", "“在” is written twice")]),
        ("进一步进一步加强管理。", [("进一步进一步", "“进一步” is written twice")]),
        ("全面提高教育教学质量质量。", [("质量质量", "“质量” is written twice")]),
        ("党的的的二十大精神", [("的的的", "“的” is written 3 times")]),
        # a reduplication (作作) does not hide the doubled word that starts inside it
        ("改进工作作风作风。", [("作风作风", "“作风” is written twice")]),
        # across a blank, and across a line broken inside a paragraph (not the title)
        ("贯彻党的 的二十大精神。", [("的 的", "“的” is written twice")]),
        (
            "红星中学2020年工作总结\n\n学校党支部高度重视理论学习，组织全体党员认真学习党的\n的二十大精神。",
            [("的\n的", "“的” is written twice")],
        ),
        (
            "红星中学2020年工作总结\n\n学校党支部高度重视理论学习，组织全体党员认真学习贯彻落实\n落实党的二十大精神。",
            [("落实\n落实", "“落实” is written twice")],
        ),
    ],
)
def test_a_character_or_word_written_twice_is_a_warning(text: str, found: list[tuple[str, str]]):
    assert doubled(text) == found
    assert {f.severity for f in check_text(text).findings if f.code == CODE} == {"warning"}


@pytest.mark.parametrize(
    "text",
    [
        # reduplications that are words, AABB forms, fixed phrases
        "我们常常深入基层，天天坚持学习，人人参与，层层落实责任，处处严格要求。",
        "一一对应，渐渐形成，仅仅依靠，往往忽视，刚刚起步，时时放在心上，步步推进。",
        "年年评为先进，事事有人管，条条落实，个个争先，多多指导，谢谢大家，哈哈一笑。",
        "扎扎实实、认认真真、实实在在、的的确确地做好工作，家家户户，方方面面，明明白白。",
        "不能不了了之，要一个一个地解决、一步一步地推进、一点一点地积累，明辨是是非非。",
        "树立学习学习再学习的理念，一件一件抓落实，一项一项抓整改。",
        # a never-doubled character meeting the word after it that starts with it
        "为了了解情况，我们对全校进行了了解；关键是是否落实；达到目的的手段。",
        "现在在校学生1200人，以及及时处理的问题，作为为民办实事项目，请领导把把关。",
        "成为为人民服务的人才，即将将新校区交付使用，面对对手不退缩，终于于2023年建成。",
        # numerals, a measure word after a number (gap.marker-debris), names in a list
        "全年接待1111人次，二二得四，共建成九个个站点，表彰张三、张三两名同志。",
        # a title, a slogan in quotes, a set phrase's garbled form, a marker
        "学习《的的确确是好》一书，开展“学学学”活动，要“两手两手硬”，两手两手硬。",
        "共开展【待补充：活动活动次数】次活动。",
        # a sentence written twice is style.repeated-sentence's, not a word
        "我们加强了理论学习。我们加强了理论学习。",
        # list numbering and headings
        "（一）（一）加强学习\n一、一、加强学习",
        # a heading's last word starting the next line; table cells, one per line
        "一、主要工作\n工作中，我们坚持以人民为中心的发展思想不动摇，取得了明显成效。",
        "指标\n上半年完成\n完成率\n新增城镇就业\n",
        # a word on either side of a blank that is no wrap: a heading flattened into its line
        "学校全面加强党的建设，扎实推进各项工作。 二、存在的问题 问题主要是学习不够深入。",
    ],
)
def test_reduplications_numbers_titles_and_headings_are_no_finding(text: str):
    assert doubled(text) == []


def test_a_doubled_measure_word_after_a_number_is_reported_once():
    findings = check_text("共建成9个个服务站。").findings
    assert [(f.code, f.excerpt) for f in findings if f.code in (CODE, "gap.marker-debris")] == [
        ("gap.marker-debris", "个")
    ]


def test_check_reports_the_typos_and_fix_writes_a_function_word_once(cli, tmp_path: Path):
    report = tmp_path / "总结.txt"
    report.write_text(BRIEF, encoding="utf-8")
    done = cli("check", report, "--format", "json")
    assert done.returncode == 0, done.stderr  # warnings only
    found = [f for f in json.loads(done.stdout)["findings"] if f["code"] == CODE]
    assert [(f["excerpt"], f["line"], f["column"], f["severity"]) for f in found] == [
        ("的的", 5, 10, "warning"),
        ("落实落实", 5, 20, "warning"),
        ("按照按照", 5, 35, "warning"),
        ("了了", 5, 44, "warning"),
    ]
    text = cli("check", report)
    assert "总结.txt:5:10: style.repeated-word [warning] “的” is written twice" in text.stdout
    assert "hint: delete the extra “的” (draft check --fix does)" in text.stdout
    assert "hint: delete the extra “落实”\n" in text.stdout

    fixed = tmp_path / "总结.fixed.txt"
    assert cli("check", report, "--fix").returncode == 0
    assert fixed.read_text(encoding="utf-8") == BRIEF.replace("的的", "的").replace("了了", "了")
    again = json.loads(cli("check", fixed, "--format", "json").stdout)
    # a doubled word is left to the writer: a word may be missing between the two
    assert [f["excerpt"] for f in again["findings"] if f["code"] == CODE] == [
        "落实落实",
        "按照按照",
    ]


def test_the_fixed_copy_of_doubled_function_words_checks_clean(cli, tmp_path: Path):
    report = tmp_path / "report.txt"
    report.write_text(BRIEF.replace("落实落实", "落实").replace("按照按照", "按照"), "utf-8")
    assert cli("check", report, "--fix").returncode == 0
    fixed = tmp_path / "report.fixed.txt"
    assert "党的二十大精神" in fixed.read_text("utf-8")
    done = cli("check", fixed, "--format", "json")
    assert json.loads(done.stdout)["findings"] == [], done.stdout


def test_fix_joins_a_doubling_across_a_wrap_and_leaves_one_across_another_blank():
    paragraph = (
        "学校党支部高度重视精神文明建设工作，定期研究精神文明建设工作，建设了功能齐全的教师阅览室、"
        "休闲书吧和文体俱乐部，完善了领导机制、责任机制、督查检查机制。丰富活动内容，深入开展群众"
        "喜闻乐见的文化活动，举办象棋、乒乓球等比赛；开展文明单位、文明办公室、文明家庭评选活动。"
    )
    at = paragraph.index("喜闻乐见的") + 4  # the 的 after 喜闻乐见
    line_end = 28 * (at // 28 + 1)
    pad = "春夏秋冬东南西北甲乙丙丁金木水火土日月星辰山川河流草木花"  # no character twice
    body = paragraph[:at] + pad[: line_end - at - 1] + paragraph[at:]
    assert body[line_end - 1] == "的"
    text = _wrapped(body[:line_end] + "的" + body[line_end:])
    assert "的 的" in text
    report = check_text(text)
    assert [f.excerpt for f in report.findings if f.code == CODE] == ["的 的"]
    fixed = apply_fixes(text, report.findings)
    assert "的 的" not in fixed and "的的" not in fixed.replace(" ", "")
    assert doubled(fixed) == []
    # a blank that is no wrap may be a gap's: reported, not fixed
    gap = check_text("贯彻党的 的二十大精神。")
    assert [f.replacement for f in gap.findings if f.code == CODE] == [None]


def test_no_repeated_word_on_any_real_text_of_the_repository():
    texts = repository_texts()
    assert sum(p.endswith(".docx") for p in texts) >= 2 and len(texts) >= 90
    assert {p: found for p, t in texts.items() if (found := doubled(t))} == {}
    # the scan reads the texts' function words: one typed twice is found
    name = next(p for p in texts if p.endswith("notice-township-meeting-2025.txt"))
    text = texts[name]
    assert "的" in text
    assert doubled(text.replace("的", "的的", 1)) == [("的的", "“的” is written twice")]


def test_the_list_never_allows_a_never_doubled_character_twice(tmp_path: Path):
    lists = load_reduplications(builtin_path())
    assert {"的", "了", "在", "是"} <= lists.never_doubled
    assert "不了了之" in lists.words and "了了" not in lists.words
    broken = tmp_path / "reduplications.yaml"
    broken.write_text("version: 1\nnever_doubled: [的]\nwords: [的的]\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_reduplications(broken)
    message = str(caught.value)
    assert str(broken) in message and "'的的' is listed as a word" in message
    assert caught.value.exit_code == 2
    broken.write_text("version: 1\nnever_doubled: [的]\nwrods: [常常]\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_reduplications(broken)
    assert str(broken) in str(caught.value) and "wrods" in str(caught.value)
