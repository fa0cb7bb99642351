"""Facts documents: the home page, the facts form, autosave, import/export, history, generate."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from pipeline.errors import InputError
from pipeline.spec import DocSpec, UnknownDoctypeError
from pipeline.textio import load_structured
from pipeline.validation import closest
from pipeline.web import generation
from pipeline.web.context import ctx
from pipeline.web.forms import (
    PREFIX,
    build_form,
    check_form,
    example_data,
    facts_yaml,
    filled_count,
    form_fields,
    missing_labels,
    parse_form,
)

router = APIRouter()

KIND_CN = {
    "created": "新建",
    "autosave": "自动保存",
    "saved": "保存",
    "imported": "导入",
    "restored": "恢复旧版本",
    "generated": "生成",
    "from_draft": "在草稿中补填",
}
MAX_IMPORT_BYTES = 1024 * 1024


def attachment(filename: str, fallback: str) -> str:
    """A Content-Disposition value for a download with a Chinese file name (`fallback` in ASCII)."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


async def _fields(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.multi_items() if isinstance(v, str)}


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def _facts_only(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "doctype"}


# ----------------------------------------------------------------------------- home


@router.get("/")
def home(request: Request) -> Response:
    """The list of facts documents, and the ways to start a new one."""
    c = ctx(request)
    doctypes = c.doctypes()
    names = {d.id: d.name for d in doctypes}
    rows = []
    for doc in c.store.list_docs():
        try:
            spec = c.spec(doc.doctype)
            filled, total = filled_count(spec, doc.data)
        except InputError:
            filled, total = 0, 0
        drafts = c.store.drafts_for(doc.id)
        rows.append(
            {
                "doc": doc,
                "doctype_name": names.get(doc.doctype, doc.doctype),
                "filled": filled,
                "total": total,
                "latest_draft": drafts[0] if drafts else None,
                # a tab closed while drafting: the draft under way is found from the home page
                "running": c.jobs.running_for(doc.id),
            }
        )
    return c.pages.html(request, "home.html", rows=rows, doctypes=doctypes)


@router.post("/docs")
async def create_doc(request: Request) -> Response:
    """A new facts document: blank, or filled with the document type's examples."""
    c = ctx(request)
    fields = await _fields(request)
    spec = c.spec(fields.get("doctype", ""))
    name = fields.get("name", "").strip()[:100] or spec.name
    data = example_data(spec) if fields.get("start") == "example" else {}
    doc = await run_in_threadpool(c.store.create_doc, name, spec.id, data)
    return _redirect(f"/docs/{doc.id}")


async def _read_upload(request: Request) -> tuple[dict[str, Any], str]:
    """The facts mapping from an uploaded (or pasted) YAML/JSON file, and its name."""
    form = await request.form()
    upload = form.get("facts_file")
    pasted = form.get("facts_text")
    if isinstance(upload, UploadFile) and upload.filename:
        raw = await upload.read(MAX_IMPORT_BYTES + 1)
        name = Path(upload.filename).name
    elif isinstance(pasted, str) and pasted.strip():
        raw, name = pasted.encode(), "粘贴的内容.yaml"
    else:
        raise InputError("请选择要导入的 YAML 事实文件（或粘贴其内容）。")
    if len(raw) > MAX_IMPORT_BYTES:
        raise InputError(f"导入的文件超过 {MAX_IMPORT_BYTES // 1024} KB。", path=name)
    if not raw.strip():
        raise InputError("文件是空的，没有导入。请选择填好事实的 YAML 文件。", path=name)
    if raw.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF")):  # .docx/.xlsx, .doc, .pdf
        raise InputError(
            "这是 Word、Excel 或 PDF 文件，不是事实文件，没有导入。"
            "请选择“导出 YAML”得到的 .yaml 文件（草稿本身不能导入）。",
            path=name,
        )
    suffix = ".json" if name.lower().endswith(".json") else ".yaml"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"import{suffix}"
        path.write_bytes(raw)
        try:
            data, _ = load_structured(path, what="facts file")
        except InputError as exc:
            where = f"第 {exc.line} 行附近" if exc.line else "文件"
            raise InputError(
                f"无法读取：{where}不符合 YAML/JSON 格式（如括号或引号没有配对、缩进不齐）。"
                "请用“导出 YAML”得到的文件，或按其格式修改后再导入。",
                path=name,
            ) from None
    if not isinstance(data, dict):
        raise InputError(
            "事实文件应逐行写成“事实名: 值”（如 school_name: 红星中学），这个文件不是。",
            path=name,
        )
    return json.loads(json.dumps(data, ensure_ascii=False, default=str)), name


