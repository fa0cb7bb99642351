"""Section prompt templates: Jinja2 in a sandbox, strict about undefined names.

Each section has one template, `prompts/<doctype>/<section>.j2`, that extends the shared
layout (`prompts/_shared/section.j2`) and fills two blocks:

- `skeleton`: the section written deterministically from the facts; the offline model's
  draft, and the ground a real model is asked to write from;
- `guidance`: what a model should take care of in this section.

Fact values are inserted as values, never rendered as templates. A missing optional fact
renders as its marker 【待补充：<label>】. A template that names a fact the spec does not
declare fails when the spec loads, not later as an empty string.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal, ParamSpec, cast

import jinja2
from jinja2 import meta
from jinja2.bccache import Bucket
from jinja2.debug import rewrite_traceback_stack
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel

from pipeline import __version__, paths
from pipeline.errors import DraftsmithError, InputError
from pipeline.items import clause as _clause
from pipeline.items import series_item
from pipeline.markers import marker
from pipeline.numerals import to_chinese
from pipeline.spec import DocSpec, SectionSpec
from pipeline.template_sizes import FILTER_SIZES, binop_size, method_size, size_of
from pipeline.textio import load_structured, read_text
from pipeline.validation import did_you_mean, did_you_mean_or_list, format_path
from pipeline.weekdays import weekday_cn

SHARED_DIR = "_shared"
CONTEXT_NAMES = frozenset({"doc", "section", "section_facts", "skeleton"})
"""Names every template may use besides the facts and the helpers."""


class Missing:
    """A fact the user has not given: renders as its marker, is falsy, iterates as empty."""

    __slots__ = ("label",)

    def __init__(self, label: str):
        self.label = label

    def __str__(self) -> str:
        return marker(self.label)

    def __bool__(self) -> bool:
        return False

    def __iter__(self) -> Iterator[Any]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def __getattr__(self, name: str) -> Missing:
        if name.startswith("_"):
            raise AttributeError(name)
        return self

    def __getitem__(self, key: Any) -> Missing:
        return self

    def __repr__(self) -> str:
        return f"Missing({self.label!r})"


class Item(dict[str, Any]):
    """One item of an `object-list` fact in a template's context: a field the fact does
    not have is named as such, with the fact's fields, not as a 'dict object' attribute."""

    def __init__(self, values: dict[str, Any], fact: str, label: str) -> None:
        super().__init__(values)
        self._fact = (fact, label)  # private: the sandbox hides it from templates

    def unknown_field(self, name: str) -> str:
        """The message for a template asking the item for field `name`."""
        fact, label = self._fact
        hint = did_you_mean_or_list(name, list(self), listed="its fields are")
        return f"'{name}' is not a field of the items of '{fact}' ({label}){hint}"


class _Undefined(jinja2.StrictUndefined):
    """Jinja's strict undefined value, naming the fact of an `Item` asked for a field it
    does not have."""

    @property
    def _undefined_message(self) -> str:
        obj, name = self._undefined_obj, self._undefined_name
        if isinstance(obj, Item) and isinstance(name, str) and not self._undefined_hint:
            return obj.unknown_field(name)
        return str(super()._undefined_message)


class Message(BaseModel):
    """One chat message sent to a model."""

    role: Literal["system", "user", "assistant"]
    content: str


class SectionPrompt(BaseModel):
    """Everything needed to draft one section."""

    section_id: str
    heading: str | None
    """The heading without its number, rendered."""
    messages: list[Message]
    skeleton: str
    """The section body written from the facts: paragraphs separated by newlines."""
    template_hash: str


class TemplateFailure(InputError):
    """A template raised an error while rendering: names what failed, its file and the case."""

    def __init__(
        self,
        what: str,
        detail: str,
        *,
        path: str | None,
        case: str = "the facts given",
        line: int | None = None,
    ) -> None:
        self.what, self.detail = what, detail
        super().__init__(f"{what} fails with {case}: {detail}", path=path, line=line)


def _template_line(path: str | None) -> int | None:
    """The line of the template file `path` where the exception being handled was raised,
    None when it was not raised there. Jinja's traceback rewriting (as its own rendering
    does) gives each template frame its file and template line."""
    line, tb = None, rewrite_traceback_stack().__traceback__
    while tb is not None:
        if path is not None and tb.tb_frame.f_code.co_filename == path:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


@contextlib.contextmanager
def _failing_as(what: str, path: str | None) -> Iterator[None]:
    """Render within one `_RenderBudget`, and report any error a template raises while
    rendering as a TemplateFailure."""
    token = _BUDGET.set(_RenderBudget())
    try:
        yield
    except DraftsmithError:
        raise
    except jinja2.UndefinedError as exc:
        detail = exc.message or str(exc)
        raise TemplateFailure(what, detail, path=path, line=_template_line(path)) from None
    except Exception as exc:  # a template is code: any error it raises is the template's
        detail, line = f"{type(exc).__name__}: {exc}", _template_line(path)
        raise TemplateFailure(what, detail, path=path, line=line) from None
    finally:
        _BUDGET.reset(token)


# ----------------------------------------------------------------------------- helpers

_P = ParamSpec("_P")


def _passes_missing(fn: Callable[_P, str]) -> Callable[_P, str]:
    """`fn` as a template filter that hands a Missing value on untouched."""

    def wrapper(value: Any, *args: Any, **kwargs: Any) -> str | Missing:
        return value if isinstance(value, Missing) else fn(value, *args, **kwargs)

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    # Only a template hands these a Missing (and gets it back); Python callers pass fn's own
    # arguments and get its str, so they keep fn's signature.
    return cast(Callable[_P, str], wrapper)


@_passes_missing
def cn(value: int) -> str:
    """19 → 十九: a Chinese numeral, for ordinals such as 党的十九大 and 一是/二是."""
    return to_chinese(int(value))


