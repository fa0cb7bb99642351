"""Drafting a document: every section from its prompt, concurrently, then assembled in order.

For each section: render the prompt → ask the model → clean the answer → check it →
re-ask with the findings (repair) while error-level findings remain and repairs are left →
keep the best attempt. A section that fails completely becomes a marker carrying the reason;
the other sections are still drafted. The assembled draft is then checked as a whole, and
what the section check still finds in a kept attempt is added to the draft's findings where
the whole-document check does not report it (a section's own check sees some things, such
as a top-level heading inside its body, that the document cannot tell from its context).
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pipeline.checker import check_section, check_text
from pipeline.checker.findings import Finding, Severity
from pipeline.checker.text import LineIndex
from pipeline.checker.wording import fix_zh, problem_zh
from pipeline.document import Draft, FactRef, Provenance, SectionDraft, SignatureBlock
from pipeline.errors import ModelError
from pipeline.facts import Facts
from pipeline.markers import marker
from pipeline.models.base import Model, Usage
from pipeline.numerals import to_chinese
from pipeline.postprocess import (
    clean_section_text,
    completion_failure,
    continuation_messages,
    join_continuation,
    without_reasoning,
)
from pipeline.prompts import Message, PromptSet, SectionPrompt
from pipeline.retry import SectionRetries
from pipeline.retry import section_deadline as retry_deadline_scope
from pipeline.spec import DocSpec, SectionSpec
from pipeline.template_filters import date_cn


@dataclass(frozen=True)
class SectionEvent:
    """Progress of one section, for live displays.

    States: queued, drafting, continuing (the answer hit the token limit), repairing,
    done, failed. Retries are reported on the `pipeline.retry` logger instead.
    """

    section: str
    state: str
    detail: str = ""
    usage: Usage | None = None
    """What the section has used so far (set on done and failed)."""


EventSink = Callable[[SectionEvent], None]


def heading_number(index: int) -> str:
    """The number of the index-th headed section: 1 → 一、 (the opening has none)."""
    return f"{to_chinese(index)}、"


def repair_messages(messages: list[Message], answer: str, findings: list[Finding]) -> list[Message]:
    """The conversation so far (the section prompt, then any earlier repair rounds) continued
    with the faulty answer and a request quoting each finding with its fix. Each round adds
    a turn, so a model that repeats a wrong answer is told that its fix did not take, and no
    two rounds send the same request (the second would be answered from the cache)."""
    lines = []
    for i, f in enumerate(findings, 1):
        quoted = f"原文“{f.excerpt}”：" if f.excerpt.strip() else ""
        lines.append(f"{i}. {quoted}{problem_zh(f)}（{f.code}）。修改要求：{fix_zh(f)}。")
    again = any(m.role == "assistant" for m in messages)
    request = (
        ("修改后的这一节仍有以下问题" if again else "你写的这一节有以下问题")
        + "，请逐条改正后重新输出整节正文（只输出正文）：\n"
        + "\n".join(lines)
        + "\n不得编造事实中没有的数字、名称或日期；事实中标为未提供的，保留事实给出的待补充标记（如“【待补充：学习次数】”）。"
    )
    return [
        *messages,
        Message(role="assistant", content=answer),
        Message(role="user", content=request),
    ]


_STATUS_ZH = {
    400: "请求无效",
    401: "API 密钥无效",
    402: "账户余额不足",
    403: "无权使用该模型",
    404: "模型名称或地址有误",
    408: "请求超时",
    409: "请求冲突",
    413: "请求过长",
    422: "请求参数无效",
    429: "请求过于频繁或额度不足",
    500: "模型服务内部错误",
    502: "模型服务网关错误",
    503: "模型服务暂不可用",
    504: "模型服务网关超时",
}
_REASONS_ZH = (
    ("the model refused", "模型拒绝作答"),  # not "connection refused"
    ("content filter", "回答被内容过滤拦截"),
    ("broke the answer off", "模型服务中断了回答"),
    ("token limit", "回答超出长度上限"),
    ("empty content", "回答为空"),
    ("no choices", "回答中没有内容"),
    ("no section text", "回答中没有本节正文"),
    ("deadline", "超过本节时限"),
    ("timed out", "请求超时"),
    ("TLS handshake", "无法建立安全连接（HTTPS）"),
    ("connect", "无法连接模型服务"),
    ("host not found", "无法连接模型服务"),
)


def failure_reason_zh(reason: str) -> str:
    """A section failure's reason as the document states it (its marker is Chinese text; the
    full English reason stays in the run's summary, JSON and log)."""
    status = re.match(r"(\d{3})\b", reason)
    if status:
        code = int(status.group(1))
        return f"{code} {_STATUS_ZH.get(code, '模型服务出错')}"
    # what failed comes before " — ", the provider's own words after it ("connection refused
    # after 2 attempt(s) — Request timed out."): only the first part says why
    what = reason.split(" — ", 1)[0]
    for needle, words in _REASONS_ZH:
        if needle in what:
            return words
    return "模型调用出错"


