"""Reports of a run: the terminal table, and files whose format follows the extension —
.json, .md, .xml (JUnit) and .html (one self-contained file)."""

from __future__ import annotations

from pathlib import Path

from pipeline.errors import InputError
from pipeline.evals.journal import RunMeta, SampleResult
from pipeline.evals.summary import RunSummary
from pipeline.textio import write_atomic

REPORT_FORMATS = {
    ".json": "json",
    ".md": "md",
    ".markdown": "md",
    ".xml": "junit",
    ".html": "html",
    ".htm": "html",
}


def report_format(path: str | Path) -> str:
    """The report format named by a path's extension."""
    fmt = REPORT_FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise InputError(
            f"--output {path}: unknown report format; use a name ending in .json, .md, .xml "
            "(JUnit) or .html"
        )
    return fmt


def render_report(fmt: str, meta: RunMeta, summary: RunSummary, samples: list[SampleResult]) -> str:
    """The report in one format, as text."""
    if fmt == "json":
        from pipeline.evals.report.json_report import render_json

        return render_json(meta, summary, samples)
    if fmt == "md":
        from pipeline.evals.report.markdown import render_markdown

        return render_markdown(meta, summary, samples)
    if fmt == "junit":
        from pipeline.evals.report.junit import render_junit

        return render_junit(meta, summary, samples)
    if fmt == "html":
        from pipeline.evals.report.html import render_html

        return render_html(meta, summary, samples)
    raise InputError(f"unknown report format '{fmt}'")


def write_report(
    path: str | Path, meta: RunMeta, summary: RunSummary, samples: list[SampleResult]
) -> None:
    """Write the report to `path` (atomically), in the format its extension names."""
    write_atomic(path, render_report(report_format(path), meta, summary, samples))
