"""Writing a learned document type: its spec, its section templates and its facts template.

Everything is written to a staging folder first and loaded back with `load_spec_file`
(which test-renders every template with the facts' examples); only a type that loads is
moved into place, so a failure never leaves half a type behind.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from bisect import bisect_left
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from pydantic import BaseModel

from pipeline.errors import InputError
from pipeline.learn.found_dates import TITLE_YEAR
from pipeline.learn.found_titles import FORWARDED
from pipeline.learn.naming import section_identifier
from pipeline.learn.outline import Block, Outline, Span
from pipeline.learn.registry import FactsFound, FoundFact
from pipeline.textio import folder_problem, path_text, write_atomic
from pipeline.type_words import type_word
from pipeline.written import as_written, kept_name, remember_written, write_output

_HALF_TO_FULL = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"}
_CJK = r"[\u4e00-\u9fff“”‘’《》（）【】、，。：；]"
_HALF_PUNCT = re.compile(rf"(?<={_CJK})([,:;?!()])|([,:;?!()])(?={_CJK})")
_JINJA_SYNTAX = re.compile(r"\{[{%#]|[}%#]\}")


class LearnedSection(BaseModel):
    """One section of the learned type, ready to write."""

    id: str
    heading: str | None
    """The heading as a template (years as expressions)."""
    template: str
    """The section template (extends section.j2)."""
    facts: list[str]
    must_mention: list[str]
    min_points: int
    length: dict[str, int]
    sample_length: int


class LearnedType(BaseModel):
    """A learned document type before it is written."""

    id: str
    name: str
    description: str
    title: str
    facts: list[FoundFact]
    sections: list[LearnedSection]
    banned_phrases: list[str] = []
    allowed_numbers: list[str] = []
    signature: dict[str, str] | None = None
    addressee: str | None = None
    """The fact naming the 主送机关, written on its own line under the title."""


def full_width(text: str) -> str:
    """Half-width , : ; ? ! ( ) beside Chinese text made full-width."""
    return _HALF_PUNCT.sub(lambda m: _HALF_TO_FULL[m.group(1) or m.group(2)], text)


def _literal(text: str) -> str:
    """Sample text as template text: full-width punctuation, Jinja syntax escaped."""
    text = full_width(text)
    if _JINJA_SYNTAX.search(text):
        return "{% raw %}" + text + "{% endraw %}"
    return text


def _attachment_note(fact_id: str) -> str:
    """The template of an attachment note, a line to each name (as work-notice writes it)."""
    names = fact_id
    return (
        f"{{% if {names} %}}{{% for name in {names} %}}{{% if loop.first %}}附件：{{% endif %}}"
        f"{{% if {names} | length > 1 %}}{{{{ loop.index }}}}. {{% endif %}}{{{{ name | clause }}}}"
        f"\n\n{{% endfor %}}{{% else %}}附件：{{{{ {names} }}}}{{% endif %}}"
    )


def _replacements(found: FactsFound) -> list[tuple[int, int, str]]:
    """(start, end, template text) for every fact occurrence and every edit, sorted."""
    out: list[tuple[int, int, str]] = []
    for fact in found.facts:
        for i, occ in enumerate(fact.occurrences):
            if fact.type == "string-list":  # an attachment note: its first line writes it
                out.append((occ.start, occ.end, "" if i else _attachment_note(fact.id)))
            else:
                out.append((occ.start, occ.end, "{{ " + occ.expression + " }}"))
    for edit in found.edits:
        out.append((edit.start, edit.end, _literal(edit.replacement)))
    out.sort()
    clean: list[tuple[int, int, str]] = []
    for item in out:
        if clean and item[0] < clean[-1][1]:
            continue
        clean.append(item)
    return clean


def render_span(text: str, span: Span, replacements: list[tuple[int, int, str]]) -> str:
    """The template text of one span: literal text with the replacements inside it
    (`replacements` sorted and disjoint, as `_replacements` gives them)."""
    pieces, pos = [], span.start
    first = bisect_left(replacements, (span.start,))
    for start, end, repl in replacements[first:]:
        if start >= span.end:
            break
        if end > span.end:
            continue
        pieces.append(_literal(text[pos:start]))
        pieces.append(repl)
        pos = end
    pieces.append(_literal(text[pos : span.end]))
    return "".join(pieces).strip()


def _facts_in(
    found: FactsFound, spans: list[Span], occurrences: list[tuple[int, int, int]]
) -> list[FoundFact]:
    """The facts with an occurrence inside one of `spans`, and those its expression writes
    from (3月31日 after 3月1日至 is `until(start)`), in the order they were found
    (`occurrences`: every (start, end, fact index), sorted)."""
    inside: set[int] = set()
    for s in spans:
        for start, end, i in occurrences[bisect_left(occurrences, (s.start,)) :]:
            if start >= s.end:
                break
            if end <= s.end:
                inside.add(i)
    index = {f.id: i for i, f in enumerate(found.facts)}
    for i in list(inside):
        for o in found.facts[i].occurrences:
            inside.update(
                index[n] for n in re.findall(r"[a-z][a-z0-9_]*", o.expression) if n in index
            )
    return [f for i, f in enumerate(found.facts) if i in inside]


def _length_bounds(measured: int) -> dict[str, int]:
    """Bounds around the sample's own length: half of it to twice it (and some slack)."""
    return {"min": measured // 2, "max": max(measured * 2, measured + 200)}


def build_sections(text: str, outline: Outline, found: FactsFound) -> list[LearnedSection]:
    """The learned sections: the opening (when the sample has one) and each numbered section."""
    repl = _replacements(found)
    occurrences = sorted(
        (o.start, o.end, i) for i, f in enumerate(found.facts) for o in f.occurrences
    )
    # section.j2 and system.j2 are the layouts: a section of that name would extend itself
    taken: set[str] = {"opening", "section", "system"}
    year_fact = next((f for f in found.facts if f.id == "report_year"), None)
    out = []
    blocks: list[tuple[str, Block]] = []
    if outline.opening is not None:
        blocks.append(("opening", outline.opening))
    notice = type_word(outline.title) == "通知"
    for block in outline.sections:
        blocks.append((section_identifier(block.heading or "", taken=taken, notice=notice), block))
    for section_id, block in blocks:
        paragraphs = [render_span(text, p, repl) for p in block.paragraphs]
        heading = render_span(text, block.heading_span, repl) if block.heading_span else None
        if heading is not None:
            heading = heading.rstrip("。：:")
        spans = [*block.paragraphs, *([block.heading_span] if block.heading_span else [])]
        facts = _facts_in(found, spans, occurrences)
        counts = [f.id for f in facts if f.type in ("integer", "number") and f.unit]
        points = len(block.points) if len(block.points) >= 2 else 0
        guidance = ["保持样稿的结构、层次和表述风格，只做必要的润色。"]
        if points:
            form = block.points[0].form if block.points else "是"
            forms = [p.form for p in block.points]
            form = max(dict.fromkeys(forms), key=forms.count)
            guidance.append(
                f"保留“一{form}……二{form}……”等{points}个要点及其顺序，同一系列只用“{form}”一种形式。"
            )
        if section_id == "opening":
            guidance.append("本节是全文开头段，不写标题。")
        if section_id == "plans" and year_fact is not None and found.plans_next_year:
            guidance.append("本节写的是{{ report_year + 1 }}年的工作打算，年份只能是下一年度。")
        body = "\n\n".join(p for p in paragraphs if p)
        template = (
            '{% extends "section.j2" %}\n{% block skeleton %}\n'
            + body
            + "\n{% endblock %}\n{% block guidance %}\n"
            + "".join(guidance)
            + "\n{% endblock %}\n"
        )
        measured = block.length(text)
        out.append(
            LearnedSection(
                id=section_id,
                heading=heading,
                template=template,
                facts=[f.id for f in facts],
                must_mention=counts,
                min_points=points,
                length=_length_bounds(measured),
                sample_length=measured,
            )
        )
    return out


def title_template(text: str, outline: Outline, found: FactsFound) -> str:
    """The title with its unit and year as expressions (a year left blank, “某公司 年度…”,
    too: the cleaned title has lost the blank, so it is found by the raw title's)."""
    title, span = outline.title, outline.title_span
    unit = next((f for f in found.facts if f.origin == "title" and f.type == "string"), None)
    year = next((f for f in found.facts if f.id == "report_year"), None)
    forwarded = FORWARDED.search(title)
    if forwarded and any(f.id == "forwarded_title" for f in found.facts):
        lead = _with_unit(text, span, title[: forwarded.start("doc")], unit)
        return lead + "{{ forwarded_title }}" + _literal(title[forwarded.end("doc") :])
    in_title = year is not None and (
        TITLE_YEAR.search(title) or any(span.start <= o.start < span.end for o in year.occurrences)
    )
    if year is None or not in_title:  # 青山县应急管理局关于开展…的通知: the unit alone
        return _with_unit(text, span, title, unit)
    m = TITLE_YEAR.search(title)
    if m:
        start, end = m.span(1)
    else:
        occ = next((o for o in year.occurrences if span.start <= o.start < span.end), None)
        if occ is None:
            return _literal(title)
        start = end = len(re.sub(r"\s", "", text[span.start : occ.start]))
    if title[end : end + 1] != "年":
        return _literal(title)
    prefix = _with_unit(text, span, title[:start], unit, alone=True)
    return prefix + "{{ report_year }}" + _literal(title[end:])


def _with_unit(
    text: str, span: Span, lead: str, unit: FoundFact | None, *, alone: bool = False
) -> str:
    """`lead` (the title, or its part before the year) with the title's unit as its
    expression; the words around it stay (关于…, …关于开展). `alone`: a unit not found
    written there is the whole of `lead`."""
    if unit is None:
        return _literal(lead)
    written = next(
        (re.sub(r"\s", "", text[o.start : o.end]) for o in unit.occurrences if o.start < span.end),
        "",
    )
    at = lead.find(written) if written else -1
    expr = "{{ " + unit.id + " }}"
    if at == -1:
        return expr if alone else _literal(lead)
    return _literal(lead[:at]) + expr + _literal(lead[at + len(written) :])


def _fact_yaml(fact: FoundFact) -> dict[str, Any]:
    data: dict[str, Any] = {
        "type": fact.type,
        "label": fact.label,
        "description": fact.description,
    }
    if fact.choices:
        data["choices"] = fact.choices
    if fact.unit:
        data["unit"] = fact.unit
    if fact.required:
        data["required"] = True
    if fact.min is not None:
        data["min"] = int(fact.min) if float(fact.min).is_integer() else fact.min
    if fact.max is not None:
        data["max"] = int(fact.max) if float(fact.max).is_integer() else fact.max
    data["example"] = fact.example
    return data


def spec_yaml(learned: LearnedType, source: str) -> str:
    """The spec file's text, with a header saying where it was learned from."""
    data: dict[str, Any] = {
        "id": learned.id,
        "name": learned.name,
        "description": learned.description,
        "version": 1,
        "title": learned.title,
        "facts": {f.id: _fact_yaml(f) for f in learned.facts},
        "sections": [
            {
                "id": s.id,
                **({"heading": s.heading} if s.heading is not None else {}),
                "facts": s.facts,
                **({"must_mention": s.must_mention} if s.must_mention else {}),
                **({"min_points": s.min_points} if s.min_points else {}),
                "length": s.length,
            }
            for s in learned.sections
        ],
        "rules": {
            "numbering": ["一、", "（一）", "1.", "（1）"],
            "lexicon": "set-phrases",
            "banned_phrases": learned.banned_phrases,
            "allowed_numbers": learned.allowed_numbers,
        },
    }
    if learned.addressee:
        data["addressee"] = learned.addressee
    if learned.signature:
        data["signature"] = learned.signature
    header = (
        f"# {learned.name} — learned by `draft learn` from {path_text(Path(source).name)}.\n"
        "# Edit freely: labels, descriptions, lengths and the templates in prompts/"
        f"{learned.id}/ are yours.\n"
    )
    return header + yaml.safe_dump(
        data, allow_unicode=True, sort_keys=False, width=100, default_flow_style=False
    )


def stage(learned: LearnedType, source: str, out: Path) -> Path:
    """Write the type into a new staging folder inside `out`; return the folder."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".learn-{learned.id}-", dir=out))
    except OSError as exc:  # a folder the system will not make (/proc/x, a full disk)
        raise InputError(
            f"cannot make the output folder ({exc.strerror or exc}): expected a folder the "
            "document type can be written into, or one that can be made",
            path=str(out),
        ) from None
    (staging / "schemas").mkdir()
    prompts = staging / "prompts" / learned.id
    prompts.mkdir(parents=True)
    write_atomic(staging / "schemas" / f"{learned.id}.yaml", spec_yaml(learned, source))
    for section in learned.sections:
        write_atomic(prompts / f"{section.id}.j2", section.template)
    return staging


def existing_paths(out: Path, doctype: str) -> list[Path]:
    """The files of a type already at `out` (spec, templates folder, facts template)."""
    candidates = [
        out / "schemas" / f"{doctype}.yaml",
        out / "prompts" / doctype,
        out / f"{doctype}.facts.yaml",
    ]
    return [p for p in candidates if p.exists()]


def check_target(out: Path, doctype: str) -> None:
    """Refuse an output folder the type cannot be installed in (a file where a folder must be,
    or the reverse, or a folder under a file or a read-only one), before any learning is done
    and before anything is written there."""
    folders = [out, out / "schemas", out / "prompts", out / "prompts" / doctype]
    files = [out / "schemas" / f"{doctype}.yaml", out / f"{doctype}.facts.yaml"]
    for folder in folders:
        if folder.exists() and not folder.is_dir():
            raise InputError(
                "cannot write the document type here: this is a file, where a folder must be",
                path=str(folder),
            )
    for file in files:
        if file.is_dir():
            raise InputError(
                "cannot write the document type here: this is a folder, where its file must be",
                path=str(file),
            )
    problem = folder_problem(out)
    if problem:
        raise InputError(f"cannot write the document type here: {problem}", path=str(out))


class Installed(NamedTuple):
    """What `install` put in place, and what it kept of the user's."""

    paths: dict[str, Path]
    kept_facts: Path | None
    """The facts template the user filled in, kept beside the new one."""
    kept_type: Path | None
    """The type the user edited (its spec or a template), kept whole as a --spec-dir folder."""


def _type_files(spec_target: Path, prompts_target: Path) -> list[Path]:
    files = [spec_target] if spec_target.is_file() else []
    if prompts_target.is_dir():
        files += sorted(f for f in prompts_target.rglob("*") if f.is_file())
    return files


def _keep_edited_type(out: Path, doctype: str, spec_target: Path, prompts_target: Path) -> Path:
    """Copy an existing type whose spec or templates the user edited since learn wrote them to
    `<out>/<id>（已编辑）/` (schemas/ and prompts/, so `--spec-dir` reads it); its path."""
    kept = kept_name(out / doctype)
    try:
        if spec_target.is_file():
            (kept / "schemas").mkdir(parents=True)
            shutil.copy2(spec_target, kept / "schemas" / spec_target.name)
        if prompts_target.is_dir():
            shutil.copytree(prompts_target, kept / "prompts" / doctype)
    except OSError as exc:
        shutil.rmtree(kept, ignore_errors=True)
        raise InputError(
            f"document type '{doctype}' was edited since it was learned, and a copy cannot be "
            f"kept as {kept.name} ({exc.strerror or exc}); nothing was replaced",
            path=str(out),
        ) from None
    return kept


def install(staging: Path, out: Path, doctype: str, facts_template: str) -> Installed:
    """Move a staged type into `out` (replacing an existing one) and write its facts template.

    The spec and the templates go in together or not at all: an old type's templates are kept
    aside until the new spec is in place, and put back if it cannot be. A type replaced after
    the user edited it is first copied whole to `<id>（已编辑）/`, and a facts template they
    filled in is kept beside the new one: `--force` replaces a type, never the user's work."""
    spec_target = out / "schemas" / f"{doctype}.yaml"
    prompts_target = out / "prompts" / doctype
    old = out / "prompts" / f".{doctype}.old"
    moved_old = moved_new = False
    existing = _type_files(spec_target, prompts_target)
    kept_type = None
    if any(not as_written(f) for f in existing):
        try:
            kept_type = _keep_edited_type(out, doctype, spec_target, prompts_target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    try:
        spec_target.parent.mkdir(parents=True, exist_ok=True)
        prompts_target.parent.mkdir(parents=True, exist_ok=True)
        if prompts_target.exists():
            shutil.rmtree(old, ignore_errors=True)
            prompts_target.rename(old)
            moved_old = True
        (staging / "prompts" / doctype).rename(prompts_target)
        moved_new = True
        (staging / "schemas" / f"{doctype}.yaml").replace(spec_target)
    except OSError as exc:
        if moved_new:
            shutil.rmtree(prompts_target, ignore_errors=True)
        if moved_old:
            old.rename(prompts_target)
        raise InputError(
            f"cannot write the document type: {exc.strerror or exc}", path=str(out)
        ) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)
    remember_written(_type_files(spec_target, prompts_target))  # edits to them are the user's
    facts_path = out / f"{doctype}.facts.yaml"
    # the user is told to fill this very file in: a filled-in one is kept, not replaced
    kept = write_output(facts_path, facts_template)
    paths = {"spec": spec_target, "prompts": prompts_target, "facts_template": facts_path}
    return Installed(paths, kept, kept_type)