def _failure_label(heading: str, reason: str) -> str:
    """The label of a failed section's marker: heading and the reason in Chinese, within a
    marker's 80 characters."""
    words = failure_reason_zh(reason)
    room = 80 - len("（生成失败：）") - len(words)
    if len(heading) > room:
        heading = heading[: max(0, room - 1)] + "…"
    return f"{heading}（生成失败：{words}）"


class _Tally:
    """Usage of one section, kept across failures."""

    def __init__(self) -> None:
        self.usage = Usage()

    def add(self, usage: Usage | None) -> None:
        if usage is not None:
            self.usage = self.usage + usage


async def _ask(
    model: Model,
    prompt: SectionPrompt,
    messages: list[Message],
    tally: _Tally,
    emit: EventSink,
) -> str:
    """One usable answer: continued once if cut off at the token limit; else ModelError."""
    try:
        completion = await model.complete(prompt, messages)
    except ModelError as exc:
        tally.add(getattr(exc, "usage", None))
        raise
    tally.add(completion.usage)
    failure = completion_failure(completion)
    if failure:
        raise ModelError(failure)
    if completion.finish_reason != "length":
        return completion.text
    # A thinking model reasons again before it goes on: each part loses its own reasoning
    # (which is also not sent back), or the second <think>…</think> lands in the section.
    text = without_reasoning(completion.text)
    emit(SectionEvent(prompt.section_id, "continuing", "answer cut off at the token limit"))
    try:
        rest = await model.complete(prompt, continuation_messages(messages, text))
    except ModelError as exc:
        tally.add(getattr(exc, "usage", None))
        raise ModelError(
            f"the answer was cut off at the token limit and continuing failed: {exc}"
        ) from None
    tally.add(rest.usage)
    failure = completion_failure(rest)
    if failure:
        raise ModelError(f"the answer was cut off at the token limit; the continuation: {failure}")
    if rest.finish_reason == "length":
        raise ModelError(
            "the answer was cut off at the token limit even after one continuation request; "
            "raise --max-tokens"
        )
    return join_continuation(text, without_reasoning(rest.text))


