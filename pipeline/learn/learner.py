"""Learning a document type from a sample: read → clean → outline → facts → write → self-check."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from pipeline import paths
from pipeline.checker.findings import Finding, Severity
from pipeline.errors import InputError
from pipeline.learn.cleaning import clean_sample
from pipeline.learn.facts_finder import find_facts
from pipeline.learn.found_dates import TITLE_YEAR
from pipeline.learn.found_titles import FORWARDED, PLACEHOLDER
from pipeline.learn.model_assist import AssistReport, improve_labels
from pipeline.learn.naming import identifier
from pipeline.learn.outline import Outline, Span, find_outline
from pipeline.learn.reader import read_sample
from pipeline.learn.registry import Edit, FactsFound, FoundFact
from pipeline.learn.writer import (
    LearnedType,
    build_sections,
    check_target,
    existing_paths,
    full_width,
    install,
    stage,
    title_template,
)
from pipeline.spec import DOCTYPE_ID, MAX_LINE_CHARS
from pipeline.textio import control_character
from pipeline.type_words import SIGNER_WORDS, type_word


class SectionSummary(BaseModel):
    """One learned section, for the report."""

    id: str
    heading: str | None
    facts: list[str]
    min_points: int
    sample_length: int


class LearnResult(BaseModel):
    """What `draft learn` made, and what it noticed on the way."""

    id: str
    name: str
    title: str
    """The title template."""
    paths: dict[str, str]
    sections: list[SectionSummary]
    facts: list[FoundFact]
    edits: list[Edit]
    notes: list[str]
    residue: list[str]
    wrap_spaces: int
    stray_spaces: int
    suspect_joined: list[str]
    """Blanks the checker only suspected, joined as wrap spaces (context of each)."""
    holes: int
    """Gaps the checker found in the cleaned sample."""
    unexplained: list[str]
    banned_phrases: list[str]
    """Garbles of the known types found in the sample; the learned type bans them too."""
    garbles_left: list[str]
    """Garbles found that no known correction fixes: they are still in the templates."""
    allowed_numbers: list[str]
    self_check: list[Finding]
    """Error findings left on the type's own draft from its examples (should be none)."""
    assist: AssistReport | None = None
    kept_facts: str | None = None
    """Where the facts template already there was kept (filled in since it was written)."""
    kept_type: str | None = None
    """Where the type replaced was kept whole (its spec or templates edited since learned)."""


def _banned_phrases(extra: list[Path] | None) -> list[str]:
    """Every banned phrase (known garble) of the document types already known."""
    from pipeline.spec import available_doctypes
    from pipeline.textio import load_structured

    found: list[str] = []
    for path in available_doctypes(extra).values():
        try:  # another type's broken spec is no concern of learning this one
            data, _ = load_structured(path, what="document-type spec")
        except (InputError, OSError):
            continue
        rules = data.get("rules") if isinstance(data, dict) else None
        phrases = rules.get("banned_phrases") if isinstance(rules, dict) else None
        if isinstance(phrases, list):
            found.extend(p for p in phrases if isinstance(p, str) and p not in found)
    return found


def _default_name(outline: Outline, found: FactsFound) -> str:
    title = outline.title
    span = outline.title_span
    blank_year = any(
        span.start <= o.start < span.end
        for f in found.facts
        if f.id == "report_year"
        for o in f.occurrences
    )
    # a year left blank (“某公司 年度”) is gone from the cleaned title: its 年 is the first
    m = TITLE_YEAR.search(title) or (re.search("年", title) if blank_year else None)
    about = title.find("关于", 1)
    if FORWARDED.search(title):  # the forwarded document's title is the user's to give
        return "转发通知"
    if not m and about > 0 and any(f.origin == "title" and f.type == "string" for f in found.facts):
        return title[about:]  # 关于开展…的通知, without the sample's unit
    if not m:
        return title
    end = m.end() + (title[m.end() : m.end() + 1] == "度")
    unit = title[: m.start()]
    generic = any(
        f.origin == "title" and f.type == "string" and "仅供参考" in f.description
        for f in found.facts
    )
    # 学校 stays (学校意识形态工作总结); a placeholder (XX公司, 某公司) does not
    return (unit if generic and not PLACEHOLDER.search(unit) else "") + title[end:]


