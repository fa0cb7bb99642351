"""The facts form, generated from a document type's spec, and the way back from form to facts.

`build_form` turns a spec and the facts held so far into view models the template draws:
one input per scalar fact, rows for string lists and object lists, the Chinese label, the
description and the example as hints, and an error beside each field. `parse_form` reads
the posted fields (`fact.<id>`, `fact.<id>.<row>`, `fact.<id>.<row>.<field>`) back into a
facts mapping, turning what a clerk types (全角数字, “12次”, 十二, 2021年1月15日) into values.
`check_form` validates that mapping with the same pydantic model as `draft run`
(`pipeline.facts.facts_model`) and maps each error onto the form field it belongs to,
worded in plain Chinese.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from pipeline import typed_values
from pipeline.facts import (
    ONLY_PUNCTUATION_ERROR,
    PATTERN_ERROR,
    STRAY_DOT_ERROR,
    Facts,
    facts_model,
    validate_facts,
)
from pipeline.filling import coerce
from pipeline.spec import DocSpec, FactSpec, FieldSpec
from pipeline.textio import without_control_characters
from pipeline.validation import closest

PREFIX = "fact."
"""Every facts field in the form is named `fact.<id>[.<row>[.<field>]]`."""

InputKind = Literal["text", "textarea", "number", "date", "select"]


class FieldView(BaseModel):
    """One input: a scalar fact, one field of an object-list row, or one string-list row."""

    name: str
    """The form field name."""
    label: str
    kind: InputKind
    value: str = ""
    required: bool = False
    description: str = ""
    example: str = ""
    unit: str | None = None
    choices: list[str] = []
    error: str | None = None


class RowView(BaseModel):
    """One row of a list fact: a single input (string-list) or several (object-list)."""

    index: int
    fields: list[FieldView]


class FactView(BaseModel):
    """One fact as the form draws it."""

    id: str
    label: str
    type: str
    required: bool
    description: str
    example: str
    unit: str | None = None
    field: FieldView | None = None
    """The input of a scalar fact."""
    rows: list[RowView] = []
    """The rows of a list fact."""
    template_row: RowView | None = None
    """An empty row, for the "add" button to copy (index `__i__`)."""
    error: str | None = None
    """An error about the fact as a whole (e.g. a required list left empty)."""

    @property
    def is_list(self) -> bool:
        return self.type in ("string-list", "object-list")


class FormView(BaseModel):
    """The whole facts form."""

    doctype: str
    facts: list[FactView]
    errors: dict[str, str] = {}
    """Every error by form field name."""

    @property
    def error_count(self) -> int:
        return len(self.errors)


class ParsedForm(BaseModel):
    """The facts read from a posted form, and where each value came from."""

    data: dict[str, Any]
    """The facts mapping (`doctype` included), empty rows and blank fields left out."""
    where: dict[str, str] = {}
    """Location in `data` (`id`, `id.0`, `id.0.field`) → the form field name it came from."""


class FormCheck(BaseModel):
    """The outcome of validating a form: valid facts, or errors by form field name."""

    model_config = {"arbitrary_types_allowed": True}

    facts: Facts | None = None
    errors: dict[str, str] = {}
    missing: set[str] = set()
    """Form field names whose only problem is that a required value is blank."""


# ----------------------------------------------------------------------------- building


def _input_kind(field: FieldSpec | FactSpec) -> InputKind:
    if field.type == "enum":
        return "select"
    if field.type in ("integer", "number", "year"):
        return "number"
    if field.type == "date":
        return "date"
    return "text"


def _example_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            return "；".join("，".join(str(v) for v in item.values()) for item in value)
        return "、".join(str(v) for v in value)
    return str(value)


def _text(value: Any) -> str:
    """A stored value as the text an input shows."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


LONG_TEXT = 24
"""A text input becomes a multi-line box when its value or its example is longer than this."""


def _longest_example(example: Any, key: str | None = None) -> int:
    """The length of the longest example value (of field `key` in object-list examples)."""
    items = example if isinstance(example, list) else [example]
    lengths = [
        len(_text(item.get(key) if key and isinstance(item, dict) else item))
        for item in items
        if not isinstance(item, dict) or key
    ]
    return max(lengths, default=0)


def _field_view(
    name: str,
    spec_field: FieldSpec | FactSpec,
    value: Any,
    errors: Mapping[str, str],
    *,
    example: str = "",
    example_length: int = 0,
) -> FieldView:
    kind = _input_kind(spec_field)
    text = _text(value)
    if kind == "text" and max(len(text), example_length) > LONG_TEXT:
        kind = "textarea"
    return FieldView(
        name=name,
        label=spec_field.label,
        kind=kind,
        value=text,
        required=spec_field.required,
        description=spec_field.description,
        unit=spec_field.unit,
        choices=list(spec_field.choices or []),
        error=errors.get(name),
        example=example,
    )


