"""The models of a run: made once, shared by every sample, cached per repeat, closed at the end.

A repeat is a fresh draft: repeat 0 uses the response cache as `draft run` does, and each
later repeat keys the cache with its number as well, so that repeats differ where the model
does, and a re-run of the suite (or a resumed run) still costs nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from pipeline.models.base import Completion, Model, asked_model, close_model, model_identity
from pipeline.prompts import Message, SectionPrompt


class RepeatKeyed:
    """A model whose cache identity carries the repeat number."""

    def __init__(self, inner: Model, repeat: int):
        self.inner = inner
        self.repeat = repeat
        self.name = inner.name

    @property
    def deadline(self) -> float | None:
        """The inner model's per-section deadline."""
        return getattr(self.inner, "deadline", None)

    def identity(self) -> dict[str, Any]:
        return {**model_identity(self.inner), "eval_repeat": self.repeat}

    async def complete(self, prompt: SectionPrompt, messages: list[Message]) -> Completion:
        return await self.inner.complete(prompt, messages)


class RunModels:
    """Model objects by (label, repeat), made from `--model` style names."""

    def __init__(self, *, use_cache: bool):
        self.use_cache = use_cache
        self._base: dict[str, Model] = {}
        self._models: dict[tuple[str, int], Model] = {}
        self._cache: Any = None

    def add(self, label: str, name: str) -> None:
        """Make the model `name` (InputError when unusable) under `label`."""
        from pipeline.models import get_model

        self._base[label] = get_model(name, use_cache=False)

    def get(self, label: str, repeat: int = 0) -> Model:
        """The model for one repeat (cached unless caching is off; offline is never cached)."""
        key = (label, repeat)
        if key not in self._models:
            base = self._base[label]
            if not self.use_cache or base.name == "offline":
                self._models[key] = base
            else:
                from pipeline.cache import CachedModel, ResponseCache

                if self._cache is None:
                    self._cache = ResponseCache()
                inner = RepeatKeyed(base, repeat) if repeat else base
                self._models[key] = CachedModel(inner, self._cache)
        return self._models[key]

    def asked_names(self) -> dict[str, str]:
        """The model name each label asks its endpoint for (`gpt-4o` for `openai:gpt-4o`, a
        profile's `model`); the offline model asks no endpoint and is left out."""
        names = {}
        for label, model in self._base.items():
            asked = asked_model(model)
            if asked is not None and not label.startswith("judge:"):
                names[label] = asked
        return names

    @property
    def needs_libraries(self) -> bool:
        """Whether any model is called through the model libraries (langchain, openai)."""
        return any(m.name != "offline" for m in self._base.values())

    def prepare(self) -> None:
        """Load what the models need before their first call, in this process (see
        `OpenAIModel.prepare`): before a run forks its workers."""
        for model in self._base.values():
            prepare = getattr(model, "prepare", None)
            if prepare is not None:
                prepare()

    async def warm_up(self, *, load_libraries: bool = True) -> None:
        """Give the running loop the executor a loop of many calls wants
        (`AnswersInlineExecutor`) and, with `load_libraries`, load the model libraries
        before the first call (in a thread: about 2 s), so that rate limits and the first
        samples are not skewed by a slow first request."""
        if self.needs_libraries:
            from pipeline.models.openai import AnswersInlineExecutor

            asyncio.get_running_loop().set_default_executor(AnswersInlineExecutor())
            if load_libraries:
                await asyncio.to_thread(self.prepare)

    def close_cache(self) -> None:
        """Close the response cache, if one was opened (the models stay usable)."""
        if self._cache is not None:
            self._cache.close()
            self._cache = None
            self._models.clear()

    async def aclose(self) -> None:
        """Close every model's connections, and the cache."""
        for model in self._base.values():
            with contextlib.suppress(Exception):  # closing must not hide the result
                await close_model(model)
        self.close_cache()
