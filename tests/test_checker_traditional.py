"""`style.traditional`: traditional characters (工作總結) in a simplified-Chinese text."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.checker import apply_fixes, check_text
from pipeline.checker.wording import fix_zh, problem_zh
from tests.conftest import REPO, example_draft_text

DATA = Path(__file__).parent / "data"
CLEAN_TEXTS = sorted(
    p
    for root in (DATA, REPO / "evals" / "cases" / "checker")
    for p in root.rglob("*")
    if p.suffix in (".txt", ".md")
)


def traditional(text: str) -> list[tuple[str, str, str]]:
    return [
        (f.excerpt, f.message, f.hint)
        for f in check_text(text).findings
        if f.code == "style.traditional"
    ]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (
            "青山县红星中学2020年工作總結\n",
            [
                (
                    "總結",
                    "traditional characters in “總結”: 總→总、結→结",
                    "write “总结” in simplified characters (规范汉字; draft check --fix does)",
                )
            ],
        ),
        (
            "全年組織學習十二次。\n",
            [
                (
                    "組織學習",
                    "traditional characters in “組織學習”: 組→组、織→织、學→学、習→习",
                    "write “组织学习” in simplified characters (规范汉字; draft check --fix does)",
                )
            ],
        ),
        (  # mixed: one finding per stretch, from its first traditional character to its last
            "我們的工作總結，已经上报。\n",
            [
                (
                    "們的工作總結",
                    "traditional characters in “們的工作總結”: 們→们、總→总、結→结",
                    "write “们的工作总结” in simplified characters (规范汉字; draft check --fix does)",
                )
            ],
        ),
        (  # a character GB 2312 also holds is reported beside one it does not
            "以後的學習，乾燥的天氣。\n",
            [
                (
                    "後的學習",
                    "traditional characters in “後的學習”: 後→后、學→学、習→习",
                    "write “后的学习” in simplified characters (规范汉字; draft check --fix does)",
                ),
                (
                    "乾燥的天氣",
                    "traditional characters in “乾燥的天氣”: 乾→干、氣→气",
                    "write “干燥的天气” in simplified characters (规范汉字; draft check --fix does)",
                ),
            ],
        ),
    ],
)
def test_traditional_characters_are_named_with_their_simplified_forms(text, found):
    assert traditional(text) == found


def test_a_repeated_character_is_named_once_and_the_finding_is_a_warning():
    (finding,) = [f for f in check_text("學習學習。\n").findings if f.code == "style.traditional"]
    assert finding.severity == "warning"
    assert finding.message == "traditional characters in “學習學習”: 學→学、習→习"
    assert problem_zh(finding) == "使用了繁体字，公文应使用规范汉字（學→学、習→习）"
    assert fix_zh(finding) == "改为简化字"


@pytest.mark.parametrize(
    "text",
    [
        "乾隆年间的著作，著名学者於丹说，以後再议。\n",  # simplified uses of 乾 著 於, 後 alone
        "李昇同志当选为县政协委员。\n",  # a variant (昇/升), not a traditional form
        "二〇二三年十二月二十八日，皇后镇党委召开会议。\n",
        "堃、喆、镕、珺：名字里的字不在 GB 2312 中。\n",
    ],
)
def test_simplified_text_is_not_flagged(text):
    assert traditional(text) == []


@pytest.mark.parametrize("path", CLEAN_TEXTS, ids=lambda p: str(p.relative_to(REPO)))
def test_no_text_of_the_tests_or_evals_has_traditional_characters(path):
    assert traditional(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "name",
    ["school-ideology-summary", "annual-work-summary", "annual-duty-report", "annual-work-plan"],
)
def test_offline_drafts_have_no_traditional_characters(name):
    assert traditional(example_draft_text(name)) == []


def test_fix_writes_the_simplified_forms_and_leaves_the_rest():
    text = "青山县红星中学2020年工作總結\n以後的學習，乾隆年间的著作。\n"
    fixed = apply_fixes(text, check_text(text).findings)
    assert fixed == "青山县红星中学2020年工作总结\n以后的学习，乾隆年间的著作。\n"
    assert traditional(fixed) == []
