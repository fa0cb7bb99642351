"""Drafting a document: every section from its prompt, concurrently, then assembled in order.

For each section: render the prompt → ask the model → clean the answer → check it →
re-ask with the findings (repair) while error-level findings remain and repairs are left →
keep the best attempt. A section that fails completely becomes a marker carrying the reason;
the other sections are still drafted. The assembled draft is then checked as a whole.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pipeline.checker import check_section, check_text
from pipeline.checker.findings import Finding, Severity
from pipeline.document import Draft, Provenance, SectionDraft, SignatureBlock
from pipeline.errors import ModelError
from pipeline.facts import Facts
from pipeline.markers import marker
from pipeline.models.base import Model, Usage
from pipeline.postprocess import clean_section_text
from pipeline.prompts import Message, PromptSet, SectionPrompt, date_cn
from pipeline.spec import DocSpec, SectionSpec


@dataclass(frozen=True)
class SectionEvent:
    """Progress of one section, for live displays: queued, drafting, repairing, done, failed."""

    section: str
    state: str
    detail: str = ""


EventSink = Callable[[SectionEvent], None]


def _number(index: int) -> str:
    from pipeline.prompts import cn

    return f"{cn(index)}、"


def repair_messages(prompt: SectionPrompt, answer: str, findings: list[Finding]) -> list[Message]:
    """The conversation that asks the model to fix its section: the findings quoted one by one."""
    lines = []
    for i, f in enumerate(findings, 1):
        hint = f"；{f.hint}" if f.hint else ""
        lines.append(f"{i}. “{f.excerpt}”：{f.message}{hint}")
    request = (
        "你写的这一节有以下问题，请逐条改正后重新输出整节正文（只输出正文）：\n"
        + "\n".join(lines)
        + "\n不得编造事实中没有的数字、名称或日期；缺少的事实保留“【待补充：名称】”标记。"
    )
    return [
        *prompt.messages,
        Message(role="assistant", content=answer),
        Message(role="user", content=request),
    ]


async def _draft_section(
    spec: DocSpec,
    section: SectionSpec,
    prompt: SectionPrompt,
    facts: Facts,
    model: Model,
    *,
    repairs: int,
    emit: EventSink,
) -> tuple[SectionDraft, list[Finding]]:
    """Draft one section with its repair loop; never raises for a model failure."""
    usage = Usage()
    best: tuple[int, str, list[Finding]] | None = None
    messages = prompt.messages
    attempts = 0
    emit(SectionEvent(section.id, "drafting"))
    try:
        for round_ in range(repairs + 1):
            completion = await model.complete(prompt, messages)
            attempts += 1
            usage = usage + completion.usage
            body = clean_section_text(completion.text, prompt.heading)
            if not body.strip():
                raise ModelError("the model returned an empty section")
            findings = check_section(body, section=section, spec=spec, facts=facts)
            errors = [f for f in findings if f.severity is Severity.ERROR]
            if best is None or len(errors) < best[0]:
                best = (len(errors), body, findings)
            if not errors or round_ == repairs:
                break
            emit(SectionEvent(section.id, "repairing", f"{len(errors)} error(s)"))
            messages = repair_messages(prompt, body, errors)
    except ModelError as exc:
        if best is None:
            emit(SectionEvent(section.id, "failed", str(exc)))
            reason = f"{prompt.heading or '开头段'}（生成失败：{exc}）"
            return SectionDraft(
                id=section.id,
                heading=prompt.heading,
                body=marker(reason),
                status="failed",
                error=str(exc),
                attempts=attempts,
                usage=usage,
            ), []
    assert best is not None
    emit(SectionEvent(section.id, "done", f"{len(best[1])} characters"))
    return SectionDraft(
        id=section.id, heading=prompt.heading, body=best[1], attempts=attempts, usage=usage
    ), best[2]


async def draft_document_async(
    spec: DocSpec,
    facts: Facts,
    model: Model,
    *,
    prompts: PromptSet | None = None,
    concurrency: int = 4,
    repairs: int = 2,
    on_event: EventSink | None = None,
) -> Draft:
    """Draft every section (at most `concurrency` at once) and assemble the checked draft."""
    prompts = prompts or PromptSet.load(spec)
    emit = on_event or (lambda event: None)
    gate = asyncio.Semaphore(max(1, concurrency))
    rendered = [(s, prompts.render_section(s, facts.values)) for s in spec.sections]
    for s, _ in rendered:
        emit(SectionEvent(s.id, "queued"))

    async def one(
        section: SectionSpec, prompt: SectionPrompt
    ) -> tuple[SectionDraft, list[Finding]]:
        async with gate:
            return await _draft_section(
                spec, section, prompt, facts, model, repairs=repairs, emit=emit
            )

    results = await asyncio.gather(*(one(s, p) for s, p in rendered))
    return assemble(spec, facts, prompts, model.name, [r[0] for r in results])


def assemble(
    spec: DocSpec, facts: Facts, prompts: PromptSet, model_name: str, sections: list[SectionDraft]
) -> Draft:
    """Number the headings, add title and signature, locate markers and check the whole draft."""
    numbered: list[SectionDraft] = []
    index = 0
    for s in sections:
        heading = s.heading
        if heading is not None:
            index += 1
            heading = _number(index) + heading
        numbered.append(s.model_copy(update={"heading": heading}))
    signature = None
    if spec.signature and facts.values.get(spec.signature.unit):
        date = facts.values.get(spec.signature.date) if spec.signature.date else None
        signature = SignatureBlock(
            unit=str(facts.values[spec.signature.unit]), date=date_cn(date) if date else None
        )
    draft = Draft(
        doctype=spec.id,
        doctype_name=spec.name,
        title=prompts.render_title(facts.values),
        sections=numbered,
        signature=signature,
        facts=facts.to_json(),
        provenance=Provenance(
            doctype=spec.id,
            spec_version=str(spec.version),
            spec_hash=spec.content_hash,
            prompt_hashes=dict(prompts.hashes),
            model=model_name,
            facts_source=facts.source,
            facts_hash=facts.content_hash(),
        ),
        usage=sum((s.usage for s in sections), Usage()),
    )
    labels = fact_labels(spec)
    report = check_text(draft.text, spec=spec, facts=facts)
    return draft.model_copy(
        update={
            "markers": draft.locate_markers(labels),
            "findings": report.findings,
        }
    )


def fact_labels(spec: DocSpec) -> dict[str, str]:
    """Chinese label → fact id, including the fields of list items."""
    labels: dict[str, str] = {}
    for name, fact in spec.facts.items():
        labels[fact.label] = name
        for sub_name, sub in (fact.fields or {}).items():
            labels.setdefault(sub.label, f"{name}.{sub_name}")
    return labels


def draft_document(spec: DocSpec, facts: Facts, model: Model, **kwargs: Any) -> Draft:
    """Synchronous wrapper of `draft_document_async`."""
    return asyncio.run(draft_document_async(spec, facts, model, **kwargs))
