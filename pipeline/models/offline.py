"""The `offline` model: the section's skeleton, as written from the facts. No network."""

from __future__ import annotations

from pipeline.models.base import Completion
from pipeline.prompts import Message, SectionPrompt


class OfflineModel:
    """Deterministic drafting: returns the skeleton the section template wrote from the facts."""

    name = "offline"

    async def complete(self, prompt: SectionPrompt, messages: list[Message]) -> Completion:
        return Completion(text=prompt.skeleton)