def _row(
    fact_id: str, fact: FactSpec, index: int | str, item: Any, errors: Mapping[str, str]
) -> RowView:
    base = f"{PREFIX}{fact_id}.{index}"
    if fact.type == "string-list":
        view = _field_view(base, fact, item, errors, example_length=_longest_example(fact.example))
        return RowView(index=index if isinstance(index, int) else -1, fields=[view])
    fields = []
    item = item if isinstance(item, dict) else {}
    for key, sub in (fact.fields or {}).items():
        example = ""
        if isinstance(fact.example, list) and fact.example and isinstance(fact.example[0], dict):
            example = _text(fact.example[0].get(key))
        fields.append(
            _field_view(
                f"{base}.{key}",
                sub,
                item.get(key),
                errors,
                example=example,
                example_length=_longest_example(fact.example, key),
            )
        )
    return RowView(index=index if isinstance(index, int) else -1, fields=fields)


def build_form(
    spec: DocSpec, data: Mapping[str, Any], errors: Mapping[str, str] | None = None
) -> FormView:
    """The form for `spec` holding `data`, with `errors` (by form field name) beside the fields."""
    errors = dict(errors or {})
    facts = []
    for fact_id, fact in spec.facts.items():
        value = data.get(fact_id)
        view = FactView(
            id=fact_id,
            label=fact.label,
            type=fact.type,
            required=fact.required,
            description=fact.description,
            example=_example_text(fact.example),
            unit=fact.unit,
            error=errors.get(f"{PREFIX}{fact_id}") if fact.type.endswith("-list") else None,
        )
        if fact.type in ("string-list", "object-list"):
            items = value if isinstance(value, list) else []
            view.rows = [_row(fact_id, fact, i, item, errors) for i, item in enumerate(items)]
            if not view.rows:
                view.rows = [_row(fact_id, fact, 0, None, errors)]
            template = _row(fact_id, fact, "__i__", None, {})
            view.template_row = template
        else:
            view.field = _field_view(
                f"{PREFIX}{fact_id}",
                fact,
                value,
                errors,
                example=_example_text(fact.example),
                example_length=_longest_example(fact.example),
            )
        facts.append(view)
    return FormView(doctype=spec.id, facts=facts, errors=errors)


# ----------------------------------------------------------------------------- parsing


def _rows(form: Mapping[str, str], fact_id: str) -> dict[int, dict[str, str]]:
    """The posted rows of a list fact by row index; a row maps field (or "") to text."""
    rows: dict[int, dict[str, str]] = {}
    head = f"{PREFIX}{fact_id}."
    for name, value in form.items():
        if not name.startswith(head):
            continue
        rest = name[len(head) :].split(".", 1)
        if not rest[0].isdigit():
            continue
        rows.setdefault(int(rest[0]), {})[rest[1] if len(rest) > 1 else ""] = value
    return dict(sorted(rows.items()))


def parse_form(spec: DocSpec, form: Mapping[str, str]) -> ParsedForm:
    """Read the facts from posted form fields (see the module docstring for the names).

    Control characters are dropped first: text pasted from Word carries them (a manual line
    break is a vertical tab), invisible in the form, and no document can hold one.
    """
    form = {name: without_control_characters(value) for name, value in form.items()}
    data: dict[str, Any] = {"doctype": spec.id}
    where: dict[str, str] = {}
    for fact_id, fact in spec.facts.items():
        name = f"{PREFIX}{fact_id}"
        where[fact_id] = name
        if fact.type == "string-list":
            items: list[str] = []
            for index, row in _rows(form, fact_id).items():
                text = row.get("", "").strip()
                if text:
                    where[f"{fact_id}.{len(items)}"] = f"{name}.{index}"
                    items.append(text)
            if items:
                data[fact_id] = items
        elif fact.type == "object-list":
            objects: list[dict[str, Any]] = []
            for index, row in _rows(form, fact_id).items():
                item: dict[str, Any] = {}
                for key, sub in (fact.fields or {}).items():
                    value = coerce(sub, row.get(key, ""))
                    if value is not None:
                        item[key] = value
                if item:
                    n = len(objects)
                    where[f"{fact_id}.{n}"] = f"{name}.{index}"
                    for key in fact.fields or {}:
                        where[f"{fact_id}.{n}.{key}"] = f"{name}.{index}.{key}"
                    objects.append(item)
            if objects:
                data[fact_id] = objects
        else:
            value = coerce(fact, form.get(name, ""))
            if value is not None:
                data[fact_id] = value
    return ParsedForm(data=data, where=where)