MAX_ID_LENGTH = 64
"""Longest `--id`: it names files (`schemas/<id>.yaml`, `prompts/<id>/`) on every system."""


def _check_id(doctype: str, out: Path, force: bool) -> None:
    if len(doctype) > MAX_ID_LENGTH:
        raise InputError(
            f"--id is {len(doctype)} characters long: expected at most {MAX_ID_LENGTH}"
        )
    if not DOCTYPE_ID.fullmatch(doctype):
        raise InputError(
            f"--id '{doctype}': expected lowercase letters, digits and '-', starting with a letter"
        )
    if (paths.data_root() / "schemas" / f"{doctype}.yaml").exists():
        raise InputError(f"'{doctype}' is a built-in document type: choose another --id")
    check_target(out, doctype)
    found = existing_paths(out, doctype)
    if found and not force:
        listing = ", ".join(str(p) for p in found)
        raise InputError(
            f"document type '{doctype}' already exists ({listing}); "
            "pass --force to replace it, or choose another --id"
        )


def _self_check(spec_path: Path) -> tuple[Any, list[Finding]]:
    """Load the staged spec and draft it offline from its examples; the error findings left."""
    from pipeline.drafting import draft_document
    from pipeline.facts import validate_facts
    from pipeline.models.offline import OfflineModel
    from pipeline.spec import load_spec_file

    spec = load_spec_file(spec_path)
    examples = {k: f.example for k, f in spec.facts.items()}
    facts = validate_facts(examples, spec, path=f"{spec.id} examples")
    draft = draft_document(spec, facts, OfflineModel(), repairs=0)
    return spec, [f for f in draft.findings if f.severity is Severity.ERROR]


def _unsupported_numbers(findings: list[Finding]) -> list[str]:
    return sorted(
        {f.excerpt for f in findings if f.code == "facts.unsupported-number" and f.excerpt}
    )


