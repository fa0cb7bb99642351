"""Starting drafts from the web app: a whole draft, or one section of a kept draft again.

Both run as background jobs (`pipeline.web.jobs`) with the drafter's per-section events;
the finished draft (or the draft with its new section) is kept in the store.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool

from pipeline.drafting import draft_document_async, heading_number
from pipeline.facts import Facts
from pipeline.models.base import Model, close_model
from pipeline.spec import DocSpec
from pipeline.web.context import WebContext
from pipeline.web.editing import prompt_set, with_section
from pipeline.web.jobs import Job, SectionLine


def section_lines(spec: DocSpec, facts: Facts, only: str | None = None) -> list[SectionLine]:
    """The sections as the progress page lists them: 开头段, 一、…, in order."""
    prompts = prompt_set(spec)
    lines, index = [], 0
    for s in spec.sections:
        heading = prompts.render_heading(s, facts.values)
        if heading is not None:
            index += 1
            label = heading_number(index) + heading
        else:
            label = "开头段"
        if only is None or s.id == only:
            lines.append(SectionLine(id=s.id, label=label))
    return lines


async def resolve_model(name: str) -> Model:
    """The named model, made in a worker thread: a real model's first use imports its client
    libraries, which must not stall the server. A bad name or a missing key raises InputError."""
    from pipeline.models import get_model

    return await run_in_threadpool(get_model, name)


def warm_up(names: list[str]) -> None:
    """Make the first configured real model once, so the first 生成 does not wait for imports."""
    from pipeline.errors import DraftsmithError
    from pipeline.models import get_model

    for name in names:
        if name != "offline":
            try:
                get_model(name)
            except DraftsmithError:
                continue
            return


def start_draft(
    c: WebContext, doc_id: int, facts_version: int, spec: DocSpec, facts: Facts, model: Model
) -> Job:
    """Draft the whole document in the background; the job's result is the review page."""

    async def work(job: Job) -> str:
        try:
            draft = await draft_document_async(
                spec, facts, model, prompts=prompt_set(spec), on_event=job.on_section
            )
        finally:
            await close_model(model)
        draft_id = await run_in_threadpool(c.store.create_draft, doc_id, facts_version, draft)
        return f"/drafts/{draft_id}"

    return c.jobs.start("draft", doc_id, section_lines(spec, facts), work)


def start_section(
    c: WebContext,
    draft_id: int,
    doc_id: int,
    section_id: str,
    spec: DocSpec,
    facts: Facts,
    model: Model,
) -> Job:
    """Draft one section again from the current facts; the rest of the draft is kept."""
    only = spec.model_copy(update={"sections": [spec.section(section_id)]})

    async def work(job: Job) -> str:
        try:
            partial = await draft_document_async(
                only, facts, model, prompts=prompt_set(spec), on_event=job.on_section
            )
        finally:
            await close_model(model)
        fresh = partial.sections[0]
        await run_in_threadpool(
            c.store.update_draft,
            draft_id,
            lambda d: with_section(d, spec, facts, fresh),
            kind="regenerated",
        )
        return f"/drafts/{draft_id}#sec-{section_id}"

    lines = section_lines(spec, facts, only=section_id)
    return c.jobs.start("section", doc_id, lines, work, draft_id=draft_id)
