"""The built-in 个人年度述职报告 (annual-duty-report) through the CLI: it loads, drafts in the
first person, checks clean, leaves markers at missing facts and signs as 述职人."""

from __future__ import annotations

import json
from pathlib import Path

import docx
import yaml
from docx.enum.text import WD_ALIGN_PARAGRAPH

from tests.conftest import EXAMPLES, edited_facts

FACTS = EXAMPLES / "annual-duty-report.yaml"
HEADINGS = [
    "一、加强学习，提升政治素质和业务能力",
    "二、履职尽责，推动分管工作",
    "三、廉洁自律，严守纪律规矩",
    "四、存在的不足",
    "五、下一步打算",
]


def _facts_without(tmp_path: Path, *left_out: str) -> Path:
    """The example's facts with `left_out` removed."""
    return edited_facts(FACTS, tmp_path, None, *left_out)


def test_the_type_is_listed_and_gives_a_facts_template(cli):
    listing = cli("doctypes")
    assert listing.returncode == 0, listing.stderr
    assert "annual-duty-report  个人年度述职报告" in listing.stdout
    assert all(f": {h}" in listing.stdout for h in HEADINGS)
    template = cli("facts-template", "annual-duty-report")
    assert template.returncode == 0, template.stderr
    parsed = yaml.safe_load(template.stdout)
    assert parsed["doctype"] == "annual-duty-report" and parsed["person_name"] is None
    assert "# 参加集中学习次数（整数，单位：次，选填" in template.stdout


def test_the_example_drafts_in_the_first_person_and_every_output_checks_clean(cli, tmp_path):
    outs = [tmp_path / f"述职报告.{ext}" for ext in ("md", "txt", "docx", "json")]
    done = cli("run", FACTS, *(a for out in outs for a in ("-o", out)))
    assert done.returncode == 0, done.stderr
    assert "no markers" in done.stderr
    text = outs[1].read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == "2023年度个人述职报告"
    assert [ln for ln in lines if ln[:2] in {"一、", "二、", "三、", "四、", "五、"}] == HEADINGS
    assert lines[2].startswith(
        "本人现任青山县第一中学副校长，分管教学管理、教育科研、教师队伍建设等工作。"
    )
    assert lines[2].endswith("现将本人一年来履职情况报告如下：")
    assert "（三）加强教师队伍建设" in lines and "全年参加集中学习24次" in text
    assert "严格遵守中央八项规定精神" in text and "“一岗双责”" in text
    assert "我们" not in text and "我局" not in text
    assert text.endswith("\n\n述职人：王建国\n2024年1月12日\n")
    for out in outs:
        checked = cli("check", out, "--doctype", "annual-duty-report", "--facts", FACTS, "--info")
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert checked.stdout.strip().endswith("0 error(s), 0 warning(s), 0 note(s)"), out


def test_missing_facts_become_markers_and_the_exact_fill_in_list(cli, tmp_path):
    facts = _facts_without(tmp_path, "study_sessions", "leading_body", "integrity", "shortcomings")
    out = tmp_path / "draft.json"
    done = cli("run", facts, "-o", out)
    assert done.returncode == 0, done.stderr
    draft = json.loads(out.read_text(encoding="utf-8"))
    assert [(m["section"], m["label"], m["fact"]) for m in draft["markers"]] == [
        ("opening", "上级党组织", "leading_body"),
        ("study", "参加集中学习次数", "study_sessions"),
        ("integrity", "廉洁自律情况", "integrity"),
        ("shortcomings", "存在的不足", "shortcomings"),
    ]
    assert "4 marker(s) to fill in:" in done.stderr
    assert "study: 【待补充：参加集中学习次数】 (study_sessions)" in done.stderr
    text = draft["text"]
    assert "全年参加集中学习【待补充：参加集中学习次数】次" in text
    assert "本人还存在一些不足：【待补充：存在的不足】。" in text
    checked = cli("check", out, "--format", "json")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    findings = json.loads(checked.stdout)["findings"]
    assert not [f for f in findings if f["severity"] == "error"]
    assert sorted(f["code"] for f in findings) == ["gap.marker"] * 4


