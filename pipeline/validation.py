"""Turning pydantic validation errors into messages a user can act on.

A message names the file, the field path (with the line where the YAML loader knows it),
the Chinese label of the fact where there is one, what was given and what was expected.
"""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NoReturn, TypeVar, get_args, get_origin

from pydantic import BaseModel, ValidationError

from pipeline.errors import InputError
from pipeline.textio import LineMap, load_structured

M = TypeVar("M", bound=BaseModel)

_EXPECTED = {
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "finite_number": "a finite number (not .nan, .inf or NaN)",
    "string_type": "text",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping of keys to values",
    "model_type": "a mapping of keys to values",
    "model_attributes_type": "a mapping of keys to values",
    "date_type": "a date such as 2021-01-15",
    "date_parsing": "a date such as 2021-01-15",
    "date_from_datetime_parsing": "a date such as 2021-01-15",
    "date_from_datetime_inexact": "a date such as 2021-01-15, without a time",
    "missing": "a value (this field is required)",
    "string_too_short": "non-empty text",
    "too_short": "at least one item",
}


FACT_ID = r"^[a-z][a-z0-9_]*$"
DOCTYPE_ID = r"^[a-z][a-z0-9-]*$"
NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
FINDING_CODE = r"^[a-z]+\.[a-z0-9-]+$"
_PATTERNS = {
    FACT_ID: "an id of lowercase ASCII letters, digits and _, starting with a letter, such as "
    "school_name (a Chinese name goes in its label or heading)",
    DOCTYPE_ID: "an id of lowercase ASCII letters, digits and -, starting with a letter, such "
    "as school-ideology-summary (a Chinese name goes in 'name')",
    NAME: "a name of ASCII letters, digits, _, . and -, starting with a letter or digit, "
    "such as missing-numbers",
    FINDING_CODE: "a finding code such as gap.silent or facts.unsupported-number",
}
"""The id patterns of the files' fields, said in words (pydantic would quote the regex)."""


_BOUNDS = {
    "greater_than_equal": ("≥", "ge"),
    "greater_than": (">", "gt"),
    "less_than_equal": ("≤", "le"),
    "less_than": ("<", "lt"),
}
"""pydantic's bound errors, said the way the other messages are ("expected a value ≥ 0")."""


def error_reason(err: Any) -> str:
    """What one pydantic error expected, in the words of every other message ("expected an
    integer", "expected a value ≥ 0"; our validators' own words as they are)."""
    kind = err["type"]
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}"
    if kind in ("literal_error", "enum"):
        return f"expected one of {', '.join(repr(c) for c in _choices(err))}"
    if kind == "string_pattern_mismatch":
        pattern = str((err.get("ctx") or {}).get("pattern", ""))
        return f"expected {_PATTERNS.get(pattern, f'text matching {pattern}')}"
    if kind == "string_too_long":
        return f"expected at most {(err.get('ctx') or {}).get('max_length')} characters"
    if kind in _BOUNDS:
        sign, key = _BOUNDS[kind]
        return f"expected a value {sign} {(err.get('ctx') or {}).get(key)}"
    return str(err["msg"]).removeprefix("Value error, ")


def _choices(err: Any) -> list[str]:
    """The values a `literal_error` allowed, from pydantic's "'a', 'b' or 'c'"."""
    return re.findall(r"'([^']*)'", str((err.get("ctx") or {}).get("expected", "")))


