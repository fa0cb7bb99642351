"""Formatting shared by the reports: metric columns and value rendering."""

from __future__ import annotations

from pipeline.evals.summary import GroupSummary, RunSummary

SHORT_NAMES = {
    "structure_pass": "structure",
    "fact_coverage": "coverage",
    "marker_precision": "marker P",
    "marker_recall": "marker R",
    "unsupported_per_1k": "unsupp./1k",
    "length_compliance": "length",
    "judge_score": "judge",
    "agreement": "agreement",
    "precision": "precision",
    "recall": "recall",
}
"""The metric columns of the summary table, in order, with their headers."""


ERRORED = "errored"
"""The header of the column counting samples that ended in an error (a model call failed),
not to be read as error findings (the `errors` metric)."""


def metric_columns(summary: RunSummary) -> list[str]:
    """The metric columns present in any group, in table order."""
    present = {m for g in summary.groups for m in g.metrics}
    return [m for m in SHORT_NAMES if m in present]


def fmt(value: float | None, digits: int = 3) -> str:
    """A metric value for a table cell."""
    if value is None:
        return "–"
    if float(value).is_integer() and abs(value) >= 10:
        return str(int(value))
    return f"{value:.{digits}f}".rstrip("0").rstrip(".") if value != 0 else "0"


def markdown_inline(text: str) -> str:
    """`text` on one line of Markdown (a table cell, a list item): line breaks as spaces and
    Markdown's syntax escaped, so that a regex such as `\\(1\\)_x_`, a placeholder such as
    `******` or a `<think>` tag quoted from a draft shows as written."""
    from pipeline.render.markdown import escape_markdown

    return escape_markdown(" ".join(text.splitlines()), line_start=False)


def pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def group_label(g: GroupSummary) -> str:
    return g.model if g.variant == "default" else f"{g.model} [{g.variant}]"


def verdict(summary: RunSummary) -> str:
    if not summary.complete:
        return f"INCOMPLETE ({summary.finished}/{summary.planned} samples)"
    return "PASS" if summary.passed else "FAIL"
