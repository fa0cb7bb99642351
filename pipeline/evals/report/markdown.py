"""The Markdown report: the summary table, thresholds and the failing samples."""

from __future__ import annotations

from pipeline.evals.journal import RunMeta, SampleResult
from pipeline.evals.report.common import (
    ERRORED,
    SHORT_NAMES,
    fmt,
    group_label,
    markdown_inline,
    metric_columns,
    model_cell,
    pct,
    tag_table,
    unfinished_note,
    usage_cell,
    usage_columns,
    verdict,
)
from pipeline.evals.summary import RunSummary


def _row(cells: list[str]) -> str:
    """One table row: a cell per item."""
    return "| " + " | ".join(cells) + " |"


def render_markdown(meta: RunMeta, summary: RunSummary, samples: list[SampleResult]) -> str:
    """The report as Markdown."""
    cols = metric_columns(summary)
    used = usage_columns(summary)
    header = ["rank", "model", "samples", "pass rate", ERRORED, *(SHORT_NAMES[c] for c in cols)]
    header += ["quality", *used]
    out = [
        f"# Evaluation: {markdown_inline(summary.suite)} — {verdict(summary)}",
        "",
        f"Run `{meta.run_id}` · {summary.finished}/{summary.planned} samples · started {meta.created_at}",
        "",
        *([f"**{unfinished_note(summary)}**", ""] if not summary.complete else []),
        _row(header),
        "|" + "---|" * len(header),
    ]
    for g in summary.ranked:
        cells = [str(g.rank), markdown_inline(model_cell(g)), str(g.samples), pct(g.pass_rate)]
        cells += [str(g.errors), *(fmt(g.metrics.get(c)) for c in cols), fmt(g.quality)]
        cells += [usage_cell(g, c) for c in used]
        out.append(_row(cells))
    families = [(g, f, score) for g in summary.groups for f, score in g.families.items()]
    if families:
        out += [
            "",
            "## Checker by rule family",
            "",
            "| family | TP | FP | FN | precision | recall |",
            "|---|---|---|---|---|---|",
        ]
        for _g, family, score in families:
            counts = f"{score.tp} | {score.fp} | {score.fn}"
            out.append(f"| {family} | {counts} | {fmt(score.precision)} | {fmt(score.recall)} |")
    groups, rows = tag_table(summary)
    if rows:
        out += ["", "## Pass rate by case tag", ""]
        out += [_row(["tag", *map(markdown_inline, groups)]), "|---" * (len(groups) + 1) + "|"]
        out += [_row([markdown_inline(tag), *cells]) for tag, cells in rows]
    out += ["", "## Thresholds", ""]
    for g in summary.groups:
        for t in g.thresholds:
            mark = "✅" if t.passed else "❌"
            out.append(
                f"- {mark} {markdown_inline(group_label(g))}: {t.name} = {fmt(t.value)} (needs {t.bound})"
            )
    if not any(g.thresholds for g in summary.groups):
        out.append("- none")
    failing = [s for s in samples if not s.passed]
    out += ["", f"## Failing samples ({len(failing)})", ""]
    for s in failing:
        out.append(
            f"### {markdown_inline(s.case)} · {markdown_inline(s.model)} · {markdown_inline(s.variant)} · repeat {s.repeat}"
        )
        if s.error:
            out.append(f"- error: {markdown_inline(s.error)}")
        for a in s.assertions:
            if not a.passed:
                out.append(f"- ❌ {markdown_inline(a.name)}: {markdown_inline(a.message)}")
        for m in s.missed:
            out.append(f"- missed: {markdown_inline(m)}")
        for u in s.unexpected:
            out.append(f"- unexpected: {markdown_inline(u)}")
        out.append("")
    if not failing:
        out.append("None.")
    return "\n".join(out).rstrip() + "\n"
