"""JSON: the whole draft — sections, markers, findings, provenance, usage — readable back.

The file opens with `"format": "draftsmith.draft/1"` and carries `text` (the canonical plain
text the offsets point into). `draft export` and `draft check` read it back with
`load_draft_json`; if the sections were edited by hand since the draft was checked, the
markers are located again and the findings past the first edit are dropped (their offsets
no longer hold) — `load_saved_draft` says how many.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, NoReturn

from pydantic import BaseModel, ValidationError

from pipeline.document import Draft, as_paragraphs
from pipeline.errors import InputError
from pipeline.markers import find_markers, marker
from pipeline.spec import DOCTYPE_ID
from pipeline.textio import control_character, parse_json, read_text
from pipeline.validation import (
    closest,
    did_you_mean_or_list,
    error_reason,
    expected_at,
    field_names_at,
    format_path,
    given_text,
)

DRAFT_FORMAT = "draftsmith.draft/1"
"""The `format` tag of a saved draft."""
_TEXT_FORMATS = frozenset({"md", "markdown", "txt", "text"})
"""What `draft run` also writes: text that cannot be read back as a draft."""


class SavedDraft(BaseModel):
    """A draft read back from JSON, and whether its text changed since it was checked."""

    draft: Draft
    edited: bool = False
    """The sections no longer give the saved `text` (edited by hand)."""
    dropped_findings: int = 0
    """Findings dropped because the text before their end changed."""
    checked_text: str | None = None
    """The text as it was checked, when it was edited since (values typed over its markers
    are facts the user supplied: see `pipeline.filling`)."""


def render_json(draft: Draft) -> str:
    """The draft as indented JSON (UTF-8, Chinese kept as is), `format` tag first."""
    data = {"format": DRAFT_FORMAT, **draft.model_dump(mode="json")}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def load_draft_json(path: str | Path) -> Draft:
    """Read a draft written by `draft run --format json`."""
    return load_saved_draft(path).draft


def load_saved_draft(path: str | Path) -> SavedDraft:
    """Read a saved draft, refusing anything that is not one with a message naming the field."""
    from pipeline.render import OTHER_DOCUMENT_FORMATS

    ext = Path(path).suffix.lower().lstrip(".")
    if ext == "docx":  # most likely the Word draft, edited and brought back to be exported
        raise InputError(
            "expected a draft saved as JSON (draft run … -o draft.json), not a .docx file: "
            "a Word file is not read back into a draft; check it as edited with "
            "`draft check` (--facts FACTS), or make the edits in the draft's JSON and export that",
            path=str(path),
        )
    if ext in OTHER_DOCUMENT_FORMATS:  # else: "not UTF-8 text … save it as UTF-8"
        raise InputError(
            f"expected a draft saved as JSON (draft run … -o draft.json), not a .{ext} file",
            path=str(path),
        )
    if ext in _TEXT_FORMATS:  # else: "invalid JSON: Expecting value", about a Markdown file
        raise InputError(
            f"expected a draft saved as JSON (draft run … -o draft.json), not a .{ext} file: "
            "the text alone has no sections, facts or findings to export; make the edits in "
            "the draft's JSON, or check this file with `draft check`",
            path=str(path),
        )
    text = read_text(path, what="draft JSON file")
    data = parse_json(text, path=str(path), expected="a draft saved by `draft run -o draft.json`")
    if not isinstance(data, dict):
        raise InputError(
            f"not a Draftsmith draft: expected a JSON object, got {type(data).__name__}",
            path=str(path),
        )
    tag = data.pop("format", None)
    if tag is not None:  # a file without one is told first what else a draft lacks
        _check_format(tag, path)
    has_text = "text" in data  # it may be deleted: it is made from the sections
    saved_text = data.pop("text", None)
    if has_text and not isinstance(saved_text, str):
        raise InputError(
            "not a Draftsmith draft: field 'text': expected text (the draft's plain text, "
            f"made from its sections), got {given_text(saved_text)}",
            path=str(path),
        )
    draft = _draft(data, path)
    _check_format(tag, path)
    # a body edited by hand as the drafter never writes it: an indent typed as 　　 (the
    # layout indents every paragraph) or a line of spaces (an empty paragraph in Word)
    draft = draft.model_copy(
        update={
            "sections": [
                s.model_copy(update={"body": as_paragraphs(s.body)}) for s in draft.sections
            ]
        }
    )
    if not DOCTYPE_ID.fullmatch(draft.doctype):  # else a path, which load_spec would read
        raise InputError(
            "not a Draftsmith draft: field 'doctype': expected a document-type id such as "
            f"school-ideology-summary, got {draft.doctype!r}",
            path=str(path),
        )
    bad = control_character(draft.text)
    if bad:
        line = draft.text.count("\n", 0, bad.start()) + 1
        raise InputError(
            f"the draft's text holds the control character U+{ord(bad.group()):04X} "
            f"(line {line} of the text); delete it: no document can hold one",
            path=str(path),
        )
    if (
        isinstance(saved_text, str)
        and saved_text != draft.text
        and _points_into(draft, draft.text)
        and not _points_into(draft, saved_text)
    ):  # the sections are as checked: the edit is in `text` alone, which nothing reads
        raise InputError(
            "field 'text' was edited, but its sections are unchanged: a draft is read from "
            "'sections' ('text' is made from them), so the edit would be lost; make it in "
            "'sections' instead",
            path=str(path),
        )
    return _refresh_positions(draft, saved_text)


def _check_format(tag: Any, path: str | Path) -> None:
    """Refuse a file without the `format` tag `draft run` writes first, or with another one."""
    if tag == DRAFT_FORMAT:
        return
    if tag is None:
        problem = "field 'format' is required but missing"
    else:
        problem = f"field 'format' is {given_text(tag)}"
        if isinstance(tag, str) and tag.startswith(DRAFT_FORMAT.split("/")[0] + "/"):
            problem += " (a later version of the draft format: update Draftsmith to read it)"
    raise InputError(
        f"not a Draftsmith draft: {problem}, expected '{DRAFT_FORMAT}' (a draft saved by "
        "`draft run -o draft.json` starts with it)",
        path=str(path),
    )


def _draft(data: dict[str, Any], path: str | Path) -> Draft:
    """The draft `data` holds, read as strictly as `draft run` writes it: each field of its
    JSON type (no "3" for 3), no key it does not write (a misspelt key was dropped in
    silence), each required field there; the first problem is an InputError."""
    try:  # JSON mode: strict about types, yet a list is a tuple and a string an enum's value
        return Draft.model_validate_json(
            json.dumps(data, ensure_ascii=False), strict=True, extra="forbid"
        )
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
    unknown = [tuple(e["loc"]) for e in errors if e["type"] == "extra_forbidden"]
    others = [e for e in errors if e["type"] != "extra_forbidden"]
    if not others:
        _refuse_unknown(unknown[0], path)
    first = others[0]
    loc = tuple(first["loc"])
    where = format_path(loc)
    if first["type"] == "missing":
        # the field misspelt beside it is the one to name: `bdy` for a missing `body`
        for at in unknown:
            if at[:-1] == loc[:-1] and closest(str(at[-1]), [str(loc[-1])]):
                _refuse_unknown(at, path)
        problem = f"field '{where}' is required but missing, expected {expected_at(Draft, loc)}"
    else:
        given = first.get("input")
        if isinstance(given, float) and not math.isfinite(given):
            first = {**first, "type": "finite_number"}  # NaN: "not an integer" misses it
        problem = f"field '{where}': {error_reason(first)}, got {given_text(given)}"
    raise InputError(f"not a Draftsmith draft: {problem}", path=str(path))


def _refuse_unknown(loc: tuple[Any, ...], path: str | Path) -> NoReturn:
    """Refuse the key at `loc`, which no field of the draft takes, naming the ones that do."""
    known = field_names_at(Draft, loc[:-1])
    raise InputError(
        f"not a Draftsmith draft: unknown field '{format_path(loc)}'"
        + did_you_mean_or_list(str(loc[-1]), known, listed="expected one of"),
        path=str(path),
    )


def _refresh_positions(draft: Draft, saved_text: Any) -> SavedDraft:
    """Markers located again and stale findings dropped when the text was edited."""
    text = draft.text
    if not isinstance(saved_text, str):  # 'text' deleted: the offsets tell whether it changed
        if _points_into(draft, text):
            return SavedDraft(draft=draft)
        saved_text = ""
    elif saved_text == text:
        if _points_into(draft, text):
            return SavedDraft(draft=draft)
        # a search-and-replace over the whole file edits `text` with the sections: the saved
        # markers and findings no longer stand at their offsets, and their text is gone
        saved_text = _text_as_checked(draft, text) or ""
    labels = {m.label: m.fact for m in draft.markers if m.fact}
    same = 0
    while same < min(len(text), len(saved_text)) and text[same] == saved_text[same]:
        same += 1
    kept = [f for f in draft.findings if f.end <= same]
    refreshed = draft.model_copy(update={"markers": draft.locate_markers(labels), "findings": kept})
    return SavedDraft(
        draft=refreshed,
        edited=True,
        dropped_findings=len(draft.findings) - len(kept),
        checked_text=saved_text or None,
    )


def _points_into(draft: Draft, text: str) -> bool:
    """Whether the saved markers and findings stand in `text` where their offsets say."""
    return all(text[m.start : m.end] == marker(m.label) for m in draft.markers) and all(
        text[f.start : f.end] == f.excerpt for f in draft.findings
    )


def _text_as_checked(draft: Draft, text: str) -> str | None:
    """The text the saved markers were found in, rebuilt from `text` where values were typed
    over them everywhere in the file (a replace-all also changes each marker's `gap.marker`
    excerpt into the value): each marker put back in its value's place. None when no marker
    was filled, or `text` differs in any other way."""
    values = {f.start: f.excerpt for f in draft.findings if f.code == "gap.marker"}
    out: list[str] = []
    old = new = 0
    for m in sorted(draft.markers, key=lambda m: m.start):
        if m.start < old:
            return None
        here = new + m.start - old
        out.append(text[new:here])
        written = marker(m.label)
        value = written if text.startswith(written, here) else values.get(m.start)
        if not value or not text.startswith(value, here):
            return None
        out.append(written)
        old, new = m.end, here + len(value)
    out.append(text[new:])
    rebuilt = "".join(out)
    found = [(start, end, label) for start, end, label in find_markers(rebuilt)]
    expected = sorted((m.start, m.end, m.label) for m in draft.markers)
    return rebuilt if found == expected and rebuilt != text else None