def learn_sample(
    sample: str | Path,
    *,
    doctype_id: str | None = None,
    name: str | None = None,
    out: Path | None = None,
    model: str = "offline",
    force: bool = False,
    spec_dirs: list[Path] | None = None,
) -> LearnResult:
    """Learn a document type from SAMPLE and write it under `out` (the user's types by default)."""
    out = Path(out) if out is not None else paths.user_doctypes_dir()
    if out.exists() and not out.is_dir():
        raise InputError(
            "--out must be a folder (it will hold schemas/ and prompts/)", path=str(out)
        )
    if doctype_id is not None:
        _check_id(doctype_id, out, force)
    chosen_model = None
    if model != "offline":
        from pipeline.models import get_model

        chosen_model = get_model(model)

    read = read_sample(sample)
    cleaned = clean_sample(read.text)
    try:
        outline = find_outline(cleaned.text)
    except InputError as exc:  # the outline is found in text: name the file it came from
        if exc.path is not None:
            raise
        raise InputError(str(exc), path=read.path) from None
    banned = _banned_phrases(spec_dirs)
    found = find_facts(cleaned, outline, banned=banned)

    given_name = bool(name)
    name = (name or _default_name(outline, found)).strip()
    if not name:
        raise InputError("--name: expected a Chinese name for the document type")
    if control_character(name):
        raise InputError("--name: expected one line of text, without control characters")
    if len(name) > MAX_LINE_CHARS:
        what = "--name" if given_name else f"the name taken from the title of {read.path}"
        raise InputError(
            f"{what}: expected at most {MAX_LINE_CHARS} characters, got {len(name):,}"
            + ("" if given_name else "; give a shorter one with --name")
        )
    word = type_word(name)
    if word and word not in outline.title:
        raise InputError(
            f"--name: “{name}” ends in the type “{word}”, which the sample's title "
            f"“{outline.title}” does not name, so every draft would fail the title check: "
            "give a name ending in the type the title names"
        )
    if doctype_id is None:
        doctype_id = identifier(name, sep="-", fallback="learned")
        if (paths.data_root() / "schemas" / f"{doctype_id}.yaml").exists():
            doctype_id += "-learned"
        _check_id(doctype_id, out, force)

    assist = None
    if chosen_model is not None:
        improved, assist = improve_labels(chosen_model, outline.title, found.facts)
        found = found.model_copy(update={"facts": improved})

    sections = build_sections(cleaned.text, outline, found)
    used = {fid for s in sections for fid in s.facts}
    title = title_template(cleaned.text, outline, found)
    signature = _signature(outline, found)
    used |= {m for m in re.findall(r"\{\{\s*([a-z][a-z0-9_]*)", title)}
    used |= {fid for key, fid in (signature or {}).items() if key != "role"}
    addressee = next((f.id for f in found.facts if f.label == "主送机关"), None)
    used |= {addressee} if addressee else set()
    facts = [f for f in found.facts if f.id in used]
    compact = re.sub(r"\s+", "", cleaned.text)
    banned_here = [p for p in banned if p in compact]
    headings = "；".join(full_width(b.heading or "") for b in outline.sections)
    learned = LearnedType(
        id=doctype_id,
        name=name,
        description=f"从样稿《{outline.title}》学得："
        + ("开头段，" if outline.opening else "")
        + f"{len(outline.sections)}个部分（{headings}）。",
        title=title,
        facts=facts,
        sections=sections,
        banned_phrases=banned_here,
        signature=signature,
        addressee=addressee,
    )

    staging = stage(learned, read.path, out)
    try:
        spec_path = staging / "schemas" / f"{doctype_id}.yaml"
        spec, errors = _self_check(spec_path)
        numbers = _unsupported_numbers(errors)
        if numbers:  # constants of the sample's own wording ("砥砺奋进的五年")
            learned = learned.model_copy(update={"allowed_numbers": numbers})
            shutil.rmtree(staging, ignore_errors=True)
            staging = stage(learned, read.path, out)
            spec_path = staging / "schemas" / f"{doctype_id}.yaml"
            spec, errors = _self_check(spec_path)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise

    from pipeline.commands.facts_template import render_facts_template

    installed = install(staging, out, doctype_id, render_facts_template(spec))
    return LearnResult(
        id=doctype_id,
        name=name,
        title=title,
        paths={k: str(v) for k, v in installed.paths.items()},
        kept_facts=str(installed.kept_facts) if installed.kept_facts else None,
        kept_type=str(installed.kept_type) if installed.kept_type else None,
        sections=[
            SectionSummary(
                id=s.id,
                heading=s.heading,
                facts=s.facts,
                min_points=s.min_points,
                sample_length=s.sample_length,
            )
            for s in sections
        ],
        facts=facts,
        edits=found.edits,
        notes=found.notes,
        residue=cleaned.residue,
        wrap_spaces=cleaned.wrap_spaces,
        stray_spaces=cleaned.stray_spaces,
        suspect_joined=cleaned.suspect_joined,
        holes=len(cleaned.holes),
        unexplained=found.unexplained,
        banned_phrases=banned_here,
        garbles_left=found.garbles_left,
        allowed_numbers=learned.allowed_numbers,
        self_check=errors,
        assist=assist,
    )


def _signature(outline: Outline, found: FactsFound) -> dict[str, str] | None:
    if outline.signature is None:
        return None
    sig = outline.signature

    def written_at(span: Span | None) -> FoundFact | None:
        return next(
            (f for f in found.facts if span and any(o.start == span.start for o in f.occurrences)),
            None,
        )

    unit, second = written_at(sig.unit_span), written_at(sig.second_span)
    date = next((f for f in found.facts if f.id == "report_date"), None)
    if unit is None:
        return None
    # signed as the sample signs: 述职人：张建华 (a post's 校长：张伟 is no signer word)
    role = {"role": sig.role} if sig.role_written and sig.role in SIGNER_WORDS else {}
    return {
        "unit": unit.id,
        **({"second": second.id} if second else {}),
        **({"date": date.id} if date else {}),
        **role,
    }
