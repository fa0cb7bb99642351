"""Models that draft sections: `offline` (deterministic, from the skeleton) and OpenAI-compatible ones."""

from pipeline.models.base import Completion, Model, Usage
from pipeline.models.registry import get_model

__all__ = ["Completion", "Model", "Usage", "get_model"]
