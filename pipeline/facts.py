"""Facts files: the structured input of a draft, validated against the document type's spec.

A facts file is YAML or JSON: a `doctype:` key naming the document type, and one key per
fact. An optional fact left out (or null) is a known gap: the draft writes the marker
【待补充：<label>】 where it belongs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    ValidationError,
    create_model,
)
from pydantic_core import PydanticCustomError

from pipeline import typed_values
from pipeline.errors import InputError
from pipeline.spec import (
    MAX_CITED_TITLE_CHARS,
    MAX_NAME_CHARS,
    MAX_SUBHEADING_CHARS,
    DocSpec,
    FactSpec,
    FieldSpec,
    UnknownDoctypeError,
    doctype_id,
    load_spec,
    named_in,
)
from pipeline.textio import LineMap, control_character, load_structured
from pipeline.validation import raise_validation_error

MAX_INTEGER = 10**16 - 1
"""Largest integer fact (in size) when the spec sets no bounds: the largest a draft can write
in Chinese numerals, and far beyond any count; a longer one is a typing or pasting mistake
that the checker could not even compare with the numbers of a draft."""

_TYPE_WORDS = {
    "string": "text",
    "integer": "an integer",
    "number": "a number",
    "year": "a year such as 2020",
    "date": "a date such as 2021-01-15",
    "enum": "one of the listed values",
    "string-list": "a list of texts",
    "object-list": "a list of items",
}


def _only_dates(value: Any) -> Any:
    """Accept a YAML date or a date string (2021-01-15, 2021年1月15日…), never a bare number."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        return typed_values.to_date(value)
    if isinstance(value, dt.date):
        return value
    raise ValueError("expected a date such as 2021-01-15")


def _typed(read: Callable[[str], Any]) -> BeforeValidator:
    """Read a number typed as text (12次, 十二, "12") before the strict type check."""
    return BeforeValidator(lambda v: read(v) if isinstance(v, str) else v)


def _printable(value: str) -> str:
    """Refuse a control character: no document format can hold one (Word refuses the file)."""
    bad = control_character(value)
    if bad:
        raise ValueError(
            f"contains the control character U+{ord(bad.group()):04X} at position "
            f"{bad.start() + 1}; delete it"
        )
    return value


STRAY_DOT_ERROR = "stray_dot"
"""The error type of a dot between Chinese characters in a text fact (the web form words it)."""


def _no_stray_dot(value: str) -> str:
    """Refuse a dot between Chinese characters (阿卜杜.热合曼): the draft would carry it, and
    the checker reads it as words removed there."""
    from pipeline.checker.placeholders import stray_dots  # the checker costs 0.2 s to import

    dots = stray_dots(value)
    if dots:
        at = dots[0]
        raise PydanticCustomError(
            STRAY_DOT_ERROR,
            "has “{mark}” between Chinese characters at position {position}: in a name "
            "write the middle dot · ({name}); anywhere else delete it",
            {
                "mark": value[at],
                "position": at + 1,
                "name": f"{value[max(0, at - 3) : at]}·{value[at + 1 : at + 4]}",
            },
        )
    return value


def _one_paragraph(value: str) -> str:
    """A text's lines joined, as a template's own wrapped lines are: a text is set inside a
    sentence of the draft, where the blank line of a title pasted from Word or a PDF split
    the sentence into two paragraphs (《关于做好↵↵意识形态工作的通知》)."""
    if "\n" not in value and "\r" not in value:
        return value
    return "".join(line.strip() for line in value.splitlines())


_FINAL_STOPS = "。．.；;，,、：: \u3000"

ONLY_PUNCTUATION_ERROR = "only_punctuation"
"""The error type of a text that is nothing but stops (the web form words it)."""


def _without_final_stop(value: str) -> str:
    """A text without the full stop (or comma, semicolon, colon) typed at its end: templates
    set a text inside their own sentences (青山县委, 以张三为组长, the title, the 落款) and
    end a sentence themselves, so 青山县红星中学。 gave the title 青山县红星中学。2020年…"""
    stripped = value.rstrip(_FINAL_STOPS)
    if not stripped:
        raise PydanticCustomError(
            ONLY_PUNCTUATION_ERROR, "has nothing but punctuation; write the value or leave it out"
        )
    return stripped


_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def half_width_digits(value: str) -> str:
    """Full-width digits typed in a text (１２００亩, as some input methods type them) in
    half width, as official documents write Arabic numerals."""
    return value.translate(_FULL_WIDTH_DIGITS)


PATTERN_ERROR = "pattern_hint"
"""The error type of a text the spec's `pattern` refuses (the web form words it)."""