@_passes_missing
def series(items: list[Any], sep: str = "、") -> str:
    """Join items with 、 (or `sep`), each without the number, punctuation or 等 a user ends
    it with (教师阅览室；, 休闲书吧等 → 教师阅览室、休闲书吧)."""
    return sep.join(filter(None, map(series_item, items)))


@_passes_missing
def quoted(items: list[Any]) -> str:
    """Quote each item with “” and run them together: “甲”“乙” (items without their final
    punctuation or quotation marks of their own)."""
    texts = (series_item(i).strip('“”"') for i in items)
    return "".join(f"“{text}”" for text in texts if text)


def book_title(value: Any) -> str:
    """A document's title in 书名号: 《关于做好意识形态工作的通知》, whether or not the user
    typed the 《》 (or quotation marks) and a final 。 (a missing title: its marker in 《》)."""
    if isinstance(value, Missing):
        return f"《{value}》"
    text = _clause(value)
    pair = text[:1] + text[-1:]
    if pair in ("《》", "“”", '""') and not any(ch in text[1:-1] for ch in pair):
        text = text[1:-1].strip()
    return f"《{text}》"


@_passes_missing
def date_cn(value: dt.date | str, weekday: bool = False) -> str:
    """2021-01-15 → 2021年1月15日 (GB/T 9704: Arabic numerals, no leading zeros); with
    `weekday`, 2025-03-06 → 2025年3月6日（星期四）, the weekday computed, never copied."""
    d = dt.date.fromisoformat(value) if isinstance(value, str) else value
    written = f"{d.year}年{d.month}月{d.day}日"
    return f"{written}（{weekday_cn(d)}）" if weekday else written


@_passes_missing
def until(end: dt.date | str, start: Any = None) -> str:
    """The last day of a period begun on `start`: 3月31日 after 2025年3月1日至 (the year is
    the start's), in full when the year differs or the start is missing."""
    last = dt.date.fromisoformat(end) if isinstance(end, str) else end
    first = dt.date.fromisoformat(start) if isinstance(start, str) else start
    if isinstance(first, dt.date) and first.year == last.year:
        return f"{last.month}月{last.day}日"
    return date_cn(last)


@_passes_missing
def sentence(text: str) -> str:
    """Text ending in one full stop: strips a leading item number and trailing punctuation
    and adds 。."""
    return _clause(text) + "。"


@_passes_missing
def clause(text: str) -> str:
    """Text without a leading item number and trailing punctuation, to be continued by the
    template."""
    return _clause(text)


AREA_LEVELS = ("省", "市", "县", "区", "乡", "镇", "街道")
"""The levels of an area an office belongs to: what 全县, 我镇 and 县委 are written with."""
_ORGANS = {
    "党委": {"乡": "乡党委", "镇": "镇党委", "街道": "街道党工委"},
    "政府": {"街道": "街道办事处"},
    "人民政府": {"街道": "街道办事处"},
    # An area's own institutions: what the same body is called at each level (a 镇's
    # 派出所 is a 县's 公安局); a level not listed writes the level and the kind.
    "派出所": {"省": "省公安厅", "市": "市公安局", "县": "县公安局", "区": "区公安分局"},
    "公安局": {
        "省": "省公安厅",
        "区": "区公安分局",
        "乡": "乡派出所",
        "镇": "镇派出所",
        "街道": "街道派出所",
    },
    "司法所": {"省": "省司法厅", "市": "市司法局", "县": "县司法局", "区": "区司法局"},
    "司法局": {"省": "省司法厅", "乡": "乡司法所", "镇": "镇司法所", "街道": "街道司法所"},
    "卫生院": {
        "省": "省人民医院",
        "市": "市人民医院",
        "县": "县人民医院",
        "区": "区人民医院",
        "街道": "社区卫生服务中心",
    },
    "人民医院": {"乡": "乡卫生院", "镇": "镇卫生院", "街道": "社区卫生服务中心"},
    "教育局": {"省": "省教育厅", "乡": "乡中心学校", "镇": "镇中心学校", "街道": "区教育局"},
    "中心学校": {
        "省": "省教育厅",
        "市": "市教育局",
        "县": "县教育局",
        "区": "区教育局",
        "街道": "区教育局",
    },
    # A 乡, 镇 or 街道 has no health bureau: the one above it leads its health work.
    "卫生健康局": {
        "省": "省卫生健康委员会",
        "市": "市卫生健康委员会",
        "乡": "县卫生健康局",
        "镇": "县卫生健康局",
        "街道": "区卫生健康局",
    },
}
INSTITUTIONS = tuple(k for k in _ORGANS if k not in ("党委", "政府", "人民政府"))
"""The institutions `organ` knows at every level (派出所, 卫生院, 教育局…)."""


@_passes_missing
def organ(level: str, kind: str) -> str:
    """The party committee, the government or an institution of an area's level, as reports
    write them: 县 → 县委, 镇 → 镇党委, 街道 → 街道党工委 (`kind` 党委); 县 → 县政府,
    街道 → 街道办事处 (`kind` 政府 or 人民政府); 镇 → 镇派出所, 县 → 县公安局 (`kind` 派出所)."""
    default = f"{level}委" if kind == "党委" else f"{level}{kind}"
    return _ORGANS.get(kind, {}).get(level, default)


FILTERS = {
    "cn": cn,
    "organ": organ,
    "series": series,
    "quoted": quoted,
    "book_title": book_title,
    "date_cn": date_cn,
    "until": until,
    "sentence": sentence,
    "clause": clause,
}
GLOBALS = {"marker": marker}
REMOVED_GLOBALS = ("lipsum",)
"""Jinja's own globals a template may not use: `lipsum()` writes Latin filler with HTML
tags into the report, which no check finds (Jinja's others: range, dict, cycler, joiner and
namespace, stay)."""