def test_the_word_output_signs_as_the_person_reporting(cli, tmp_path):
    out = tmp_path / "述职报告.docx"
    done = cli("run", FACTS, "-o", out)
    assert done.returncode == 0, done.stderr
    document = docx.Document(str(out))
    filled = [p for p in document.paragraphs if p.text]
    assert [p.text for p in filled[-2:]] == ["述职人：王建国", "2024年1月12日"]
    for p in filled[-2:]:  # set as the 落款, right-aligned by its style
        assert p.style.name == "公文落款"
        assert (p.alignment or p.style.paragraph_format.alignment) == WD_ALIGN_PARAGRAPH.RIGHT
    assert document.core_properties.author == "王建国"  # the person, without 述职人：


def test_a_report_signed_by_another_person_is_caught_under_the_signer_word(cli, tmp_path):
    """A 述职人：张明 line was read as body text, not as the 落款: a report signed by someone
    else, or dated before its year, passed `draft check --facts`."""
    out = tmp_path / "draft.txt"
    assert cli("run", FACTS, "-o", out).returncode == 0
    text = out.read_text(encoding="utf-8")
    for wrong, code, hint in (
        ("述职人：李四\n2024年1月12日", "facts.unit-name", "述职人：王建国"),
        ("述职人：王建国\n2022年1月12日", "facts.signature-date", "2023"),
    ):
        out.write_text(text.replace("述职人：王建国\n2024年1月12日", wrong), encoding="utf-8")
        checked = cli(
            "check", out, "--doctype", "annual-duty-report", "--facts", FACTS, "--format", "json"
        )
        assert checked.returncode == 1, checked.stdout + checked.stderr
        found = [f for f in json.loads(checked.stdout)["findings"] if f["code"] == code]
        assert len(found) == 1 and hint in found[0]["hint"], checked.stdout


def test_a_report_signed_with_the_bare_name_is_told_to_sign_as_the_person_reporting(cli, tmp_path):
    """A 落款 of 王建国 alone, without 述职人：, passed `draft check --doctype
    annual-duty-report`, though the type signs 述职人：王建国."""
    out = tmp_path / "draft.txt"
    assert cli("run", FACTS, "-o", out).returncode == 0
    text = out.read_text(encoding="utf-8")
    bare = tmp_path / "bare.txt"
    bare.write_text(text.replace("述职人：王建国\n", "王建国\n"), encoding="utf-8")
    for facts in ((), ("--facts", FACTS)):
        checked = cli("check", bare, "--doctype", "annual-duty-report", *facts, "--format", "json")
        assert checked.returncode == 0, checked.stdout + checked.stderr  # a warning
        found = [
            (f["code"], f["severity"], f["excerpt"], f["message"], f["hint"])
            for f in json.loads(checked.stdout)["findings"]
        ]
        assert found == [
            (
                "style.signature-role",
                "warning",
                "王建国",
                "the signature gives the name “王建国” without “述职人：” before it",
                "sign “述职人：王建国”",
            )
        ]
    # signed as the type signs: nothing; another name: the facts rule alone, with the role
    other = tmp_path / "other.txt"
    other.write_text(text.replace("述职人：王建国\n", "李四\n"), encoding="utf-8")
    checked = cli(
        "check", other, "--doctype", "annual-duty-report", "--facts", FACTS, "--format", "json"
    )
    codes = [f["code"] for f in json.loads(checked.stdout)["findings"]]
    assert codes == ["facts.unit-name"], checked.stdout
    checked = cli("check", out, "--doctype", "annual-duty-report", "--format", "json")
    assert json.loads(checked.stdout)["findings"] == []


def test_a_type_without_a_signer_word_takes_the_bare_unit_as_its_signature(cli, tmp_path):
    out = tmp_path / "draft.txt"
    assert cli("run", EXAMPLES / "annual-work-summary.yaml", "-o", out).returncode == 0
    checked = cli("check", out, "--doctype", "annual-work-summary", "--format", "json")
    assert "style.signature-role" not in checked.stdout
    assert json.loads(checked.stdout)["summary"]["errors"] == 0
