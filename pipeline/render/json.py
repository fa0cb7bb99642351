"""JSON: the whole draft — sections, markers, findings, provenance, usage — readable back."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from pipeline.document import Draft
from pipeline.errors import InputError
from pipeline.textio import read_text


def render_json(draft: Draft) -> str:
    return draft.model_dump_json(indent=2) + "\n"


def load_draft_json(path: str | Path) -> Draft:
    """Read a draft written by `draft run --format json`."""
    text = read_text(path, what="draft JSON file")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg}", path=str(path), line=exc.lineno) from None
    if isinstance(data, dict):
        data.pop("text", None)  # derived from the sections
    try:
        return Draft.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(
            f"not a Draftsmith draft: field '{where}': {first['msg']}", path=str(path)
        ) from None
