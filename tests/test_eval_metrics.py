"""Grounding metrics, assertions and checker scoring, on real offline drafts of the examples."""

from __future__ import annotations

import pytest

from pipeline.checker.findings import Finding, Severity
from pipeline.drafting import draft_document
from pipeline.evals.assertions import evaluate
from pipeline.evals.checker_score import precision_recall, score_findings
from pipeline.evals.metrics import agreement, draft_metrics, marker_scores, quality_score
from pipeline.evals.suite import (
    ContainsAssertion,
    ExpectedFinding,
    MaxFindingsAssertion,
    MetricAssertion,
    RegexAssertion,
)
from pipeline.facts import load_facts
from pipeline.markers import marker
from pipeline.models import get_model
from tests.conftest import EXAMPLES


@pytest.fixture(scope="module")
def incomplete():
    spec, facts = load_facts(EXAMPLES / "school-ideology-summary-incomplete.yaml")
    return spec, facts, draft_document(spec, facts, get_model("offline"))


@pytest.fixture(scope="module")
def complete():
    spec, facts = load_facts(EXAMPLES / "school-ideology-summary.yaml")
    return spec, facts, draft_document(spec, facts, get_model("offline"))


def _edit(draft, section_id: str, old: str, new: str):
    sections = [
        s.model_copy(update={"body": s.body.replace(old, new)}) if s.id == section_id else s
        for s in draft.sections
    ]
    return draft.model_copy(update={"sections": sections})


def test_offline_drafts_score_full_marks(complete, incomplete):
    for spec, facts, draft in (complete, incomplete):
        m = draft_metrics(spec, facts, draft)
        assert m["structure_pass"] == m["fact_coverage"] == 1.0
        assert m["marker_precision"] == m["marker_recall"] == 1.0
        assert m["length_compliance"] == 1.0 and m["unsupported_per_1k"] == 0.0
        assert m["chars"] == len(draft.text)
    assert draft_metrics(*incomplete)["warnings"] == 3.0


def test_the_signature_date_marker_of_a_missing_date_is_right(complete):
    spec, facts, _ = complete
    undated = facts.model_copy(update={"values": {**facts.values, "report_date": None}})
    draft = draft_document(spec, undated, get_model("offline"))
    assert [m.fact for m in draft.markers] == ["report_date"]
    assert marker_scores(spec, undated, draft) == (1.0, 1.0)


def test_a_marker_for_a_given_fact_lowers_precision(incomplete):
    spec, facts, draft = incomplete
    # 微党课次数 is given (10): a marker for it is wrong.
    wrong = _edit(draft, "theory_study", "“微党课”10次", "“微党课”" + marker("微党课次数") + "次")
    precision, recall = marker_scores(spec, facts, wrong)
    assert precision == pytest.approx(3 / 4) and recall == 1.0


def test_a_missing_fact_without_its_marker_lowers_recall(incomplete):
    spec, facts, draft = incomplete
    silent = _edit(
        draft, "public_opinion", "新中国成立【待补充：新中国成立周年数】周年", "新中国成立周年"
    )
    precision, recall = marker_scores(spec, facts, silent)
    assert precision == 1.0 and recall == pytest.approx(2 / 3)


def test_a_marker_in_a_section_that_does_not_use_the_fact_is_wrong(incomplete):
    spec, facts, draft = incomplete
    moved = _edit(draft, "civic_culture", "学校党支部", marker("中心组学习次数") + "学校党支部")
    precision, _ = marker_scores(spec, facts, moved)
    assert precision == pytest.approx(3 / 4)


def test_coverage_counts_each_must_mention_unit(complete):
    spec, facts, draft = complete
    # theory_study must mention both session counts; public_opinion each of 4 campaigns.
    lost = _edit(draft, "public_opinion", "“扫黑除恶”", "")
    lost = _edit(lost, "theory_study", "中心组学习12次", "中心组学习多次")
    m = draft_metrics(spec, facts, lost)
    assert m["fact_coverage"] == pytest.approx(4 / 6, abs=1e-4)


