"""What every model offers the drafter: one async call per section prompt."""

from __future__ import annotations

import re
from typing import Any, Literal, Protocol

from pydantic import BaseModel, Field

from pipeline.errors import ModelError
from pipeline.prompts import Message, SectionPrompt

COST_DIGITS = 10
"""Decimal places a cost keeps: far below any price's unit, and free of float noise
(0.0029560000000000003 is written 0.002956)."""


class Usage(BaseModel):
    """Tokens, attempts, time and cost of one call or a sum of calls."""

    input_tokens: int = 0
    output_tokens: int = 0
    requests: int = 0
    """HTTP requests made (cache hits make none), retries included."""
    retries: int = 0
    """Requests that repeated a failed one (transient failures)."""
    cached: int = 0
    """Calls answered from the cache."""
    latency_s: float = 0.0
    """Seconds spent waiting for the model, summed over calls (retry waits included)."""
    elapsed_s: float = 0.0
    """Wall-clock seconds of a section or a run; a sum keeps the longest."""
    cost: float | None = None
    """Cost in the profile's currency, when the profile sets prices; cache hits cost 0."""
    unmetered: int = 0
    """Answers that came without their token counts (some servers leave them out): their
    tokens and cost are unknown, so `cost` is a lower bound, or None."""
    served_models: list[str] = Field(default_factory=list)
    """The model names the endpoint's answers gave (`model`: the dated version behind an
    alias, an Ollama tag…), each once, in the order first seen; more than one when the
    provider changed the model behind the name during the run."""

    def __add__(self, other: Usage) -> Usage:
        cost = (
            None
            if self.cost is None and other.cost is None
            else round((self.cost or 0.0) + (other.cost or 0.0), COST_DIGITS)
        )
        return Usage(
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            requests=self.requests + other.requests,
            retries=self.retries + other.retries,
            cached=self.cached + other.cached,
            latency_s=round(self.latency_s + other.latency_s, 6),
            elapsed_s=max(self.elapsed_s, other.elapsed_s),
            cost=cost,
            unmetered=self.unmetered + other.unmetered,
            served_models=[
                *self.served_models,
                *(m for m in other.served_models if m not in self.served_models),
            ],
        )

    def served_text(self, asked: str | None) -> str:
        """`served by gpt-4o-2024-08-06` (`…, then …` when it changed during the run); "" when
        no answer named its model, or every one named `asked` (`openai:` left off)."""
        name = (asked or "").removeprefix("openai:")
        if not self.served_models or self.served_models == [name]:
            return ""
        return "served by " + ", then ".join(self.served_models)

    def cost_text(self) -> str:
        """`cost 0.0042`, or what is known of it when answers came without token counts;
        "" when no price is set and every answer was counted."""
        if self.unmetered:
            known = f"at least {self.cost:.4f}" if self.cost else "unknown"
            return f"cost {known} ({self.unmetered} answer(s) without token counts)"
        return f"cost {self.cost:.4f}" if self.cost is not None else ""


class Completion(BaseModel):
    """A model's answer to one request."""

    text: str
    finish_reason: Literal["stop", "length", "content_filter", "other"] = "stop"
    refusal: str | None = None
    """The model's refusal, when the endpoint reports one separately from the text."""
    usage: Usage = Field(default_factory=Usage)


class ModelCallError(ModelError):
    """A model call that failed; carries what the failed attempts used."""

    def __init__(self, message: str, *, usage: Usage | None = None, transient: bool = False):
        super().__init__(message)
        self.usage = usage or Usage()
        self.transient = transient
        """True when the failure was transient (retries ran out), not a refusal of the request."""


NOT_SENT = " (not sent: the endpoint had refused the request of section {section})"
"""Appended to the reason of a call that was not made because an earlier one of the same model
was refused for a reason no request could get past (a wrong key, model name, parameter)."""
_NOT_SENT = re.compile(r" \(not sent: the endpoint had refused the request of section [^)]*\)$")


def failure_root(reason: str) -> str:
    """A failure's reason without its `NOT_SENT` note: the same for every section that failed
    for it, whether its own request was refused or never sent."""
    return _NOT_SENT.sub("", reason)


def not_sent_note(reason: str) -> str | None:
    """`not sent: …` when `reason` is that of a call that was never sent (see `NOT_SENT`)."""
    found = _NOT_SENT.search(reason)
    return found.group(0).strip()[1:-1] if found else None


class Model(Protocol):
    """A drafting model."""

    name: str

    async def complete(self, prompt: SectionPrompt, messages: list[Message]) -> Completion:
        """Answer `messages` (the prompt's own, or a repair conversation built from it).

        Raises `pipeline.errors.ModelError` (ideally `ModelCallError`) when no answer came.
        A model may also offer `async aclose()` (its owner awaits it when done: see
        `close_model`) and a `deadline` attribute (seconds per section, read by the drafter).
        """
        ...


def refusal(model: Any) -> ModelCallError | None:
    """The error every call of `model` now fails with, unsent (a wrong key, model name or
    parameter an earlier call was refused for), as the model or one it wraps (`inner`) says
    with a `refusal()` method; None while calls may still go out. A caller that waits for a
    rate or a slot before each call asks this first: a call that will not be sent need not."""
    while model is not None:
        check = getattr(model, "refusal", None)
        if callable(check):
            found: ModelCallError | None = check()
            return found
        model = getattr(model, "inner", None)
    return None


def asked_model(model: Model) -> str | None:
    """The model id `model` asks its endpoint for (a profile's `model`, `gpt-4o` for
    `openai:gpt-4o`), through any wrappers; None for a model that asks no endpoint."""
    current: Any = model
    while current is not None:
        settings = getattr(current, "settings", None)
        if settings is not None:
            return str(settings.model)
        current = getattr(current, "inner", None)
    return None


def model_text(name: str, asked: str | None, usage: Usage | None) -> str:
    """A model as a run names it: `deepseek (deepseek-chat)` for a profile, with the model id
    it asked for, and `served by …` when the answers named another model than that id."""
    notes = [asked] if asked and asked != name.removeprefix("openai:") else []
    served = usage.served_text(asked or name) if usage is not None else ""
    notes += [served] if served else []
    return name + (f" ({', '.join(notes)})" if notes else "")


def model_identity(model: Model) -> dict[str, Any]:
    """What stands behind `model` (its model, endpoint and parameters, as it says with an
    `identity()` method), or its name alone: answers are cached under it."""
    identity = getattr(model, "identity", None)
    return identity() if callable(identity) else {"model": model.name}


async def close_model(model: Model) -> None:
    """Close the connections `model` holds in the running event loop, if it has any: await it
    before that loop ends, or the HTTP client warns of an unclosed session. The model stays
    usable; a later call connects again."""
    close = getattr(model, "aclose", None)
    if close is not None:
        await close()
