"""`style.misused-word`: commonly misused words (常见错别字) such as 再接再励, 截止2024年底."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.checker import check_text
from pipeline.checker.misused import builtin_path, load_misused_words
from pipeline.checker.wording import fix_zh, problem_zh
from pipeline.errors import InputError

WORDS = load_misused_words(builtin_path()).words


def misused(text: str) -> list[tuple[str, str]]:
    return [
        (f.excerpt, f.message) for f in check_text(text).findings if f.code == "style.misused-word"
    ]


def test_check_reports_misused_words_and_exits_1(cli, tmp_path: Path):
    report = tmp_path / "report.txt"
    report.write_text(
        "截止2024年底，全镇共建成村级服务站12个。\n下一步，我们将再接再励，按步就班推进各项工作。\n",
        encoding="utf-8",
    )
    done = cli("check", report, "--format", "json")
    assert done.returncode == 1, done.stderr
    found = [f for f in json.loads(done.stdout)["findings"] if f["code"] == "style.misused-word"]
    assert [(f["excerpt"], f["line"], f["column"], f["severity"]) for f in found] == [
        ("截止", 1, 1, "error"),
        ("再接再励", 2, 8, "error"),
        ("按步就班", 2, 13, "error"),
    ]
    assert [f["message"] for f in found] == [
        "misused word: “截止” → “截至”",
        "misused word: “再接再励” → “再接再厉”",
        "misused word: “按步就班” → “按部就班”",
    ]
    text = cli("check", report)
    assert "report.txt:2:8: style.misused-word [error] misused word: “再接再励” → “再接再厉”" in (
        text.stdout
    )


def test_fix_leaves_a_misused_word_for_the_writer(cli, tmp_path: Path):
    """`--fix` never touches content: the word is reported again in the cleaned copy."""
    report = tmp_path / "report.txt"
    report.write_text("我们要再接 再励，扎实推进布署的各项工作。\n", encoding="utf-8")
    done = cli("check", report, "--fix")
    assert done.returncode == 1, done.stderr
    fixed = tmp_path / "report.fixed.txt"
    assert "再接 再励" in fixed.read_text(encoding="utf-8") and "布署" in fixed.read_text(
        encoding="utf-8"
    )
    again = json.loads(cli("check", fixed, "--format", "json").stdout)
    assert again["summary"]["by_code"]["style.misused-word"] == 2


def test_a_word_split_by_a_blank_is_found_and_told_in_chinese():
    (finding,) = [
        f for f in check_text("我们要再接 再励。\n").findings if f.code == "style.misused-word"
    ]
    assert finding.excerpt == "再接 再励"
    assert finding.hint == "write “再接再厉”"
    assert problem_zh(finding) == "错别字（“再接再励”，“再接再厉”）"
    assert fix_zh(finding) == "改为括号中的正确写法"


@pytest.mark.parametrize("word", WORDS, ids=lambda w: w.wrong)
def test_each_wrong_form_is_found_and_its_right_form_is_not(word):
    after = word.followed_by[0] if word.followed_by else "。"
    assert misused(f"我们{word.wrong}{after}\n") == [
        (word.wrong, f"misused word: “{word.wrong}” → “{word.right}”")
    ]
    assert misused(f"我们{word.right}{after}\n") == []


@pytest.mark.parametrize(
    "text",
    [
        "本次申报的截止日期为3月31日，截止时间为17时，报名截止后不再受理。\n",
        "截至2024年底，全县共有村级服务站36个；截止到目前，已完成全年任务。\n",
        "面对疫情冲击，全体职工同舟共济，渡过难关；全县平安度过汛期。\n",
        "深入开展预防犯罪宣传，严防犯罪分子利用网络实施诈骗。\n",
        "规范商品标签定价，按时签订合同。\n",
        "在市级以上媒体发布署名文章5篇，周密部署各项工作。\n",
        "按装机容量计算，全年发电量稳步增长；凭症状及时就医。\n",
        "我们将再接再厉，一如既往地按部就班推进各项工作。\n",
    ],
)
def test_correct_forms_and_right_contexts_give_no_finding(text):
    assert misused(text) == []


def test_a_broken_list_names_the_file_and_the_field(tmp_path: Path):
    broken = tmp_path / "misused-words.yaml"
    broken.write_text(
        "version: 1\nwords:\n  - wrong: 再接再励\n    rigth: 再接再厉\n", encoding="utf-8"
    )
    with pytest.raises(InputError) as caught:
        load_misused_words(broken)
    message = str(caught.value)
    assert str(broken) in message and "rigth" in message and "right" in message
    assert caught.value.exit_code == 2