def test_coverage_is_not_fooled_by_a_digit_inside_another_number(complete):
    spec, facts, _ = complete
    few = facts.model_copy(
        update={"values": {**facts.values, "central_group_sessions": 2, "theory_sessions": 1}}
    )
    draft = draft_document(spec, few, get_model("offline"))
    assert draft_metrics(spec, few, draft)["fact_coverage"] == 1.0
    # Both counts dropped: the 2 of 2020年 and the 1 of 1月15日 do not name them.
    dropped = _edit(draft, "theory_study", "中心组学习2次，其中专题理论学习1次", "中心组学习")
    assert "中心组学习2次" not in dropped.text
    assert draft_metrics(spec, few, dropped)["fact_coverage"] == pytest.approx(4 / 6, abs=1e-4)
    # In Chinese numerals 两次 names 2; a lone 一次 is the article, as the checker reads it.
    spelled = _edit(
        draft,
        "theory_study",
        "中心组学习2次，其中专题理论学习1次",
        "中心组学习两次，其中专题理论学习一次",
    )
    assert draft_metrics(spec, few, spelled)["fact_coverage"] == pytest.approx(5 / 6, abs=1e-4)


def test_structure_fails_for_a_failed_or_empty_required_section(complete):
    spec, facts, draft = complete
    failed = draft.model_copy(
        update={
            "sections": [
                s.model_copy(update={"status": "failed"}) if s.id == "plans" else s
                for s in draft.sections
            ]
        }
    )
    m = draft_metrics(spec, facts, failed)
    assert m["structure_pass"] == 0.0 and m["length_compliance"] == pytest.approx(6 / 7, abs=1e-4)
    reordered = draft.model_copy(update={"sections": list(reversed(draft.sections))})
    assert draft_metrics(spec, facts, reordered)["structure_pass"] == 0.0


def test_unsupported_numbers_are_counted_per_1000_characters(complete):
    spec, facts, draft = complete
    text = draft.text
    finding = Finding(
        code="facts.unsupported-number", severity=Severity.ERROR, start=0, end=2, line=1,
        column=1, excerpt=text[:2], message="x",
    )  # fmt: skip
    flagged = draft.model_copy(update={"findings": [finding, finding]})
    assert draft_metrics(spec, facts, flagged)["unsupported_per_1k"] == pytest.approx(
        round(2000 / len(text), 4)
    )


def test_agreement_and_quality():
    assert agreement(["甲乙丙"]) is None
    assert agreement(["甲乙丙", "甲乙丙"]) == 1.0
    assert 0 < agreement(["甲乙丙丁", "甲乙丙戊", "甲乙丙丁"]) < 1
    good = {
        "structure_pass": 1,
        "fact_coverage": 1,
        "marker_precision": 1,
        "marker_recall": 1,
        "length_compliance": 1,
    }
    assert quality_score({**good, "unsupported_per_1k": 0}) == 1.0
    assert quality_score({**good, "unsupported_per_1k": 1.5}) < 1.0
    # numbers dropped lower it; a run journaled before number_coverage existed is not
    assert quality_score({**good, "number_coverage": 0.5, "unsupported_per_1k": 0}) < 1.0


def test_assertions_pass_and_fail_with_reasons(incomplete):
    _, _, draft = incomplete
    text, findings = draft.text, draft.findings
    metrics = {"fact_coverage": 0.5}

    def run(a):
        return evaluate(a, text=text, findings=findings, metrics=metrics)

    assert run(ContainsAssertion(type="contains", value="微党课")).passed
    miss = run(ContainsAssertion(type="contains", value="不存在"))
    assert not miss.passed and "missing from the draft" in miss.message
    assert not run(ContainsAssertion(type="not-contains", value="微党课")).passed
    assert run(RegexAssertion(type="regex", pattern=r"学习\S+次")).passed
    hit = run(RegexAssertion(type="not-regex", pattern=r"【待补充：[^】]+】"))
    assert not hit.passed and "【待补充：中心组学习次数】" in hit.message
    assert run(MaxFindingsAssertion(type="max-findings", code="gap.marker", max=3)).passed
    too_many = run(MaxFindingsAssertion(type="max-findings", code="gap", max=2))
    assert not too_many.passed and too_many.message.startswith("3 found")
    assert run(MaxFindingsAssertion(type="max-findings", severity="error", max=0)).passed
    assert not run(MetricAssertion(type="metric", name="fact_coverage", min=0.9)).passed
    assert run(MetricAssertion(type="metric", name="fact_coverage", max=0.5)).passed
    unmeasured = run(MetricAssertion(type="metric", name="judge_score", min=3))
    assert not unmeasured.passed and "not measured" in unmeasured.message


def _finding(code: str, text: str, at: str, severity=Severity.ERROR) -> Finding:
    start = text.index(at)
    return Finding(
        code=code, severity=severity, start=start, end=start + len(at), line=1,
        column=start + 1, excerpt=at, message="m",
    )  # fmt: skip


