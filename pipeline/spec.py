"""Document-type specs: the data that defines a kind of report.

A spec (`schemas/<id>.yaml`) declares the facts a report takes, its sections in order and
the document's rules. Its section templates live in `prompts/<id>/`. Adding a document type
needs no Python: write the spec and the templates.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from pipeline import paths, validation
from pipeline.errors import InputError
from pipeline.heading_titles import RUN_ON_TITLE
from pipeline.render.overrides import StyleOverrides
from pipeline.textio import LineMap, load_structured, read_text
from pipeline.title_lengths import CITED_TITLE
from pipeline.type_words import DOC_TYPE_WORDS, SIGNER_WORDS, type_word
from pipeline.validation import (
    did_you_mean,
    did_you_mean_or_list,
    error_reason,
    format_path,
    raise_validation_error,
)

FactType = Literal[
    "string", "integer", "number", "year", "date", "enum", "string-list", "object-list"
]
ScalarType = Literal["string", "integer", "number", "year", "date", "enum"]

Identifier = Annotated[str, Field(pattern=validation.FACT_ID)]
DOCTYPE_ID = re.compile(validation.DOCTYPE_ID.strip("^$"))
"""What a document-type id looks like (match it whole)."""

DoctypeId = Annotated[str, Field(pattern=validation.DOCTYPE_ID)]


MAX_LABEL_CHARS = 60
"""Most characters in a fact's label or unit: a few words set in markers and messages."""
MAX_LINE_CHARS = 200
"""Most characters in a spec's one-line texts: its name, the title and headings (templates),
aliases, choices and pattern hints."""
MAX_NAME_CHARS = 40
"""Most characters in a text fact written on a line of its own (the title, a heading, the
落款): the checker reads a 落款 name of at most 40 characters and a title of at most 60, so
a longer unit name would leave a draft whose title or 落款 is not found."""
MAX_CITED_TITLE_CHARS = CITED_TITLE
"""Most characters in a text fact the title writes inside 《》 (`DocSpec.cited_title_facts`):
a document's title, which the checker reads in a 公文 title of up to `FORMAL_TITLE`."""
MAX_SUBHEADING_CHARS = RUN_ON_TITLE
"""Most characters in a text a template writes as a subheading of its own (（一）强化耕地保护):
the checker's `structure.heading-run-on` reads a longer heading title, among siblings with
short ones, as a title with the text run on into it."""
MAX_DESCRIPTION_CHARS = 2000
"""Most characters in a description, as in a text fact: a sentence or a short paragraph."""


def _some_words(value: str) -> str:
    if not value.strip():
        raise ValueError(
            "expected the fact's name in Chinese, such as 在职干部职工人数: the draft's "
            "【待补充：…】 markers and the messages name the fact by it"
        )
    return value


