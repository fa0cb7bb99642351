"""An LLM judge: a model scores a draft 1–5 against the suite's rubric, with reasons.

The judge calls through the same model layer as drafting (so the run's limits, journal and
the model cache apply), and its verdicts are cached on disk by (judge model, rubric, draft):
judging the same draft again costs nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from pipeline import paths
from pipeline.errors import InputError, ModelError
from pipeline.models.base import Model
from pipeline.postprocess import without_reasoning
from pipeline.prompts import Message, SectionPrompt
from pipeline.textio import write_atomic

log = logging.getLogger("pipeline.evals.judge")

JUDGE_SYSTEM = (
    "你是一名严格的公文审稿人。请按照评分标准给下面的草稿打分，1分最差，5分最好。"
    '只输出一个JSON对象：{"score": 1到5的整数, "reasons": ["理由1", "理由2"]}，不要输出其他内容。'
)


class Verdict(BaseModel):
    """The judge's score and its reasons."""

    score: int = Field(ge=1, le=5)
    reasons: list[str] = []


def judge_messages(rubric: str, title: str, text: str) -> list[Message]:
    """The conversation that asks the judge for a verdict."""
    user = f"评分标准：\n{rubric.strip()}\n\n草稿《{title}》全文：\n<draft>\n{text}\n</draft>"
    return [Message(role="system", content=JUDGE_SYSTEM), Message(role="user", content=user)]


def parse_verdict(answer: str) -> Verdict:
    """Read the judge's JSON verdict (fences and surrounding words tolerated; a thinking
    model's <think>…</think> reasoning before it is not read: its scores are drafts)."""
    answer = without_reasoning(answer)
    match = re.search(r"\{.*\}", answer, re.S)
    if match:
        try:
            return Verdict.model_validate(json.loads(match.group(0)))
        except (json.JSONDecodeError, ValidationError):
            pass
    score = re.search(r"(?:score|评分|得分)\D{0,4}([1-5])", answer, re.I)
    if score:
        return Verdict(score=int(score.group(1)), reasons=[answer.strip()[:200]])
    raise ModelError(f"the judge gave no 1–5 score: {answer.strip()[:120]!r}")


def _cache_path(model_name: str, rubric: str, text: str) -> Path:
    digest = hashlib.sha256("\0".join((model_name, rubric, text)).encode()).hexdigest()[:32]
    return paths.judge_cache_dir() / f"{digest}.json"


async def judge_draft(
    model: Model, *, cache_name: str, rubric: str, title: str, text: str, use_cache: bool = True
) -> Verdict:
    """The judge's verdict on one draft, from the cache when this draft was judged before
    (unless `use_cache` is off; a fresh verdict is stored either way)."""
    cached = _cache_path(cache_name, rubric, text)
    if use_cache and cached.is_file():
        try:
            return Verdict.model_validate_json(cached.read_text(encoding="utf-8"))
        except (ValidationError, ValueError, OSError):
            pass
    messages = judge_messages(rubric, title, text)
    prompt = SectionPrompt(
        section_id="judge", heading=None, messages=messages, skeleton="", template_hash="judge"
    )
    completion = await model.complete(prompt, messages)
    verdict = parse_verdict(completion.text)
    try:
        write_atomic(cached, verdict.model_dump_json() + "\n")
    except InputError as exc:  # a full disk, a cache being cleared: the verdict still counts
        log.warning("the judge's verdict could not be cached (%s): it is kept for this run", exc)
    return verdict
