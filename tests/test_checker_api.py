"""The checker's Python API: offsets, Markdown, the report, the lexicon, and `draft run`."""

from __future__ import annotations

import json

import pytest

from pipeline.checker import check_section, check_text, lexicon_for
from pipeline.checker.findings import CheckReport, Finding
from pipeline.checker.lexicon import Lexicon, canonical_phrases, load_lexicon
from pipeline.errors import InputError
from pipeline.facts import load_facts
from pipeline.spec import load_spec
from tests.conftest import EXAMPLES, REPO, run_cli


def test_offsets_line_and_column_are_into_the_text_as_given():
    text = "标题\r\n\n　　共开展中心组学习 次，其中理论学习xx次。\n"
    for f in check_text(text).findings:
        assert text[f.start : f.end] == f.excerpt
        line_start = sum(len(line) + 1 for line in text.split("\n")[: f.line - 1])
        assert f.start - line_start + 1 == f.column


def test_markdown_and_plain_text_give_the_same_gaps():
    plain = "红星中学2020年工作总结\n\n一、学习情况\n共开展中心组学习 次，参加XX人。\n"
    md = "# 红星中学2020年工作总结\n\n## 一、学习情况\n\n共开展中心组学习 次，参加**XX**人。\n"
    gaps = lambda t: [(f.code, f.excerpt) for f in check_text(t).findings if f.family == "gap"]  # noqa: E731
    assert gaps(plain) == gaps(md) == [("gap.silent-number", "学习 次"), ("gap.placeholder", "XX")]


def test_report_summary_and_json_shape():
    report = check_text("共开展中心组学习 次。【待补充：参加人数】")
    data = json.loads(report.model_dump_json())
    assert set(data) == {"findings", "summary"}
    assert data["summary"]["errors"] == 1 and data["summary"]["warnings"] == 1
    assert set(data["findings"][0]) >= {
        "code", "severity", "start", "end", "line", "column", "excerpt", "message", "hint",
    }  # fmt: skip
    assert "replacement" not in data["findings"][0]
    assert not report.ok
    assert CheckReport.model_validate(data).findings[0].code == "gap.silent-number"


def test_findings_are_in_order_of_position():
    text = "某某同志负责，共开展学习 次，落实【】要求。"
    starts = [f.start for f in check_text(text).findings]
    assert starts == sorted(starts)


def test_check_section_contract():
    spec, facts = load_facts(EXAMPLES / "school-ideology-summary.yaml")
    section = spec.section("theory_study")
    body = (
        "一是加强学习，全年开展中心组学习15次，其中专题理论学习8次。\n"
        "二是完善制度，落实XX要求，学习党的 大精神。\n"
        "三是两手两手硬，深入学习贯彻 新时代中国特色社会主义思想。"
    )
    findings = check_section(body, section=section, spec=spec, facts=facts)
    assert all(isinstance(f, Finding) and f.section == "theory_study" for f in findings)
    errors = {f.code for f in findings if f.severity == "error"}
    assert {
        "facts.unsupported-number",
        "facts.must-mention",
        "gap.placeholder",
        "gap.silent-ordinal",
        "gap.broken-phrase",
        "style.banned-phrase",
    } <= errors
    # short, actionable messages: they are quoted back to the model
    assert all(len(f.message) <= 120 and f.hint for f in findings)


def test_facts_without_a_spec_load_the_facts_doctype():
    _spec, facts = load_facts(EXAMPLES / "school-ideology-summary.yaml")
    report = check_text("红星中学2020年意识形态工作总结\n\n共开展学习99次。", facts=facts)
    assert "facts.unsupported-number" in {f.code for f in report.findings}


def test_lexicon_is_data_with_forty_phrases_or_more():
    lex = load_lexicon()
    assert isinstance(lex, Lexicon) and len(lex.phrases) >= 40
    assert "习近平新时代中国特色社会主义思想" in canonical_phrases()
    assert lexicon_for(load_spec("school-ideology-summary")) is lex
    assert lexicon_for(None) is lex


def test_a_bad_lexicon_is_refused(tmp_path):
    folder = tmp_path / "schemas" / "lexicon"
    folder.mkdir(parents=True)
    (folder / "mine.yaml").write_text(
        "phrases:\n  - phrase: 不忘初心、牢记使命\n    anchors: [砥砺前行]\n", encoding="utf-8"
    )
    with pytest.raises(InputError, match="anchor '砥砺前行' is not part of"):
        load_lexicon("mine", spec_source=tmp_path / "schemas" / "x.yaml")
    with pytest.raises(InputError, match="lexicon 'nowhere' not found"):
        load_lexicon("nowhere")


def test_draft_run_reports_the_checker_findings(cli, tmp_path):
    out = tmp_path / "draft.json"
    done = cli("run", EXAMPLES / "school-ideology-summary-incomplete.yaml", "-o", out)
    assert done.returncode == 0, done.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    codes = [f["code"] for f in data["findings"]]
    assert codes == ["gap.marker"] * 3
    text = data["text"]
    assert [text[f["start"] : f["end"]] for f in data["findings"]] == [
        "【待补充：中心组学习次数】",
        "【待补充：中心组理论学习次数】",
        "【待补充：新中国成立周年数】",
    ]


def test_every_rule_has_its_chinese_wording():
    """Word comments and repair requests tell each finding in Chinese: no code is left out."""
    import re

    from pipeline.checker.wording import RULES

    sources = (REPO / "pipeline" / "checker").glob("*.py")
    codes = {
        code
        for path in sources
        for code in re.findall(
            r'"((?:gap|facts|structure|style|noise|numbers)\.[a-z-]+)"', path.read_text("utf-8")
        )
    }
    assert codes and codes <= set(RULES), codes - set(RULES)


def test_a_length_finding_in_chinese_says_the_length_and_the_bounds(tmp_path):
    """The web app's review panel, a Word comment and a repair request told a section of the
    wrong length as “本部分篇幅不符合要求（–）”: the en dash of “20–800” was all that was left
    of the message's specifics."""
    import yaml

    from pipeline.checker.wording import problem_zh

    mytypes = REPO / "tests" / "data" / "mytypes"
    data = yaml.safe_load((mytypes / "facts/personal-duty-report.yaml").read_text("utf-8"))
    data["doctype"] = str(mytypes / "schemas/personal-duty-report.yaml")
    data["achievements"] = data["achievements"][:1]  # 34 characters: too short
    facts_path = tmp_path / "facts.yaml"
    facts_path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    done = run_cli("run", facts_path, "--format", "txt")
    spec, facts = load_facts(facts_path)
    found = [
        f
        for f in check_text(done.stdout, spec=spec, facts=facts).findings
        if f.code == "style.length"
    ]
    assert [problem_zh(f) for f in found] == ["本部分篇幅不符合要求（现有34字，应为40–3000字）"]
