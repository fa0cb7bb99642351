"""The sandbox section templates run in, and the values they see.

Jinja's sandbox, with every value a template makes bounded (`MAX_VALUE_SIZE`), and one
rendering's loops, output and measuring bounded too (`budgeted`): a document type shared by
another office cannot hang `draft run` or fill its memory. A missing fact is a `Missing`
value (renders as its marker), an item of an `object-list` fact an `Item` (a field it lacks is
named with the fact's fields).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from pipeline.markers import marker
from pipeline.template_sizes import FILTER_SIZES, binop_size, method_size, size_of
from pipeline.validation import did_you_mean_or_list


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


class Undefined(jinja2.StrictUndefined):
    """Jinja's strict undefined value, naming the fact of an `Item` asked for a field it
    does not have."""

    @property
    def _undefined_message(self) -> str:
        obj, name = self._undefined_obj, self._undefined_name
        if isinstance(obj, Item) and isinstance(name, str) and not self._undefined_hint:
            return obj.unknown_field(name)
        return str(super()._undefined_message)


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
"""The budget of the rendering under way (set by `budgeted`, which every rendering uses)."""


@contextlib.contextmanager
def budgeted() -> Iterator[None]:
    """Render within one budget of loop steps, characters written and items measured."""
    token = _BUDGET.set(_RenderBudget())
    try:
        yield
    finally:
        _BUDGET.reset(token)


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


class BoundedSandbox(SandboxedEnvironment):
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
