"""The web app: `create_app(settings)` builds the FastAPI application `draft serve` runs.

Pages are rendered on the server (Jinja2, autoescaped); a little vanilla JavaScript adds
autosave, live progress and in-place editing. Every asset is served from the package.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from pipeline.errors import DraftsmithError
from pipeline.web.context import STATIC_DIR, WebContext
from pipeline.web.security import CsrfError, SecurityMiddleware, WebSettings, verify_csrf
from pipeline.web.store import NotFound

MAX_BODY_BYTES = 4 * 1024 * 1024
"""Largest request body accepted (an imported facts file, an edited section)."""
UNEXPECTED = (
    "服务器内部出错，这一步没有完成。已保存的内容不受影响，请返回上一页重试；"
    "如果问题反复出现，请查看运行 draft serve 的终端中的错误信息。"
)
"""What the browser is told of an error nobody foresaw (the details stay in the terminal)."""
NOT_A_PAGE = "这个地址只用于提交表单，不能直接打开。请回到首页，从“我的材料”中打开要继续的材料。"
BAD_REQUEST = "提交的内容不完整或格式不对，没有保存。请刷新页面后重试。"
"""A request no page of the app sends (the details go to the terminal)."""


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _error(request: Request, status: int, title: str, message: str) -> Response:
    if _wants_json(request):
        return JSONResponse({"error": message}, status_code=status)
    return request.app.state.ctx.pages.html(
        request, "error.html", status=status, title=title, message=message
    )


def create_app(settings: WebSettings | None = None) -> FastAPI:
    """The web app for `settings` (default: 127.0.0.1, no token, the user's data directory)."""
    settings = settings or WebSettings()
    context = WebContext(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        names = [m.name for m in context.model_choices()]
        if settings.warm_up and any(n != "offline" for n in names):
            from pipeline.web.generation import warm_up

            asyncio.get_running_loop().run_in_executor(None, warm_up, names)
        yield
        await context.jobs.shutdown()

    app = FastAPI(
        title="Draftsmith",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
        dependencies=[Depends(verify_csrf)],
    )
    app.state.ctx = context
    app.add_middleware(SecurityMiddleware, settings=settings, max_body=MAX_BODY_BYTES)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.exception_handler(CsrfError)
    async def _csrf(request: Request, exc: CsrfError) -> Response:
        return _error(
            request,
            403,
            "请求被拒绝",
            "页面已过期或请求来源不明（CSRF 校验未通过）。请刷新页面后重试。",
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return _error(request, 404, "找不到", "没有这个页面。")
        if exc.status_code == 413:
            return _error(request, 413, "内容太大", "一次提交的内容太大。")
        if exc.status_code == 405:  # a form's address opened again from the address bar
            return _error(request, 405, "无法完成", NOT_A_PAGE)
        print(f"error: {request.method} {request.url.path}: {exc.detail}", file=sys.stderr)
        told = BAD_REQUEST if exc.status_code < 500 else UNEXPECTED
        return _error(request, exc.status_code, "无法完成", told)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        if first.get("loc", ())[:1] == ("path",):  # /docs/abc: no such page
            return _error(request, 404, "找不到", "没有这个页面。")
        where = ".".join(str(p) for p in first.get("loc", ()))
        print(f"error: {request.url.path}: {where}: {first.get('msg', '')}", file=sys.stderr)
        return _error(request, 400, "无法完成", BAD_REQUEST)

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound) -> Response:
        return _error(request, 404, "找不到", f"没有找到要打开的内容（{exc}）。")

    @app.exception_handler(DraftsmithError)
    async def _bad_input(request: Request, exc: DraftsmithError) -> Response:
        return _error(request, 400, "无法完成", str(exc))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        # Anything unforeseen: the traceback goes to the terminal, a clear page to the browser.
        return _error(request, 500, "出错了", UNEXPECTED)

    from pipeline.web.routes import docs, drafts, runs

    app.include_router(docs.router)
    app.include_router(drafts.router)
    app.include_router(runs.router)
    return app
