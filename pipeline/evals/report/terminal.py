"""The terminal report: a rich table per run, thresholds, and the failing samples."""

from __future__ import annotations

import sys

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from pipeline.evals.journal import SampleResult
from pipeline.evals.report.common import (
    ERRORED,
    SHORT_NAMES,
    fmt,
    group_label,
    metric_columns,
    model_cell,
    pct,
    tag_table,
    usage_cell,
    usage_columns,
    verdict,
)
from pipeline.evals.summary import RunSummary

MAX_FAILURES_SHOWN = 20


def print_summary(
    summary: RunSummary, samples: list[SampleResult], console: Console | None = None
) -> None:
    """Print the summary table, the checker's families, thresholds and failing samples."""
    table = Table(title=f"draft eval {summary.suite} — {verdict(summary)}", title_justify="left")
    cols = metric_columns(summary)
    used = usage_columns(summary)
    for header in (
        "rank",
        "model",
        "samples",
        "pass",
        ERRORED,
        *(SHORT_NAMES[c] for c in cols),
        "quality",
        *used,
    ):
        table.add_column(header, justify="left" if header == "model" else "right")
    for g in summary.ranked:
        table.add_row(
            str(g.rank), Text(model_cell(g)), str(g.samples), pct(g.pass_rate), str(g.errors),
            *(fmt(g.metrics.get(c)) for c in cols), fmt(g.quality),
            *(usage_cell(g, c) for c in used),
        )  # fmt: skip
    if console is None:
        # In a terminal, its width; in a CI log or a file, as wide as the table needs (at
        # least 160), so that no figure or model name is cut short or wrapped.
        wide = (
            None if sys.stdout.isatty() else max(160, Console(width=10_000).measure(table).maximum)
        )
        console = Console(width=wide)
    console.print(table)
    for g in summary.groups:
        if g.families:
            fam = Table(
                title=f"checker by rule family ({escape(group_label(g))})", title_justify="left"
            )
            for header in ("family", "TP", "FP", "FN", "precision", "recall"):
                fam.add_column(header, justify="left" if header == "family" else "right")
            for name, score in g.families.items():
                counts = (str(score.tp), str(score.fp), str(score.fn))
                fam.add_row(name, *counts, fmt(score.precision), fmt(score.recall))
            console.print(fam)
    groups, rows = tag_table(summary)
    if rows:
        tags = Table(title="pass rate by case tag", title_justify="left")
        tags.add_column("tag")
        for label in groups:
            tags.add_column(Text(label), justify="right")
        for tag, cells in rows:
            tags.add_row(escape(tag), *cells)
        console.print(tags)
    for g in summary.groups:
        for t in g.thresholds:
            mark = "[green]ok[/]" if t.passed else "[red]FAIL[/]"
            console.print(
                f"  {mark} {escape(group_label(g))}: {escape(t.name)} = {fmt(t.value)} (needs {t.bound})",
                highlight=False,
                emoji=False,  # `openai:a: pass_rate` is a model's name, not the emoji :a:
            )
    failing = [s for s in samples if not s.passed]
    first_with: dict[tuple[str, str], str] = {}
    """Each model's error, and the sample it was first shown for: a wrong key is told once per
    model, not once per sample. Per model: two models failing with the same text (one key for
    both) are each named beside it, not the second only by reference to the first's sample."""
    for s in failing[:MAX_FAILURES_SHOWN]:
        reasons = [f"{a.name}: {a.message}" for a in s.assertions if not a.passed]
        reasons += [f"missed {m}" for m in s.missed] + [f"unexpected {u}" for u in s.unexpected]
        where = f"{s.case} · {s.model} · {s.variant} · #{s.repeat}"
        if s.error:
            first = first_with.setdefault((s.model, s.error), where)
            reasons.insert(
                0, f"error: {s.error}" if first == where else f"error: the same as for {first}"
            )
        console.print(
            f"  [red]✗[/] {escape(where)}: {escape('; '.join(reasons))}",
            highlight=False,
            emoji=False,
        )
    if len(failing) > MAX_FAILURES_SHOWN:
        console.print(f"  … and {len(failing) - MAX_FAILURES_SHOWN} more failing samples")
