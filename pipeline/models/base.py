"""What every model offers the drafter: one async call per section prompt."""

from __future__ import annotations

from typing import Literal, Protocol

from pydantic import BaseModel

from pipeline.prompts import Message, SectionPrompt


class Usage(BaseModel):
    """Tokens, attempts, time and cost of one call or a sum of calls."""

    input_tokens: int = 0
    output_tokens: int = 0
    requests: int = 0
    """HTTP requests made (cache hits make none)."""
    cached: int = 0
    """Calls answered from the cache."""
    latency_s: float = 0.0
    cost: float | None = None

    def __add__(self, other: Usage) -> Usage:
        cost = (
            None
            if self.cost is None and other.cost is None
            else (self.cost or 0.0) + (other.cost or 0.0)
        )
        return Usage(
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            requests=self.requests + other.requests,
            cached=self.cached + other.cached,
            latency_s=self.latency_s + other.latency_s,
            cost=cost,
        )


class Completion(BaseModel):
    """A model's answer to one request."""

    text: str
    finish_reason: Literal["stop", "length", "content_filter", "other"] = "stop"
    usage: Usage = Usage()


class Model(Protocol):
    """A drafting model."""

    name: str

    async def complete(self, prompt: SectionPrompt, messages: list[Message]) -> Completion:
        """Answer `messages` (the prompt's own, or a repair conversation built from it)."""
        ...
