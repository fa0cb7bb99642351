"""Jobs and drafts: live progress, the review page, in-place edits, regeneration, downloads."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from fastapi import APIRouter
from fastapi.sse import EventSourceResponse, ServerSentEvent
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from pipeline.errors import InputError
from pipeline.web import generation
from pipeline.web.context import WebContext, ctx
from pipeline.web.editing import draft_facts, rebuild, with_section_text
from pipeline.web.forms import check_form, form_fields
from pipeline.web.review import build_review
from pipeline.web.routes.docs import attachment
from pipeline.web.store import NotFound, StoredDraft

if TYPE_CHECKING:
    from pipeline.document import Draft
    from pipeline.render.overrides import StyleOverrides

router = APIRouter()

MEDIA_TYPES = {
    "md": "text/markdown; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
STATE_CN = {
    "queued": "排队中",
    "drafting": "起草中",
    "repairing": "修改中",
    "done": "已完成",
    "failed": "失败",
}


# ----------------------------------------------------------------------------- jobs


@router.get("/jobs/{job_id}")
def job_page(request: Request, job_id: str) -> Response:
    """The progress page: one line per section, updated live."""
    c = ctx(request)
    job = c.jobs.get(job_id)
    if job is None:
        return c.pages.html(
            request,
            "error.html",
            status=404,
            title="任务不存在",
            message="这个生成任务已结束或服务已重启。已生成的草稿可在事实表单页的“草稿”列表中找到。",
        )
    if job.state == "done" and job.result_url:
        return RedirectResponse(job.result_url, status_code=303)
    doc = c.store.get_doc(job.doc_id)
    return c.pages.html(request, "job.html", job=job, doc=doc, states=STATE_CN)


@router.get("/jobs/{job_id}/events", response_class=EventSourceResponse)
async def job_events(request: Request, job_id: str) -> AsyncIterator[ServerSentEvent]:
    """The job's events as server-sent events; `Last-Event-ID` resumes after a reconnect."""
    job = ctx(request).jobs.get(job_id)
    if job is None:
        yield ServerSentEvent(event="failed", data={"message": "任务不存在或服务已重启。"})
        return
    try:
        after = int(request.headers.get("last-event-id") or 0)
    except ValueError:
        after = 0
    async for event in job.follow(after):
        if event is None:
            yield ServerSentEvent(comment="waiting")
            continue
        yield ServerSentEvent(event=event.kind, data=event.data, id=str(event.id))


# ----------------------------------------------------------------------------- review


def _fragments(c: WebContext, stored: StoredDraft) -> dict[str, object]:
    """The parts of the review page an edit changes, rendered as HTML."""
    view = build_review(stored.draft)
    parts = "_review_parts.html"
    return {
        "revision": stored.revision,
        "sections": {
            s.id: {
                "heading": c.pages.part(parts, "heading_line", s),
                "body": c.pages.part(parts, "paragraphs", s),
            }
            for s in view.sections
        },
        "title": c.pages.part(parts, "segments", view.title),
        "panel": c.pages.part(parts, "panel", view, stored.draft),
        "summary": c.pages.part(parts, "summary", view),
    }


@router.get("/drafts/{draft_id}")
def review(request: Request, draft_id: int) -> Response:
    """The review page: the draft with markers and findings in place, a side panel, downloads."""
    c = ctx(request)
    stored = c.store.get_draft(draft_id)
    doc = c.store.get_doc(stored.doc_id)
    revisions = c.store.draft_revisions(draft_id)
    return c.pages.html(
        request,
        "review.html",
        stored=stored,
        draft=stored.draft,
        view=build_review(stored.draft),
        doc=doc,
        revisions=revisions,
        models=c.model_choices(),
    )


class SectionEdit(BaseModel):
    """An in-place edit of one section, sent by the review page."""

    text: str
    """Its length is checked by `normalise_body`, which says in Chinese what the limit is."""
    base: int | None = None
    """The revision the page was showing."""
    tab: str | None = Field(None, max_length=64)
    """The browser tab's id: a tab's edits in quick succession make one revision."""


@router.post("/drafts/{draft_id}/sections/{section_id}")
async def edit_section(
    request: Request, draft_id: int, section_id: str, edit: SectionEdit
) -> Response:
    """Keep the edited text of one section, check the whole draft again, return the new parts."""
    c = ctx(request)
    stored = c.store.get_draft(draft_id)
    spec = c.spec(stored.draft.doctype)
    shown = _section_body(c, stored, edit.base, section_id)
    replaced: list[bool] = []

    def edited(latest: Draft) -> Draft:
        # another tab changed this very section since this page loaded: its text is replaced
        replaced.append(shown is not None and _body(latest, section_id) != shown)
        return with_section_text(latest, spec, section_id, edit.text)

    result = await run_in_threadpool(
        c.store.update_draft, draft_id, edited, kind="edited", session=edit.tab, base=edit.base
    )
    fresh = c.store.get_draft(draft_id)
    filled = await run_in_threadpool(_fill_facts_document, c, stored, fresh)
    # the revision that keeps the other tab's text of the section, for the page to name
    kept_in = result.number - 1 if result.conflict and result.changed and any(replaced) else None
    return JSONResponse(
        {**_fragments(c, fresh), "conflict": result.conflict, "replaced": kept_in, "filled": filled}
    )


def _body(draft: Draft, section_id: str) -> str | None:
    return next((s.body for s in draft.sections if s.id == section_id), None)


