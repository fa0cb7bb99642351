"""How large a value a template's operation would make, estimated before it runs.

The template sandbox (`pipeline.template_sandbox`) refuses an operator, filter or method call whose
result would be larger than it allows: doubling a string forty times, `'x' * 10**10` or
`s | replace('a', s)` would otherwise take the memory before any check saw the result.
Sizes count characters, items and digits; a nested value counts each time it appears
(`[s] * 3` is three times `s`), as it would when written out.
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Callable, Sized
from typing import Any

_FORMAT_WIDTH = re.compile(r"%[-#0 +]*(?:\(\w*\))?(\d*|\*)(?:\.(\d+|\*))?")
"""A printf-style field of `%`, with its width and precision (digits, or `*` from the args)."""
_DIGITS = re.compile(r"\d+")
_SMALL_INT_BITS = 64
"""Integers up to this many bits count as one item; larger ones by their digits."""


def size_of(value: Any, limit: int) -> tuple[int, int]:
    """The size of `value`, counted no further than just past `limit`, and how many items of
    lists, tuples, sets and dicts were looked at (the cost of measuring)."""
    total = visited = 0
    stack = [value]
    while stack and total <= limit:
        v = stack.pop()
        if isinstance(v, str | bytes):
            total += len(v)
        elif isinstance(v, int) and v.bit_length() > _SMALL_INT_BITS:
            total += math.ceil(v.bit_length() * math.log10(2))
        elif isinstance(v, dict):
            total += len(v)
            visited += 2 * len(v)
            stack.extend(v.keys())
            stack.extend(v.values())
        elif isinstance(v, list | tuple | set | frozenset):
            total += len(v)
            visited += len(v)
            stack.extend(v)
    return total, visited


Measure = Callable[[Any], int]
"""The size of a value (`size_of` within a rendering's budget)."""


def _count(value: Any) -> int:
    return len(value) if isinstance(value, Sized) else 0


def binop_size(measure: Measure, operator: str, left: Any, right: Any) -> float:
    """About how large `left <operator> right` would be."""
    if operator == "*":
        for seq, n in ((left, right), (right, left)):
            if isinstance(seq, str | bytes | list | tuple) and isinstance(n, int):
                return measure(seq) * max(n, 0)
        if isinstance(left, int) and isinstance(right, int):
            return measure(left) + measure(right)
    elif operator == "+":
        if isinstance(left, str | bytes | list | tuple) and isinstance(right, type(left)):
            return measure(left) + measure(right)
    elif operator == "**" and isinstance(left, int | float) and isinstance(right, int | float):
        if abs(left) > 1 and right > 0:
            return right * math.log10(abs(left))
    elif operator == "%" and isinstance(left, str):
        return percent_size(measure, left, right)
    return 0


def percent_size(measure: Measure, fmt: str, args: Any) -> float:
    """About how large `fmt % args` would be: every field may write all of `args`, padded
    to its width (a `*` width is one of the args)."""
    fields = list(_FORMAT_WIDTH.finditer(fmt))
    widths = sum(int(n) for m in fields for n in m.groups() if n and n != "*")
    if any("*" in m.groups() for m in fields):
        given = args if isinstance(args, tuple) else (args,)
        widths += sum(abs(a) for a in given if isinstance(a, int))
    return len(fmt) + widths + len(fields) * measure(args)


def brace_size(measure: Measure, fmt: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> float:
    """About how large `fmt.format(*args, **kwargs)` would be: every field may write all of
    the arguments, padded to its width (a nested `{}` width is one of the arguments)."""
    fields = [spec for _, name, spec, _ in string.Formatter().parse(fmt) if name is not None]
    widths = sum(int(n) for spec in fields for n in _DIGITS.findall(spec or ""))
    if any("{" in (spec or "") for spec in fields):
        widths += sum(abs(a) for a in (*args, *kwargs.values()) if isinstance(a, int))
    return len(fmt) + widths + len(fields) * (measure(args) + measure(kwargs))


def _replace_size(
    measure: Measure, text: Any, old: Any, new: Any, count: int | None = None, *_: Any
) -> float:
    if not isinstance(text, str | bytes) or type(old) is not type(text):
        return measure(text)
    counted: Any = text  # a str counting a str, or bytes counting bytes
    times = counted.count(old) if old else len(text) + 1
    if isinstance(count, int) and count >= 0:
        times = min(times, count)
    return len(text) + times * max(measure(new) - len(old), 0)


def _padded_size(measure: Measure, text: Any, width: Any = 80, *_: Any) -> float:
    return max(measure(text), width if isinstance(width, int) else 0)


def _joined_size(measure: Measure, items: Any, sep: Any = "", *_: Any, **__: Any) -> float:
    return measure(items) + _count(items) * measure(sep)


FILTER_SIZES: dict[str, Callable[..., float]] = {
    "center": _padded_size,
    "indent": lambda measure, text, width=4, *_, **__: (
        measure(text)
        + (str(text).count("\n") + 1) * (width if isinstance(width, int) else measure(width))
    ),
    "join": _joined_size,
    "series": _joined_size,
    "replace": _replace_size,
    "format": lambda measure, fmt, *args, **kwargs: (
        percent_size(measure, fmt, kwargs or args) if isinstance(fmt, str) else 0
    ),
    "batch": lambda measure, items, linecount, fill_with=None: (
        measure(items) + (0 if fill_with is None else linecount * (1 + measure(fill_with)))
    ),
    "slice": lambda measure, items, slices, fill_with=None: (
        measure(items) + slices * (1 + measure(fill_with))
    ),
    "wordwrap": lambda measure, text, width=79, brk=True, wrapstring=None, *_, **__: (
        measure(text) + (measure(text) + 1) * max(measure(wrapstring), 1)
    ),
}
"""By filter, the size of its result from its arguments, for the filters whose result can
be far larger than what they are given (every filter's result is measured too)."""

_METHOD_SIZES: dict[str, Callable[..., float]] = {
    "center": _padded_size,
    "ljust": _padded_size,
    "rjust": _padded_size,
    "zfill": _padded_size,
    "expandtabs": lambda measure, text, tabsize=8: len(text) + str(text).count("\t") * tabsize,
    "replace": _replace_size,
    "join": lambda measure, sep, items: _joined_size(measure, items, sep),
}
"""By method of `str` and `bytes`, the size of its result (format: `brace_size`)."""


def method_size(
    measure: Measure, method: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> float:
    """About how large calling `method` (a template's `s.center(9)`, `s.format(…)`) would
    make its result: 0 for a method whose result is no larger than what it is given."""
    # The sandbox hands templates a wrapper of str.format that keeps the original.
    bound = getattr(method, "__wrapped__", method)
    owner, name = getattr(bound, "__self__", None), getattr(bound, "__name__", "")
    if not isinstance(owner, str | bytes):
        return 0
    if name in ("format", "format_map") and isinstance(owner, str):
        if name == "format_map":
            mapping = args[0] if args else None
            return brace_size(measure, owner, (), mapping if isinstance(mapping, dict) else {})
        return brace_size(measure, owner, args, kwargs)
    estimate = _METHOD_SIZES.get(name)
    return estimate(measure, owner, *args, **kwargs) if estimate else 0
