"""Comparing two runs: metric deltas per model × variant, and the samples that regressed.

A sample (same case, model, variant and repeat in both runs) regressed when it passed in A
and fails in B, when it failed in both and B fails an assertion A passed (or ends in an
error), or when a quality metric moved the wrong way (coverage or marker recall down,
unsupported numbers or errors up). The deltas are taken over the samples both runs
have, so that a run of fewer cases is not "worse" for the cases it left out; the others
are listed as only in A or only in B.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from pipeline.errors import InputError
from pipeline.evals.journal import RunMeta, SampleResult, find_run, latest_samples, read_meta
from pipeline.evals.metrics import DRAFT_METRICS, GROUP_METRICS
from pipeline.evals.suite import load_suite
from pipeline.evals.summary import RunSummary, summarize

_WATCHED = (
    "structure_pass",
    "fact_coverage",
    "number_coverage",
    "marker_precision",
    "marker_recall",
    "unsupported_per_1k",
    "length_compliance",
    "errors",
    "judge_score",
)
"""Per-sample metrics whose move in the wrong direction counts as a regression."""


def _higher_is_better(metric: str) -> bool | None:
    info = DRAFT_METRICS.get(metric) or GROUP_METRICS.get(metric)
    return info.higher_is_better if info else True


class MetricDelta(BaseModel):
    """One metric of one model × variant in both runs."""

    group: str
    metric: str
    a: float | None
    b: float | None
    delta: float | None
    verdict: str
    """better, worse or same (changed, for a metric with no better direction; new / gone)."""


class SampleChange(BaseModel):
    """A sample whose result moved between the runs."""

    key: str
    case: str
    group: str
    repeat: int = 0
    reasons: list[str]


class ServedChange(BaseModel):
    """A model name whose answers named other models in B than in A: the provider changed
    the model behind the name (an alias moved to a new dated version)."""

    model: str
    a: list[str]
    b: list[str]


class Comparison(BaseModel):
    """Two runs side by side."""

    run_a: str
    run_b: str
    deltas: list[MetricDelta]
    regressions: list[SampleChange]
    improvements: list[SampleChange]
    only_in_a: list[str]
    only_in_b: list[str]
    matched: int = 0
    """Samples in both runs: the ones the deltas are taken over."""
    served: list[ServedChange] = []
    """Models whose answers came from other models in B than in A."""


def _verdict(metric: str, a: float | None, b: float | None) -> tuple[float | None, str]:
    if a is None and b is None:
        return None, "same"
    if a is None:
        return None, "new"
    if b is None:
        return None, "gone"
    delta = round(b - a, 4)
    if abs(delta) < 1e-9:
        return 0.0, "same"
    direction = _higher_is_better(metric)
    if direction is None:
        return delta, "changed"
    return delta, "better" if (delta > 0) == direction else "worse"


def _served_models(samples: list[SampleResult]) -> dict[str, list[str]]:
    """The models each model name's answers named, over `samples`, in the order first seen."""
    from pipeline.models.base import Usage

    usage: dict[str, Usage] = {}
    for s in samples:
        usage[s.model] = usage.get(s.model, Usage()) + s.usage
    return {model: u.served_models for model, u in usage.items() if u.served_models}


def served_changes(
    samples_a: list[SampleResult], samples_b: list[SampleResult]
) -> list[ServedChange]:
    """The models whose answers named other models in B than in A (answered in both)."""
    served_a, served_b = _served_models(samples_a), _served_models(samples_b)
    return [
        ServedChange(model=model, a=served_a[model], b=served_b[model])
        for model in served_a
        if model in served_b and set(served_a[model]) != set(served_b[model])
    ]


def _summary(meta: RunMeta, samples: list[SampleResult]) -> RunSummary:
    """The summary of `samples` of a run (its suite's thresholds, if the suite is still there)."""
    try:
        suite, _ = load_suite(meta.suite_path)
    except InputError:
        suite = None
    return summarize(meta, samples, suite)


def run_summary(run_dir: Path) -> tuple[RunMeta, list[SampleResult], RunSummary]:
    """A run's metadata, latest samples and summary."""
    meta = read_meta(run_dir)
    samples = latest_samples(run_dir)
    return meta, samples, _summary(meta, samples)