def _section_body(
    c: WebContext, latest: StoredDraft, revision: int | None, section_id: str
) -> str | None:
    """The section's text at the revision a page was showing (None when it does not say);
    read again only when that is not the latest one."""
    if revision is None:
        return None
    if revision == latest.revision:
        return _body(latest.draft, section_id)
    try:
        return _body(c.store.get_draft(latest.id, revision=revision).draft, section_id)
    except NotFound:
        return None


def _fill_facts_document(c: WebContext, before: StoredDraft, after: StoredDraft) -> list[str]:
    """Facts the edit supplied (a value typed over a marker) also go into the facts form, where
    it has none yet, as a new version; returns "label：value" for each."""
    new = {
        k: v
        for k, v in after.draft.facts.items()
        if before.draft.facts.get(k) is None and v is not None
    }
    if not new:
        return []
    spec = c.spec(after.draft.doctype)
    doc = c.store.get_doc(after.doc_id)
    missing = {k: v for k, v in new.items() if doc.data.get(k) in (None, "", [])}
    if missing:
        c.store.save_facts(doc.id, {**doc.data, **missing}, kind="from_draft")
    return [f"{spec.facts[k].label}：{v}" for k, v in new.items() if k in spec.facts]


@router.post("/drafts/{draft_id}/recheck")
async def recheck(request: Request, draft_id: int) -> Response:
    """Check the latest revision again and return the new parts."""
    c = ctx(request)
    stored = c.store.get_draft(draft_id)
    spec = c.spec(stored.draft.doctype)

    def again(draft: Draft) -> Draft:
        return rebuild(draft, spec, draft_facts(draft, spec), draft.sections, keep_provenance=True)

    await run_in_threadpool(c.store.update_draft, draft_id, again, kind="edited")
    return JSONResponse(_fragments(c, c.store.get_draft(draft_id)))


@router.post("/drafts/{draft_id}/regenerate")
async def regenerate(request: Request, draft_id: int) -> Response:
    """Draft one section again (from the facts as they are now) in the background."""
    c = ctx(request)
    form = await request.form()
    section_id = str(form.get("section", ""))
    model_name = str(form.get("model", "offline"))
    stored = c.store.get_draft(draft_id)
    spec = c.spec(stored.draft.doctype)
    if section_id not in {s.id for s in spec.sections}:
        raise InputError(f"这种材料没有这一节（{section_id}），请刷新页面后重试。")
    doc = c.store.get_doc(stored.doc_id)
    outcome = check_form(spec, form_fields({"doctype": spec.id, **doc.data}, spec))
    if outcome.facts is None:
        return RedirectResponse(f"/docs/{doc.id}?checked=1#form-errors", status_code=303)
    section = spec.section(section_id)
    if section not in spec.drafted_sections(outcome.facts.values):
        assert section.when is not None  # only a section with `when` is left out
        raise InputError(
            f"“{section.heading or section.id}”一节只在填写了“{spec.label(section.when)}”时"
            "生成，表单中现在没有填写：请先填写并保存，再重新生成这一节。"
        )
    try:
        model = await generation.resolve_model(c, model_name)
    except InputError as exc:
        raise InputError(f"无法重新生成：{exc}") from None
    job = await generation.start_section(
        c, draft_id, doc.id, section_id, spec, outcome.facts, model
    )
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.get("/drafts/{draft_id}/revisions")
def revisions(request: Request, draft_id: int) -> Response:
    """Every revision of a draft."""
    c = ctx(request)
    stored = c.store.get_draft(draft_id)
    return c.pages.html(
        request,
        "revisions.html",
        stored=stored,
        doc=c.store.get_doc(stored.doc_id),
        revisions=c.store.draft_revisions(draft_id),
    )


@router.post("/drafts/{draft_id}/revisions/{number}/restore")
async def restore_revision(request: Request, draft_id: int, number: int) -> Response:
    """Make an old revision the latest again (as a new revision)."""
    c = ctx(request)
    old = c.store.get_draft(draft_id, revision=number).draft
    await run_in_threadpool(c.store.update_draft, draft_id, lambda d: old, kind="restored")
    return RedirectResponse(f"/drafts/{draft_id}", status_code=303)


@router.get("/drafts/{draft_id}/download.{fmt}")
def download(request: Request, draft_id: int, fmt: str) -> Response:
    """The draft as .docx, .md, .txt or .json (the latest revision, edits included); Word in
    the house style (the spec's `style:` and draft.toml's `[style]`), as `draft export` does."""
    from pipeline.render import render, word_options

    if fmt not in MEDIA_TYPES:
        listed = "、".join(f".{f}" for f in MEDIA_TYPES)
        raise InputError(f"不能下载为“.{fmt}”格式，可选的格式有：{listed}。")
    c = ctx(request)
    stored = c.store.get_draft(draft_id)
    try:
        spec_style = _spec_style(c, stored.draft.doctype) if fmt == "docx" else None
        content = render(stored.draft, fmt, **word_options(fmt, spec_style=spec_style))
    except ImportError:
        raise InputError(
            "这里安装的版本不能生成 Word（.docx）文件，请改为下载 .md 或 .txt。"
        ) from None
    return Response(
        content,
        media_type=MEDIA_TYPES[fmt],
        headers={
            "content-disposition": attachment(
                f"{stored.draft.title}.{fmt}", f"draft-{draft_id}.{fmt}"
            )
        },
    )


def _spec_style(c: WebContext, doctype: str) -> StyleOverrides | None:
    """The `style:` of the draft's document type, or None when the type no longer loads (the
    draft is still downloadable, in the default house style and draft.toml's `[style]`)."""
    from pipeline.errors import DraftsmithError

    try:
        return c.spec(doctype).style
    except DraftsmithError:
        return None
