"""`draft serve`: a local web app for the people who write the reports.

app.py         create_app(settings): the FastAPI application
security.py    loopback by default, access token elsewhere, CSRF, security headers
store.py       SQLite store: facts documents with history, drafts with revisions
forms.py       the facts form generated from the spec; Chinese validation messages
review.py      the draft cut into segments with markers and findings in place
editing.py     in-place edits and single-section regeneration, re-checked
jobs.py        background drafting jobs and their server-sent events
generation.py  starting whole drafts and single sections as jobs
context.py     what every handler shares: settings, store, jobs, pages, specs
routes/        the pages and endpoints
"""

from typing import TYPE_CHECKING

from pipeline.web.security import WebSettings

if TYPE_CHECKING:
    from fastapi import FastAPI


def create_app(settings: WebSettings | None = None) -> "FastAPI":
    """The FastAPI application (imported lazily: the CLI starts without FastAPI)."""
    from pipeline.web.app import create_app as _create

    return _create(settings)


__all__ = ["WebSettings", "create_app"]