def _matching(pattern: str, hint: str) -> AfterValidator:
    """A validator refusing a text that `pattern` does not match whole, saying `hint`."""
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise PydanticCustomError(
                PATTERN_ERROR, "is not in the expected form: {hint}", {"hint": hint}
            )
        return value

    return AfterValidator(check)


MAX_TEXT_CHARS = 2000
"""Most characters in one text fact: a fact is a name, a title or a sentence or two, set
inside a section's sentence (30,000 pasted characters made one section longer than the web
editor keeps)."""

_TEXT_STEPS = (_printable, _one_paragraph, _without_final_stop, _no_stray_dot, half_width_digits)


def _as_set_in_draft(value: str) -> str:
    """A text fact refused or cleaned by each step in turn, the first refusal reported."""
    # One validator, not one per step: pydantic builds every validator of every text fact
    # anew for each facts model, and five cost 20% of the model (5 ms of `draft check`).
    for step in _TEXT_STEPS:
        value = step(value)
    return value


NonEmptyText = Annotated[
    str,
    Strict(),
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT_CHARS),
    AfterValidator(_as_set_in_draft),
]


def _whole(value: float) -> float | int:
    """A number that is whole as an int: templates insert it as typed (8000亩), where the
    float gave 8000.0亩."""
    return int(value) if value.is_integer() else value


def _at_most(limit: int, code: str, why: str) -> AfterValidator:
    """A text's length bound where it is written (`why`, quoting {limit} and {count}): the
    title, a heading or the 落款 read longer text as something else."""

    def bounded(value: str) -> str:
        if len(value) > limit:
            raise PydanticCustomError(code, why, {"limit": limit, "count": len(value)})
        return value

    return AfterValidator(bounded)


_ON_ITS_OWN_LINE = _at_most(
    MAX_NAME_CHARS,
    "name_too_long",
    "is written in the title, a heading or the 落款, so it may have at most {limit} "
    "characters (this one has {count}): write the name as it is signed",
)
_CITED_IN_TITLE = _at_most(
    MAX_CITED_TITLE_CHARS,
    "cited_title_too_long",
    "is a document's title the title cites in 《》, so it may have at most {limit} "
    "characters (this one has {count}): write the document's title alone, without "
    "its 文号 or its text",
)
_AS_SUBHEADING = _at_most(
    MAX_SUBHEADING_CHARS,
    "subheading_too_long",
    "is written as a subheading of its own (（一）…), so it may have at most {limit} "
    "characters (this one has {count}), or the checker reads the text as run on into "
    "the heading: keep the title short and write the rest in the text under it",
)


def _text(
    field: FieldSpec | FactSpec,
    *,
    on_its_own_line: bool = False,
    cited: bool = False,
    subheading: bool = False,
) -> Any:
    """The type of a text value, with the spec's `pattern` if it has one, no longer than a
    name when the title, a heading or the 落款 writes it (than a document's title when the
    title cites it in 《》), and no longer than a subheading's title when a template writes it
    as one."""
    text: Any = NonEmptyText
    if cited:
        text = Annotated[text, _CITED_IN_TITLE]
    elif on_its_own_line:
        text = Annotated[text, _ON_ITS_OWN_LINE]
    if subheading:
        text = Annotated[text, _AS_SUBHEADING]
    if field.pattern is None:
        return text
    return Annotated[text, _matching(field.pattern, field.pattern_hint or "")]


def _python_type(
    field: FieldSpec | FactSpec,
    name: str,
    *,
    on_its_own_line: bool = False,
    cited: bool = False,
    subheadings: frozenset[tuple[str, str | None]] = frozenset(),
) -> Any:
    """The pydantic type of one fact or field (`on_its_own_line`: the title, a heading or the
    落款 writes it; `cited`: the title writes it in 《》, as a document's title; `subheadings`:
    the spec's, to hold a value written as one to its length)."""
    # A bound of None is no bound: Field() leaves it out.
    low, high = field.min, field.max
    match field.type:
        case "string":
            return _text(
                field,
                on_its_own_line=on_its_own_line,
                cited=cited,
                subheading=(name, None) in subheadings,
            )
        case "integer":
            read = partial(typed_values.to_int, unit=field.unit, ordinal=field.ordinal)
            limits = Field(
                ge=-MAX_INTEGER if low is None else low, le=MAX_INTEGER if high is None else high
            )
            return Annotated[int, Strict(), limits, _typed(read)]
        case "number":
            read = partial(typed_values.to_float, unit=field.unit)
            limits = Field(ge=low, le=high)
            return Annotated[float, Strict(), limits, _typed(read), AfterValidator(_whole)]
        case "year":
            read = partial(typed_values.to_int, unit=field.unit, year=True)
            return Annotated[
                int,
                Strict(),
                Field(ge=1949 if low is None else low, le=2100 if high is None else high),
                _typed(read),
            ]
        case "date":
            return Annotated[dt.date, BeforeValidator(_only_dates)]
        case "enum":
            return Literal[tuple(field.choices or ())]
        case "string-list":
            item_text = _text(field, subheading=(name, None) in subheadings)
            return Annotated[list[item_text], Field(min_length=1)]  # type: ignore[valid-type]
        case "object-list":
            assert isinstance(field, FactSpec) and field.fields
            item_fields: dict[str, Any] = {}
            for key, sub in field.fields.items():
                sub_type = _python_type(
                    sub, key, subheadings=_item_subheadings(name, key, subheadings)
                )
                item_fields[key] = (sub_type, ...) if sub.required else (sub_type | None, None)
            item = create_model(
                f"{name}_item", __config__=ConfigDict(extra="forbid"), **item_fields
            )
            return Annotated[list[item], Field(min_length=1)]
    raise AssertionError(field.type)