Label = Annotated[str, Field(max_length=MAX_LABEL_CHARS), AfterValidator(_some_words)]
"""A fact's or field's label: a few words, never blank (a marker 【待补充：】 names nothing)."""
Unit = Annotated[str, Field(max_length=MAX_LABEL_CHARS)]
Line = Annotated[str, Field(max_length=MAX_LINE_CHARS)]
Description = Annotated[str, Field(max_length=MAX_DESCRIPTION_CHARS)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


_NUMERIC = ("integer", "number", "year")
"""The types `min` and `max` bound."""


class FieldSpec(_Strict):
    """One field of an item in an `object-list` fact."""

    type: ScalarType
    """The value's type; nested lists are not allowed."""
    label: Label
    """Chinese label, used in markers and messages."""
    description: Description = ""
    unit: Unit | None = None
    required: bool = True
    choices: list[Line] | None = None
    """Allowed values for an `enum` field."""
    min: float | None = None
    max: float | None = None
    pattern: str | None = None
    """A regular expression a text value (each item of a string-list) must match whole, e.g.
    `.*[县区]` for a county that the templates follow with 委."""
    pattern_hint: Line | None = None
    """What to write instead, in Chinese, for a value the pattern refuses."""

    @property
    def ordinal(self) -> bool:
        """Whether an integer is the ordinal of a meeting, as its label says (党的全国代表大会
        届次): typed as 十九大, 第二十次 or 第十九届 too."""
        return self.type == "integer" and self.label.endswith("届次")

    @model_validator(mode="after")
    def _enum_needs_choices(self) -> FieldSpec:
        if self.type == "enum" and not self.choices:
            raise ValueError("an enum field needs a non-empty 'choices' list")
        return self

    @model_validator(mode="after")
    def _bounds_and_choices_are_usable(self) -> FieldSpec:
        """`min`/`max` bound a number and `choices` an enum: elsewhere they were ignored."""
        if (self.min is not None or self.max is not None) and self.type not in _NUMERIC:
            raise ValueError(
                f"'min' and 'max' bound an integer, number or year, not {self.type}: remove "
                "them (a text's form is set with 'pattern')"
            )
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(
                f"'min' ({self.min:g}) is above 'max' ({self.max:g}), so no value would be accepted"
            )
        if self.choices is not None and self.type != "enum":
            raise ValueError(
                f"'choices' are the values of an enum, not of {self.type}: write "
                "'type: enum' to offer them, or remove them"
            )
        return self

    @model_validator(mode="after")
    def _pattern_is_usable(self) -> FieldSpec:
        if self.pattern is None:
            if self.pattern_hint is not None:
                raise ValueError("'pattern_hint' says what to write for a 'pattern': give both")
            return self
        if self.type not in ("string", "string-list"):
            raise ValueError(f"'pattern' applies to string and string-list, not {self.type}")
        if not self.pattern_hint:
            raise ValueError("a 'pattern' needs a 'pattern_hint': what to write, in Chinese")
        try:
            re.compile(self.pattern)
        except re.error as exc:
            raise ValueError(f"'pattern' is not a regular expression: {exc}") from None
        return self


class FactSpec(FieldSpec):
    """One fact the document takes."""

    type: FactType  # type: ignore[assignment]
    required: bool = False
    example: Any
    """A realistic value; shown in templates and used to test-render the prompts."""
    fields: dict[Identifier, FieldSpec] | None = None
    """The fields of each item of an `object-list` fact."""
    absent: Literal["marker", "omit"] = "marker"
    """What a draft writes for the fact when the facts leave it out: its 【待补充】 marker, a
    gap to fill (`marker`), or nothing, as the templates leave it out on purpose and it is
    no gap (`omit`: 附件 a notice without attachments does not have)."""

    @model_validator(mode="before")
    @classmethod
    def _empty_example_is_missing(cls, data: Any) -> Any:
        """`example:` left empty (null, "") is refused as a missing one: it showed as null
        in the facts template."""
        if isinstance(data, dict) and "example" in data:
            example = data["example"]
            if example is None or (isinstance(example, str) and not example.strip()):
                return {k: v for k, v in data.items() if k != "example"}
        return data

    @model_validator(mode="after")
    def _omitted_fact_is_optional(self) -> FactSpec:
        if self.absent == "omit" and self.required:
            raise ValueError(
                "'absent: omit' is for an optional fact the draft leaves out when it is not "
                "given; a required fact is always given: remove 'absent' or 'required'"
            )
        return self

    @model_validator(mode="after")
    def _object_list_needs_fields(self) -> FactSpec:
        if self.type == "object-list" and not self.fields:
            raise ValueError("an object-list fact needs a 'fields' mapping")
        if self.type != "object-list" and self.fields:
            raise ValueError("'fields' is only for object-list facts")
        return self


class LengthBounds(_Strict):
    """Bounds on a section's length in characters (headings excluded)."""

    min: int = Field(0, ge=0)
    max: int | None = Field(None, gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> LengthBounds:
        if self.max is not None and self.max < self.min:
            raise ValueError(f"max ({self.max}) is below min ({self.min})")
        return self


class SectionSpec(_Strict):
    """One section of the document, in order."""

    id: Identifier
    heading: Line | None = None
    """The heading without its number, as a template (e.g. "{{ report_year + 1 }}年工作打算");
    no heading means an unnumbered paragraph such as the opening."""
    aliases: list[Line] = []
    """Other headings the section goes by in reports people bring to `draft check`
    ("下一步工作打算" for the plans); matched like `heading`, a `{{ … }}` part standing for any
    words. Drafts always use `heading`."""
    required: bool = True
    facts: list[Identifier] = []
    """The facts this section uses; a model drafting it is given these."""
    length: LengthBounds = Field(default_factory=LengthBounds)
    must_mention: list[Identifier] = []
    """Facts whose values the section must name."""
    min_points: int = Field(0, ge=0)
    """The least number of 一是/二是… points the section must make."""
    template: str | None = None
    """The template file in `prompts/<doctype>/`; defaults to `<id>.j2`."""
    when: Identifier | None = None
    """An optional fact: the section is drafted only when the facts give it, and is left
    out (no heading, no marker; the headings after it numbered without a gap) when not."""

    @model_validator(mode="before")
    @classmethod
    def _conditional_is_optional(cls, data: Any) -> Any:
        """A section with `when` is optional: not `required` unless the spec says so, which
        is refused (a section left out for want of its fact cannot be a required one)."""
        if not isinstance(data, dict) or data.get("when") is None:
            return data
        if data.get("required") is True:
            raise ValueError(
                f"a section with 'when' is drafted only when '{data['when']}' is given, so it "
                "cannot be 'required: true': remove 'required' (such a section is optional)"
            )
        return {**data, "required": False}

    @field_validator("template")
    @classmethod
    def _a_file_name(cls, value: str | None) -> str | None:
        if value is not None and (
            not value.endswith(".j2") or value == ".j2" or any(c in value for c in "/\\")
        ):
            raise ValueError(
                "must be a file name in prompts/<doctype>/ ending in .j2, such as opening.j2"
            )
        return value

    @property
    def template_name(self) -> str:
        return self.template or f"{self.id}.j2"


class Signature(_Strict):
    """Which facts give the signature block (落款)."""

    unit: Identifier
    second: Identifier | None = None
    """A second name line under the unit's: a department or office (办公室), or the signing
    person (张明)."""
    date: Identifier | None = None
    role: str | None = None
    """The word before the name when a person signs (述职人 writes 述职人：张明)."""

    def fact_ids(self) -> list[str]:
        """The facts the 落款 writes, line by line."""
        return [n for n in (self.unit, self.second, self.date) if n]

    @field_validator("role")
    @classmethod
    def _a_signer_word(cls, value: str | None) -> str | None:
        if value is not None and value not in SIGNER_WORDS:
            raise ValueError(f"must be one of {'、'.join(SIGNER_WORDS)}, or left out")
        return value


def _number_as_text(value: Any) -> Any:
    """A number written unquoted (`allowed_numbers: [110]`) is the number's text."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


class Rules(_Strict):
    """Document-wide rules the checker holds a draft to."""

    numbering: list[str] = Field(
        default_factory=lambda: ["一、", "（一）", "1.", "（1）"], min_length=1
    )
    lexicon: str | None = "set-phrases"
    """A lexicon of canonical set phrases in `schemas/lexicon/<name>.yaml`."""
    banned_phrases: list[str] = []
    allowed_numbers: list[Annotated[str, BeforeValidator(_number_as_text)]] = []
    """Numbers a draft may use without a fact behind them (e.g. "两学一做" needs none)."""

    @field_validator("lexicon")
    @classmethod
    def _a_lexicon_name(cls, value: str | None) -> str | None:
        """A name, not a path: a type shared by another office reads no file outside its
        own `lexicon/` folder and the built-in one."""
        if value is not None and (
            not value or value.startswith(".") or any(c in value for c in "/\\:")
        ):
            raise ValueError(
                "must be the name of a lexicon file in lexicon/ beside the spec or built in, "
                "without folder or .yaml, such as set-phrases"
            )
        return value


def _scalar_version(value: Any) -> Any:
    """A version is a number or a name; anything else is one error, not one per form."""
    if isinstance(value, float):
        raise ValueError(
            f"expected a whole number or a name: write a dotted version quoted, '{value}'"
        )
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError("expected a version number or name, such as 2 or '1.1'")
    return value


def _type_word(value: str) -> str:
    """A 文种 word the checker reads at the end of a title."""
    if value not in DOC_TYPE_WORDS:
        raise ValueError(
            "expected a type (文种) a title ends with, one of " + "、".join(DOC_TYPE_WORDS)
        )
    return value


_TEMPLATE_BLOCK = re.compile(r"\{[{%](.*?)[%}]\}", re.DOTALL)
_NAME = re.compile(r"(?<![\w.'\"])[A-Za-z_]\w*")
_CITED = re.compile(r"《([^《》]*)》")


class DocSpec(_Strict):
    """A document type."""

    id: DoctypeId
    name: Line
    """The Chinese name, e.g. 学校意识形态工作总结."""
    description: Description
    version: Annotated[int | str, BeforeValidator(_scalar_version)] = 1
    title: Line
    """The title as a template."""
    title_types: list[Annotated[str, AfterValidator(_type_word)]] | None = Field(None, min_length=1)
    """The types (文种) a title of this type may name, the one `title` ends with first
    (工作要点, 工作计划): one family to its users, so a text titled with either checks as
    this type. Left out, it is the type the name ends in."""
    facts: dict[Identifier, FactSpec]
    sections: list[SectionSpec] = Field(min_length=1)
    rules: Rules = Field(default_factory=Rules)
    signature: Signature | None = None
    addressee: Identifier | None = None
    """The fact giving the 主送机关, the line under the title a 通知 is addressed to
    (各乡镇（街道）、县直各有关单位：)."""
    style: StyleOverrides | None = None
    """House-style overrides of the Word layout (fonts, sizes); see `pipeline.render.overrides`."""

    # Where the spec came from; set by the loader, not by the YAML.
    source: Path | None = Field(None, exclude=True)
    prompts_dir: Path | None = Field(None, exclude=True)
    content_hash: str = Field("", exclude=True)
    subheadings: frozenset[tuple[str, str | None]] = Field(frozenset(), exclude=True)
    """The facts, or (list, field) of items, the section templates write as a subheading of
    their own; see `subheading_facts`."""

    def section(self, section_id: str) -> SectionSpec:
        """The section with this id."""
        for s in self.sections:
            if s.id == section_id:
                return s
        raise KeyError(section_id)

    def drafted_sections(self, values: dict[str, Any]) -> list[SectionSpec]:
        """The sections a draft of these fact values has: all but those whose `when` fact
        is missing (None)."""
        return [s for s in self.sections if s.when is None or values.get(s.when) is not None]

    def label(self, fact_id: str) -> str:
        """The Chinese label of a fact."""
        return self.facts[fact_id].label

    def facts_in(self, template: str) -> list[str]:
        """The facts a one-line template (the title, a heading) names, in order, once each."""
        names = (
            name for block in _TEMPLATE_BLOCK.findall(template) for name in _NAME.findall(block)
        )
        return list(dict.fromkeys(n for n in names if n in self.facts))

    def cited_title_facts(self) -> set[str]:
        """The facts the title writes inside 《》: the title of a document it cites (a 转发通知's
        关于转发《{{ forwarded_title }}》的通知), held to a document title's length, not a name's."""
        return {name for cited in _CITED.findall(self.title) for name in self.facts_in(cited)}

    def line_facts(self) -> set[str]:
        """The facts the title, a heading or the 落款's names write, each on a line of its own."""
        lines = [self.title, *(s.heading for s in self.sections if s.heading)]
        names = {name for line in lines for name in self.facts_in(line)}
        if self.signature:
            names.update(n for n in (self.signature.unit, self.signature.second) if n)
        return names

    @property
    def type_word(self) -> str | None:
        """The type its name ends in (工作总结, 述职报告, 工作计划…)."""
        return type_word(self.name)

    @property
    def title_words(self) -> list[str]:
        """The types a title must name one of: `title_types`, else the one the name ends in."""
        if self.title_types:
            return list(self.title_types)
        return [self.type_word] if self.type_word else []

    @field_validator("title_types")
    @classmethod
    def _listed_once(cls, value: list[str] | None) -> list[str] | None:
        repeated = [w for i, w in enumerate(value or []) if w in (value or [])[:i]]
        if repeated:
            raise ValueError(f"'{repeated[0]}' is listed twice: list each type once")
        return value


# ----------------------------------------------------------------------------- loading


_NESTED: dict[type[BaseModel], dict[str, type[BaseModel]]] = {
    DocSpec: {
        "rules": Rules,
        "signature": Signature,
        "sections": SectionSpec,
        "facts": FactSpec,
        "style": StyleOverrides,
    },
    SectionSpec: {"length": LengthBounds},
    FactSpec: {"fields": FieldSpec},
}
_LOADER_FIELDS = {"source", "prompts_dir", "content_hash", "subheadings"}


def _spec_keys(loc: tuple[Any, ...]) -> list[str]:
    """The keys allowed in the spec mapping at `loc`, for "did you mean"."""
    model: type[BaseModel] = DocSpec
    for part in loc:
        if isinstance(part, str) and part in _NESTED.get(model, {}):
            model = _NESTED[model][part]
    return [n for n in model.model_fields if n not in _LOADER_FIELDS]


_SAMPLE_VALUES = {
    "integer": "12",
    "number": "1.5",
    "year": "2020",
    "date": "2021-01-15",
    "string-list": "[<an item>, <another item>]",
}
"""A value of each type, to show how a fact's `example` is written."""


def _sample(kind: Any, raw: dict[str, Any], label: str) -> str:
    """How to write a value of type `kind` (`raw` is the fact or field as the spec has it)."""
    choices = raw.get("choices")
    if kind == "enum" and isinstance(choices, list) and choices:
        return str(choices[0])
    if kind == "object-list" and isinstance(raw.get("fields"), dict):
        fields = ", ".join(
            f"{name}: {_sample(f.get('type'), f, str(f.get('label', name)))}"
            for name, f in raw["fields"].items()
            if isinstance(f, dict)
        )
        return f"[{{{fields}}}]"
    return _SAMPLE_VALUES.get(kind, f"<a real {label}>")


def _example_needed(data: dict[str, Any]) -> Callable[[tuple[Any, ...]], str]:
    """Why a fact's missing `example` is needed, and what to write, for the error message."""

    def needed(loc: tuple[Any, ...]) -> str:
        facts = data.get("facts")
        if len(loc) != 3 or loc[0] != "facts" or loc[2] != "example":
            return ""
        raw = facts.get(loc[1]) if isinstance(facts, dict) else None
        if not isinstance(raw, dict):
            return ""
        label = str(raw.get("label", loc[1]))
        return (
            f": the example of {label} is the value `draft facts-template` shows for it, and "
            "the value the section templates are test-rendered with each time the spec loads; "
            "write one the fact accepts, as a filled-in facts file has it, such as "
            f"'example: {_sample(raw.get('type'), raw, label)}'"
        )

    return needed


def load_spec_file(
    path: str | Path, *, prompts_dir: Path | None = None, templates: bool = True
) -> DocSpec:
    """Load and validate one spec file and its templates.

    `prompts_dir` overrides where the templates are found (used for prompt variants);
    `templates=False` skips the templates, for callers that only check text against the spec.
    """
    p = Path(path)
    data, lines = load_structured(p, what="document-type spec")
    if data is None:
        raise InputError(
            "document-type spec holds only comments: write its keys (id, name, description, "
            "title, facts, sections), starting from a copy of a shipped type's spec",
            path=str(p),
        )
    if not isinstance(data, dict):
        raise InputError("a document-type spec must be a mapping of keys to values", path=str(p))
    try:
        spec = DocSpec.model_validate(data)
    except ValidationError as exc:
        raise_validation_error(
            exc,
            path=str(p),
            lines=lines,
            what="document-type spec",
            known_keys=_spec_keys,
            needed=_example_needed(data),
        )
    if p.stem != spec.id:
        raise InputError(
            f"field 'id': expected '{p.stem}' (the file name), got '{spec.id}'",
            path=str(p),
            line=lines.line(("id",)),
        )
    _check_section_ids(spec, str(p), lines)
    _check_references(spec, str(p), lines)
    _check_when(spec, str(p), lines)
    _check_signature(spec, str(p), lines)
    _check_title_types(spec, str(p), lines)
    _check_addressee(spec, str(p), lines)
    _check_omitted(spec, str(p), lines)
    _check_headings(spec, str(p), lines)
    _check_numbering(spec, str(p), lines)
    _check_lexicon(spec, p, lines)
    root = p.parent.parent
    pdir = prompts_dir if prompts_dir is not None else root / "prompts" / spec.id
    digest = hashlib.sha256(p.read_bytes()).hexdigest()[:16]
    spec = spec.model_copy(
        update={
            "source": p,
            "prompts_dir": pdir,
            "content_hash": digest,
            "subheadings": subheading_facts(spec, pdir),
        }
    )
    _check_examples(spec, str(p), lines)  # the examples are held to the subheadings' length

    if templates:
        from pipeline.prompts import PromptSet  # templates are part of a spec's validity

        PromptSet.load(spec)
    return spec


_LOOP = re.compile(r"\{%-?\s*for\s+(\w+)\s+in\s+(\w+)")
_SUBHEADING = re.compile(
    # a paragraph opening with a subheading number, （{{ loop.index | cn }}） or 1., then one
    # value ending the line, or the short sentence that opens the paragraph (（一）{{ t }}。正文);
    # a value written as a whole sentence (`| sentence`, or 。 ending the line) is a numbered
    # list's item, which the checker reads as no heading
    r"^[ \t]*(?:[（(](?:\{\{[^{}\n]*\}\}|[一二三四五六七八九十\d]{1,3})[）)]"
    r"|(?:\{\{[^{}\n]*\}\}|\d{1,2})[.．、])[ \t]*"
    r"\{\{-?\s*(\w+)(?:\.(\w+))?\s*((?:\|[^{}\n]*)?)-?\}\}(?:[ \t]*$|[。.](?=[ \t]*\S))",
    re.MULTILINE,
)


def subheading_facts(spec: DocSpec, prompts_dir: Path) -> frozenset[tuple[str, str | None]]:
    """What the section templates write as a subheading on a line of its own, read from
    their text as `DocSpec.line_facts` reads the title's: (fact, None) for a text fact or the
    items of a list of texts, (fact, field) for a field of a list's items."""
    found: set[tuple[str, str | None]] = set()
    for section in spec.sections:
        try:
            source = read_text(
                prompts_dir / section.template_name, what="template", allow_empty=True
            )
        except InputError:
            continue  # reported when the templates load
        loops: dict[str, set[str]] = {}
        for var, fact in _LOOP.findall(source):
            if fact in spec.facts:
                loops.setdefault(var, set()).add(fact)
        for name, field, filters in _SUBHEADING.findall(source):
            if "sentence" in filters:
                continue
            for fact in loops.get(name, set()) or ({name} & set(spec.facts)):
                fields = spec.facts[fact].fields
                if field and fields and field in fields:
                    found.add((fact, field))
                elif not field and fields is None:
                    found.add((fact, None))
    return frozenset(found)


def _check_section_ids(spec: DocSpec, path: str, lines: LineMap) -> None:
    """Each section has its own id (its template is `<id>.j2`); the error is at the entry
    that repeats one, not at `sections:`."""
    first: dict[str, int] = {}
    for i, s in enumerate(spec.sections):
        earlier = first.setdefault(s.id, i)
        if earlier != i:
            where = ("sections", i, "id")
            raise InputError(
                f"field '{format_path(where)}': section id '{s.id}' is also the id of "
                f"{format_path(('sections', earlier))}: give each section its own id (its "
                "template is <id>.j2)",
                path=path,
                line=lines.line(where),
            )


def _check_references(spec: DocSpec, path: str, lines: LineMap) -> None:
    """Every fact a section or the signature names is declared; the error is at the line
    that names it (a check across the whole spec has no line of its own)."""
    declared = list(spec.facts)
    named: list[tuple[tuple[Any, ...], str, str]] = [
        (("sections", i, key, j), name, f" ('{s.id}')")
        for i, s in enumerate(spec.sections)
        for key in ("facts", "must_mention")
        for j, name in enumerate(getattr(s, key))
    ]
    if spec.signature:
        named += [
            (("signature", key), name, "")
            for key in ("unit", "second", "date")
            if (name := getattr(spec.signature, key))
        ]
    if spec.addressee:
        named.append((("addressee",), spec.addressee, ""))
    for where, name, section in named:
        if name not in declared:
            owners = [f for f, fact in spec.facts.items() if name in (fact.fields or {})]
            hint = did_you_mean(name, declared)
            if owners:  # an item's field comes with its list: a section names the list
                listed = where[0] == "sections" and owners[0] in spec.sections[where[1]].facts
                hint = (
                    f"; '{name}' is a field of the items of '{owners[0]}' "
                    f"({spec.label(owners[0])}), which gives it: "
                    + ("remove it here" if listed else f"name '{owners[0]}' instead")
                )
            raise InputError(
                f"field '{format_path(where)}'{section}: names undeclared fact '{name}'{hint}",
                path=path,
                line=lines.line(where),
            )
    for i, s in enumerate(spec.sections):
        for j, name in enumerate(s.must_mention):
            if name not in s.facts:
                where = ("sections", i, "must_mention", j)
                raise InputError(
                    f"field '{format_path(where)}' ('{s.id}'): '{name}' ({spec.label(name)}) "
                    "is not in this section's 'facts', so a model drafting the section is "
                    "not given it and every draft would miss it: add it to 'facts'",
                    path=path,
                    line=lines.line(where),
                )


def _check_when(spec: DocSpec, path: str, lines: LineMap) -> None:
    """A section's `when` names a declared, optional fact: a required one is always given,
    so the condition would never leave the section out."""
    for i, s in enumerate(spec.sections):
        if s.when is None:
            continue
        where = ("sections", i, "when")
        if s.when not in spec.facts:
            raise InputError(
                f"field '{format_path(where)}' ('{s.id}'): names undeclared fact "
                f"'{s.when}'"
                + did_you_mean_or_list(
                    s.when,
                    [n for n, f in spec.facts.items() if not f.required],
                    listed="expected one of the optional facts",
                    empty=": declare it as an optional fact under 'facts'",
                ),
                path=path,
                line=lines.line(where),
            )
        if spec.facts[s.when].required:
            raise InputError(
                f"field '{format_path(where)}' ('{s.id}'): '{s.when}' ({spec.label(s.when)}) "
                "is a required fact, always given, so the section would always be drafted: "
                "name an optional fact, or remove 'when'",
                path=path,
                line=lines.line(where),
            )


def _check_title_types(spec: DocSpec, path: str, lines: LineMap) -> None:
    """The type the name ends in is one of `title_types`: the name says what the type is, so
    a title naming it must check as the type."""
    word = spec.type_word
    if spec.title_types is None or word is None or word in spec.title_types:
        return
    raise InputError(
        f"field 'title_types': the name “{spec.name}” ends in the type “{word}”, which is "
        f"not listed, so a title naming it would not check as this type: add {word}",
        path=path,
        line=lines.line(("title_types",)),
    )


_SIGNATURE_TYPES = {"unit": ("string", "enum"), "second": ("string", "enum"), "date": ("date",)}
"""The fact types each line of the 落款 is written from: names, and a date."""


def _check_signature(spec: DocSpec, path: str, lines: LineMap) -> None:
    """The signature's facts are a name and a date: a list there was printed as Python's
    text of it, and a year or a string as the date stopped the run after drafting."""
    if spec.signature is None:
        return
    for key, types in _SIGNATURE_TYPES.items():
        name = getattr(spec.signature, key)
        if name is None or spec.facts[name].type in types:
            continue
        where = ("signature", key)
        raise InputError(
            f"field '{format_path(where)}': '{name}' ({spec.label(name)}) has type "
            f"'{spec.facts[name].type}'; the 落款's {key.replace('second', 'second name')} "
            "is written from a fact of type "
            f"{' or '.join(repr(t) for t in types)}",
            path=path,
            line=lines.line(where),
        )


def _check_addressee(spec: DocSpec, path: str, lines: LineMap) -> None:
    """The 主送机关 is a name written as one line: a list or a number there is no addressee."""
    if spec.addressee is None or spec.facts[spec.addressee].type in ("string", "enum"):
        return
    name = spec.addressee
    raise InputError(
        f"field 'addressee': '{name}' ({spec.label(name)}) has type "
        f"'{spec.facts[name].type}'; the 主送机关 is written from a fact of type 'string' or "
        "'enum'",
        path=path,
        line=lines.line(("addressee",)),
    )


def _check_omitted(spec: DocSpec, path: str, lines: LineMap) -> None:
    """A fact with `absent: omit` is not the addressee's or the 落款's: the draft writes
    those lines itself, with their marker when the fact is missing."""
    written = set(spec.signature.fact_ids()) if spec.signature else set()
    if spec.addressee:
        written.add(spec.addressee)
    for name in sorted(written):
        if spec.facts[name].absent == "omit":
            where = ("facts", name, "absent")
            raise InputError(
                f"field '{format_path(where)}': '{name}' ({spec.label(name)}) is written by "
                "the 主送机关 or 落款 line, which shows its marker when the fact is missing: "
                "remove 'absent: omit'",
                path=path,
                line=lines.line(where),
            )


_NUMBERED = re.compile(
    r"\s*(?:[一二三四五六七八九十]{1,3}[、，,.．]|[（(][一二三四五六七八九十\d]{1,3}[）)]|\d{1,2}[.．、]"
    r"|第[一二三四五六七八九十\d]{1,3}[部分章节条])"
)
"""A heading number written into a heading (三、存在不足): the draft numbers headings itself."""


def _check_headings(spec: DocSpec, path: str, lines: LineMap) -> None:
    """No heading carries its own number, and no heading or alias is another section's: the
    checker finds each section by its heading, so two alike would be taken for one."""
    owner: dict[str, str] = {}
    for i, s in enumerate(spec.sections):
        names: list[tuple[tuple[str | int, ...], str]] = []
        if s.heading is not None:
            names.append((("sections", i, "heading"), s.heading))
        names += [(("sections", i, "aliases", j), a) for j, a in enumerate(s.aliases)]
        for where, name in names:
            numbered = _NUMBERED.match(name)
            if numbered:
                raise InputError(
                    f"field '{format_path(where)}' ('{s.id}'): '{name}' starts with a heading "
                    "number; the draft numbers its headings (一、二、…) in order: write "
                    f"'{name[numbered.end() :].strip()}'",
                    path=path,
                    line=lines.line(where),
                )
            key = "".join(name.split())
            if owner.setdefault(key, s.id) != s.id:
                raise InputError(
                    f"field '{format_path(where)}' ('{s.id}'): '{name}' is also a heading of "
                    f"section '{owner[key]}'; give each section its own heading and aliases",
                    path=path,
                    line=lines.line(where),
                )


NUMBERING_FORMS = (("一、",), ("（一）", "(一)"), ("1.", "1、"), ("（1）", "(1)"))
"""The heading numbers the checker reads, by level; the draft numbers its sections 一、."""


def _check_numbering(spec: DocSpec, path: str, lines: LineMap) -> None:
    """`rules.numbering` lists one form per level, each one the checker reads: a form it does
    not read would hold no heading to it, and every draft's 一、 would be warned about."""
    numbering = spec.rules.numbering
    if len(numbering) > len(NUMBERING_FORMS):
        where: tuple[Any, ...] = ("rules", "numbering", len(NUMBERING_FORMS))
        raise InputError(
            f"field '{format_path(where)}': headings have at most {len(NUMBERING_FORMS)} "
            "levels (一、 （一） 1. （1）)",
            path=path,
            line=lines.line(where),
        )
    for level, (form, allowed) in enumerate(zip(numbering, NUMBERING_FORMS, strict=False)):
        if form not in allowed:
            where = ("rules", "numbering", level)
            expected = " or ".join(f"'{a}'" for a in allowed)
            raise InputError(
                f"field '{format_path(where)}': level {level + 1} headings are numbered "
                f"{expected}, got '{form}' (the list gives one form per level, in order: "
                "一、 （一） 1. （1）)",
                path=path,
                line=lines.line(where),
            )


def _check_lexicon(spec: DocSpec, path: Path, lines: LineMap) -> None:
    """The lexicon `rules.lexicon` names exists: found missing only when the first text is
    checked, it stopped a run after the model had been paid for every section."""
    name = spec.rules.lexicon
    candidates = paths.lexicon_candidates(name, path) if name else []
    if not candidates or any(c.is_file() for c in candidates):
        return
    known = sorted(
        {f.stem for c in candidates if c.parent.is_dir() for f in c.parent.glob("*.yaml")}
    )
    where = ("rules", "lexicon")
    raise InputError(
        f"field '{format_path(where)}': lexicon '{name}' not found (looked for "
        f"{' or '.join(str(c) for c in candidates)}){did_you_mean(str(name), known)}",
        path=str(path),
        line=lines.line(where),
    )


def _check_examples(spec: DocSpec, path: str, lines: LineMap) -> None:
    """Every fact's `example` is a value the fact accepts: the load-time render and the facts
    template show them, so a wrong one would teach the user a value that is refused."""
    from pipeline.facts import facts_model  # facts build on specs

    examples = {name: f.example for name, f in spec.facts.items()}
    try:
        facts_model(spec).model_validate(examples)
    except ValidationError as exc:
        # a fact with no example is not missing; a required field missing in an item is
        wrong = [
            e for e in exc.errors(include_url=False) if e["type"] != "missing" or len(e["loc"]) > 1
        ]
        if not wrong:
            return
        err = wrong[0]
        name, *rest = err["loc"]
        where = ("facts", name, "example", *rest)
        raise InputError(
            f"field '{format_path(where)}' ({spec.facts[str(name)].label}): "
            f"{error_reason(err)}, got {err.get('input')!r}",
            path=path,
            line=lines.line(where),
        ) from None


def spec_roots(extra: list[Path] | None = None) -> list[Path]:
    """The folders searched for document types, in order: `--spec-dir`s, built-ins, user's."""
    roots = [paths.check_spec_dir(Path(d)) for d in (extra or [])]
    roots.append(paths.data_root())
    roots.append(paths.user_doctypes_dir())
    return roots


def find_spec_path(doctype: str, extra: list[Path] | None = None) -> Path:
    """The spec file of `doctype`, searching each root's `schemas/` folder."""
    for root in spec_roots(extra):
        candidate = root / "schemas" / f"{doctype}.yaml"
        # a folder or a broken link by that name is reported when it is read (a link was
        # "unknown document type 'x'; did you mean 'x'?", as the listing showed its name)
        if candidate.exists() or candidate.is_symlink():
            return candidate
    roots = spec_roots(extra)
    given = roots[: len(extra or [])]
    raise UnknownDoctypeError(doctype, roots, sorted(available_doctypes(extra)), given=given)


class UnknownDoctypeError(InputError):
    """A document type in none of the folders searched: the message names them, a close match
    and how to point at a type of one's own (`--spec-dir DIR` or the spec file's path)."""

    def __init__(
        self, doctype: str, roots: list[Path], known: list[str], *, given: list[Path] | None = None
    ):
        listing = ", ".join(known) or "none"
        looked = ", ".join(str(root / "schemas") for root in roots)
        misnamed = [f for f in misnamed_specs(roots) if f.stem == doctype]
        self.reason = (
            f"unknown document type '{doctype}': {misnamed_reason(misnamed[0])}"
            if misnamed
            else f"unknown document type '{doctype}'{did_you_mean(doctype, known)} "
            f"(known: {listing}; looked for {doctype}.yaml in {looked})"
        )
        """The message without the advice, for a caller that gives its own."""
        holding = f"schemas/{doctype}.yaml and prompts/{doctype}/"
        if given:  # the user did pass --spec-dir: the folder given is not the type's
            expected = " or ".join(
                dict.fromkeys(str(d / "schemas" / f"{doctype}.yaml") for d in given)
            )
            which = "the --spec-dir given" if len(given) == 1 else "one of the --spec-dirs given"
            self.folder_hint = f"{which} must hold {holding} (there is no {expected})"
        else:
            self.folder_hint = f"pass --spec-dir DIR (the folder holding {holding})"
        """How to point a command that takes --spec-dir at the type's folder."""
        super().__init__(
            f"{self.reason}; for a type of your own, {self.folder_hint} or give the spec "
            "file's path instead of the id"
        )


def doctype_files(extra: list[Path] | None = None) -> dict[str, list[Path]]:
    """Every spec file found, by id, in the order searched: the first is the one used."""
    found: dict[str, list[Path]] = {}
    for root in spec_roots(extra):
        folder = root / "schemas"
        if folder.is_dir():
            for f in sorted(folder.glob("*.yaml")):
                found.setdefault(f.stem, []).append(f)
    return found


def available_doctypes(extra: list[Path] | None = None) -> dict[str, Path]:
    """Every document type found, by id; an earlier root wins over a later one."""
    return {doctype: files[0] for doctype, files in doctype_files(extra).items()}


def misnamed_specs(roots: list[Path]) -> list[Path]:
    """Spec files saved as `.yml` in a searched `schemas/` folder: no id finds them."""
    return [f for root in roots for f in sorted((root / "schemas").glob("*.yml"))]


def misnamed_reason(file: Path) -> str:
    """Why a `.yml` spec file is not a document type, and how to make it one."""
    return f"{file} is not read, as a spec file's name is <id>.yaml: rename it {file.stem}.yaml"


def is_spec_path(doctype: str) -> bool:
    """Whether `doctype` names a spec file (`schemas/x.yaml`) rather than a type's id."""
    return doctype.endswith((".yaml", ".yml")) or "/" in doctype


def doctype_id(doctype: str) -> str:
    """The id `doctype` names: an id as it is, a spec file's path by its file name (which a
    spec's `id` must equal), so that two ways of naming one type compare equal."""
    return Path(doctype).stem if is_spec_path(doctype) else doctype


def named_in(doctype: str, file: Path) -> str:
    """`doctype` as named in `file`: a relative spec file's path is relative to its folder."""
    if is_spec_path(doctype) and not Path(doctype).is_absolute():
        return str(file.parent / doctype)
    return doctype


def load_spec(
    doctype: str,
    *,
    spec_dirs: list[Path] | None = None,
    prompts_dir: Path | None = None,
    templates: bool = True,
) -> DocSpec:
    """Load a document type by id (or by the path of its spec file)."""
    path = doctype if is_spec_path(doctype) else find_spec_path(doctype, spec_dirs)
    return load_spec_file(path, prompts_dir=prompts_dir, templates=templates)
