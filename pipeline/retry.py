"""The one retry layer for model calls (tenacity): only transient failures, bounded, logged.

Transient: HTTP 408, 409, 429 and 5xx, connection errors and timeouts. Everything else —
400, 401, 403, 404, 422, a malformed answer — fails on the first attempt. A server's
`retry-after-ms` or `Retry-After` (seconds, or an HTTP date read against the response's own
`Date`) is honoured, capped at
`RetryPolicy.retry_after_cap`; otherwise the wait is exponential with jitter. Attempts are
bounded, and no wait is started that would end past the deadline: when the server asks for a
wait that ends past it, the call fails at once, saying so, rather than retry too soon. Each retry is logged on
the `pipeline.retry` logger with the section id in `record.section`.

Defaults come from `RetryPolicy`, then the `[retry]` table of `draft.toml`, then the
environment (`DRAFTSMITH_RETRY_MAX_ATTEMPTS`, `…_INITIAL_BACKOFF`, `…_MAX_BACKOFF`,
`…_JITTER`, `…_RETRY_AFTER_CAP`, `…_DEADLINE`), then command-line flags.
"""

from __future__ import annotations

import email.utils
import logging
import os
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pipeline.errors import InputError

if TYPE_CHECKING:
    import asyncio

log = logging.getLogger("pipeline.retry")

T = TypeVar("T")

TRANSIENT_STATUS = frozenset({408, 409, 429})
"""Client-side statuses worth retrying; every 5xx is retried as well."""
PERMANENT_STATUS = frozenset({400, 401, 403, 404, 422})
"""Statuses that are never retried: the request itself is wrong."""
ENV_PREFIX = "DRAFTSMITH_RETRY_"


class RetryPolicy(BaseModel):
    """How hard to try one model call."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_attempts: int = Field(5, ge=1, le=50)
    """Requests per call, the first one included."""
    initial_backoff: float = Field(1.0, ge=0)
    """Wait before the first retry (seconds); doubles each retry."""
    max_backoff: float = Field(30.0, ge=0)
    """Longest exponential wait (seconds)."""
    jitter: float = Field(1.0, ge=0)
    """Random extra wait, up to this many seconds."""
    retry_after_cap: float = Field(60.0, ge=0)
    """Longest wait a server's Retry-After may ask for (seconds)."""
    deadline: float = Field(300.0, gt=0)
    """Seconds one section may take, retries and repairs included."""

    @classmethod
    def resolve(
        cls, config: Mapping[str, Any] | None = None, overrides: Mapping[str, Any] | None = None
    ) -> RetryPolicy:
        """Defaults ← config table ← `DRAFTSMITH_RETRY_*` environment ← explicit overrides."""
        values: dict[str, Any] = dict(config or {})
        for name in cls.model_fields:
            raw = os.environ.get(ENV_PREFIX + name.upper())
            if raw is not None and raw.strip():
                values[name] = raw.strip()
        values.update({k: v for k, v in (overrides or {}).items() if v is not None})
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            from pipeline.validation import error_reason

            first = exc.errors(include_url=False)[0]
            field = ".".join(str(p) for p in first["loc"])
            raise InputError(
                f"retry setting '{field}': {error_reason(first)}, got {first['input']!r} (from "
                "draft.toml [retry], "
                f"{ENV_PREFIX}{field.upper()} or a flag)"
            ) from None


def retry_after_seconds(
    headers: Mapping[str, str] | None, *, now: float | None = None
) -> float | None:
    """The wait a response asks for: `retry-after-ms`, else `Retry-After` (seconds or date)."""
    if not headers:
        return None
    lower = {k.lower(): v for k, v in headers.items()}
    ms = lower.get("retry-after-ms")
    if ms is not None:
        try:
            value = float(ms) / 1000.0
            if value >= 0:
                return value
        except ValueError:
            pass
    raw = lower.get("retry-after")
    if raw is None:
        return None
    try:
        value = float(raw)
        return value if value >= 0 else None
    except ValueError:
        pass
    parsed = _http_date(raw)
    if parsed is None:
        return None
    if now is None:
        # Against the server's own clock when it sends one: a wait of "until 10:00:05" means
        # 5 s from its 10:00:00, however far the local clock is off.
        now = _http_date(lower.get("date", "")) or time.time()
    return max(0.0, parsed - now)


