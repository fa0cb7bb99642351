"""Values typed over markers: a fact the user supplied by writing it where its marker was.

The web app's editor, `draft check` and `draft export` of a hand-edited draft JSON read an
edit the same way: 学习【待补充：中心组学习次数】次 → 学习12次 makes 12 the value of
中心组学习次数, so the number is backed and the gap is closed (the marker's own hint says
"write it here and remove the marker").
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from pipeline import typed_values
from pipeline.errors import InputError
from pipeline.facts import Facts, validate_facts
from pipeline.markers import find_markers

if TYPE_CHECKING:
    from pipeline.render.json import SavedDraft
    from pipeline.spec import DocSpec, FactSpec, FieldSpec

_CONTEXT = 8
"""Characters on each side of a marker that locate the value typed in its place."""


def coerce(spec_field: FieldSpec | FactSpec, raw: str) -> Any:
    """The value of one input, typed by the spec; None for a blank input."""
    if not raw.strip():
        return None
    match spec_field.type:
        case "integer":
            return typed_values.to_int(raw, spec_field.unit, ordinal=spec_field.ordinal)
        case "year":
            return typed_values.to_int(raw, spec_field.unit, year=True)
        case "number":
            return typed_values.to_float(raw, spec_field.unit)
        case "date":
            return typed_values.to_date(raw)
        case _:
            return raw.strip()


def filled_markers(old: str, new: str, spec: DocSpec) -> dict[str, Any]:
    """Facts the user supplied by typing a value over their markers: {fact id: value}.

    A marker of a scalar fact in `old` counts as filled when `new` holds the text around it
    with a short value, and no marker, in its place (学习【待补充：中心组学习次数】次 → 学习12次);
    around a marker that is its whole line, the line above it (the 落款's unit above its date).
    """
    from pipeline.drafting import fact_labels

    labels = {label: fact for label, fact in fact_labels(spec).items() if "." not in fact}
    found: dict[str, Any] = {}
    markers = find_markers(old)
    for i, (start, end, label) in enumerate(markers):
        fact_id = labels.get(label)
        if fact_id is None or spec.facts[fact_id].type.endswith("-list"):
            continue
        left_edge = max(markers[i - 1][1] if i else 0, old.rfind("\n", 0, start) + 1)
        right_edge = markers[i + 1][0] if i + 1 < len(markers) else len(old)
        newline = old.find("\n", end)
        right_edge = min(right_edge, newline) if newline >= 0 else right_edge
        before = old[max(left_edge, start - _CONTEXT) : start]
        after = old[end : min(right_edge, end + _CONTEXT)]
        if not before and not after and start > 0 and old[start - 1] == "\n":
            # a marker that is its whole line (the 落款's date): the line above locates it
            before = old[old.rfind("\n", 0, start - 1) + 1 : start]
            after = "\n" if newline >= 0 else ""
        if not before and not after:
            continue
        pattern = re.escape(before) + r"([^\n【】]{1,40}?)" + re.escape(after)
        hits = re.findall(pattern, new)
        if len(hits) == 1 and hits[0].strip():
            value = coerce(spec.facts[fact_id], hits[0])
            if value is not None:
                found[fact_id] = value
    return found


def with_filled(facts: Facts, spec: DocSpec, filled: dict[str, Any]) -> Facts:
    """`facts` plus the values filled in the text, each kept only if it is valid for its fact."""
    values = facts.to_json()
    for fact_id, value in filled.items():
        if values.get(fact_id) is not None:
            continue
        trial = {"doctype": spec.id, **values, fact_id: value}
        try:
            validate_facts(trial, spec, path="草稿中补填的事实")
        except InputError:
            continue
        values = {k: v for k, v in trial.items() if k != "doctype"}
    return validate_facts({"doctype": spec.id, **values}, spec, path="草稿中补填的事实")


def saved_draft_facts(saved: SavedDraft, spec: DocSpec, *, path: str) -> Facts | None:
    """The facts a saved draft was made from, plus the values typed over its markers since
    it was checked (None when it carries no facts)."""
    draft = saved.draft
    if not draft.facts:
        return None
    facts = validate_facts({"doctype": spec.id, **draft.facts}, spec, path=path)
    if saved.checked_text is not None:
        filled = filled_markers(saved.checked_text, draft.text, spec)
        if filled:
            facts = with_filled(facts, spec, filled)
    return facts
