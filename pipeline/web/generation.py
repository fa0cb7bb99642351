"""Starting drafts from the web app: a whole draft, or one section of a kept draft again.

Both run as background jobs (`pipeline.web.jobs`) with the drafter's per-section events;
the finished draft (or the draft with its new section) is kept in the store.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

from starlette.concurrency import run_in_threadpool

from pipeline.document import Draft
from pipeline.drafting import draft_document_async, heading_number
from pipeline.errors import DraftsmithError, InputError, MissingKeyError
from pipeline.facts import Facts
from pipeline.models.base import Model, close_model
from pipeline.prompts import PromptSet
from pipeline.spec import DocSpec
from pipeline.summary import exit_code_for
from pipeline.web.context import WebContext
from pipeline.web.editing import prompt_set, with_section
from pipeline.web.jobs import Job, SectionLine


def section_lines(spec: DocSpec, facts: Facts, only: str | None = None) -> list[SectionLine]:
    """The sections as the progress page lists them: 开头段, 一、…, in order."""
    prompts = prompt_set(spec)
    lines, index = [], 0
    for s in spec.drafted_sections(facts.values):
        heading = prompts.render_heading(s, facts.values)
        if heading is not None:
            index += 1
            label = heading_number(index) + heading
        else:
            label = "开头段"
        if only is None or s.id == only:
            lines.append(SectionLine(id=s.id, label=label))
    return lines


async def resolve_model(c: WebContext, name: str) -> Model:
    """The model chosen on a page, made in a worker thread: a real model's first use imports
    its client libraries, which must not stall the server. One no longer offered (the page
    was older than draft.toml) or that cannot be made (its key is not set) raises InputError
    saying so in Chinese; the English reason goes to the terminal, for whoever set it up."""
    from pipeline.models import get_model

    if name not in {m.name for m in c.model_choices()}:
        raise InputError(f"模型“{name}”已不在可选列表中（设置可能已更改），请刷新页面后重新选择。")
    try:
        return await run_in_threadpool(get_model, name)
    except InputError as exc:
        print(f"error: model '{name}': {exc}", file=sys.stderr)
        why = (
            f"服务器上没有设置它的 API 密钥（环境变量 {exc.variable}）"
            if isinstance(exc, MissingKeyError)
            else "它的设置有误"
        )
        raise InputError(
            f"模型“{name}”暂时不能使用：{why}。请改用离线模型，或请负责安装的同事检查设置"
            "（详情见运行 draft serve 的终端）。"
        ) from None


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


def _open_log(spec: DocSpec, model: Model, source: str) -> tuple[Any, int]:
    """The run log and a new run in it, or (None, 0) when the log cannot take it: the web
    app has no --no-log, so that only leaves the draft unlogged (the terminal says why)."""
    from pipeline.models.base import asked_model
    from pipeline.runlog import RunLog

    log = None
    try:
        log = RunLog()
        return log, log.start_run(
            doctype=spec.id,
            model=model.name,
            asked_model=asked_model(model),
            facts_source=source,
            output=None,
        )
    except InputError as exc:
        print(f"warning: {exc}; this draft is not logged", file=sys.stderr)
        if log is not None:
            log.close()
        return None, 0


async def _draft_logged(
    spec: DocSpec, facts: Facts, model: Model, prompts: PromptSet, job: Job, source: str
) -> Draft:
    """Draft with every prompt and response in the run log, as `draft run` does; the model
    is closed at the end."""
    from pipeline.runlog import RecordingModel, finish_logged_run

    log, run_id = _open_log(spec, model, source)  # on the loop: its calls are logged here
    chosen = RecordingModel(model, log, run_id) if log is not None else model
    draft: Draft | None = None
    code = 3  # no draft came of it
    try:
        draft = await draft_document_async(
            spec, facts, chosen, prompts=prompts, on_event=job.on_section
        )
        code = exit_code_for(draft)
        return draft
    except DraftsmithError as exc:
        code = int(exc.exit_code)
        raise
    except asyncio.CancelledError:
        code = 130  # the server stopped under way
        raise
    finally:
        await close_model(model)
        if log is not None:
            finish_logged_run(log, run_id, code, draft)


async def start_draft(
    c: WebContext, doc_id: int, facts_version: int, spec: DocSpec, facts: Facts, model: Model
) -> Job:
    """Draft the whole document in the background; the job's result is the review page. The
    same draft (facts version and model) already under way is followed instead."""
    key = f"draft:{doc_id}:{facts_version}:{model.name}"
    if (running := c.jobs.running_with(key)) is not None:
        await close_model(model)
        return running

    async def work(job: Job) -> str:
        source = f"web app, document {doc_id}"
        draft = await _draft_logged(spec, facts, model, prompt_set(spec), job, source)
        draft_id = await run_in_threadpool(c.store.create_draft, doc_id, facts_version, draft)
        return f"/drafts/{draft_id}"

    return c.jobs.start("draft", doc_id, section_lines(spec, facts), work, key=key)


async def start_section(
    c: WebContext,
    draft_id: int,
    doc_id: int,
    section_id: str,
    spec: DocSpec,
    facts: Facts,
    model: Model,
) -> Job:
    """Draft one section again from the current facts; the rest of the draft is kept. The
    same section (with the same model) already under way is followed instead."""
    key = f"section:{draft_id}:{section_id}:{model.name}"
    if (running := c.jobs.running_with(key)) is not None:
        await close_model(model)
        return running
    only = spec.model_copy(update={"sections": [spec.section(section_id)]})

    async def work(job: Job) -> str:
        source = f"web app, draft {draft_id}, section {section_id}"
        partial = await _draft_logged(only, facts, model, prompt_set(spec), job, source)
        fresh = partial.sections[0]
        await run_in_threadpool(
            c.store.update_draft,
            draft_id,
            lambda d: with_section(d, spec, facts, fresh),
            kind="regenerated",
        )
        return f"/drafts/{draft_id}#sec-{section_id}"

    lines = section_lines(spec, facts, only=section_id)
    return c.jobs.start("section", doc_id, lines, work, draft_id=draft_id, key=key)