def _imported_spec(request: Request, doctype: str, file_name: str) -> DocSpec:
    """The spec an imported file's `doctype:` names; an unknown one is refused in Chinese,
    with the closest known type and the list of types."""
    c = ctx(request)
    try:
        return c.spec(doctype)
    except UnknownDoctypeError:
        pass
    names = {d.id: d.name for d in c.doctypes()}
    near = closest(doctype, names)
    guess = f"是否应为“doctype: {near}”（{names[near]}）？" if near else ""
    known = "、".join(f"{n}（{i}）" for i, n in names.items())
    raise InputError(
        f"文件中的“doctype: {doctype}”不是已有的文种，没有导入。{guess}已有的文种：{known}。",
        path=file_name,
    )


@router.post("/docs/import")
async def import_new(request: Request) -> Response:
    """A new facts document from an uploaded facts file (its `doctype:` names the type)."""
    c = ctx(request)
    data, name = await _read_upload(request)
    fields = await _fields(request)
    doctype = data.get("doctype") or fields.get("doctype")
    if not isinstance(doctype, str) or not doctype:
        raise InputError(
            "文件中没有写明文种的“doctype:”一行，无法判断它属于哪种材料。"
            "请在文件开头加上如“doctype: school-ideology-summary”的一行。",
            path=name,
        )
    spec = _imported_spec(request, doctype, name)
    title = Path(name).stem
    doc = await run_in_threadpool(
        c.store.create_doc, title, spec.id, _facts_only(data), kind="imported"
    )
    return _redirect(f"/docs/{doc.id}?checked=1")


# ----------------------------------------------------------------------------- the form


def render_form(
    request: Request,
    doc_id: int,
    *,
    checked: bool = False,
    banner: str | None = None,
    status: int = 200,
    add: str | None = None,
) -> Response:
    """The facts form of a document with its errors, drafts and generation box."""
    c = ctx(request)
    doc = c.store.get_doc(doc_id)
    spec = c.spec(doc.doctype)
    outcome = check_form(spec, form_fields(doc.data, spec))
    errors = (
        outcome.errors
        if checked
        else {k: v for k, v in outcome.errors.items() if k not in outcome.missing}
    )
    shown = dict(doc.data)
    if add in spec.facts and spec.facts[add].type.endswith("-list"):
        existing = shown.get(add)
        shown[add] = [*(existing if isinstance(existing, list) else []), None]
    form = build_form(spec, shown, errors)
    filled, total = filled_count(spec, doc.data)
    return c.pages.html(
        request,
        "doc_form.html",
        status=status,
        doc=doc,
        spec=spec,
        form=form,
        checked=checked,
        valid=outcome.facts is not None,
        banner=banner,
        saved=request.query_params.get("saved") == "1",
        conflict=request.query_params.get("conflict") == "1",
        restored=request.query_params.get("restored"),
        drafts=c.store.drafts_for(doc.id),
        running=c.jobs.running_for(doc.id),
        models=c.model_choices(),
        missing=missing_labels(spec, doc.data),
        filled=filled,
        total=total,
    )


@router.get("/docs/{doc_id}")
def doc_form(request: Request, doc_id: int, checked: int = 0, add: str | None = None) -> Response:
    """The facts form."""
    return render_form(request, doc_id, checked=bool(checked), add=add)


def _drop_row(fields: dict[str, str], fact_id: str, row: str) -> dict[str, str]:
    head = f"{PREFIX}{fact_id}.{row}"
    return {k: v for k, v in fields.items() if k != head and not k.startswith(head + ".")}


@router.post("/docs/{doc_id}/save")
async def save(request: Request, doc_id: int) -> Response:
    """The form's buttons: save, generate, and (without JavaScript) add or remove a list row."""
    c = ctx(request)
    doc = c.store.get_doc(doc_id)
    spec = c.spec(doc.doctype)
    fields = await _fields(request)
    action = fields.get("action", "save")
    if action.startswith("remove:"):
        _, fact_id, row = ([*action.split(":"), "", ""])[:3]
        fields = _drop_row(fields, fact_id, row)
    parsed = parse_form(spec, fields)
    result = await run_in_threadpool(
        c.store.save_facts,
        doc_id,
        _facts_only(parsed.data),
        kind="autosave" if action.startswith(("add:", "remove:")) else "saved",
        session=fields.get("tab") or None,
        base=_int(fields.get("base")),
    )
    conflict = "&conflict=1" if result.conflict else ""
    if action.startswith("add:"):
        fact_id = action.split(":", 1)[1]
        return _redirect(f"/docs/{doc_id}?add={quote(fact_id)}{conflict}#fact-{fact_id}")
    if action.startswith("remove:"):
        return _redirect(f"/docs/{doc_id}?x=1{conflict}#fact-{action.split(':')[1]}")
    if action != "generate":
        return _redirect(f"/docs/{doc_id}?checked=1&saved=1{conflict}")
    outcome = check_form(spec, parsed)
    if outcome.facts is None:
        return _redirect(f"/docs/{doc_id}?checked=1{conflict}#form-errors")
    try:
        model = await generation.resolve_model(c, fields.get("model", "offline"))
    except InputError as exc:
        return render_form(request, doc_id, checked=True, banner=f"无法开始生成：{exc}", status=400)
    job = await generation.start_draft(c, doc_id, result.number, spec, outcome.facts, model)
    return _redirect(f"/jobs/{job.id}")