MAX_VALUE_SIZE = 100_000
"""Most characters, items or digits a value a template makes may have: its operators
(`~`, `+`, `*`, `%`, `**`), filters and method calls are refused past it. A document type
shared by another office that writes `{{ 'x' * 1000000000 }}`, or doubles a string forty
times in a loop of forty steps, is refused, not rendered until the memory runs out."""
MAX_LOOP_STEPS = 100_000
"""Most steps all `{% for %}` loops of one rendering may take together: the sandbox bounds
one `range()` to 100,000, but loops inside loops multiply, and a type from `--spec-dir`
looping `range(100000)` twice made `draft run` hang."""
MAX_RENDERED_SIZE = 1_000_000
"""Most characters one rendering may write (its macros and `{% set %}` blocks counted too)."""
MAX_MEASURED_ITEMS = 10_000_000
"""Most items of lists and dicts one rendering may have measured (against MAX_VALUE_SIZE):
adding a list of 90,000 items to another in each of 100,000 loop steps would take hours."""


class _RenderBudget:
    """What is left of the loop steps, characters and measuring of the rendering under way."""

    def __init__(self) -> None:
        self.steps = MAX_LOOP_STEPS
        self.size = MAX_RENDERED_SIZE
        self.measured = MAX_MEASURED_ITEMS


_BUDGET: ContextVar[_RenderBudget | None] = ContextVar("template_budget", default=None)
"""The budget of the rendering under way (set by `_failing_as`, which every rendering uses)."""


def _too_large(what: str, size: float, *, made: bool = False) -> jinja2.sandbox.SecurityError:
    """The error for `what` making (or about to make) a value past MAX_VALUE_SIZE."""
    verb = "made" if made else "would make"
    return jinja2.sandbox.SecurityError(
        f"{what} {verb} a value of about {size:,.0f} characters, items or digits; a template "
        f"may make at most {MAX_VALUE_SIZE:,}"
    )


def _written_too_much() -> jinja2.sandbox.SecurityError:
    """The error for a rendering writing past MAX_RENDERED_SIZE."""
    return jinja2.sandbox.SecurityError(
        f"the template writes more than {MAX_RENDERED_SIZE:,} characters in one rendering"
    )


_JINJA_CALL_KWARGS = frozenset({"_block_vars", "_loop_vars"})
"""What Jinja adds to a template's call inside a block or loop (for a function taking the
context; `Context.call` drops them for any other)."""


class _Joined(jinja2.visitor.NodeTransformer):
    """Makes every `~` of a template a call of its environment's `joined`: Jinja compiles
    `~` to a join that no sandbox hook sees."""

    def __init__(self, env: jinja2.Environment) -> None:
        self.env = env

    def visit_Concat(self, node: jinja2.nodes.Concat) -> jinja2.nodes.Call:
        self.generic_visit(node)
        joined = jinja2.nodes.EnvironmentAttribute("joined", lineno=node.lineno)
        call = jinja2.nodes.Call(joined, node.nodes, [], None, None, lineno=node.lineno)
        call.set_ctx("load").set_environment(self.env)
        return call


