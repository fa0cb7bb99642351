"""What keeps the local web app safe to run on a clerk's machine.

- It binds 127.0.0.1 by default. Bound to any other address it requires an access token,
  printed once at start as part of the URL; the first visit with `?token=` sets a cookie.
- Bound to a loopback address it answers only requests whose Host is a loopback name, so a
  web page elsewhere cannot reach it through DNS rebinding.
- Every POST carries a CSRF token tied to the browser's session cookie (a form field
  `csrf_token` or the `X-CSRF-Token` header); a cross-site Origin is refused outright.
- Responses forbid inline script, framing and sniffing (Content-Security-Policy etc.).
- API keys stay in the server: nothing here or in the pages reads them.

`SecurityMiddleware` is plain ASGI, so it wraps streamed responses (server-sent events) too.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlencode

from pydantic import BaseModel, Field
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SESSION_COOKIE = "draftsmith_session"
TOKEN_COOKIE = "draftsmith_token"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)


class WebSettings(BaseModel):
    """How the web app runs: where it listens, its access token, where it keeps its data."""

    host: str = "127.0.0.1"
    port: int = 8000
    token: str | None = None
    """Required on every request when set; `for_host` sets one for any non-loopback host."""
    secret: str = Field(default_factory=lambda: secrets.token_hex(32))
    """Signs the CSRF tokens; new for every server process."""
    db_path: str | None = None
    """The store's SQLite file; defaults to `web.sqlite3` in the user data directory."""
    models: list[str] | None = None
    """The model choices offered; defaults to `offline` and the configured profiles."""
    warm_up: bool = True
    """Make the first configured real model in the background at start (imports its client)."""

    @classmethod
    def for_host(cls, host: str = "127.0.0.1", port: int = 8000, **extra: Any) -> WebSettings:
        """Settings for serving on `host`: a fresh access token unless the host is loopback."""
        token = None if is_loopback(host) else secrets.token_urlsafe(24)
        return cls(host=host, port=port, token=token, **extra)

    @property
    def loopback(self) -> bool:
        return is_loopback(self.host)


def is_loopback(host: str) -> bool:
    """True for 127.0.0.1, ::1 and localhost: addresses only this machine can reach."""
    name = host.strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name) in (
            ipaddress.ip_address("127.0.0.1"),
            ipaddress.ip_address("::1"),
        )
    except ValueError:
        return False


def _host_name(host_header: str) -> str:
    """The host part of a Host header (`127.0.0.1:8000` → `127.0.0.1`, `[::1]:80` → `::1`)."""
    if host_header.startswith("["):
        return host_header[1 : host_header.find("]")]
    return host_header.rsplit(":", 1)[0] if host_header.count(":") == 1 else host_header


def csrf_token_for(session: str, secret: str) -> str:
    """The CSRF token of a session: an HMAC of the session id, so it cannot be guessed."""
    return hmac.new(secret.encode(), session.encode(), hashlib.sha256).hexdigest()[:40]


def _cookies(headers: Headers) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(headers.get("cookie", ""))
    except Exception:
        return {}
    return {k: v.value for k, v in jar.items()}


def _cookie_header(name: str, value: str) -> tuple[bytes, bytes]:
    return (
        b"set-cookie",
        f"{name}={value}; Path=/; HttpOnly; SameSite=Lax".encode("latin-1"),
    )


def _page(status: int, title: str, text: str) -> HTMLResponse:
    from html import escape

    body = (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title></head><body><h1>{escape(title)}</h1>"
        f"<p>{escape(text)}</p></body></html>"
    )
    return HTMLResponse(body, status_code=status)