def form_fields(data: Mapping[str, Any], spec: DocSpec) -> ParsedForm:
    """The `where` map for stored facts (row i came from form row i), for errors on a stored version."""
    where: dict[str, str] = {}
    for fact_id, fact in spec.facts.items():
        where[fact_id] = f"{PREFIX}{fact_id}"
        value = data.get(fact_id)
        if fact.type.endswith("-list") and isinstance(value, list):
            for i in range(len(value)):
                where[f"{fact_id}.{i}"] = f"{PREFIX}{fact_id}.{i}"
                for key in fact.fields or {}:
                    where[f"{fact_id}.{i}.{key}"] = f"{PREFIX}{fact_id}.{i}.{key}"
    return ParsedForm(data=dict(data), where=where)


# ----------------------------------------------------------------------------- checking


def _label(spec: DocSpec, loc: tuple[Any, ...]) -> str:
    fact = spec.facts.get(str(loc[0])) if loc else None
    if fact is None:
        return ""
    if len(loc) >= 3 and fact.fields and loc[2] in fact.fields:
        return fact.fields[str(loc[2])].label
    return fact.label


def _field_spec(spec: DocSpec, loc: tuple[Any, ...]) -> FieldSpec | FactSpec | None:
    fact = spec.facts.get(str(loc[0])) if loc else None
    if fact is not None and len(loc) >= 3 and fact.fields:
        return fact.fields.get(str(loc[2]))
    return fact


def _number(value: Any) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _unknown_key(spec: DocSpec, loc: tuple[Any, ...], given: Any) -> str:
    """A key the document type does not have (a misspelt one in an imported file): ignored,
    with its value quoted, so the clerk can type it where the closest known fact is."""
    fact = spec.facts.get(str(loc[0])) if len(loc) > 1 else None
    known = {k: f.label for k, f in (fact.fields or {}).items()} if fact else {}
    if fact is None:
        known = {k: f.label for k, f in spec.facts.items()}
    key = str(loc[-1])
    value = given if isinstance(given, str | int | float) else None
    text = f"本文种没有“{key}”这一项，已忽略"
    if value not in (None, ""):
        shown = str(value) if len(str(value)) <= 30 else str(value)[:29] + "…"
        text += f"（其值“{shown}”没有填入）"
    near = closest(key, known)
    return text + (f"。是否应为“{known[near]}”（{near}）？" if near else "。")


def chinese_message(error: Mapping[str, Any], spec: DocSpec) -> str:
    """One pydantic error in plain Chinese, naming the field's label."""
    loc = tuple(error["loc"])
    label = _label(spec, loc)
    field = _field_spec(spec, loc)
    ctx = error.get("ctx") or {}
    given = error.get("input")
    kind = error["type"]
    unit = field.unit if field is not None and field.unit else ""
    if kind == "missing":
        return f"“{label}”是必填项，请填写。"
    if kind == "string_too_short":
        return f"“{label}”不能为空。"
    if kind == "string_too_long":
        return f"“{label}”太长：最多 {ctx.get('max_length'):,} 字，请只填写事实本身。"
    if kind == "name_too_long":
        return (
            f"“{label}”写在标题、小标题或落款中，最多 {ctx.get('limit')} 字，现有 "
            f"{ctx.get('count')} 字：请按落款署名的写法填写名称。"
        )
    if kind == "cited_title_too_long":
        return (
            f"“{label}”是标题中书名号内的文件标题，最多 {ctx.get('limit')} 字，现有 "
            f"{ctx.get('count')} 字：请只填写文件标题本身，不含文号和正文。"
        )
    if kind == "subheading_too_long":
        return (
            f"“{label}”写作小标题（（一）……），最多 {ctx.get('limit')} 字，现有 {ctx.get('count')} 字："
            "请写简短的标题，其余内容写在正文中。"
        )
    if kind == ONLY_PUNCTUATION_ERROR:
        return f"“{label}”只有标点符号，请填写内容。"
    if kind == "too_short":
        return f"“{label}”至少要填写一项。"
    numeric = field is not None and field.type in ("integer", "number")  # a year: 二〇二一
    two = typed_values.two_numerals(given) if numeric and isinstance(given, str) else None
    if two is not None and kind in ("int_type", "int_parsing", "float_type", "float_parsing"):
        return (
            f"“{label}”填写的“{given}”中，“{two}”可理解为{two[0]}或{two[1]}，请填写一个确切的数。"
        )
    if kind in ("int_type", "int_parsing", "int_from_float"):
        if field is not None and field.type == "year":
            return f"“{label}”应填写四位数的年份，如 2020；“{given}”不是年份。"
        return f"“{label}”应填写整数，如 86 或 八十六；“{given}”不是整数。"
    if kind in ("float_type", "float_parsing"):
        return f"“{label}”应填写数字，“{given}”不是数字。"
    if kind in ("greater_than_equal", "greater_than"):
        return f"“{label}”不能小于 {_number(ctx.get('ge', ctx.get('gt')))}{unit}，填写的是 {_number(given)}。"
    if kind in ("less_than_equal", "less_than"):
        return f"“{label}”不能大于 {_number(ctx.get('le', ctx.get('lt')))}{unit}，填写的是 {_number(given)}。"
    if kind.startswith("date"):
        return f"“{label}”应填写日期（年、月、日齐全），如 2021年1月15日；“{given}”无法识别为日期。"
    if kind == "literal_error":
        choices = "、".join(field.choices or []) if field is not None else ""
        return f"“{label}”只能从以下选项中选择：{choices}。"
    if kind == STRAY_DOT_ERROR:
        return (
            f"“{label}”中的“{ctx.get('mark')}”夹在汉字之间：人名中的间隔号请写作“·”"
            f"（{ctx.get('name')}），其他地方请删去。"
        )
    if kind == PATTERN_ERROR:
        return f"“{label}”{ctx.get('hint')}；填写的是“{given}”。"
    if kind == "string_type":
        return f"“{label}”应填写文字。"
    if kind == "list_type":
        return f"“{label}”应逐项填写。"
    if kind == "extra_forbidden":
        return _unknown_key(spec, loc, given)
    return f"“{label}”填写有误：{error.get('msg', '')}。"


