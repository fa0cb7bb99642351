"""Limits on model calls for a whole run: one cap on calls in flight (section calls included),
per-model caps and request rates, and replay of journaled answers on resume.

Every model a run uses is wrapped, per sample, in a `LimitedModel` that shares the run's
`CallLimits`; the drafter sees an ordinary `Model`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from pipeline.errors import ModelError
from pipeline.evals.journal import CallRecord, call_key
from pipeline.evals.workers import SharedPeak
from pipeline.models.base import Completion, Model, refusal
from pipeline.prompts import Message, SectionPrompt
from pipeline.retry import SectionRetries, section_deadline

STOP_POLL = 0.25
"""Seconds between checks, while a call waits for its turn, that it is still to be made."""


class RateLimiter:
    """Spaces call starts so that at most `rpm` begin in any minute (evenly, no bursts)."""

    def __init__(self, rpm: float):
        self.interval = 60.0 / rpm
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self, stop: Callable[[], bool] | None = None) -> None:
        """Until this call's start; at once when `stop()` becomes true meanwhile (checked
        every `STOP_POLL` seconds: the call will not be made)."""
        async with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self.interval
        while start > now:
            if stop is not None and stop():
                return
            await asyncio.sleep(min(start - now, STOP_POLL) if stop else start - now)
            now = time.monotonic()


class CallLimits:
    """The run's shared limits: a semaphore for all calls, and one per model with a cap."""

    def __init__(self, concurrency: int, *, peak: SharedPeak | None = None):
        """`peak`: calls in flight counted across the processes of a run, when it is split."""
        self.concurrency = concurrency
        self.run_gate = asyncio.Semaphore(concurrency)
        self.model_gates: dict[str, asyncio.Semaphore] = {}
        self.rates: dict[str, RateLimiter] = {}
        self.in_flight = 0
        self._peak = 0
        self.calls = 0
        """Calls that reached a model (replays and response-cache hits excluded)."""
        self.cached = 0
        """Calls answered by the response cache."""
        self._shared_peak = peak

    @property
    def peak_in_flight(self) -> int:
        """The most calls in flight at once (in the whole run, when it is split)."""
        return self._shared_peak.peak if self._shared_peak else self._peak

    def enter(self) -> None:
        self.in_flight += 1
        self._peak = max(self._peak, self.in_flight)
        if self._shared_peak is not None:
            self._shared_peak.enter()

    def leave(self) -> None:
        self.in_flight -= 1
        if self._shared_peak is not None:
            self._shared_peak.leave()

    def configure(self, model: str, *, concurrency: int | None, rpm: float | None) -> None:
        """Set a model's own cap on calls in flight and its request rate."""
        if concurrency:
            self.model_gates[model] = asyncio.Semaphore(concurrency)
        if rpm:
            self.rates[model] = RateLimiter(rpm)


class _Nullcontext:
    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, *exc: object) -> None:
        return None


class LimitedModel:
    """A model seen through the run's limits, for one sample: answers already journaled for
    this sample are replayed, new ones are journaled as they arrive."""

    def __init__(
        self,
        inner: Model,
        *,
        label: str,
        limits: CallLimits,
        sample: str,
        replay: dict[tuple[str, str], list[Completion]] | None,
        record: Callable[[CallRecord], None],
    ):
        """`replay=None`: answers are journaled but never replayed (the judge's verdicts are
        cached once parsed instead, so an unusable verdict is asked for again)."""
        self.inner = inner
        self.name = inner.name
        self.label = label
        self._limits = limits
        self._sample = sample
        self._replay = replay
        self._record = record
        self._deadline: float | None = getattr(inner, "deadline", None)
        """The model's per-section deadline, as `draft run` holds a section to it. Not
        exposed as `deadline` (the drafter would count the time a call waits for the run's
        slots and rates against it): it bounds the time this sample's calls of a section
        spend with the model."""
        self._spent: dict[str, float] = {}

    async def complete(self, prompt: SectionPrompt, messages: list[Message]) -> Completion:
        key = call_key(self.label, messages)
        queued = self._replay.get((self._sample, key)) if self._replay is not None else None
        if queued:
            # As it was answered (requests, tokens, cost): the sample's usage is the same
            # whether or not its run was interrupted and resumed.
            return queued.pop(0)
        limits = self._limits
        # A cached answer is no call: it must not wait for the model's rate or a call slot
        # (a re-run of a suite answered from the cache would take as long as the first).
        lookup = getattr(self.inner, "lookup", None)
        completion = lookup(messages) if lookup is not None else None
        if completion is None:
            refused = refusal(self.inner)
            if refused is not None:  # it will not be sent: no rate or slot to wait for
                raise refused
            ask = getattr(self.inner, "fetch", self.inner.complete)  # not looked up again
            gate = limits.model_gates.get(self.label) or _Nullcontext()
            async with gate:
                rate = limits.rates.get(self.label)
                if rate is not None:
                    # a turn is not waited out once an earlier call's refusal means this one
                    # will not be sent (a wrong key at a few requests a minute)
                    await rate.wait(stop=lambda: refusal(self.inner) is not None)
                async with limits.run_gate:
                    limits.enter()
                    try:
                        completion = await self._timed(ask, prompt, messages)
                    finally:
                        limits.leave()
        if completion.usage.cached:
            limits.cached += 1
        else:
            limits.calls += 1
        self._record(
            CallRecord(
                sample=self._sample,
                key=key,
                completion=completion,
                section=prompt.section_id,
                replay=self._replay is not None,
            )
        )
        return completion

    async def _timed(
        self,
        ask: Callable[[SectionPrompt, list[Message]], Awaitable[Completion]],
        prompt: SectionPrompt,
        messages: list[Message],
    ) -> Completion:
        """`ask`, within what is left of the section's deadline (retry waits included)."""
        if not self._deadline:
            return await ask(prompt, messages)
        section = prompt.section_id
        left = self._deadline - self._spent.get(section, 0.0)
        retries = SectionRetries()
        if left <= 0:
            raise ModelError(retries.deadline_message(self._deadline, waiting=False))
        started = time.monotonic()
        try:
            async with asyncio.timeout(left) as timer:
                with section_deadline(left, timer) as retries:
                    return await ask(prompt, messages)
        except TimeoutError:
            if timer.expired():
                raise ModelError(retries.deadline_message(self._deadline)) from None
            raise
        finally:
            spent = time.monotonic() - started - retries.paused
            self._spent[section] = self._spent.get(section, 0.0) + spent