class SecurityMiddleware:
    """Host check, access token, session cookie and CSRF token, security headers."""

    def __init__(self, app: ASGIApp, settings: WebSettings, max_body: int = 4 * 1024 * 1024):
        self.app = app
        self.settings = settings
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        cookies = _cookies(headers)
        refusal = self._refuse(scope, headers, cookies)
        length = headers.get("content-length", "")
        if refusal is None and length.isdigit() and int(length) > self.max_body:
            refusal = _page(413, "内容太大", f"一次提交的内容不能超过 {self.max_body // 1024} KB。")
        if refusal is not None:
            await self._send_with_headers(refusal, scope, receive, send, [])
            return
        extra: list[tuple[bytes, bytes]] = []
        token = self.settings.token
        if token and not hmac.compare_digest(cookies.get(TOKEN_COOKIE, ""), token):
            # The first visit with ?token=…: keep it in a cookie, then drop it from the URL.
            query = [(k, v) for k, v in parse_qsl(scope.get("query_string", b"").decode())]
            rest = urlencode([(k, v) for k, v in query if k != "token"])
            target = scope["path"] + (f"?{rest}" if rest else "")
            response = RedirectResponse(target, status_code=303)
            response.raw_headers.append(_cookie_header(TOKEN_COOKIE, token))
            await self._send_with_headers(response, scope, receive, send, [])
            return
        session = cookies.get(SESSION_COOKIE, "")
        if len(session) < 20 or not session.replace("-", "").replace("_", "").isalnum():
            session = secrets.token_urlsafe(24)
            extra.append(_cookie_header(SESSION_COOKIE, session))
            fresh_session = True
        else:
            fresh_session = False
        state = scope.setdefault("state", {})
        state["session"] = session
        state["csrf_token"] = csrf_token_for(session, self.settings.secret)
        state["fresh_session"] = fresh_session
        await self._send_with_headers(self.app, scope, self._limited(receive), send, extra)

    def _limited(self, receive: Receive) -> Receive:
        """`receive` that stops a body streamed without Content-Length at `max_body` bytes: the
        handler reading it gets a 413, which the app shows as its "too large" page."""
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise HTTPException(413)
            return message

        return limited

    def _refuse(self, scope: Scope, headers: Headers, cookies: dict[str, str]) -> Response | None:
        """A response refusing the request, or None to let it through."""
        if self.settings.loopback:
            name = _host_name(headers.get("host", "")).lower()
            if name not in LOOPBACK_NAMES:
                return _page(400, "地址不对", "请通过 http://127.0.0.1 访问本机服务。")
        token = self.settings.token
        if token:
            given = dict(parse_qsl(scope.get("query_string", b"").decode())).get("token", "")
            has_cookie = hmac.compare_digest(cookies.get(TOKEN_COOKIE, ""), token)
            has_query = bool(given) and hmac.compare_digest(given, token)
            if not (has_cookie or (has_query and scope["method"] in SAFE_METHODS)):
                return _page(
                    401,
                    "需要访问令牌",
                    "请使用启动服务时终端中打印的完整地址（带 token=…）打开本页。",
                )
        return None

    @staticmethod
    async def _send_with_headers(
        app: ASGIApp,
        scope: Scope,
        receive: Receive,
        send: Send,
        extra: list[tuple[bytes, bytes]],
    ) -> None:
        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = list(message.get("headers", []))
                raw += extra
                if not any(k == b"content-security-policy" for k, _ in raw):
                    raw.append((b"content-security-policy", CONTENT_SECURITY_POLICY.encode()))
                raw += [
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"same-origin"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                ]
                if not any(k == b"cache-control" for k, _ in raw):
                    raw.append((b"cache-control", b"no-store"))
                message = {**message, "headers": raw}
            await send(message)

        await app(scope, receive, send_secured)


class CsrfError(Exception):
    """A POST without a valid CSRF token, or from another site."""


async def verify_csrf(request: Request) -> None:
    """Refuse an unsafe request without this session's CSRF token or from another origin."""
    if request.method in SAFE_METHODS:
        return
    origin = request.headers.get("origin")
    if origin and origin != "null":
        from urllib.parse import urlsplit

        if urlsplit(origin).netloc != request.headers.get("host", ""):
            raise CsrfError("cross-site request")
    elif origin == "null":
        raise CsrfError("opaque origin")
    if request.state.fresh_session:
        raise CsrfError("no session")
    expected = request.state.csrf_token
    given = request.headers.get(CSRF_HEADER, "")
    if not given:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            given = value if isinstance(value, str) else ""
    if not given or not hmac.compare_digest(given, expected):
        raise CsrfError("bad token")
