"""A scripted OpenAI-compatible server on 127.0.0.1, for tests, benchmarks and demos.

It speaks `POST /v1/chat/completions` and `GET /v1/models` over real HTTP (a threaded
stdlib server, so requests are served concurrently) and answers each section prompt the
way a script says. A section is recognised by `（编号：<id>）` in the user message, and
the "good model" answer is the section's skeleton (between `<skeleton>` and `</skeleton>`).

Behaviours, as objects or as short strings (`Behaviour.parse`):

    ok                 the skeleton                     sleep:S   the skeleton after S s
    invent             the skeleton plus a sentence with numbers no fact backs
    drop | drop:TEXT   the skeleton without the sentences holding a digit (or TEXT)
    bad                invent and drop together
    fenced             the skeleton in a code fence, after a chatty preamble and the heading
    text:TEXT          TEXT                             empty     empty content
    nochoices          a 200 answer whose `choices` list is empty
    html:S             status S with an HTML page, as a reverse proxy (nginx) sends it
    raw                `text` sent as the body exactly, with `status` (default 200) and
                       `content_type` (default application/json): a provider's own error
                       shape, or a 200 whose body is an `error` object
    refuse             抱歉，我无法协助完成这个请求。
    truncate           half the answer with finish_reason=length; a continuation request
                       (the partial answer as assistant message, then 继续…) gets the rest
    429 | 429:S | 429:ms=N   the status, with Retry-After: S or retry-after-ms: N
    500 502 503 408 409 400 401 403 404 422 …   the status with an OpenAI-style error body
                       (401 echoes the key it received, to test that clients mask it)
    reset              read the request, then reset the connection (RST)
    close              read the request, then close the connection without answering
    hang:S             answer only after S seconds (past a client's read timeout)
    hold:S             answer only once the test calls `release()` (at most S s, default 60)

A status may send Retry-After as an HTTP date (`retry_after_date`), from a server whose clock
is off (`clock_skew`, which its Date header shows too). Any answer may also carry extra
response `headers` and name another `served_model` than the one asked for, and an answer's
token counts can be left out (`usage="missing"`) or given
in part (`usage="prompt_only"`: no completion_tokens), as some servers do.

Each section consumes its own script in order (`server.script("theory_study", "429:1",
"ok")`); the script `"*"` is copied to every section without its own; when it is used up the
request's `model` picks a preset: `good` (and any unknown name) answers `ok`, `bad` answers
`bad`, `inventor` `invent`, `dropper` `drop`, `refuser` `refuse`, `flaky` fails each
section's first request with 503. Requests without a section id (e.g. an LLM judge's) are
answered with `{"score": 4, …}` unless the script `"judge"` says otherwise.

Every request is recorded (section, model, headers, body, time), so tests can count
requests per section, read the Authorization header and time the gaps between retries. A
request sent to the server as to an HTTP proxy (`POST http://any.host/v1/chat/completions`)
is answered the same way and recorded with that absolute URL as its path, so tests can check
that HTTP_PROXY is honoured. A TLS handshake (a client given https:// for this plain-HTTP
server) gets a plain `400 Bad Request`, as a real plain-HTTP server answers it.

    python -m pipeline.testing.openai_server --port 8765 --latency 1.0 [--script script.json]

serves until interrupted; `GET /_requests`, `POST /_script` and `POST /_reset` control it.
"""

from __future__ import annotations

import argparse
import contextlib
import email.utils
import itertools
import json
import re
import socket
import struct
import sys
import threading
import time
from collections import defaultdict, deque
from collections.abc import Iterable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

from pydantic import BaseModel