async def _draft_section(
    spec: DocSpec,
    section: SectionSpec,
    prompt: SectionPrompt,
    facts: Facts,
    model: Model,
    *,
    repairs: int,
    emit: EventSink,
    title: str | None = None,
    signer: str | None = None,
    addressee: str | None = None,
    deadline: float | None = None,
) -> tuple[SectionDraft, list[Finding]]:
    """Draft one section with its repair loop; never raises for a model failure.

    Returns the section and the error-level findings its kept attempt still has (offsets
    into its body). Every answer is checked, with `repairs=0` too (the first usable answer
    is then the section): some of what a section's check finds, a top-level heading inside
    a middle section, the whole draft's check cannot tell."""
    tally = _Tally()
    best: tuple[list[Finding], str] | None = None
    messages = prompt.messages
    attempts = 0
    problem: str | None = None
    started = time.monotonic()
    retries: SectionRetries | None = None
    emit(SectionEvent(section.id, "drafting"))
    try:
        async with asyncio.timeout(deadline) as timer:
            with retry_deadline_scope(deadline, timer) as retries:
                for round_ in range(repairs + 1):
                    attempts += 1
                    text = await _ask(model, prompt, messages, tally, emit)
                    body = clean_section_text(
                        text, prompt.heading, title=title, signer=signer, addressee=addressee
                    )
                    if not body.strip():
                        raise ModelError("the answer had no section text once cleaned")
                    findings = check_section(body, section=section, spec=spec, facts=facts)
                    errors = [f for f in findings if f.severity is Severity.ERROR]
                    if best is None or len(errors) < len(best[0]):
                        best = (errors, body)
                    if not errors or round_ == repairs:
                        break
                    emit(SectionEvent(section.id, "repairing", f"{len(errors)} error(s)"))
                    messages = repair_messages(messages, body, errors)
    except ModelError as exc:
        problem = str(exc)
    except TimeoutError:
        problem = (retries or SectionRetries()).deadline_message(deadline or 0)
    usage = tally.usage.model_copy(update={"elapsed_s": round(time.monotonic() - started, 6)})
    if best is None:
        reason = problem or "no answer"
        emit(SectionEvent(section.id, "failed", reason, usage))
        label = _failure_label(prompt.heading or "开头段", reason)
        failed = SectionDraft(
            id=section.id,
            heading=prompt.heading,
            body=marker(label),
            status="failed",
            error=reason,
            must_mention=[FactRef(fact=f, label=spec.label(f)) for f in section.must_mention],
            attempts=attempts,
            usage=usage,
        )
        return failed, []
    detail = f"{len(best[1])} characters"
    if best[0]:
        detail += f", {len(best[0])} error(s) left"
    if problem:
        detail += f"; last repair failed: {problem}"
    emit(SectionEvent(section.id, "done", detail, usage))
    drafted = SectionDraft(
        id=section.id, heading=prompt.heading, body=best[1], attempts=attempts, usage=usage
    )
    return drafted, best[0]


async def draft_document_async(
    spec: DocSpec,
    facts: Facts,
    model: Model,
    *,
    prompts: PromptSet | None = None,
    concurrency: int = 4,
    repairs: int = 2,
    on_event: EventSink | None = None,
    section_deadline: float | None = None,
) -> Draft:
    """Draft every section the facts call for (at most `concurrency` at once: a section
    whose `when` fact is missing is left out) and assemble the checked draft.

    `section_deadline` (seconds; default: the model's `deadline`, if it has one) bounds each
    section, retries and repairs included. The model is not closed here: it may be shared
    by several drafts; whoever made it awaits its `aclose()` (if any) when done.
    """
    prompts = prompts or PromptSet.load(spec)
    emit = on_event or (lambda event: None)
    gate = asyncio.Semaphore(max(1, concurrency))
    deadline = section_deadline or getattr(model, "deadline", None)
    title = prompts.render_title(facts.values)
    signer = str(facts.values.get(spec.signature.unit) or "") if spec.signature else None
    addressee = str(facts.values.get(spec.addressee) or "") if spec.addressee else None
    rendered = [
        (s, prompts.render_section(s, facts.values)) for s in spec.drafted_sections(facts.values)
    ]
    for s, _ in rendered:
        emit(SectionEvent(s.id, "queued"))

    async def one(
        section: SectionSpec, prompt: SectionPrompt
    ) -> tuple[SectionDraft, list[Finding]]:
        async with gate:
            return await _draft_section(
                spec,
                section,
                prompt,
                facts,
                model,
                repairs=repairs,
                emit=emit,
                title=title,
                signer=signer or None,
                addressee=addressee or None,
                deadline=deadline,
            )

    started = time.monotonic()
    results = await asyncio.gather(*(one(s, p) for s, p in rendered))
    draft = assemble(
        spec,
        facts,
        prompts,
        model.name,
        [s for s, _ in results],
        left={s.id: left for s, left in results if left},
    )
    elapsed = round(time.monotonic() - started, 6)
    return draft.model_copy(update={"usage": draft.usage.model_copy(update={"elapsed_s": elapsed})})