@router.post("/docs/{doc_id}/autosave")
async def autosave(request: Request, doc_id: int) -> Response:
    """Save the form as the user types; answer with the version and the errors by field."""
    c = ctx(request)
    doc = c.store.get_doc(doc_id)
    spec: DocSpec = c.spec(doc.doctype)
    fields = await _fields(request)
    parsed = parse_form(spec, fields)
    data = _facts_only(parsed.data)
    result = await run_in_threadpool(
        c.store.save_facts,
        doc_id,
        data,
        kind="autosave",
        session=fields.get("tab") or None,
        base=_int(fields.get("base")),
    )
    outcome = check_form(spec, parsed)
    filled, total = filled_count(spec, data)
    saved = c.store.get_doc(doc_id)
    return JSONResponse(
        {
            "version": result.number,
            "changed": result.changed,
            "conflict": result.conflict,
            "saved_at": saved.updated_at,
            "errors": outcome.errors,
            "missing_fields": sorted(outcome.missing),
            "missing": missing_labels(spec, data),
            "filled": filled,
            "total": total,
            "valid": outcome.facts is not None,
        }
    )


@router.post("/docs/{doc_id}/rename")
async def rename(request: Request, doc_id: int) -> Response:
    """Give the facts document a new name."""
    fields = await _fields(request)
    name = fields.get("name", "").strip()[:100]
    if name:
        await run_in_threadpool(ctx(request).store.rename_doc, doc_id, name)
    return _redirect(f"/docs/{doc_id}")


@router.post("/docs/{doc_id}/import")
async def import_into(request: Request, doc_id: int) -> Response:
    """Replace the form's facts by an uploaded facts file (kept as a new version)."""
    c = ctx(request)
    doc = c.store.get_doc(doc_id)
    data, name = await _read_upload(request)
    named = data.get("doctype")
    if named and named != doc.doctype:
        names = {d.id: d.name for d in c.doctypes()}
        raise InputError(
            f"这个文件是“{names.get(str(named), named)}”（doctype: {named}）的事实，"
            f"而这份材料是“{names.get(doc.doctype, doc.doctype)}”，没有导入。",
            path=name,
        )
    await run_in_threadpool(c.store.save_facts, doc_id, _facts_only(data), kind="imported")
    return _redirect(f"/docs/{doc_id}?checked=1")


@router.get("/docs/{doc_id}/export.yaml")
def export_yaml(request: Request, doc_id: int) -> Response:
    """The facts as a YAML facts file, for `draft run` or for keeping."""
    c = ctx(request)
    doc = c.store.get_doc(doc_id)
    spec = c.spec(doc.doctype)
    return Response(
        facts_yaml(spec, doc.data),
        media_type="application/x-yaml; charset=utf-8",
        headers={"content-disposition": attachment(f"{doc.name}.yaml", f"facts-{doc_id}.yaml")},
    )


# ----------------------------------------------------------------------------- history


@router.get("/docs/{doc_id}/history")
def history(request: Request, doc_id: int) -> Response:
    """Every version of the facts, newest first."""
    c = ctx(request)
    doc = c.store.get_doc(doc_id)
    spec = c.spec(doc.doctype)
    versions = [
        {"v": v, "kind": KIND_CN.get(v.kind, v.kind), "filled": filled_count(spec, v.data)[0]}
        for v in c.store.versions(doc_id)
    ]
    return c.pages.html(
        request, "history.html", doc=doc, spec=spec, versions=versions, total=len(spec.facts)
    )


@router.get("/docs/{doc_id}/history/{number}")
def history_version(request: Request, doc_id: int, number: int) -> Response:
    """One version of the facts, as its YAML file."""
    c = ctx(request)
    doc = c.store.get_doc(doc_id)
    spec = c.spec(doc.doctype)
    version = c.store.version(doc_id, number)
    return c.pages.html(
        request,
        "version.html",
        doc=doc,
        version=version,
        kind=KIND_CN.get(version.kind, version.kind),
        yaml_text=facts_yaml(spec, version.data),
    )


@router.post("/docs/{doc_id}/history/{number}/restore")
async def restore(request: Request, doc_id: int, number: int) -> Response:
    """Make an old version the latest again (as a new version: nothing is lost)."""
    c = ctx(request)
    version = c.store.version(doc_id, number)
    await run_in_threadpool(c.store.save_facts, doc_id, version.data, kind="restored")
    return _redirect(f"/docs/{doc_id}?checked=1&restored={number}")
