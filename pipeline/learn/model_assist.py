"""Better labels and descriptions for learned facts, proposed by a model and checked.

The model gets each fact's id, rule-based label, type and context, and answers JSON:
`{"facts": [{"id": ..., "label": ..., "description": ...}]}`. Every proposal is checked —
the id must be one of ours (no new facts), the label non-empty Chinese of at most 20
characters without marker brackets, unique among the labels — and a fact whose proposal
fails keeps its rule-based label and description. A model that fails or answers no JSON
changes nothing.
"""

from __future__ import annotations

import asyncio
import json
import re

from pydantic import BaseModel, ValidationError

from pipeline.errors import DraftsmithError
from pipeline.learn.registry import FoundFact
from pipeline.models.base import Model, close_model
from pipeline.postprocess import without_reasoning

_CHINESE = re.compile(r"[\u4e00-\u9fff]")
_FORBIDDEN = re.compile(r"[【】{}<>\n\r□]")
MAX_LABEL = 20


class Proposal(BaseModel):
    """One fact's label and description as a model proposes them."""

    id: str
    label: str
    description: str = ""


class Proposals(BaseModel):
    """The model's whole answer."""

    facts: list[Proposal]


class AssistReport(BaseModel):
    """What the model changed and what was refused, and why."""

    model: str
    accepted: list[str] = []
    """Fact ids whose label or description changed."""
    rejected: list[str] = []
    """One line per refused proposal: the id and the reason."""
    error: str | None = None
    """Why the model's answer could not be used at all."""


def _prompt_text(title: str, facts: list[FoundFact]) -> str:
    rows = [
        {"id": f.id, "label": f.label, "type": f.type, "unit": f.unit, "context": f.context}
        for f in facts
    ]
    return (
        f"下面是从范文《{title}》中识别出的事实项。context 中的“□”是该事实在原文中的位置。\n"
        "请为每一项给出更准确、简洁的中文名称（label，不超过20个字）和一句中文说明（description），"
        "说明这一项应填写什么。不得增加或删除事实项，不得修改 id。\n"
        '只输出 JSON：{"facts": [{"id": "...", "label": "...", "description": "..."}]}\n\n'
        + json.dumps(rows, ensure_ascii=False, indent=1)
    )


def _json_object(text: str) -> str:
    """The JSON object in an answer (code fences and chatter around it, and a thinking
    model's <think>…</think> reasoning before it, dropped)."""
    text = without_reasoning(text)
    start, end = text.find("{"), text.rfind("}")
    return text[start : end + 1] if 0 <= start < end else text


def check_label(label: str) -> str | None:
    """Why a proposed label is unusable, or None when it is fine."""
    label = label.strip()
    if not label:
        return "empty label"
    if not _CHINESE.search(label):
        return "label has no Chinese"
    if len(label) > MAX_LABEL:
        return f"label longer than {MAX_LABEL} characters"
    if _FORBIDDEN.search(label):
        return "label contains 【】, braces, angle brackets or a line break"
    return None


def apply_proposals(
    facts: list[FoundFact], answer: str, model_name: str
) -> tuple[list[FoundFact], AssistReport]:
    """The facts with every valid proposal applied; the rest left as the rules made them."""
    report = AssistReport(model=model_name)
    try:
        proposals = Proposals.model_validate_json(_json_object(answer))
    except ValidationError as exc:
        report.error = f"the answer is not the expected JSON ({exc.error_count()} problem(s))"
        return facts, report
    by_id = {f.id: f for f in facts}
    labels = {f.id: f.label for f in facts}
    changes: dict[str, dict[str, str]] = {}
    for p in proposals.facts:
        if p.id not in by_id:
            report.rejected.append(f"{p.id}: not a fact of this type (no new facts)")
            continue
        if p.id in changes:
            report.rejected.append(f"{p.id}: proposed twice")
            continue
        why = check_label(p.label)
        label = p.label.strip()
        if why is None and any(v == label for k, v in labels.items() if k != p.id):
            why = "label already used by another fact"
        if why:
            report.rejected.append(f"{p.id}: {why} ({p.label!r})")
            continue
        update = {"label": label}
        description = p.description.strip()
        if description and _CHINESE.search(description) and not _FORBIDDEN.search(description):
            marked = "示例" in by_id[p.id].description and "示例" not in description
            update["description"] = description + ("（示例值仅供参考）" if marked else "")
        labels[p.id] = label
        changes[p.id] = update
    out = []
    for f in facts:
        if f.id in changes and (
            changes[f.id]["label"] != f.label or changes[f.id].get("description")
        ):
            out.append(f.model_copy(update=changes[f.id]))
            report.accepted.append(f.id)
        else:
            out.append(f)
    return out, report


async def _ask(model: Model, text: str) -> str:
    """The model's answer to `text`; its connections are closed before the event loop ends."""
    from pipeline.prompts import Message, SectionPrompt

    messages = [
        Message(role="system", content="你是熟悉党政机关公文的编辑，只输出 JSON。"),
        Message(role="user", content=text),
    ]
    prompt = SectionPrompt(
        section_id="learn-labels",
        heading=None,
        messages=messages,
        skeleton="",
        template_hash="learn-labels",
    )
    try:
        completion = await model.complete(prompt, messages)
    finally:
        await close_model(model)
    return completion.text


def improve_labels(
    model: Model, title: str, facts: list[FoundFact]
) -> tuple[list[FoundFact], AssistReport]:
    """Ask `model` for labels and descriptions; apply the valid ones, keep the rest."""
    if not facts:
        return facts, AssistReport(model=model.name)
    try:
        answer = asyncio.run(_ask(model, _prompt_text(title, facts)))
    except DraftsmithError as exc:
        return facts, AssistReport(model=model.name, error=f"the model failed: {exc}")
    return apply_proposals(facts, answer, model.name)