def assemble(
    spec: DocSpec,
    facts: Facts,
    prompts: PromptSet,
    model_name: str,
    sections: list[SectionDraft],
    *,
    left: dict[str, list[Finding]] | None = None,
) -> Draft:
    """Number the headings, add title and signature, locate markers and check the whole draft.

    `left`: by section id, the findings (offsets into its body) the section check still made
    on the attempt kept; those the whole-document check does not also make are added."""
    numbered: list[SectionDraft] = []
    index = 0
    for s in sections:
        heading = s.heading
        if heading is not None:
            index += 1
            heading = heading_number(index) + heading
        numbered.append(s.model_copy(update={"heading": heading}))
    signature = None
    if spec.signature and facts.values.get(spec.signature.unit):
        date = None
        if spec.signature.date:  # a missing date is a gap like any other: its marker
            value = facts.values.get(spec.signature.date)
            date = date_cn(value) if value else marker(spec.label(spec.signature.date))
        second = None
        if spec.signature.second:  # like the date, a missing name is its marker
            given = facts.values.get(spec.signature.second)
            second = str(given) if given else marker(spec.label(spec.signature.second))
        signature = SignatureBlock(
            unit=str(facts.values[spec.signature.unit]),
            second=second,
            date=date,
            role=spec.signature.role,
        )
    addressee = None
    if spec.addressee:  # a missing 主送机关 is its marker, on its own line
        given = facts.values.get(spec.addressee)
        addressee = str(given) if given else marker(spec.label(spec.addressee))
    draft = Draft(
        doctype=spec.id,
        doctype_name=spec.name,
        title=prompts.render_title(facts.values),
        addressee=addressee,
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
    findings = check_text(draft.text, spec=spec, facts=facts).findings
    if left:
        findings = _with_section_findings(draft, findings, left)
    return draft.model_copy(
        update={
            "markers": draft.locate_markers(labels),
            "findings": findings,
        }
    )


def _with_section_findings(
    draft: Draft, findings: list[Finding], left: dict[str, list[Finding]]
) -> list[Finding]:
    """The document's findings and the sections' `left` ones moved into the draft's text,
    less those the document check already makes: the same finding about the whole section
    (placed at its heading there, at its first words here), or one of the same rule family
    overlapping (the same hole or the same heading, told by both checks, is reported once)."""
    text = draft.text
    index = LineIndex(text)
    added: list[Finding] = []
    for (sid, start, _), section in zip(draft.section_spans(), draft.sections, strict=True):
        # the body is one paragraph a line (as cleaned), right after its heading's line
        base = start + (len(section.heading) + 1 if section.heading else 0)
        for f in left.get(section.id, []):
            a, b = base + f.start, base + f.end
            if any(
                (d.code, d.message, d.section) == (f.code, f.message, sid)
                or (
                    d.family == f.family and d.start < max(b, a + 1) and a < max(d.end, d.start + 1)
                )
                for d in findings
            ):
                continue
            line, column = index.locate(a)
            added.append(
                f.model_copy(
                    update={
                        "start": a,
                        "end": b,
                        "line": line,
                        "column": column,
                        "excerpt": text[a:b],
                        "section": sid,
                    }
                )
            )
    return sorted([*findings, *added], key=lambda f: (f.start, f.end, f.code))


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
