"""Formatting shared by the reports: metric columns and value rendering."""

from __future__ import annotations

from pipeline.evals.summary import GroupSummary, RunSummary, TagSummary

SHORT_NAMES = {
    "structure_pass": "structure",
    "fact_coverage": "coverage",
    "number_coverage": "numbers",
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


def usage_columns(summary: RunSummary) -> list[str]:
    """The usage columns of the summary table: `tokens` when a model was asked (not only the
    offline one), `cost` when a profile sets prices (or an answer came without its counts)."""
    used = [g.usage for g in summary.groups]
    cols = []
    if any(u.input_tokens or u.output_tokens or u.requests or u.cached for u in used):
        cols.append("tokens")
    if any(u.cost is not None or u.unmetered for u in used):
        cols.append("cost")
    return cols


def usage_cell(g: GroupSummary, column: str) -> str:
    """A group's `tokens` (in / out) or `cost` cell; `≥` marks a cost some answers left out."""
    u = g.usage
    if column == "tokens":
        return f"{u.input_tokens} / {u.output_tokens}"
    if u.cost is None:
        return "–"
    return ("≥ " if u.unmetered else "") + f"{u.cost:.4f}"


def fmt(value: float | None, digits: int = 3) -> str:
    """A metric value for a table cell."""
    if value is None:
        return "–"
    if float(value).is_integer() and abs(value) >= 10:
        return str(int(value))
    if value == 0:
        return "0"
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    if float(text).is_integer() and float(text) != value:
        # 0.9995 is not 1: beside a bound of 1 that it fails, "1" would read as a pass.
        text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text


def markdown_inline(text: str) -> str:
    """`text` on one line of Markdown (a table cell, a list item): line breaks as spaces and
    Markdown's syntax escaped, so that a regex such as `\\(1\\)_x_`, a placeholder such as
    `******` or a `<think>` tag quoted from a draft shows as written."""
    from pipeline.render.markdown import escape_markdown

    return escape_markdown(" ".join(text.splitlines()), line_start=False)


def pct(value: float) -> str:
    """A share as a percentage; never 100.0% (or 0.0%) for a share that is not all (or none)."""
    text = f"{value * 100:.1f}%"
    if text in ("100.0%", "0.0%") and value not in (0, 1):
        text = f"{value * 100:.2f}%"
    return text


def group_label(g: GroupSummary | TagSummary) -> str:
    return g.model if g.variant == "default" else f"{g.model} [{g.variant}]"


def model_cell(g: GroupSummary) -> str:
    """A group's label in the summary table, with the model that answered when the endpoint
    named another than the one asked for: `openai:gpt-4o (served by gpt-4o-2024-08-06)`."""
    return group_label(g) + (f" ({g.served})" if g.served else "")


def tag_table(summary: RunSummary) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """The pass rate by case tag as a table: the group labels (columns), and per tag its
    cells, `80.0% (4/5)` or `–` where the group drafted no case with the tag."""
    groups = [group_label(g) for g in summary.groups]
    rows: dict[str, dict[str, TagSummary]] = {}
    for t in summary.by_tag:
        rows.setdefault(t.tag, {})[group_label(t)] = t
    table = []
    for tag, cells in rows.items():
        shown = [cells.get(g) for g in groups]
        table.append(
            (
                tag,
                [
                    f"{pct(c.passed / c.samples)} ({c.passed}/{c.samples})" if c else "–"
                    for c in shown
                ],
            )
        )
    return groups, table


def unfinished_note(summary: RunSummary) -> str:
    """What an incomplete run lacks and how to finish it; "" for a complete run."""
    if summary.complete:
        return ""
    return (
        f"{summary.finished} of {summary.planned} samples finished; finish the run with "
        f"`draft eval --resume {summary.run_id}`"
    )


def verdict(summary: RunSummary) -> str:
    if not summary.complete:
        return f"INCOMPLETE ({summary.finished}/{summary.planned} samples)"
    return "PASS" if summary.passed else "FAIL"
