"""The shipped evaluation suites pass offline: each case of each suite is one test, run
through the pytest integration (`pipeline.evals.pytest_plugin`) and the real runner."""

from __future__ import annotations

import pytest

from pipeline.errors import InputError
from pipeline.evals.pytest_plugin import check_eval_case, eval_cases
from pipeline.evals.suite import builtin_suites, load_suite


def test_every_suite_ships_and_loads():
    names = {p.stem for p in builtin_suites()}
    assert {
        "school-ideology-summary",
        "annual-work-summary",
        "annual-duty-report",
        "annual-work-plan",
        "work-notice",
        "meeting-notice",
    } <= names
    assert "checker" in names
    assert len(load_suite("school-ideology-summary")[0].cases) >= 12
    assert len(load_suite("annual-work-summary")[0].cases) >= 6
    checker, _ = load_suite("checker")
    assert checker.kind == "checker"
    assert any(not c.expect for c in checker.cases), "the checker suite needs clean drafts"
    assert sum(1 for c in checker.cases if c.expect) >= 6


@pytest.mark.parametrize("case", eval_cases("school-ideology-summary"))
def test_school_ideology_summary(case):
    samples = check_eval_case(case)
    assert all(s.metrics["marker_recall"] == 1.0 for s in samples)


@pytest.mark.parametrize("case", eval_cases("annual-work-summary"))
def test_annual_work_summary(case):
    check_eval_case(case)


@pytest.mark.parametrize("case", eval_cases("annual-duty-report"))
def test_annual_duty_report(case):
    check_eval_case(case)


@pytest.mark.parametrize("case", eval_cases("annual-work-plan"))
def test_annual_work_plan(case):
    check_eval_case(case)


@pytest.mark.parametrize("case", eval_cases("work-notice"))
def test_work_notice(case):
    check_eval_case(case)


@pytest.mark.parametrize("case", eval_cases("meeting-notice"))
def test_meeting_notice(case):
    check_eval_case(case)


def test_eval_cases_picks_by_tag_and_refuses_names_the_suite_lacks():
    tagged = [p.values[0].case for p in eval_cases("annual-work-summary", tags=["missing"])]
    suite, _ = load_suite("annual-work-summary")
    assert tagged == [c.id for c in suite.cases if "missing" in c.tags] and tagged
    with pytest.raises(InputError, match="did you mean 'complete'"):
        eval_cases("annual-work-summary", only=["complet"])  # not an empty test list


def test_checker_suite_reports_precision_and_recall_per_family(cli, tmp_path):
    report = tmp_path / "checker.json"
    result = cli("eval", "checker", "-q", "-o", report)
    assert result.returncode == 0, result.stdout  # every family at or above its gate
    import json

    data = json.loads(report.read_text(encoding="utf-8"))
    (group,) = data["summary"]["groups"]
    families = group["families"]
    assert {"structure", "gap", "facts", "noise"} <= set(families)
    for name, score in families.items():
        assert score["tp"] > 0, name
        assert 0 <= score["precision"] <= 1 and 0 <= score["recall"] <= 1
    by_case = {s["case"]: s for s in data["samples"]}
    for clean in ("clean-school", "clean-annual", "wrap-spaces"):
        assert by_case[clean]["passed"], by_case[clean]["unexpected"]
    assert by_case["invented-numbers"]["family_counts"]["facts"]["tp"] == 2
    assert "checker by rule family" in result.stdout
