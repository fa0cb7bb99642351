"""Evaluation runs (`draft eval`): list past runs, open their reports, compare two runs.

Runs are read from `pipeline.evals` run folders (`<user data>/runs/<RUN_ID>/`); nothing here
writes to them. A run is named by its id only, never by a path.
"""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import APIRouter
from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from pipeline.errors import InputError
from pipeline.web.context import ctx
from pipeline.web.store import NotFound

router = APIRouter()

RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$")
LIST_LIMIT = 100
"""Most recent runs listed."""
REPORT_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; sandbox"
)
"""The stored HTML report carries its own inline CSS and no script: allow exactly that."""

VERDICT_CN = {
    "better": "变好",
    "worse": "变差",
    "same": "持平",
    "changed": "变化",
    "new": "新增",
    "gone": "消失",
}


class RunRow(BaseModel):
    """A run as the list shows it."""

    run_id: str
    suite: str
    kind: str
    planned: int
    finished: int
    created_at: str
    complete: bool
    model_calls: int


def _run_dir(run_id: str) -> Path:
    """The folder of a run id, refusing anything that is not a plain id."""
    from pipeline.evals.journal import RUN_FILE, runs_dir

    if not RUN_ID.match(run_id):
        raise NotFound(f"evaluation run {run_id!r}")
    folder = runs_dir() / run_id
    if not (folder / RUN_FILE).is_file():
        raise NotFound(f"evaluation run {run_id}")
    return folder


def list_runs() -> list[RunRow]:
    """The stored runs, newest first."""
    from pipeline.evals.journal import RUN_FILE, SAMPLES_FILE, read_meta, runs_dir

    metas = []
    for folder in runs_dir().glob("*"):
        if (folder / RUN_FILE).is_file():
            try:
                metas.append((read_meta(folder), folder))
            except InputError:
                continue
    metas.sort(key=lambda mf: (mf[0].created_at, mf[1].name), reverse=True)
    rows = []
    for meta, folder in metas[:LIST_LIMIT]:
        samples = folder / SAMPLES_FILE
        keys = set()
        if samples.is_file():
            # A run killed mid-write (or on a full disk) leaves a torn last line, perhaps cut
            # inside a character: it is not a finished sample.
            for line in samples.read_bytes().decode("utf-8", "replace").splitlines(True):
                match = re.search(r'"key":\s*"([^"]+)"', line)
                if match and line.endswith("\n"):
                    keys.add(match.group(1))
        rows.append(
            RunRow(
                run_id=meta.run_id,
                suite=meta.suite_name,
                kind=meta.suite_kind,
                planned=meta.planned,
                finished=len(keys),
                created_at=meta.created_at,
                complete=meta.finished_at is not None,
                model_calls=meta.model_calls,
            )
        )
    return rows


@router.get("/runs")
def runs(request: Request) -> Response:
    """Every stored evaluation run, and a form to compare two."""
    return ctx(request).pages.html(request, "runs.html", runs=list_runs())


@router.get("/runs/compare")
def compare(request: Request, a: str = "", b: str = "") -> Response:
    """Run B against run A: metric deltas per model and the cases that regressed."""
    from pipeline.evals.compare import ONE_RUN_SHOWN, compare_runs, sample_label

    if not a or not b:
        raise InputError("请选择要比较的两次评测（基准和对比）。")
    comparison = compare_runs(_run_dir(a), _run_dir(b))
    worse = sum(1 for d in comparison.deltas if d.verdict == "worse")
    better = sum(1 for d in comparison.deltas if d.verdict == "better")
    return ctx(request).pages.html(
        request,
        "run_compare.html",
        c=comparison,
        verdicts=VERDICT_CN,
        worse=worse,
        better=better,
        only={
            run: ([sample_label(k) for k in keys[:ONE_RUN_SHOWN]], len(keys) - ONE_RUN_SHOWN)
            for run, keys in (("基准", comparison.only_in_a), ("对比", comparison.only_in_b))
            if keys
        },
    )


@router.get("/runs/{run_id}")
def run_page(request: Request, run_id: str) -> Response:
    """One run: its summary by model, failing cases, and its full report."""
    from pipeline.evals.compare import run_summary

    meta, samples, summary = run_summary(_run_dir(run_id))
    failing = [s for s in samples if s.key in set(summary.failing)]
    return ctx(request).pages.html(
        request,
        "run.html",
        meta=meta,
        summary=summary,
        samples=samples,
        failing=failing,
        others=[r for r in list_runs() if r.run_id != meta.run_id],
    )


@router.get("/runs/{run_id}/report.html")
def run_report(request: Request, run_id: str) -> Response:
    """The run's self-contained HTML report (as `draft eval report -o report.html` writes it)."""
    from pipeline.evals.compare import run_summary
    from pipeline.evals.report.html import render_html

    meta, samples, summary = run_summary(_run_dir(run_id))
    return HTMLResponse(
        render_html(meta, summary, samples),
        headers={"content-security-policy": REPORT_POLICY},
    )
