"""Editing a kept draft: the text is re-checked at once, and a value typed over a marker of a
missing fact becomes that fact (so the number is backed and the gap is closed)."""

from __future__ import annotations

import pytest
from conftest import EXAMPLES

from pipeline.checker import check_text
from pipeline.document import FactRef
from pipeline.drafting import draft_document
from pipeline.errors import InputError
from pipeline.facts import load_facts
from pipeline.models import get_model
from pipeline.web.editing import filled_markers, normalise_body, with_section_text

INCOMPLETE = EXAMPLES / "school-ideology-summary-incomplete.yaml"
UNSUPPORTED = "facts.unsupported-number"


@pytest.fixture(scope="module")
def incomplete():
    spec, facts = load_facts(INCOMPLETE)
    return spec, draft_document(spec, facts, get_model("offline"))


def _body(draft, section_id: str) -> str:
    return next(s.body for s in draft.sections if s.id == section_id)


def test_a_number_typed_over_a_marker_fills_the_fact(incomplete):
    spec, draft = incomplete
    old = _body(draft, "theory_study")
    new = old.replace("【待补充：中心组学习次数】", "12").replace(
        "【待补充：中心组理论学习次数】", "八"
    )
    assert filled_markers(old, new, spec) == {"central_group_sessions": 12, "theory_sessions": 8}
    edited = with_section_text(draft, spec, "theory_study", new)
    assert edited.facts["central_group_sessions"] == 12
    assert edited.facts["theory_sessions"] == 8
    assert not [m for m in edited.markers if m.section == "theory_study"]
    assert not [f for f in edited.findings if f.code == UNSUPPORTED]
    assert edited.provenance.facts_hash != draft.provenance.facts_hash
    # Checked against the draft's old facts, the same text has a number nothing backs.
    _, old_facts = load_facts(INCOMPLETE)
    unbacked = check_text(edited.text, spec=spec, facts=old_facts).findings
    assert [f.excerpt for f in unbacked if f.code == UNSUPPORTED] == ["12次", "八次"]


def test_a_deleted_marker_or_an_invalid_value_fills_nothing(incomplete):
    spec, draft = incomplete
    old = _body(draft, "theory_study")
    assert filled_markers(old, old.replace("【待补充：中心组学习次数】", ""), spec) == {}
    typed = old.replace("【待补充：中心组学习次数】", "很多")
    assert filled_markers(old, typed, spec) == {"central_group_sessions": "很多"}
    edited = with_section_text(draft, spec, "theory_study", typed)
    assert "central_group_sessions" not in edited.facts  # not an integer: not taken as the fact


def test_an_edit_that_adds_a_marker_is_found_at_once(incomplete):
    spec, draft = incomplete
    edited = with_section_text(
        draft, spec, "organization", "学校成立以【待补充：意识形态工作领导组组长】为组长的领导组。"
    )
    found = [(m.label, m.fact) for m in edited.markers if m.section == "organization"]
    assert found == [("意识形态工作领导组组长", "leading_group_head")]


def test_a_failed_section_written_by_hand_is_no_longer_failed(incomplete):
    """The clerk writes a failed section in: it is a section like the others, no longer
    listing the facts it had to mention."""
    spec, draft = incomplete
    failed = [
        s.model_copy(
            update={
                "status": "failed",
                "error": "400 Bad Request",
                "must_mention": [FactRef(fact="theory_sessions", label="中心组理论学习次数")],
            }
        )
        if s.id == "theory_study"
        else s
        for s in draft.sections
    ]
    broken = draft.model_copy(update={"sections": failed})
    edited = with_section_text(broken, spec, "theory_study", _body(draft, "theory_study"))
    section = next(s for s in edited.sections if s.id == "theory_study")
    assert (section.status, section.error, section.must_mention) == ("ok", None, [])
    assert not edited.failed_sections


def test_browser_text_becomes_clean_paragraphs_and_bad_edits_are_refused(incomplete):
    spec, draft = incomplete
    assert normalise_body("  第一段 \r\n\r\n\u00a0第二段\n\n") == "第一段\n第二段"
    with pytest.raises(InputError):
        with_section_text(draft, spec, "no_such_section", "x")
    with pytest.raises(InputError):
        normalise_body("字" * 20_001)