def _item_subheadings(
    fact: str, field: str, subheadings: frozenset[tuple[str, str | None]]
) -> frozenset[tuple[str, str | None]]:
    """The subheadings of the spec as seen by one field of the items of `fact`."""
    return frozenset({(field, None)}) if (fact, field) in subheadings else frozenset()


_FACTS_MODELS: dict[
    tuple[str, str, frozenset[tuple[str, str | None]], frozenset[str], frozenset[str]],
    type[BaseModel],
] = {}
_MAX_FACTS_MODELS = 64
"""Models kept for specs seen before: building one takes milliseconds, and an evaluation
validates the facts of every case against the same few specs."""


def facts_model(spec: DocSpec) -> type[BaseModel]:
    """A pydantic model that validates a facts mapping for `spec`: the same class for specs
    that declare the same facts, a new one once a declaration changes."""
    # The repr states every field of every fact, as a dump would, without building the
    # serializer a dump of a FactSpec needs (2 ms, paid by every command that reads facts).
    # Which facts the title, headings and 落款 write limits their length too.
    key = (
        spec.id,
        repr(spec.facts),
        spec.subheadings,
        frozenset(spec.line_facts()),
        frozenset(spec.cited_title_facts()),
    )
    model = _FACTS_MODELS.get(key)
    if model is None:
        if len(_FACTS_MODELS) >= _MAX_FACTS_MODELS:
            _FACTS_MODELS.pop(next(iter(_FACTS_MODELS)))
        model = _FACTS_MODELS[key] = _build_facts_model(spec)
    return model


def _build_facts_model(spec: DocSpec) -> type[BaseModel]:
    fields: dict[str, Any] = {"doctype": (str | None, None)}
    on_lines, cited = spec.line_facts(), spec.cited_title_facts()
    for name, fact in spec.facts.items():
        typ = _python_type(
            fact,
            name,
            on_its_own_line=name in on_lines,
            cited=name in cited,
            subheadings=spec.subheadings,
        )
        fields[name] = (typ, ...) if fact.required else (typ | None, None)
    return create_model(
        f"Facts_{spec.id.replace('-', '_')}", __config__=ConfigDict(extra="forbid"), **fields
    )