SECTION_RE = re.compile(r"（编号：([A-Za-z0-9_\-]+)）")
SKELETON_RE = re.compile(r"<skeleton>\n?(.*?)\n?</skeleton>", re.S)
INVENTED = "全年共组织专题活动137场，参与师生2468人次。"
REFUSAL = "抱歉，我无法协助完成这个请求。"
THINKING = "嗯，用户要我写这一节。先看事实：全年学习12次，另外还可以补充137场活动……不，事实里没有，不能写。"
"""A thinking model's reasoning before its answer (`think`): with a number no fact backs."""
NGINX_PAGE = (
    "<html>\r\n<head><title>{status}</title></head>\r\n<body>\r\n"
    "<center><h1>{status}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)
"""The page nginx serves in place of an answer it could not get from the model server."""
JUDGE_ANSWER = '{"score": 4, "reasons": ["结构完整，表述规范"]}'

Kind = Literal[
    "ok",
    "invent",
    "drop",
    "bad",
    "fenced",
    "think",
    "text",
    "empty",
    "nochoices",
    "raw",
    "refuse",
    "truncate",
    "status",
    "reset",
    "close",
    "hang",
    "hold",
]


class Behaviour(BaseModel):
    """How the server answers one request."""

    kind: Kind = "ok"
    status: int | None = None
    """For `status`: the HTTP status to return."""
    retry_after: float | None = None
    """Send `Retry-After: <seconds>`."""
    retry_after_ms: float | None = None
    """Send `retry-after-ms: <milliseconds>`."""
    retry_after_date: float | None = None
    """Send `Retry-After` as an HTTP date, this many seconds after the server's clock."""
    clock_skew: float = 0.0
    """Seconds the server's clock is off (its `Date` header and any Retry-After date)."""
    seconds: float = 0.0
    """Extra delay before answering (for `hang`: how long to hang)."""
    text: str | None = None
    """For `text`: the answer; for `drop`: the text whose sentences to drop."""
    finish: str | None = None
    """The finish_reason to send (default: `stop`, or `length` for `truncate`)."""
    content_type: str = "application/json"
    """For `raw`: the Content-Type of the body."""
    headers: dict[str, str] = {}
    """Extra response headers."""
    usage: Literal["full", "missing", "prompt_only"] = "full"
    """The answer's token counts: all, none (no `usage` key), or prompt_tokens only."""
    served_model: str | None = None
    """The `model` the answer names (default: the one asked for), as a provider names the
    dated version behind an alias."""

    @classmethod
    def parse(cls, value: str | dict[str, Any] | Behaviour) -> Behaviour:
        """`"429:1"`, `"sleep:0.5"`, `{"kind": "status", "status": 503}` … as a Behaviour."""
        if isinstance(value, Behaviour):
            return value
        if isinstance(value, dict):
            return cls.model_validate(value)
        name, _, arg = str(value).partition(":")
        name = name.strip()
        if name.isdigit():
            b = cls(kind="status", status=int(name))
            if arg.startswith("ms="):
                b.retry_after_ms = float(arg[3:])
            elif arg:
                b.retry_after = float(arg)
            return b
        if name == "sleep":
            return cls(kind="ok", seconds=float(arg or 0))
        if name == "hang":
            return cls(kind="hang", seconds=float(arg or 30))
        if name == "hold":
            return cls(kind="hold", seconds=float(arg or 60))
        if name == "html":
            status = int(arg or 502)
            page = NGINX_PAGE.format(status=_status_text(status))
            return cls(kind="raw", status=status, text=page, content_type="text/html")
        if name in ("text", "drop"):
            return cls(kind=name, text=arg or None)  # type: ignore[arg-type]
        return cls(kind=name)  # type: ignore[arg-type]

    def label(self) -> str:
        if self.kind == "status":
            return str(self.status)
        if self.kind == "raw":
            return f"raw:{self.status or 200}"
        return self.kind


PRESETS: dict[str, list[str]] = {
    "good": ["ok"],
    "bad": ["bad"],
    "inventor": ["invent"],
    "dropper": ["drop"],
    "refuser": ["refuse"],
    "thinker": ["think"],
    "flaky": ["503", "ok"],
}
"""Per-section behaviour sequences chosen by the request's `model` (the last one repeats)."""


class RecordedRequest(BaseModel):
    """One request as the server saw it."""

    index: int
    section: str | None
    model: str | None
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    behaviour: str
    received_at: float
    """`time.monotonic()` when the request was read."""
    continuation: bool = False
    repair: bool = False

    @property
    def authorization(self) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == "authorization"), None)


# ----------------------------------------------------------------------------- answers


