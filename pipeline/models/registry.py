"""Turning a `--model` value into a model."""

from __future__ import annotations

from pipeline.errors import InputError
from pipeline.models.base import Model


def get_model(name: str) -> Model:
    """The model named `name`: `offline`, or (see issue on real models) `openai:<model>`."""
    if name == "offline":
        from pipeline.models.offline import OfflineModel

        return OfflineModel()
    raise InputError(f"unknown model '{name}': use 'offline'")