class Facts(BaseModel):
    """Validated facts for one document type."""

    model_config = ConfigDict(frozen=True)

    doctype: str
    values: dict[str, Any]
    """Every fact the spec declares; a missing optional fact is None."""
    source: str | None = None
    """The file the facts came from, when they came from one."""

    def missing(self, spec: DocSpec) -> list[str]:
        """Ids of the declared facts that have no value, in spec order."""
        return [k for k in spec.facts if self.values.get(k) is None]

    def to_json(self) -> dict[str, Any]:
        """The facts as JSON-ready data (dates as ISO strings), without missing ones."""
        data = {k: v for k, v in self.values.items() if v is not None}
        return json.loads(json.dumps(data, ensure_ascii=False, default=str))

    def content_hash(self) -> str:
        """A short hash of the values, for provenance and caching."""
        blob = json.dumps(self.to_json(), ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _describer(spec: DocSpec) -> Callable[[tuple[Any, ...]], str]:
    def describe(loc: tuple[Any, ...]) -> str:
        if not loc or loc[0] not in spec.facts:
            return ""
        fact = spec.facts[loc[0]]
        if len(loc) >= 3 and fact.fields and loc[2] in fact.fields:
            sub = fact.fields[loc[2]]
            return f" ({fact.label}·{sub.label}, {_TYPE_WORDS[sub.type]})"
        extra = f", choices: {'/'.join(fact.choices)}" if fact.choices else ""
        return f" ({fact.label}, {_TYPE_WORDS[fact.type]}{extra})"

    return describe


def _hinter(spec: DocSpec) -> Callable[[tuple[Any, ...], Any], str]:
    def hint(loc: tuple[Any, ...], given: Any) -> str:
        fact = spec.facts.get(loc[0]) if loc else None
        if fact is not None and len(loc) >= 3 and fact.fields and loc[2] in fact.fields:
            sub = fact.fields[loc[2]]
            return typed_values.hint(sub.type, given, required=sub.required)
        if fact is None:
            return ""
        return typed_values.hint(fact.type, given, fact.example, required=fact.required)

    return hint


def _keys(spec: DocSpec) -> Callable[[tuple[Any, ...]], list[str]]:
    def known_keys(loc: tuple[Any, ...]) -> list[str]:
        if not loc:
            return ["doctype", *spec.facts]
        fact = spec.facts.get(loc[0])
        return list(fact.fields) if fact and fact.fields else []

    return known_keys


def _left_empty(value: Any, *, item: bool = False) -> bool:
    """Nothing, blank text, or a list whose every item is left empty (an object-list item
    is empty when every field is): what `draft facts-template` writes for a fact."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list):
        return all(_left_empty(v, item=True) for v in value)
    if item and isinstance(value, dict):
        return all(_left_empty(v) for v in value.values())
    return False


def validate_facts(
    data: Any, spec: DocSpec, *, path: str = "<facts>", lines: LineMap | None = None
) -> Facts:
    """Validate a facts mapping against `spec`; raise InputError naming every problem.

    An optional fact left empty counts as missing (a known gap, written as its marker)."""
    if not isinstance(data, dict):
        raise InputError("a facts file must be a mapping of fact names to values", path=path)
    data = {
        key: None
        if key in spec.facts and not spec.facts[key].required and _left_empty(value)
        else value
        for key, value in data.items()
    }
    try:
        model = facts_model(spec).model_validate(data)
    except ValidationError as exc:
        raise_validation_error(
            exc,
            path=path,
            lines=lines or LineMap(),
            what="facts file",
            describe=_describer(spec),
            known_keys=_keys(spec),
            hint=_hinter(spec),
        )
    values = model.model_dump(exclude={"doctype"})
    return Facts(doctype=spec.id, values=values, source=path)


def load_facts(
    path: str | Path,
    *,
    doctype: str | None = None,
    spec_dirs: list[Path] | None = None,
    templates: bool = True,
) -> tuple[DocSpec, Facts]:
    """Load a facts file and the spec it names (or `doctype`), and validate one against the other.

    `templates=False` loads the spec without its templates (checking needs none)."""
    data, lines = load_structured(path, what="facts file")
    if not isinstance(data, dict):
        raise InputError("a facts file must be a mapping of fact names to values", path=str(path))
    if "format" in data and "sections" in data:
        from pipeline.render.json import DRAFT_FORMAT

        if data["format"] == DRAFT_FORMAT:  # else a dozen "unknown field" lines
            raise InputError(
                "this is a draft saved by `draft run`, not a facts file: render it again "
                "with `draft export`, check it with `draft check`, or give the facts file "
                "it was drafted from",
                path=str(path),
            )
    named = data.get("doctype")
    if named is not None and not isinstance(named, str):
        raise InputError(
            f"field 'doctype': expected a document-type id, got {named!r}",
            path=str(path),
            line=lines.line(("doctype",)),
        )
    if doctype and named and doctype_id(doctype) != doctype_id(named):
        raise InputError(
            f"field 'doctype' says '{named}' but --doctype says '{doctype}'",
            path=str(path),
            line=lines.line(("doctype",)),
        )
    chosen = doctype or (named and named_in(named, Path(path)))
    if not chosen:
        raise InputError(
            "field 'doctype' is missing: name the document type in the file "
            "(doctype: school-ideology-summary) or pass --doctype",
            path=str(path),
        )
    try:
        spec = load_spec(chosen, spec_dirs=spec_dirs, templates=templates)
    except InputError as exc:
        if exc.path is not None or doctype:  # a broken spec names its file; --doctype itself
            raise
        message = f"field 'doctype': {exc}"
        if isinstance(exc, UnknownDoctypeError):
            message = (
                f"field 'doctype': {exc.reason}; for a type of your own, {exc.folder_hint}, "
                f"or name its spec file, relative to this file: 'doctype: DIR/schemas/{named}.yaml'"
            )
        raise InputError(message, path=str(path), line=lines.line(("doctype",))) from None
    return spec, validate_facts(data, spec, path=str(path), lines=lines)