def _status_text(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def _sentences(paragraph: str) -> list[str]:
    return [s for s in re.split(r"(?<=[。；！？])", paragraph) if s]


def _invent(text: str) -> str:
    paragraphs = text.split("\n")
    first = _sentences(paragraphs[0]) if paragraphs and paragraphs[0] else []
    if first:
        paragraphs[0] = first[0] + INVENTED + "".join(first[1:])
    else:
        paragraphs.insert(0, INVENTED)
    return "\n".join(paragraphs)


def _drop(text: str, needle: str | None) -> str:
    def hit(sentence: str) -> bool:
        return needle in sentence if needle else bool(re.search(r"[0-9]", sentence))

    kept = []
    for paragraph in text.split("\n"):
        rest = "".join(s for s in _sentences(paragraph) if not hit(s))
        if rest:
            kept.append(rest)
    return "\n".join(kept)


def full_answer(b: Behaviour, skeleton: str, heading: str | None) -> str:
    """The complete answer a behaviour gives for a section with this skeleton."""
    if b.kind == "invent":
        return _invent(skeleton)
    if b.kind == "drop":
        return _drop(skeleton, b.text)
    if b.kind == "bad":
        return _invent(_drop(skeleton, None))
    if b.kind == "fenced":
        head = f"## {heading}\n\n" if heading else ""
        return f"好的，以下是根据您提供的事实撰写的本节内容：\n\n```markdown\n{head}{skeleton}\n```\n\n希望对您有所帮助！"
    if b.kind == "think":
        return f"<think>\n{THINKING}\n</think>\n\n{skeleton}"
    if b.kind == "text":
        return b.text or ""
    if b.kind == "refuse":
        return REFUSAL
    if b.kind == "empty":
        return ""
    return skeleton


# ----------------------------------------------------------------------------- the server


class _State:
    def __init__(self, latency: float):
        self.latency = latency
        self.lock = threading.Lock()
        self.scripts: dict[str, deque[Behaviour]] = {}
        self.templates: dict[str, list[Behaviour]] = {}
        self.preset_counts: dict[tuple[str, str], int] = defaultdict(int)
        self.requests: list[RecordedRequest] = []
        self.released = threading.Event()
        """Set by `release()`: the `hold` answers go out."""

    def choose(self, section: str | None, model: str) -> Behaviour:
        """The next behaviour for a section: its script, else `*`'s (copied per section), else
        the model's preset."""
        key = section or "judge"
        with self.lock:
            if key not in self.scripts and "*" in self.templates:
                self.scripts[key] = deque(self.templates["*"])
            queue = self.scripts.get(key)
            if queue:
                return queue.popleft()
            if section is None:
                return Behaviour(kind="text", text=JUDGE_ANSWER)
            preset = PRESETS.get(model, PRESETS["good"])
            n = self.preset_counts[(model, section)]
            self.preset_counts[(model, section)] = n + 1
            return Behaviour.parse(preset[min(n, len(preset) - 1)])


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; without TCP_NODELAY the client's delayed
    # ACK stalls every answer by ~40 ms on loopback, which would swamp the scripted latency.
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    # -------------------------------------------------------------- plumbing

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The `Date` header, on the clock of the behaviour being answered."""
        skew = getattr(self, "clock_skew", 0.0)
        return super().date_time_string((timestamp or time.time()) + skew)

    def _send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self._send_raw(status, body, "application/json", headers or {})

    def _send_raw(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str]
    ) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True

    def _read_body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            data = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            data = {}
        return data if isinstance(data, dict) else {}

    def _abort(self, reset: bool) -> None:
        """Drop the connection: with an RST (`reset`) or a plain close, and no answer."""
        self.close_connection = True
        try:
            if reset:
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
            else:
                self.connection.shutdown(socket.SHUT_RDWR)
            self.connection.close()
        except OSError:
            pass

    def handle(self) -> None:
        # A client that speaks TLS to this plain-HTTP port (an https:// base URL) opens with
        # a handshake record (0x16); answer it as a plain-HTTP server (Ollama, vLLM) does,
        # instead of waiting for a request line that never comes.
        with contextlib.suppress(OSError):
            if self.connection.recv(1, socket.MSG_PEEK) == b"\x16":
                self.connection.sendall(
                    b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                )
                return
        super().handle()

    def finish(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            super().finish()

    # -------------------------------------------------------------- routes

    def do_GET(self) -> None:
        if self.path.rstrip("/").endswith("/models"):
            models = [{"id": m, "object": "model", "owned_by": "draftsmith"} for m in PRESETS]
            self._send_json(200, {"object": "list", "data": models})
        elif self.path == "/_requests":
            with self.server.state.lock:
                data = [r.model_dump() for r in self.server.state.requests]
            self._send_json(200, data)
        else:
            self._send_json(404, {"error": {"message": f"no route {self.path}"}})

    def do_POST(self) -> None:
        state = self.server.state
        if self.path == "/_script":
            for name, items in self._read_body().items():
                self.server.owner.script(name, *items)
            self._send_json(200, {"ok": True})
            return
        if self.path == "/_reset":
            self._read_body()
            self.server.owner.reset()
            self._send_json(200, {"ok": True})
            return
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self._send_json(404, {"error": {"message": f"no route {self.path}"}})
            return
        received = time.monotonic()
        body = self._read_body()
        messages = [m for m in body.get("messages", []) if isinstance(m, dict)]
        users = [str(m.get("content") or "") for m in messages if m.get("role") == "user"]
        joined = "\n".join(users)
        found = SECTION_RE.search(joined)
        section = found.group(1) if found else None
        skeleton_match = SKELETON_RE.search(joined)
        skeleton = skeleton_match.group(1).strip() if skeleton_match else ""
        heading_match = re.search(r"章节：(.+?)（编号：", joined)
        heading = heading_match.group(1) if heading_match else None
        model = str(body.get("model") or "")
        last_assistant = (
            str(messages[-2].get("content") or "")
            if len(messages) >= 2 and messages[-2].get("role") == "assistant"
            else None
        )
        continuation = last_assistant is not None and "继续" in (users[-1] if users else "")
        repair = last_assistant is not None and not continuation
        behaviour = state.choose(section, model)
        with state.lock:
            state.requests.append(
                RecordedRequest(
                    index=len(state.requests),
                    section=section,
                    model=model,
                    path=self.path,
                    headers={k: v for k, v in self.headers.items()},
                    body=body,
                    behaviour=behaviour.label(),
                    received_at=received,
                    continuation=continuation,
                    repair=repair,
                )
            )
        self._answer(behaviour, body, model, skeleton, heading, last_assistant, continuation)

    def _answer(
        self,
        b: Behaviour,
        body: dict[str, Any],
        model: str,
        skeleton: str,
        heading: str | None,
        partial: str | None,
        continuation: bool,
    ) -> None:
        self.clock_skew = b.clock_skew
        if b.kind == "hold":
            self.server.state.released.wait(b.seconds)
            b = Behaviour(kind="ok")
        delay = self.server.state.latency + b.seconds
        if b.kind in ("reset", "close"):
            if delay:
                time.sleep(delay)
            self._abort(reset=b.kind == "reset")
            return
        if delay:
            time.sleep(delay)
        if b.kind == "status":
            self._error(b)
            return
        if b.kind == "raw":
            body_bytes = (b.text or "").encode("utf-8")
            self._send_raw(b.status or 200, body_bytes, b.content_type, b.headers)
            return
        base = Behaviour(kind="ok") if b.kind == "truncate" else b
        full = full_answer(base, skeleton, heading)
        finish = "stop"
        if continuation and partial is not None and base.kind == "ok" and full.startswith(partial):
            full = full[len(partial) :]
        if b.kind == "truncate":
            full = full[: max(1, len(full) // 2)]
            finish = "length"
        finish = b.finish or finish
        prompt_chars = sum(len(str(m.get("content") or "")) for m in body.get("messages", []))
        usage: dict[str, int] = {"prompt_tokens": prompt_chars}
        if b.usage == "full":
            usage |= {"completion_tokens": len(full), "total_tokens": prompt_chars + len(full)}
        answer: dict[str, Any] = {
            "id": f"chatcmpl-{len(self.server.state.requests)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": b.served_model or model,
            "choices": []
            if b.kind == "nochoices"
            else [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": full},
                    "finish_reason": finish,
                    "logprobs": None,
                }
            ],
            "usage": usage,
        }
        if b.usage == "missing":
            del answer["usage"]
        self._send_json(200, answer, b.headers)

    def _error(self, b: Behaviour) -> None:
        status = b.status or 500
        headers: dict[str, str] = dict(b.headers)
        if b.retry_after is not None:
            headers["Retry-After"] = f"{b.retry_after:g}"
        if b.retry_after_ms is not None:
            headers["retry-after-ms"] = f"{b.retry_after_ms:g}"
        if b.retry_after_date is not None:
            at = time.time() + b.clock_skew + b.retry_after_date
            headers["Retry-After"] = email.utils.formatdate(at, usegmt=True)
        auth = self.headers.get("Authorization") or ""
        key = auth.split(" ", 1)[1] if " " in auth else auth
        messages = {
            400: ("Invalid request: 'messages' is malformed.", "invalid_request_error", None),
            401: (
                f"Incorrect API key provided: {key}. You can find your API key in your account.",
                "invalid_request_error",
                "invalid_api_key",
            ),
            403: ("You are not allowed to use this model.", "permission_error", None),
            404: ("The model does not exist.", "invalid_request_error", "model_not_found"),
            408: ("Request timeout.", "timeout", None),
            409: ("Conflict, please retry.", "conflict", None),
            422: ("Unprocessable entity.", "invalid_request_error", None),
            429: ("Rate limit reached for requests.", "rate_limit_error", "rate_limit_exceeded"),
        }
        message, kind, code = messages.get(
            status, (f"The server had an error ({status}).", "server_error", None)
        )
        self._send_json(
            status, {"error": {"message": message, "type": kind, "code": code}}, headers
        )


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, addr: tuple[str, int], state: _State, owner: ScriptedOpenAIServer):
        self.state = state
        self.owner = owner
        super().__init__(addr, _Handler)


class ScriptedOpenAIServer:
    """The server, run in a background thread: `with ScriptedOpenAIServer() as server: …`."""

    def __init__(self, *, latency: float = 0.0, host: str = "127.0.0.1", port: int = 0):
        if host not in ("127.0.0.1", "localhost"):
            raise ValueError("the test server only listens on 127.0.0.1")
        self._state = _State(latency)
        self._server = _Server((host, port), self._state, self)
        self._thread: threading.Thread | None = None

    # -------------------------------------------------------------- life

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """The URL to give a client, e.g. `http://127.0.0.1:43210/v1`."""
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> ScriptedOpenAIServer:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> ScriptedOpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -------------------------------------------------------------- scripting

    @property
    def latency(self) -> float:
        return self._state.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        self._state.latency = seconds

    def script(self, section: str, *behaviours: str | dict[str, Any] | Behaviour) -> None:
        """Queue behaviours for `section`; `"*"` gives every section without its own script
        its own copy of the sequence."""
        parsed = [Behaviour.parse(b) for b in behaviours]
        with self._state.lock:
            if section == "*":
                self._state.templates.setdefault("*", []).extend(parsed)
            else:
                self._state.scripts.setdefault(section, deque()).extend(parsed)

    def release(self) -> None:
        """Let the answers scripted as `hold` go out (and any later ones at once)."""
        self._state.released.set()

    def reset(self) -> None:
        """Forget scripts and recorded requests."""
        with self._state.lock:
            self._state.scripts.clear()
            self._state.templates.clear()
            self._state.preset_counts.clear()
            self._state.requests.clear()

    # -------------------------------------------------------------- what happened

    def requests(self, section: str | None = None) -> list[RecordedRequest]:
        """Recorded chat requests, all or one section's, in arrival order."""
        with self._state.lock:
            items = list(self._state.requests)
        return [r for r in items if section is None or r.section == section]

    def count(self, section: str | None = None) -> int:
        """How many chat requests arrived (for one section, or in all)."""
        return len(self.requests(section))

    def counts(self) -> dict[str | None, int]:
        """Requests per section."""
        out: dict[str | None, int] = defaultdict(int)
        for r in self.requests():
            out[r.section] += 1
        return dict(out)

    def gaps(self, section: str) -> list[float]:
        """Seconds between consecutive requests of a section (retry waits, as the server saw them)."""
        times = [r.received_at for r in self.requests(section)]
        return [b - a for a, b in itertools.pairwise(times)]


def _load_script(path: str) -> dict[str, list[Any]]:
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    if not isinstance(data, dict):
        raise SystemExit(f"{path}: expected a JSON object of section → list of behaviours")
    return data


def main(argv: Iterable[str] | None = None) -> None:
    """Serve until interrupted; prints the base URL on its first line."""
    parser = argparse.ArgumentParser(
        prog="python -m pipeline.testing.openai_server", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before each answer")
    parser.add_argument("--script", help="JSON file: section id (or *) → list of behaviours")
    args = parser.parse_args(list(argv) if argv is not None else None)
    server = ScriptedOpenAIServer(latency=args.latency, port=args.port)
    if args.script:
        for section, items in _load_script(args.script).items():
            server.script(section, *items)
    server.start()
    print(f"listening on {server.base_url}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        print("stopped", file=sys.stderr)


if __name__ == "__main__":
    main()