def _target(loc: tuple[Any, ...], where: Mapping[str, str]) -> str:
    """The form field name an error at `loc` belongs to (its deepest known prefix)."""
    parts = [str(p) for p in loc]
    for n in range(len(parts), 0, -1):
        name = where.get(".".join(parts[:n]))
        if name:
            return name
    return f"{PREFIX}{parts[0]}" if parts else "form"


def check_form(spec: DocSpec, parsed: ParsedForm) -> FormCheck:
    """Validate the facts; on failure, every error in Chinese under its form field name."""
    data = parsed.data
    try:
        facts_model(spec).model_validate(data)
    except ValidationError as exc:
        errors: dict[str, str] = {}
        missing: set[str] = set()
        for err in exc.errors(include_url=False):
            name = _target(tuple(err["loc"]), parsed.where)
            if name not in errors and err["type"] == "missing":
                missing.add(name)
            errors.setdefault(name, chinese_message(err, spec))
        return FormCheck(errors=errors, missing=missing)
    return FormCheck(facts=validate_facts(dict(data), spec, path="网页表单"))


def facts_yaml(spec: DocSpec, data: Mapping[str, Any]) -> str:
    """The facts as a YAML facts file (doctype first, facts in spec order) for export."""
    import yaml

    ordered: dict[str, Any] = {"doctype": spec.id}
    for fact_id in spec.facts:
        if data.get(fact_id) is not None:
            ordered[fact_id] = data[fact_id]
    header = f"# {spec.name}（{spec.id}）事实文件，由 Draftsmith 网页导出\n"
    body = yaml.safe_dump(
        json.loads(json.dumps(ordered, ensure_ascii=False, default=str)),
        allow_unicode=True,
        sort_keys=False,
        width=1000,
    )
    return header + body


def example_data(spec: DocSpec) -> dict[str, Any]:
    """Every fact's example value: a filled-in form to start from."""
    data = {k: f.example for k, f in spec.facts.items() if f.example is not None}
    return json.loads(json.dumps(data, ensure_ascii=False, default=str))


def filled_count(spec: DocSpec, data: Mapping[str, Any]) -> tuple[int, int]:
    """(facts with a value, facts declared)."""
    return sum(1 for k in spec.facts if data.get(k) not in (None, "", [])), len(spec.facts)


def missing_labels(spec: DocSpec, data: Mapping[str, Any]) -> list[str]:
    """Labels of the facts still without a value, in spec order; a required one says so
    (it is not left as a marker: the draft waits for it). One the draft leaves out when
    missing is no gap, so not listed: `absent: omit` (附件), or the `when` fact of a section
    that only that section uses (月度工作安排: left blank, the section is not written)."""
    used = {name for s in spec.sections for name in s.facts if name != s.when}
    sections_only = {s.when for s in spec.sections if s.when} - used
    return [
        f"{f.label}（必填）" if f.required else f.label
        for k, f in spec.facts.items()
        if data.get(k) in (None, "", []) and f.absent == "marker" and k not in sections_only
    ]