class _BoundedSandbox(SandboxedEnvironment):
    """Jinja's sandbox, with every value a template makes (by `~`, `+`, `*`, `%`, `**`, a
    filter or a method call) bounded by MAX_VALUE_SIZE (the sandbox itself bounds only
    `range`), and one rendering's loops and output bounded by MAX_LOOP_STEPS and
    MAX_RENDERED_SIZE. Intercepted operators are also never folded into constants when a
    template compiles."""

    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self, **options: Any) -> None:
        super().__init__(finalize=self._finalized, **options)

    def measure(self, value: Any) -> int:
        """The size of `value` (see `template_sizes.size_of`), charged to the rendering."""
        size, visited = size_of(value, MAX_VALUE_SIZE)
        budget = _BUDGET.get()
        if budget is not None and visited:
            budget.measured -= visited
            if budget.measured < 0:
                raise jinja2.sandbox.SecurityError(
                    f"the template measures lists of more than {MAX_MEASURED_ITEMS:,} items "
                    "in all in one rendering (each operator or filter given a list measures "
                    "it): build lists from the facts, not large ones over and over"
                )
        return size

    def _bounded(self, what: str, estimate: Callable[[], float]) -> None:
        """Refuse `what` if `estimate` says it would make a value past MAX_VALUE_SIZE (an
        estimate failing on odd arguments leaves the operation to fail in its own words)."""
        try:
            size = estimate()
        except (TypeError, ValueError, AttributeError):
            return
        if size > MAX_VALUE_SIZE:
            raise _too_large(what, size)

    def _made(self, what: str, result: Any) -> Any:
        """`result`, refused if it is larger than MAX_VALUE_SIZE."""
        size = self.measure(result)
        if size > MAX_VALUE_SIZE:
            raise _too_large(what, size, made=True)
        return result

    def call_binop(
        self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any
    ) -> Any:
        self._bounded(f"'{operator}'", lambda: binop_size(self.measure, operator, left, right))
        return super().call_binop(context, operator, left, right)

    def joined(self, *parts: Any) -> str:
        """A template's `a ~ b ~ c` (compiled to this call by `_generate`)."""
        self._bounded("'~'", lambda: sum(map(self.measure, parts)))
        return "".join(map(str, parts))

    def call(
        __self,
        __context: jinja2.runtime.Context,
        __obj: Any,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        """A call from a template; a method of a string, list or dict is refused where it
        would make too large a value (`s.center(10**9)`, `s.replace('a', s)`) or has made
        its result or its own list or dict too large (`l.extend(l)` in a loop). Macros
        write through `concat`, which bounds them."""
        owner = getattr(getattr(__obj, "__wrapped__", __obj), "__self__", None)
        if not isinstance(owner, str | bytes | list | tuple | dict | set):
            return super().call(__context, __obj, *args, **kwargs)
        name = f"the method '{getattr(__obj, '__name__', '')}'"
        if args and isinstance(args[0], Iterator):  # measured as it is read
            args = (list(__self._each_bounded(name, args[0])), *args[1:])
        given = {k: v for k, v in kwargs.items() if k not in _JINJA_CALL_KWARGS}
        __self._bounded(name, lambda: method_size(__self.measure, __obj, args, given))
        result = super().call(__context, __obj, *args, **kwargs)
        if isinstance(owner, list | dict | set):
            __self._made(name, owner)
        return __self._made(name, result)

    def bounded_filters(self) -> None:
        """Bound every filter (Jinja's and ours) as `call` bounds methods."""
        for name, fn in list(self.filters.items()):
            self.filters[name] = self._bounded_filter(name, fn)

    def _bounded_filter(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        what, estimate = f"the filter '{name}'", FILTER_SIZES.get(name)
        # A filter marked to be passed the context or environment takes its value second.
        first = 1 if getattr(fn, "jinja_pass_arg", None) is not None else 0

        @functools.wraps(fn)
        def bounded(*args: Any, **kwargs: Any) -> Any:
            if len(args) > first and isinstance(args[first], Iterator):
                values = list(self._each_bounded(what, args[first]))
                args = (*args[:first], values, *args[first + 1 :])
            if estimate is not None:
                self._bounded(what, lambda: estimate(self.measure, *args[first:], **kwargs))
            return self._made(what, fn(*args, **kwargs))

        return bounded

    def _each_bounded(self, what: str, items: Iterator[Any]) -> Iterator[Any]:
        """`items`, refused once together they are larger than MAX_VALUE_SIZE."""
        total = 0
        for item in items:
            total += 1 + self.measure(item)
            if total > MAX_VALUE_SIZE:
                raise _too_large(what, total)
            yield item

    def _finalized(self, value: Any) -> Any:
        """A value a template writes, refused before it is turned into text when that text
        would not fit in what the rendering may still write."""
        budget = _BUDGET.get()
        if budget is not None and size_of(value, budget.size)[0] > budget.size:
            raise _written_too_much()
        return value

    def getattr(self, obj: Any, attribute: str) -> Any:
        """`item.items` is the item's field `items` when it has one (a dict method otherwise):
        Jinja's sandbox prefers the attribute, so such a field wrote `<built-in method …>`."""
        if isinstance(obj, Item) and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)

    def _generate(
        self,
        source: jinja2.nodes.Template,
        name: str | None,
        filename: str | None,
        defer_init: bool = False,
    ) -> str:
        """Jinja's code, with what every `{% for %}` loops over passed through `counted`,
        and every `~` made a call of `joined`."""
        source = _Joined(self).visit(source)
        for loop in source.find_all(jinja2.nodes.For):
            counted = jinja2.nodes.EnvironmentAttribute("counted", lineno=loop.iter.lineno)
            loop.iter = jinja2.nodes.Call(counted, [loop.iter], [], None, None)
            loop.iter.set_ctx("load").set_environment(self).set_lineno(loop.lineno)
        return super()._generate(source, name, filename, defer_init)

    def counted(self, items: Iterable[Any]) -> Iterator[Any]:
        """`items`, each one a step of the rendering's loops, refused past MAX_LOOP_STEPS."""
        budget = _BUDGET.get()
        for item in items:
            if budget is not None:
                budget.steps -= 1
                if budget.steps < 0:
                    raise jinja2.sandbox.SecurityError(
                        f"the template's loops take more than {MAX_LOOP_STEPS:,} steps in one "
                        "rendering (a loop inside a loop multiplies them): loop over the "
                        "facts' items, not over a large range()"
                    )
            yield item

    def concat(self, parts: Iterable[str]) -> str:
        """Jinja's joining of what a template writes, refused past MAX_RENDERED_SIZE."""
        budget, written = _BUDGET.get(), []
        for part in parts:
            if budget is not None:
                budget.size -= len(part)
                if budget.size < 0:
                    raise _written_too_much()
            written.append(part)
        return "".join(written)


def normalize_skeleton(text: str) -> str:
    """Join a template's wrapped lines into paragraphs, one per line.

    Paragraphs are separated by blank lines in the template; lines inside a paragraph are
    joined without a space (Chinese text), so template authors can wrap freely.
    """
    paragraphs = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        joined = "".join(line.strip() for line in block.split("\n"))
        if joined:
            paragraphs.append(joined)
    return "\n".join(paragraphs)


def _hash(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


# ----------------------------------------------------------------------------- the set


class PromptSet:
    """The loaded, checked templates of one document type."""

    def __init__(self, spec: DocSpec, env: SandboxedEnvironment):
        self.spec = spec
        self.env = env
        self._title = env.from_string(spec.title)
        self._headings = {
            s.id: env.from_string(s.heading) for s in spec.sections if s.heading is not None
        }
        self._sections = {s.id: env.get_template(s.template_name) for s in spec.sections}
        self._system = env.get_template("system.j2")
        shared = "".join(self._source(name) for name in ("section.j2", "system.j2"))
        self.hashes = {
            s.id: _hash(self._source(s.template_name), shared, spec.title, s.heading or "")
            for s in spec.sections
        }

    def _source(self, name: str) -> str:
        loader = self.env.loader
        assert loader is not None
        return loader.get_source(self.env, name)[0]

    @classmethod
    def load(cls, spec: DocSpec) -> PromptSet:
        """Load and check the templates of `spec`: all present, no undeclared names, renderable.

        A spec loaded again with unchanged files reuses the checked set (loading a spec checks
        its templates, and drafting needs them: one process does both).
        """
        assert spec.prompts_dir is not None
        pdir = Path(spec.prompts_dir)
        if not pdir.is_dir():
            where = ""
            if spec.source is not None and pdir == spec.source.parent.parent / "prompts" / spec.id:
                where = (
                    f": the section templates of {spec.source} go in prompts/{spec.id}/ beside "
                    "the folder holding the spec (a type is schemas/<id>.yaml and prompts/<id>/ "
                    "in one folder)"
                )
            raise InputError(
                f"prompt folder for '{spec.id}' not found{where}", path=str(pdir.absolute())
            )
        shared = paths.builtin_prompts_dir() / SHARED_DIR
        key = (
            str(spec.source),
            spec.content_hash,
            str(pdir),
            _folder_state(pdir),
            _folder_state(shared),
        )
        if spec.source is None or not spec.content_hash:
            return cls._checked(spec, pdir, shared)  # an in-memory spec: nothing to key it by
        if key not in _LOADED:
            _LOADED[key] = cls._checked(spec, pdir, shared)
        return _LOADED[key]

    @classmethod
    def _checked(cls, spec: DocSpec, pdir: Path, shared: Path) -> PromptSet:
        """Check and compile the templates, or only compile them when these exact spec and
        templates passed the check before (a record in the user's cache says so)."""
        env = _BoundedSandbox(
            loader=_TemplateLoader([str(pdir), str(shared)]),
            undefined=_Undefined,
            autoescape=False,
            keep_trailing_newline=True,
            # A changed template folder gives a new set (see `load`): no stat per render.
            auto_reload=False,
            bytecode_cache=_BytecodeCache(str(paths.templates_cache_dir() / "bytecode")),
        )
        env.filters.update(FILTERS)
        env.bounded_filters()
        env.globals.update(GLOBALS)
        for name in REMOVED_GLOBALS:
            del env.globals[name]
        record = _check_record(spec, pdir, shared)
        if record.is_file():
            return cls._compiled(spec, env)
        used, written = cls._check_sources(spec, env, pdir, shared)
        prompts = cls._compiled(spec, env)
        prompts._trial_render()
        _check_listed(spec, written)
        prompts._check_markers(written)
        _check_all_used(spec, used)
        _remember(record)  # only now: a failing check is never recorded
        return prompts

    @classmethod
    def _compiled(cls, spec: DocSpec, env: SandboxedEnvironment) -> PromptSet:
        try:
            return cls(spec, env)
        except (MemoryError, RecursionError) as exc:
            raise _too_big(exc, str(spec.source), None) from None
        except jinja2.TemplateSyntaxError as exc:
            raise InputError(
                f"template syntax error: {exc.message}", path=exc.filename, line=exc.lineno
            ) from None

    @staticmethod
    def _check_sources(
        spec: DocSpec, env: SandboxedEnvironment, pdir: Path, shared: Path
    ) -> tuple[set[str], dict[str, set[str]]]:
        """Every template is present, parses, and names only declared facts; the names the
        templates use, and by section the facts its skeleton writes."""
        allowed = set(spec.facts) | CONTEXT_NAMES | set(GLOBALS) | {"loop", "self", "super"}
        used: set[str] = set()
        written: dict[str, set[str]] = {}
        referenced: set[str] = set()  # the templates an {% include %} or {% import %} names

        def check(
            name: str, source: str, origin: str, where: tuple[Any, ...] | None = None
        ) -> None:
            """`where`: the key path of the spec field holding an inline template (its line
            in the template is not a line of the spec: the field and its line are named)."""
            field = format_path(where) if where is not None else None
            try:
                ast = env.parse(source)
                declared = meta.find_undeclared_variables(ast)  # compiles: unknown filters fail
            except (MemoryError, RecursionError) as exc:
                raise _too_big(exc, origin, field) from None
            except jinja2.TemplateSyntaxError as exc:
                if where is not None:
                    raise InputError(
                        f"field '{field}': template syntax error: {exc.message}",
                        path=origin,
                        line=_spec_line(spec, where),
                    ) from None
                raise InputError(
                    f"template syntax error: {exc.message}", path=origin, line=exc.lineno
                ) from None
            used.update(declared)
            referenced.update(n for n in meta.find_referenced_templates(ast) if n)
            unknown = sorted(declared - allowed)
            if unknown:
                uses = [n for n in ast.find_all(jinja2.nodes.Name) if n.name in unknown]
                first = min(uses, key=lambda n: n.lineno)  # where the user looks first
                fix = did_you_mean(first.name, spec.facts)
                if not fix and first.name not in REMOVED_GLOBALS:
                    fix = ": declare it under 'facts' in the spec (its type, label and example)"
                    if where is None:  # a section's template, not the title or a heading
                        fix += " and list it in the 'facts' of the section that writes it"
                raise InputError(
                    f"{name} uses {', '.join(repr(u) for u in unknown)}, which the spec "
                    f"{spec.source} does not declare as facts{fix}",
                    path=origin,
                    line=first.lineno if where is None else _spec_line(spec, where),
                )

        check("field 'title'", spec.title, str(spec.source), ("title",))
        for i, s in enumerate(spec.sections):
            if s.heading is not None:
                where = ("sections", i, "heading")
                check(
                    f"field '{format_path(where)}' ('{s.id}')", s.heading, str(spec.source), where
                )
            file = pdir / s.template_name
            if not file.is_file():
                taken = {t.template_name for t in spec.sections} | {"section.j2", "system.j2"}
                others = sorted({f.name for f in pdir.iterdir() if f.is_file()} - taken)
                raise InputError(
                    f"template for section '{s.id}' not found: write {s.template_name} in "
                    f"{pdir} (each section has one, <section id>.j2 or the file its 'template' "
                    f"names){did_you_mean(s.template_name, others)}",
                    path=str(file),
                )
            source = read_text(file, what="template")
            check("template", source, str(file))
            ast = env.parse(source)
            if ast.find(jinja2.nodes.Extends) is None:
                # rendered alone, its skeleton was the whole prompt: no instructions, no facts
                raise InputError(
                    f"template for section '{s.id}' does not extend the layout, so a model "
                    "would be sent its text alone, without the instructions and the facts: "
                    'start it with {% extends "section.j2" %} and write the section from the '
                    "facts inside {% block skeleton %}…{% endblock %}",
                    path=str(file),
                )
            written[s.id] = _skeleton_facts(ast, spec)
        for name in ("section.j2", "system.j2"):
            located = pdir / name if (pdir / name).is_file() else shared / name
            source = read_text(located, what="template")
            check("template", source, str(located))
            if name == "section.j2":
                _check_layout_writes(env.parse(source), located)
        _check_no_stray_template(spec, pdir, referenced)
        return used, written

    def _trial_render(self) -> None:
        """Render every template with the spec's examples, and with every optional fact missing."""
        examples = {k: f.example for k, f in self.spec.facts.items()}
        required_only = {
            k: (v if self.spec.facts[k].required else None) for k, v in examples.items()
        }
        for values, case in (
            (examples, "the spec's examples"),
            (required_only, "the optional facts missing"),
        ):
            try:
                title = self.render_title(values)
                if values is examples:
                    _check_title(self.spec, title)
                # a section whose `when` fact is missing is not drafted, so not rendered
                drafted = self.spec.drafted_sections(values)
                for i, s in enumerate(self.spec.sections):
                    if s not in drafted:
                        continue
                    if s.heading is not None and not self.render_heading(s, values):
                        where = ("sections", i, "heading")
                        raise InputError(
                            f"field '{format_path(where)}' ('{s.id}'): the heading renders "
                            f"empty with {case}, so the draft would number nothing: write "
                            "the heading's words, or leave 'heading' out for an unnumbered "
                            "section (the opening)",
                            path=str(self.spec.source) if self.spec.source else None,
                            line=_spec_line(self.spec, where),
                        )
                    skeleton = self.render_section(s, values).skeleton
                    if not skeleton and values is examples:  # every fact given, nothing written
                        raise TemplateFailure(
                            f"template for section '{s.id}'",
                            "its skeleton block writes nothing, so the offline draft of the "
                            "section would be empty: write the section there from the facts (a "
                            "missing fact writes its marker)",
                            path=self._sections[s.id].filename,
                        )
            except TemplateFailure as exc:
                raise TemplateFailure(
                    exc.what, exc.detail, path=exc.path, case=case, line=exc.line
                ) from None

    def _check_markers(self, written: dict[str, set[str]]) -> None:
        """An optional fact a skeleton writes leaves its marker when it alone is missing: a
        `{% for %}` over a list left out wrote nothing, and the draft had no gap to see. One
        the spec leaves out (`absent: omit`) leaves none: the draft would show a gap that is
        not one."""
        examples = {k: f.example for k, f in self.spec.facts.items()}
        for s in self.spec.sections:
            given = self.render_section(s, examples).skeleton
            for name in sorted(written.get(s.id, set())):
                fact = self.spec.facts[name]
                if fact.required or name == s.when:  # its own fact missing: no section
                    continue
                skeleton = self.render_section(s, {**examples, name: None}).skeleton
                if fact.absent == "omit":
                    if marker(fact.label) in skeleton:
                        raise InputError(
                            f"template for section '{s.id}': the optional fact '{name}' "
                            f"({fact.label}) is 'absent: omit', yet with it missing the "
                            f"skeleton writes its marker {marker(fact.label)}: write it only "
                            f"when given, {{% if {name} %}}…{{% endif %}}, or remove "
                            "'absent: omit' from the spec",
                            path=self._sections[s.id].filename,
                        )
                    continue
                # a fact the examples' branch does not write changes nothing when missing
                if skeleton != given and marker(fact.label) not in skeleton:
                    raise InputError(
                        f"template for section '{s.id}': with the optional fact '{name}' "
                        f"({fact.label}) missing, the skeleton does not write its marker "
                        f"{marker(fact.label)}, so the draft would not show the gap: write "
                        f"{{{{ {name} }}}} where it is missing, such as {{% if {name} %}}…"
                        f"{{% else %}}{{{{ {name} }}}}。{{% endif %}}",
                        path=self._sections[s.id].filename,
                    )

    # ------------------------------------------------------------------------- rendering

    def context(self, values: dict[str, Any]) -> dict[str, Any]:
        """The template context: every fact, with a missing one as `Missing(label)`."""
        ctx: dict[str, Any] = {}
        for name, fact in self.spec.facts.items():
            value = values.get(name)
            if value is None:
                ctx[name] = Missing(fact.label)
            elif fact.type == "object-list" and fact.fields:
                ctx[name] = [
                    Item(
                        {
                            k: (item.get(k) if item.get(k) is not None else Missing(f.label))
                            for k, f in fact.fields.items()
                        },
                        name,
                        fact.label,
                    )
                    for item in value
                ]
            else:
                ctx[name] = value
        ctx["doc"] = {"id": self.spec.id, "name": self.spec.name}
        return ctx

    def render_title(self, values: dict[str, Any]) -> str:
        """The document's title."""
        with _failing_as("the title template", str(self.spec.source)):
            return normalize_skeleton(self._title.render(self.context(values)))

    def render_heading(
        self, section: SectionSpec, values: dict[str, Any], *, ctx: dict[str, Any] | None = None
    ) -> str | None:
        """A section's heading without its number, or None for an unheaded section (`ctx`:
        the template context of `values`, when the caller has it already)."""
        tmpl = self._headings.get(section.id)
        if tmpl is None:
            return None
        with _failing_as(f"the heading of section '{section.id}'", str(self.spec.source)):
            return normalize_skeleton(tmpl.render(ctx if ctx is not None else self.context(values)))

    def render_section(self, section: SectionSpec, values: dict[str, Any]) -> SectionPrompt:
        """The messages and the skeleton of one section."""
        tmpl = self._sections[section.id]
        ctx = self.context(values)
        heading = self.render_heading(section, values, ctx=ctx)
        ctx["section"] = {
            "id": section.id,
            "heading": heading or "开头段",
            "min_points": section.min_points,
            "min_length": section.length.min,
            "max_length": section.length.max,
        }
        ctx["section_facts"] = _facts_block(self.spec, section, values)
        block = tmpl.blocks.get("skeleton")
        if block is None:
            raise InputError(
                f"template for section '{section.id}' has no skeleton block: start it with "
                '{% extends "section.j2" %} and write the section from the facts inside '
                "{% block skeleton %}…{% endblock %}",
                path=tmpl.filename,
            )
        with _failing_as(f"template for section '{section.id}'", tmpl.filename):
            skeleton = normalize_skeleton(self.env.concat(block(tmpl.new_context(ctx))))
            ctx["skeleton"] = skeleton
            user = tmpl.render(ctx).strip()
            system = self._system.render(ctx).strip()
        return SectionPrompt(
            section_id=section.id,
            heading=heading,
            messages=[Message(role="system", content=system), Message(role="user", content=user)],
            skeleton=skeleton,
            template_hash=self.hashes[section.id],
        )


def _too_big(exc: BaseException, origin: str, field: str | None) -> InputError:
    """The error for a template that cannot even compile within memory or Python's stack:
    one writing a huge constant (`{{ 'x' | center(1000000000) }}`) or nested too deeply."""
    what = "is nested too deeply" if isinstance(exc, RecursionError) else "makes a value too large"
    where = f"field '{field}': " if field is not None else ""
    return InputError(f"{where}the template {what} to compile ({type(exc).__name__})", path=origin)


LAYOUT_WRITES = {
    "skeleton": "the section written from the facts, which the model is to write up",
    "section_facts": "the facts the section uses, with their labels and the markers of "
    "those missing",
}
"""What the section layout must write into every section's prompt, and what each holds."""


def _check_layout_writes(ast: jinja2.nodes.Template, file: Path) -> None:
    """A layout of a type's own (`section.j2`) writes the skeleton and the facts block, as
    the shared one does: without them a model was asked to write a section from nothing."""
    written = {
        n.name
        for output in ast.find_all(jinja2.nodes.Output)
        for n in output.find_all(jinja2.nodes.Name)
    }
    missing = [name for name in LAYOUT_WRITES if name not in written]
    if missing:
        what = " or ".join(f"{{{{ {name} }}}} ({LAYOUT_WRITES[name]})" for name in missing)
        them = "them" if len(missing) > 1 else "it"
        raise InputError(
            f"the section layout does not write {what}, so a model would be asked to write "
            f"every section without {them}: write {them} into the prompt, as "
            "prompts/_shared/section.j2 does",
            path=str(file),
        )


def _skeleton_facts(ast: jinja2.nodes.Template, spec: DocSpec) -> set[str]:
    """The facts a template's skeleton block writes (its guidance may name others freely)."""
    return {
        n.name
        for block in ast.find_all(jinja2.nodes.Block)
        if block.name == "skeleton"
        for n in block.find_all(jinja2.nodes.Name)
        if n.ctx == "load" and n.name in spec.facts
    }


def _spec_line(spec: DocSpec, where: tuple[Any, ...]) -> int | None:
    """The line of a key of the spec's file (read again: only an error needs it)."""
    if spec.source is None:
        return None
    return load_structured(spec.source, what="document-type spec")[1].line(where)


def _check_no_stray_template(spec: DocSpec, pdir: Path, referenced: set[str]) -> None:
    """Every template in the type's folder is a section's, a layout or one a template
    includes: any other (virtu.j2 beside virtue.j2, a renamed section's) is never used,
    and edits to it would change nothing."""
    sections = {s.template_name: s.id for s in spec.sections}
    known = set(sections) | {"section.j2", "system.j2"} | referenced
    for file in sorted(pdir.glob("*.j2")):
        if file.name not in known:
            raise InputError(
                f"template {file.name} belongs to no section of {spec.source}, so it would "
                "never be used: name it <section id>.j2 after a section (sections: "
                f"{', '.join(s.id for s in spec.sections)}), set a section's 'template' to "
                f"it, or delete it{did_you_mean(file.name, sections)}",
                path=str(file),
            )


def _check_title(spec: DocSpec, title: str) -> None:
    """The title names a type the checker wants of every draft: the one the name ends in,
    or, with `title_types` (which list the name's), the first of them, ending the title."""
    if spec.title_types:
        if not title.rstrip().endswith(spec.title_types[0]):
            raise InputError(
                f"field 'title_types[0]': the title renders as “{title}”, which does not end "
                f"with “{spec.title_types[0]}”: list first the type the title ends with",
                path=str(spec.source) if spec.source else None,
                line=_spec_line(spec, ("title_types", 0)),
            )
        return
    word = spec.type_word
    if word and word not in title:
        raise InputError(
            f"field 'title': renders as “{title}”, which does not name the type “{word}” "
            f"that the name “{spec.name}” ends in, so every draft would fail the title "
            f"check: end the title with {word}, or the name with the type the title names",
            path=str(spec.source) if spec.source else None,
            line=_spec_line(spec, ("title",)),
        )


def _check_listed(spec: DocSpec, written: dict[str, set[str]]) -> None:
    """A section's skeleton writes only facts the section lists (a model is given the listed
    ones, and a marker of an unlisted one is counted as a marker in the wrong section), and
    every fact the section must mention (else its own offline draft misses it)."""
    for i, s in enumerate(spec.sections):
        for j, name in enumerate(s.must_mention):
            if name not in written.get(s.id, set()):
                entry = ("sections", i, "must_mention", j)
                raise InputError(
                    f"field '{format_path(entry)}' ('{s.id}'): the section must mention "
                    f"'{name}' ({spec.label(name)}), which its template's skeleton does not "
                    "write, so its offline draft would miss it: write it in the skeleton, "
                    "or remove it here",
                    path=str(spec.source) if spec.source else None,
                    line=_spec_line(spec, entry),
                )
        unlisted = sorted(written.get(s.id, set()) - set(s.facts))
        if unlisted:
            names = ", ".join(f"'{n}' ({spec.label(n)})" for n in unlisted)
            where = ("sections", i, "facts")
            raise InputError(
                f"field '{format_path(where)}' ('{s.id}'): the section's skeleton writes "
                f"{names}, which this list lacks: add it (a model drafting the section is "
                "given only the facts listed here)",
                path=str(spec.source) if spec.source else None,
                line=_spec_line(spec, where),
            )


def _check_all_used(spec: DocSpec, used: set[str]) -> None:
    """Every fact reaches the draft: a template writes it, a section gives it to the model,
    or the signature names it. A fact nothing uses is asked of the user and never written."""
    for s in spec.sections:
        used.update(s.facts, s.must_mention)
    if spec.signature:
        used.update(spec.signature.fact_ids())
    if spec.addressee:
        used.add(spec.addressee)
    for name, fact in spec.facts.items():
        if name not in used:
            where = ("facts", name)
            raise InputError(
                f"field '{format_path(where)}' ({fact.label}): no template, section or "
                "signature uses this fact, so the draft never shows it: write it in a "
                "section's template and list it in that section's 'facts', or remove it",
                path=str(spec.source) if spec.source else None,
                line=_spec_line(spec, where),
            )


_LOADED: dict[tuple[object, ...], PromptSet] = {}

_CHECKING_CODE = ("prompts.py", "template_sizes.py", "items.py", "markers.py", "numerals.py")
"""The modules whose code the check runs (this one, the sizes its sandbox estimates, and
the helpers its filters call)."""


def _check_record(spec: DocSpec, pdir: Path, shared: Path) -> Path:
    """The cache file saying that this spec and these templates passed the check.

    Its name hashes everything the outcome depends on: the spec as validated, every file the
    template loader can reach (names and contents), the checking code and Jinja's version.
    Any edit gives another name, so the edited set is checked again.
    """
    digest = hashlib.sha256()

    def add(*parts: str | bytes) -> None:
        for part in parts:
            data = part.encode() if isinstance(part, str) else part
            digest.update(len(data).to_bytes(8, "big") + data)

    add(__version__, jinja2.__version__, repr(spec.model_dump()))
    here = Path(__file__).parent
    for name in _CHECKING_CODE:
        try:
            add(name, (here / name).read_bytes())
        except OSError:  # installed without sources: the version above still keys the code
            add(name)
    for folder in (pdir, shared):
        add(str(folder))
        files = sorted(f for f in folder.rglob("*") if f.is_file()) if folder.is_dir() else []
        for f in files:
            add(f.relative_to(folder).as_posix(), f.read_bytes())
    return paths.templates_cache_dir() / "checked" / digest.hexdigest()


def _remember(record: Path) -> None:
    """Write the record of a passed check; a cache that cannot be written is no error."""
    with contextlib.suppress(OSError):
        record.parent.mkdir(parents=True, exist_ok=True)
        record.touch()


class _TemplateLoader(jinja2.FileSystemLoader):
    """Jinja's file loader, reading a template as every file Draftsmith reads (`read_text`):
    UTF-8 with or without a BOM, UTF-16 with a BOM, or GB18030 (GBK) as Notepad, Word and
    WPS save it. Jinja itself reads UTF-8 only: a GBK template passed the check, then
    failed to compile with a UnicodeDecodeError traceback."""

    def __init__(self, searchpath: list[str]) -> None:
        super().__init__(searchpath, encoding="latin-1")  # locates the file; never fails

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        _, filename, uptodate = super().get_source(environment, template)
        return read_text(filename, what="template", allow_empty=True), filename, uptodate


class _BytecodeCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept on disk, keyed by template file and checked against its
    source's hash by Jinja; a folder that cannot be read or written only means compiling."""

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        """Jinja's key, for this package's code generation (`_BoundedSandbox._generate`):
        code compiled by an earlier version, without its loop count, is never reused."""
        return f"{super().get_cache_key(name, filename)}-{__version__}-counted-joined"

    def load_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):
            super().load_bytecode(bucket)

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):
            os.makedirs(self.directory, exist_ok=True)
            super().dump_bytecode(bucket)


def _folder_state(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and modification times of a template folder's files, subfolders included
    (a template may include one from there): a change invalidates the cache."""
    if not folder.is_dir():
        return ()
    return tuple(
        (f.relative_to(folder).as_posix(), st.st_size, st.st_mtime_ns)
        for f in sorted(folder.rglob("*"))
        if f.is_file() and (st := f.stat())
    )


def _facts_block(spec: DocSpec, section: SectionSpec, values: dict[str, Any]) -> str:
    """The facts a section uses, labelled in Chinese, as JSON lines for the model."""
    lines = []
    for name in section.facts:
        fact = spec.facts[name]
        value = values.get(name)
        if value is None:
            # a fact the spec leaves out when missing is no gap: the model must not mark it
            shown = (
                "（未提供，不写这一项，也不写标记）"
                if fact.absent == "omit"
                else "（未提供，写作标记" + marker(fact.label) + "）"
            )
        else:
            shown = json.dumps(value, ensure_ascii=False, default=str)
        unit = f"（单位：{fact.unit}）" if fact.unit else ""
        lines.append(f"- {fact.label}{unit}：{shown}")
    return "\n".join(lines) or "（本节不使用具体事实）"