def compare_runs(run_a: str | Path, run_b: str | Path) -> Comparison:
    """Compare run B against run A (the baseline)."""
    a_dir, b_dir = find_run(run_a), find_run(run_b)
    meta_a, samples_a = read_meta(a_dir), latest_samples(a_dir)
    meta_b, samples_b = read_meta(b_dir), latest_samples(b_dir)
    keys_b = {s.key for s in samples_b}
    both = {s.key for s in samples_a} & keys_b
    sum_a = _summary(meta_a, [s for s in samples_a if s.key in both])
    sum_b = _summary(meta_b, [s for s in samples_b if s.key in both])
    deltas = []
    groups_a = {(g.model, g.variant): g for g in sum_a.groups}
    groups_b = {(g.model, g.variant): g for g in sum_b.groups}
    for key in [*groups_a, *(k for k in groups_b if k not in groups_a)]:
        ga, gb = groups_a.get(key), groups_b.get(key)
        label = key[0] if key[1] == "default" else f"{key[0]} [{key[1]}]"
        values_a = {"pass_rate": ga.pass_rate, **ga.metrics} if ga else {}
        values_b = {"pass_rate": gb.pass_rate, **gb.metrics} if gb else {}
        for metric in [*values_a, *(m for m in values_b if m not in values_a)]:
            a, b = values_a.get(metric), values_b.get(metric)
            delta, verdict = _verdict(metric, a, b)
            deltas.append(
                MetricDelta(group=label, metric=metric, a=a, b=b, delta=delta, verdict=verdict)
            )
    by_key_a = {s.key: s for s in samples_a}
    regressions: list[SampleChange] = []
    improvements: list[SampleChange] = []
    for sb in samples_b:
        sa = by_key_a.get(sb.key)
        if sa is None:
            continue
        group = sb.model if sb.variant == "default" else f"{sb.model} [{sb.variant}]"
        worse, better = [], []
        if sa.passed and not sb.passed:
            failed = [f"error: {sb.error}"] if sb.error else []
            failed += [f"{x.name}: {x.message}" for x in sb.assertions if not x.passed]
            failed += sb.missed + sb.unexpected
            worse.append("now fails" + (f" ({'; '.join(failed)})" if failed else ""))
        elif sb.passed and not sa.passed:
            better.append("now passes")
        elif not sa.passed and not sb.passed:
            # failing in both runs: an assertion it newly fails is still a step back (a model
            # that fails every case would otherwise hide every regression of a prompt edit)
            failed_a = {x.name for x in sa.assertions if not x.passed}
            failed_b = {x.name for x in sb.assertions if not x.passed}
            new = [f"{x.name}: {x.message}" for x in sb.assertions if x.name in failed_b - failed_a]
            if sb.error and not sa.error:
                new.insert(0, f"error: {sb.error}")
            if new:
                worse.append(f"now also fails ({'; '.join(new)})")
            fixed = [x.name for x in sb.assertions if x.passed and x.name in failed_a]
            if fixed:
                better.append(f"no longer fails ({'; '.join(fixed)})")
        for metric in _WATCHED:
            a, b = sa.metrics.get(metric), sb.metrics.get(metric)
            if a is None or b is None:
                continue
            _, verdict = _verdict(metric, a, b)
            if verdict == "worse":
                worse.append(f"{metric} {a:g} → {b:g}")
            elif verdict == "better":
                better.append(f"{metric} {a:g} → {b:g}")
        if worse or better:
            change = SampleChange(
                key=sb.key, case=sb.case, group=group, repeat=sb.repeat, reasons=worse or better
            )
            (regressions if worse else improvements).append(change)
    return Comparison(
        run_a=meta_a.run_id,
        run_b=meta_b.run_id,
        deltas=deltas,
        regressions=regressions,
        improvements=improvements,
        only_in_a=[k for k in by_key_a if k not in keys_b],
        only_in_b=[s.key for s in samples_b if s.key not in by_key_a],
        matched=len(both),
        served=served_changes(samples_a, samples_b),
    )


def comparison_markdown(c: Comparison) -> str:
    """The comparison as Markdown."""
    from pipeline.evals.report.common import markdown_inline as md

    out = [
        f"# Compare {c.run_a} → {c.run_b}",
        "",
        "| model | metric | A | B | Δ | |",
        "|---|---|---|---|---|---|",
    ]
    for d in c.deltas:
        out.append(
            f"| {md(d.group)} | {d.metric} | {_num(d.a)} | {_num(d.b)} | {_num(d.delta, sign=True)} | {d.verdict} |"
        )
    out += ["", *(md(line) for line in served_lines(c))] if c.served else []
    out += ["", f"## Regressed samples ({len(c.regressions)})", ""]
    out += [
        f"- {md(r.case)} · {md(r.group)} #{r.repeat} (`{r.key}`): {md('; '.join(r.reasons))}"
        for r in c.regressions
    ] or ["None."]
    out += ["", f"## Improved samples ({len(c.improvements)})", ""]
    out += [
        f"- {md(r.case)} · {md(r.group)} #{r.repeat}: {md('; '.join(r.reasons))}"
        for r in c.improvements
    ] or ["None."]
    if c.only_in_a or c.only_in_b:
        out += [
            "",
            f"Only in A: {len(c.only_in_a)} sample(s); only in B: {len(c.only_in_b)}. "
            f"The metrics compare the {c.matched} sample(s) in both runs.",
        ]
        for run, keys in (("A", c.only_in_a), ("B", c.only_in_b)):
            if keys:
                out += ["", f"## Only in {run} ({len(keys)})", ""]
                out += [f"- {md(line)}" for line in one_run_lines(keys)]
    return "\n".join(out) + "\n"


ONE_RUN_SHOWN = 20
"""Samples of one run listed by name; more are counted (a run of a new suite has all)."""


def sample_label(key: str) -> str:
    """A sample key (`case|model|variant|repeat`) as the reports name samples:
    `case · model [variant] #repeat`."""
    case, *model, variant, repeat = key.split("|")
    shown = "|".join(model) + ("" if variant == "default" else f" [{variant}]")
    return f"{case} · {shown} #{repeat}"


def one_run_lines(keys: list[str]) -> list[str]:
    """The samples of one run only, by name, the first ONE_RUN_SHOWN of them."""
    lines = [sample_label(k) for k in keys[:ONE_RUN_SHOWN]]
    if len(keys) > ONE_RUN_SHOWN:
        lines.append(f"… and {len(keys) - ONE_RUN_SHOWN} more")
    return lines


def served_lines(c: Comparison) -> list[str]:
    """One line per model whose answers came from another model in B than in A."""
    return [
        f"{s.model}: answered by {', '.join(s.a)} in A, by {', '.join(s.b)} in B (the provider "
        "changed the model behind the name)"
        for s in c.served
    ]


def comparison_json(c: Comparison) -> str:
    """The comparison as JSON."""
    return json.dumps(c.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"


def _num(value: float | None, sign: bool = False) -> str:
    if value is None:
        return "–"
    text = f"{value:+.4g}" if sign else f"{value:.4g}"
    return text