def format_path(loc: Iterable[Any]) -> str:
    """Render a key path as `a.b[2].c`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice closest to a misspelt `word`, or None when none is close."""
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return match[0] if match else None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ` did you mean 'x'?` suffix when a close match exists, else an empty string."""
    match = closest(word, choices)
    return f"; did you mean '{match}'?" if match else ""


def did_you_mean_or_list(word: str, choices: list[str], *, listed: str, empty: str = "") -> str:
    """The ` did you mean` suffix for a close match; else `; <listed>: ` and the choices (the
    first 8); else, with no choices, `empty`."""
    if not choices:
        return empty
    more = ", …" if len(choices) > 8 else ""
    return did_you_mean(word, choices) or f"; {listed}: {', '.join(choices[:8])}{more}"


def given_text(value: Any) -> str:
    """A value as a message quotes it: short, and a date as written (2023-01-01), not as
    Python shows it."""
    text = repr(value.isoformat() if isinstance(value, datetime.date) else value)
    return text if len(text) <= 60 else text[:57] + "..."


_DATE_AS_TEXT = (
    "; YAML and TOML read an unquoted date as a date: put it in quotes to give it as text"
)


SECRET_ERROR = "secret_value"
"""The error type of a field whose bad value may be a secret: it is never quoted back."""


def raise_validation_error(
    exc: ValidationError,
    *,
    path: str,
    lines: LineMap,
    what: str,
    describe: Callable[[tuple[Any, ...]], str] = lambda loc: "",
    known_keys: Callable[[tuple[Any, ...]], Iterable[str]] = lambda loc: (),
    shown: Callable[[tuple[Any, ...]], tuple[Any, ...]] = lambda loc: loc,
    hint: Callable[[tuple[Any, ...], Any], str] = lambda loc, given: "",
    needed: Callable[[tuple[Any, ...]], str] = lambda loc: "",
) -> NoReturn:
    """Raise one InputError listing every problem in `exc`, each on its own line.

    `describe(loc)` adds the label and expected form of the field at `loc`;
    `known_keys(loc)` lists the keys allowed in the mapping holding `loc`, for "did you mean";
    `shown(loc)` is the key path as the file has it (without pydantic's tags of a union's
    forms, `assert[0].metric.min` → `assert[0].min`);
    `hint(loc, given)` says which form to use instead of a value of the wrong type;
    `needed(loc)` says why a missing field is needed and what to write.
    """
    problems: list[tuple[int | None, str]] = []
    for err in exc.errors(include_url=False):
        raw = tuple(err["loc"])
        loc = shown(raw)
        is_key = bool(loc) and loc[-1] == "[key]"  # pydantic's place for a mapping's bad key
        if is_key:
            loc = loc[:-1]
        field = format_path(loc)
        about = describe(loc)
        kind = err["type"]
        ctx = err.get("ctx") or {}
        if kind in ("extra_forbidden", "invalid_key"):  # invalid_key: YAML's number key, 2020:
            loc = (*loc[:-1], str(loc[-1]))
            field = format_path(loc)
            known = list(known_keys(raw[:-1]))
            msg = f"unknown field '{field}'" + did_you_mean_or_list(
                str(loc[-1]), known, listed="expected one of"
            )
        elif kind in ("union_tag_invalid", "union_tag_not_found"):  # the key that picks a form
            key = str(ctx.get("discriminator", "type")).strip("'")
            loc = (*loc, key)
            field = format_path(loc)
            if kind == "union_tag_not_found":
                msg = f"field '{field}' is required but missing"
            else:
                tags = [t.strip(" '") for t in str(ctx.get("expected_tags", "")).split(",")]
                tag = str(ctx.get("tag"))
                msg = (
                    f"field '{field}': unknown {key} '{tag}', expected one of "
                    f"{', '.join(tags)}{did_you_mean(tag, tags)}"
                )
        elif kind == "missing":
            msg = f"field '{field}'{about} is required but missing{needed(loc)}"
        elif err.get("input", "") is None:  # `key:` with nothing after it, as a template has
            if loc and isinstance(loc[-1], int):
                msg = f"field '{field}'{about}: an empty item; fill it in or delete it"
            else:
                msg = f"field '{field}'{about} is required but left empty"
        else:
            given = err.get("input")
            # a rule across a whole mapping or list (duplicate ids…) does not quote it back
            whole = isinstance(given, dict | list) and kind == "value_error"
            quiet = whole or isinstance(given, dict) or kind == SECRET_ERROR
            got = "" if quiet else f", got {given_text(given)}"
            where = f"{'key' if is_key else 'field'} '{field}'{about}: " if loc else ""
            suggestion = did_you_mean(given, _choices(err)) if isinstance(given, str) else ""
            if not suggestion and not quiet:
                suggestion = hint(loc, given)
            if not suggestion and kind == "string_type" and isinstance(given, datetime.date):
                suggestion = _DATE_AS_TEXT
            msg = f"{where}{error_reason(err)}{got}{suggestion}"
        problems.append((lines.line(loc), msg))
    problems.sort(key=lambda p: p[0] or 0)
    if len(problems) == 1:
        line, msg = problems[0]
        raise InputError(msg, path=path, line=line) from None
    body = "\n  ".join(f"line {n}: {m}" if n else m for n, m in problems)
    raise InputError(f"{len(problems)} problems in this {what}:\n  {body}", path=path) from None


def load_model(path: str | Path, model: type[M], *, what: str, expected: str) -> M:
    """Read the YAML or JSON file `path` as one `model` (a lexicon, a word list…); a file that
    is no mapping (`expected` says of what) or breaks the model is an InputError naming the
    file, the field and what was expected."""
    data, lines = load_structured(path, what=what)
    if not isinstance(data, dict):
        article = "an" if what[:1] in "aeiou" else "a"
        raise InputError(f"{article} {what} must be {expected}", path=str(path))
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise_validation_error(exc, path=str(path), lines=lines, what=what)


def annotation_at(model: type[BaseModel], loc: Iterable[Any]) -> Any:
    """The annotation of the value at `loc` of `model`: a field's, a list item's or a
    mapping value's, an optional one (`X | None`) read as X; None past what `model` declares."""
    annotation: Any = model
    for part in loc:
        annotation = _required(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(str(part))
            annotation = field.annotation if field is not None else None
        else:  # an item of a list, a value of a mapping
            args = get_args(annotation)
            annotation = args[-1] if args else None
    return _required(annotation)


def _required(annotation: Any) -> Any:
    """`X` for an optional `X | None`, else `annotation` as it is."""
    args = get_args(annotation)
    if type(None) in args and get_origin(annotation) not in (list, dict, tuple):
        rest = [a for a in args if a is not type(None)]
        if len(rest) == 1:
            return rest[0]
    return annotation


def field_names_at(model: type[BaseModel], loc: Iterable[Any]) -> list[str]:
    """The keys the mapping at `loc` of `model` takes (a model's fields, those written out),
    for a message about a key it does not take; none where `loc` is no model."""
    annotation = annotation_at(model, loc)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [name for name, f in annotation.model_fields.items() if not f.exclude]
    return []


_KINDS = {str: "text", int: "an integer", float: "a number", bool: "true or false"}


def expected_at(model: type[BaseModel], loc: Iterable[Any]) -> str:
    """What the field at `loc` of `model` holds, in words ("text", "a list"): what a message
    about a missing field says was expected."""
    annotation = annotation_at(model, loc)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "a mapping of keys to values"
    origin = get_origin(annotation) or annotation
    if origin is list:
        return "a list"
    if origin is dict:
        return "a mapping of keys to values"
    return _KINDS.get(annotation, "a value")
