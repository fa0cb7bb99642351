"""Changing a kept draft: a section's text edited by hand, or one section drafted again.

Either way the draft is reassembled with the drafter's own `assemble` (headings numbered,
title and signature from the facts) and re-checked as a whole, so the markers and findings
always match the text the user now sees.
"""

from __future__ import annotations

import re
import threading

from pipeline import paths
from pipeline.document import Draft, SectionDraft, as_paragraphs
from pipeline.drafting import assemble
from pipeline.errors import InputError
from pipeline.facts import Facts, half_width_digits, validate_facts
from pipeline.filling import filled_markers, with_filled
from pipeline.prompts import SHARED_DIR, PromptSet
from pipeline.spec import DocSpec
from pipeline.textio import without_control_characters

_NUMBER = re.compile(r"^[一二三四五六七八九十百]+、")
MAX_SECTION_CHARS = 20_000
"""Longest section text accepted from the browser."""


_PROMPT_SETS: dict[tuple[object, ...], PromptSet] = {}
_PROMPT_LOCK = threading.Lock()


def prompt_set(spec: DocSpec) -> PromptSet:
    """The spec's section templates, loaded once and again only when a template file changes."""
    folders = [spec.prompts_dir, paths.builtin_prompts_dir() / SHARED_DIR]
    stamp = tuple(
        (f.name, f.stat().st_mtime_ns)
        for folder in folders
        if folder is not None and folder.is_dir()
        for f in sorted(folder.glob("*.j2"))
    )
    key = (spec.id, spec.content_hash, str(spec.prompts_dir), stamp)
    with _PROMPT_LOCK:
        cached = _PROMPT_SETS.get(key)
    if cached is None:
        cached = PromptSet.load(spec)
        with _PROMPT_LOCK:
            if len(_PROMPT_SETS) > 32:
                _PROMPT_SETS.clear()
            _PROMPT_SETS[key] = cached
    return cached


def plain_heading(heading: str | None) -> str | None:
    """A numbered heading without its number (一、加强… → 加强…), as `assemble` expects."""
    return _NUMBER.sub("", heading, count=1) if heading else heading


def draft_facts(draft: Draft, spec: DocSpec) -> Facts:
    """The facts a draft was made from, validated again against its spec."""
    return validate_facts({"doctype": spec.id, **draft.facts}, spec, path="草稿所用的事实")


def normalise_body(text: str) -> str:
    """Text from the browser as a section body: one paragraph per line, blank lines dropped,
    control characters removed (text pasted from Word brings its line breaks as vertical tabs,
    and no document can hold one), full-width digits in half width (８次 → 8次), as a fact's."""
    if len(text) > MAX_SECTION_CHARS:
        raise InputError(
            f"一节正文最多 {MAX_SECTION_CHARS:,} 字，这一节现有 {len(text):,} 字，没有保存。"
            "请删减，或把部分内容移到其他节"
        )
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    text = half_width_digits(without_control_characters(text))
    return as_paragraphs(text)


def rebuild(
    draft: Draft,
    spec: DocSpec,
    facts: Facts,
    sections: list[SectionDraft],
    *,
    keep_provenance: bool,
) -> Draft:
    """The draft reassembled from `sections` (numbered headings allowed) and checked again."""
    plain = [s.model_copy(update={"heading": plain_heading(s.heading)}) for s in sections]
    fresh = assemble(spec, facts, prompt_set(spec), draft.provenance.model, plain)
    if keep_provenance:
        provenance = draft.provenance.model_copy(update={"facts_hash": fresh.provenance.facts_hash})
        fresh = fresh.model_copy(update={"provenance": provenance})
    return fresh


def with_section_text(draft: Draft, spec: DocSpec, section_id: str, text: str) -> Draft:
    """The draft with one section's body replaced by text the user typed.

    A value typed over a marker of a missing fact becomes that fact's value for the check
    (so the number is backed, not reported as invented).
    """
    body = normalise_body(text)
    current = {s.id: s for s in draft.sections}
    if section_id not in current:
        raise InputError(f"the draft has no section '{section_id}'")
    sections = [
        s.model_copy(update={"body": body, "status": "ok", "error": None, "must_mention": []})
        if s.id == section_id
        else s
        for s in draft.sections
    ]
    facts = draft_facts(draft, spec)
    filled = filled_markers(current[section_id].body, body, spec)
    if filled:
        facts = with_filled(facts, spec, filled)
    return rebuild(draft, spec, facts, sections, keep_provenance=True)


def with_section(draft: Draft, spec: DocSpec, facts: Facts, section: SectionDraft) -> Draft:
    """The draft with one section replaced by a newly drafted one, checked against `facts`."""
    sections = [section if s.id == section.id else s for s in draft.sections]
    if section.id not in {s.id for s in draft.sections}:
        sections.append(section)
        order = [s.id for s in spec.sections]
        sections.sort(key=lambda s: order.index(s.id) if s.id in order else len(order))
    return rebuild(draft, spec, facts, sections, keep_provenance=False)