def _http_date(value: str) -> float | None:
    """An HTTP date as a timestamp, or None."""
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed.timestamp() if parsed.tzinfo is not None else None


_section_deadline: ContextVar[float | None] = ContextVar("section_deadline", default=None)


class SectionRetries:
    """What the retry layer did within one `section_deadline` block."""

    def __init__(self, timer: asyncio.Timeout | None = None) -> None:
        self.last_reason: str | None = None
        """Why the last retry was made (`request timed out`, `503 Service Unavailable`…)."""
        self.timer = timer
        """The `asyncio.timeout` that ends the section at its deadline, if any."""
        self.paused = 0.0
        """Seconds the deadline was paused (see `deadline_paused`)."""

    def deadline_message(self, seconds: float, *, waiting: bool = True) -> str:
        """Why the section got no answer: the deadline, and what its requests ran into
        (`waiting`: the deadline came while a request waited for its answer)."""
        text = f"no usable answer within the {seconds:g} s deadline"
        if self.last_reason:
            text += f" (its requests were retried after: {self.last_reason})"
        elif waiting:
            text += (
                " (a request was still waiting for its answer: a slow model needs a longer "
                "--deadline, or deadline in the [retry] table of draft.toml)"
            )
        if self.last_reason and "timed out" in self.last_reason:
            text += (
                "; a slow model needs a larger --timeout (or read_timeout in its draft.toml "
                "profile), and a server that answers one request at a time a lower "
                "--concurrency"
            )
        return text


_section_retries: ContextVar[SectionRetries | None] = ContextVar("section_retries", default=None)


@contextmanager
def section_deadline(
    seconds: float | None, timer: asyncio.Timeout | None = None
) -> Iterator[SectionRetries]:
    """Within this block (one section's task), no retry wait ends later than `seconds` from now;
    the retries made within it are noted on the `SectionRetries` it gives. `timer`, the
    `asyncio.timeout` that ends the section at the same deadline, is moved with it while the
    deadline is paused."""
    retries = SectionRetries(timer)
    token = _section_deadline.set(time.monotonic() + seconds if seconds else None)
    noted = _section_retries.set(retries)
    try:
        yield retries
    finally:
        _section_retries.reset(noted)
        _section_deadline.reset(token)


@contextmanager
def deadline_paused() -> Iterator[None]:
    """Within this block, the running section's deadline stands still: the time spent in it is
    no part of the model's (loading the model libraries on a process's first call, about 2 s,
    and much longer on a busy machine), and is added to the deadline afterwards."""
    retries = _section_retries.get()
    timer = retries.timer if retries is not None else None
    when = timer.when() if timer is not None else None
    if timer is not None and when is not None:
        timer.reschedule(None)
    started = time.monotonic()
    try:
        yield
    finally:
        spent = time.monotonic() - started
        if retries is not None:
            retries.paused += spent
        at = _section_deadline.get()
        if at is not None:
            _section_deadline.set(at + spent)
        if timer is not None and when is not None:
            timer.reschedule(when + spent)


class RetryDecision(BaseModel):
    """What the retry layer needs to know about one failure."""

    transient: bool
    reason: str
    """Short description for logs and messages, e.g. `429 Too Many Requests`."""
    retry_after: float | None = None
    """Seconds the server asked to wait, if it did."""


Classifier = Callable[[BaseException], RetryDecision]


def exponential_wait(policy: RetryPolicy, retry_number: int) -> float:
    """Exponential backoff with jitter for the `retry_number`-th retry (1-based)."""
    import random

    base = policy.initial_backoff * (2 ** (retry_number - 1))
    return min(policy.max_backoff, base) + random.uniform(0, policy.jitter)


