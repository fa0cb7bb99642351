"""Evaluation runs: list past runs, open their reports, compare two runs."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from pipeline.web.context import ctx

router = APIRouter()


@router.get("/runs")
def runs(request: Request) -> Response:
    """The list of evaluation runs."""
    return ctx(request).pages.html(request, "runs.html", runs=[])
