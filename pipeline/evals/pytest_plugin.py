"""Evaluation suites as pytest tests: one test per case (each model, variant and repeat of it).

    # tests/test_my_suite.py
    import pytest
    from pipeline.evals.pytest_plugin import eval_cases, check_eval_case

    @pytest.mark.parametrize("case", eval_cases("school-ideology-summary"))
    def test_case(case):
        check_eval_case(case)            # fails listing every failed assertion

`eval_cases` takes a built-in suite's name or a suite file, and optionally `models=[...]` to
draft with other models than the suite's, `only=[...]` to pick cases, or `tags=[...]` to pick
the cases with one of these tags. Run one case with `pytest -k missing-numbers`. The run goes
through the same runner as `draft eval` (journal and all) under the user data folder, so set
`DRAFTSMITH_HOME` to a temporary folder in tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.evals.journal import RunOptions, SampleResult, latest_samples
from pipeline.evals.suite import load_suite


@dataclass(frozen=True)
class EvalCase:
    """One case of one suite, as a pytest parameter."""

    suite: str
    case: str
    models: tuple[str, ...] | None = None

    def __str__(self) -> str:
        return self.case


def eval_cases(
    suite: str | Path,
    *,
    models: list[str] | None = None,
    only: list[str] | None = None,
    tags: list[str] | None = None,
) -> list:
    """The suite's cases as `pytest.param`s, with the case ids as test ids: all of them, or
    those named in `only` that carry one of `tags` (a name the suite lacks is an error, as
    `--case` and `--tag` are: a misspelt one must not quietly collect no test)."""
    from pipeline.evals.runner import selected_cases

    loaded, _ = load_suite(suite)
    chosen = selected_cases(loaded, only, tags)
    params = []
    for c in loaded.cases:
        if chosen is not None and c.id not in chosen:
            continue
        case = EvalCase(str(loaded.source), c.id, tuple(models) if models else None)
        params.append(pytest.param(case, id=c.id))
    return params


def run_eval_case(case: EvalCase) -> list[SampleResult]:
    """Draft (or check) one case with every model, variant and repeat; return the samples."""
    from pipeline.evals.runner import start_run

    options = RunOptions(cases=[case.case], models=list(case.models) if case.models else None)
    result = start_run(case.suite, options)
    return latest_samples(result.run_dir)


def failure_report(samples: list[SampleResult]) -> str:
    """Why the failing samples failed, one line each."""
    lines = []
    for s in samples:
        if s.passed:
            continue
        reasons = [f"{a.name}: {a.message}" for a in s.assertions if not a.passed]
        reasons += [f"missed {m}" for m in s.missed] + [f"unexpected {u}" for u in s.unexpected]
        if s.error:
            reasons.insert(0, f"error: {s.error}")
        lines.append(f"{s.case} · {s.model} · {s.variant} · #{s.repeat}: " + "; ".join(reasons))
    return "\n".join(lines)


def check_eval_case(case: EvalCase) -> list[SampleResult]:
    """Run one case and fail the test, listing every failed assertion, unless all samples pass."""
    samples = run_eval_case(case)
    if not samples:
        pytest.fail(f"case {case.case} produced no sample")
    report = failure_report(samples)
    if report:
        pytest.fail(report, pytrace=False)
    return samples
