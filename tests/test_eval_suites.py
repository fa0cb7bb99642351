"""The shipped evaluation suites pass offline: each case of each suite is one test, run
through the pytest integration (`pipeline.evals.pytest_plugin`) and the real runner."""

from __future__ import annotations

import pytest

from pipeline.evals.pytest_plugin import check_eval_case, eval_cases
from pipeline.evals.suite import builtin_suites, load_suite


def test_every_suite_ships_and_loads():
    names = {p.stem for p in builtin_suites()}
    assert {"school-ideology-summary", "annual-work-summary", "checker"} <= names
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