def test_checker_scoring_matches_code_and_place():
    text = "共开展中心组学习 次，XX次，某某为组长。"
    expected = [
        ExpectedFinding(code="gap.silent-number", at="学习 次"),
        ExpectedFinding(code="gap.placeholder", at="XX"),
        ExpectedFinding(code="gap.placeholder", at="某某"),
    ]
    found = [
        _finding("gap.silent-number", text, "学习 次"),
        _finding("gap.placeholder", text, "XX"),
        _finding("gap.placeholder", text, "组长"),  # the right code in the wrong place
        _finding("noise.wrap-space", text, "，", Severity.INFO),  # a note: never a false positive
    ]
    score = score_findings(text, expected, found)
    assert score.families == {"gap": {"tp": 2, "fp": 1, "fn": 1}}
    assert score.missed == ["gap.placeholder @ “某某”"]
    assert score.unexpected[0].startswith("gap.placeholder @ “组长”")
    assert not score.passed
    assert precision_recall(score.families["gap"]) == (2 / 3, 2 / 3)
    assert precision_recall({"tp": 0, "fp": 0, "fn": 0}) == (None, None)


@pytest.fixture(scope="module")
def annual():
    spec, facts = load_facts(EXAMPLES / "annual-work-summary.yaml")
    return spec, facts, draft_document(spec, facts, get_model("offline"))


def test_number_coverage_counts_the_numbers_the_facts_give_each_section(annual):
    spec, facts, draft = annual
    # only work_items is must-mention: coverage cannot see the counts of 基本情况 go
    assert draft_metrics(spec, facts, draft)["number_coverage"] == 1.0
    silent = _edit(draft, "basic", "单位内设机构9个，现有在职干部职工86人。", "")
    m = draft_metrics(spec, facts, silent)
    assert m["fact_coverage"] == 1.0
    assert m["number_coverage"] == pytest.approx(
        4 / 6, abs=1e-4
    )  # 9 and 86 of 9, 86, 3, 42, 1200, 15600
    # read as the checker reads numbers: 八十六 states 86; 九 alone in 九个 states 9
    spelled = _edit(
        draft,
        "basic",
        "内设机构9个，现有在职干部职工86人",
        "内设机构九个，现有在职干部职工八十六人",
    )
    assert draft_metrics(spec, facts, spelled)["number_coverage"] == 1.0
    # a number stated in another section than the one its fact is given to does not count
    moved = _edit(
        silent,
        "problems",
        "在肯定成绩的同时",
        "我局内设机构9个，在职干部职工86人。在肯定成绩的同时",
    )
    assert draft_metrics(spec, facts, moved)["number_coverage"] == pytest.approx(4 / 6, abs=1e-4)


def test_number_coverage_does_not_take_a_subheadings_number_for_a_stated_fact(annual):
    """A subheading's label (3. or （3）) counted as a stated 3: a section that dropped the
    fact's 3 still scored full coverage, where the checker skips heading numbers."""
    spec, facts, draft = annual
    dropped = _edit(draft, "achievements", "压缩至3个工作日", "进一步压缩")
    for first, third in (("1.", "3."), ("（1）", "（3）"), ("1、", "3、")):
        numbered = _edit(dropped, "achievements", "（一）", first)
        numbered = _edit(numbered, "achievements", "（三）", third)
        body = next(s.body for s in numbered.sections if s.id == "achievements")
        assert f"\n{third}加快国土空间规划编制\n" in body
        # 3 of 9, 86, 3, 42, 1200, 15600 is not stated
        assert draft_metrics(spec, facts, numbered)["number_coverage"] == pytest.approx(
            5 / 6, abs=1e-4
        ), third
    # the same label beside the fact's 3 written in the text: all stated
    kept = _edit(_edit(draft, "achievements", "（一）", "1."), "achievements", "（三）", "3.")
    assert draft_metrics(spec, facts, kept)["number_coverage"] == 1.0


def test_number_coverage_leaves_out_a_section_the_model_failed_to_write(annual):
    spec, facts, draft = annual
    failed = draft.model_copy(
        update={
            "sections": [
                s.model_copy(
                    update={"status": "failed", "body": "【待补充：主要工作（生成失败：超时）】"}
                )
                if s.id == "achievements"
                else s
                for s in draft.sections
            ]
        }
    )
    assert draft_metrics(spec, facts, failed)["number_coverage"] == 1.0
    failed_too = _edit(failed, "basic", "现有在职干部职工86人", "现有在职干部职工若干人")
    assert draft_metrics(spec, facts, failed_too)["number_coverage"] == 0.5