class RetriesExhausted(Exception):
    """A transient failure that persisted through every allowed attempt or the deadline."""

    def __init__(
        self,
        last: BaseException,
        decision: RetryDecision,
        attempts: int,
        why: str,
        *,
        asked_wait: float | None = None,
    ):
        self.last = last
        self.decision = decision
        self.attempts = attempts
        self.asked_wait = asked_wait
        """The wait the server asked for, when it reached past the deadline (no retry made)."""
        super().__init__(f"{decision.reason} after {attempts} attempt(s) ({why})")


async def call_with_retries(
    fn: Callable[[], Awaitable[T]],
    *,
    policy: RetryPolicy,
    classify: Classifier,
    label: str = "",
    deadline_at: float | None = None,
) -> T:
    """Await `fn()` until it succeeds, retrying only what `classify` calls transient.

    Raises the original exception for a permanent failure, `RetriesExhausted` when the
    attempts or the time run out. `deadline_at` (a `time.monotonic()` value; by default the
    one `section_deadline` set) shortens the policy's own deadline to what is left of it.
    """
    from tenacity import AsyncRetrying, RetryCallState, retry_if_exception
    from tenacity.stop import stop_base

    started = time.monotonic()
    limit = started + policy.deadline
    if deadline_at is None:
        deadline_at = _section_deadline.get()
    if deadline_at is not None:
        limit = min(limit, deadline_at)

    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        decision = classify(exc) if exc else None
        if decision and decision.retry_after is not None:
            return min(decision.retry_after, policy.retry_after_cap)
        return exponential_wait(policy, state.attempt_number)

    asked: list[float] = []
    """The wait a server asked for that would end past the deadline, when that stopped it."""

    class _stop(stop_base):
        def __call__(self, state: RetryCallState) -> bool:
            if state.attempt_number >= policy.max_attempts:
                return True
            exc = state.outcome.exception() if state.outcome else None
            wanted = classify(exc).retry_after if exc else None
            if wanted is not None and time.monotonic() + wanted >= limit:
                # a retry sooner than the server asked would be refused again: fail now
                asked.append(wanted)
                return True
            return time.monotonic() + state.upcoming_sleep >= limit

    def before_sleep(state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        reason = classify(exc).reason if exc else "failure"
        noted = _section_retries.get()
        if noted is not None:
            noted.last_reason = reason
        log.warning(
            "%s: %s; retrying in %.1f s (attempt %d of %d)",
            label or "request",
            reason,
            state.upcoming_sleep,
            state.attempt_number + 1,
            policy.max_attempts,
            extra={
                "section": label,
                "reason": reason,
                "wait": state.upcoming_sleep,
                "attempt": state.attempt_number + 1,
                "attempts": policy.max_attempts,
            },
        )

    def is_transient(exc: BaseException) -> bool:
        return classify(exc).transient

    retrying = AsyncRetrying(
        retry=retry_if_exception(is_transient),
        wait=wait,
        stop=_stop(),
        before_sleep=before_sleep,
        reraise=True,
    )
    attempts = 0
    try:
        async for attempt in retrying:
            with attempt:
                attempts = attempt.retry_state.attempt_number
                return await fn()
    except Exception as exc:
        decision = classify(exc)
        if not decision.transient:
            raise
        if attempts >= policy.max_attempts:
            why = f"{policy.max_attempts} allowed"
        elif asked:
            why = (
                f"the provider asked to wait {asked[-1]:g} s, longer than the "
                f"{max(0.0, limit - time.monotonic()):.0f} s left before the section's deadline"
            )
        else:
            why = "the deadline left no time for another"
        raise RetriesExhausted(
            exc, decision, attempts, why, asked_wait=asked[-1] if asked else None
        ) from exc
    raise AssertionError("unreachable")  # pragma: no cover
