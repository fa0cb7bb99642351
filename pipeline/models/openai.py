"""Any OpenAI-compatible chat-completions endpoint, through langchain-openai's `ChatOpenAI`.

Chat completions only (never the Responses API), no streaming, the SDK's own retries off
(`max_retries=0`: `pipeline.retry` is the one retry layer), explicit connect and read
timeouts. langchain and openai are imported when the first request is made, so that a run
answered from the cache — and every other command — never loads them.

Requests go out through the SDK's aiohttp transport (the `openai[aiohttp]` extra): against
the test server it costs 1–2 ms less CPU a request than the default httpx one, and a large
evaluation run is bound by CPU.

Each request is ChatOpenAI's own generation step (`_agenerate`, the method every langchain
chat model implements), not `ainvoke`. The Runnable layer around it adds callbacks, tracing,
langchain's response cache and its rate limiter. Draftsmith uses none of them: it has its own
cache, run log, retries and concurrency limits. That layer costs about 0.7 ms of CPU a call,
an eighth of what a call costs an evaluation worker. `_completion` reads the answer's finish
reason and token counts where that step leaves them.

Failures are sorted here: transient ones (429, 408, 409, 5xx, connection errors, timeouts)
go back to the retry layer; permanent ones become `ModelCallError` with the provider's own
message, the API key masked. A 401, 402, 403 or 404, a 400 that refuses a parameter every
request carries or a model the endpoint does not have, or a 429 that says the account is out of
credit, its quota used up or the account locked, stops every later call of the model at once:
the key, the permission, the balance, the parameter or the model name is wrong for every
section alike. Those calls are not sent, and fail with the same reason and a note naming the
section that was refused. A 400 about one prompt (its length, its content) stays that
section's.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import html
import importlib
import json
import re
import time
from concurrent.futures import Future, ThreadPoolExecutor
from http import HTTPStatus
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, SecretStr

from pipeline.models.base import COST_DIGITS, NOT_SENT, Completion, ModelCallError, Usage
from pipeline.models.redact import redact, register_secret
from pipeline.prompts import Message, SectionPrompt
from pipeline.retry import (
    PERMANENT_STATUS,
    TRANSIENT_STATUS,
    RetriesExhausted,
    RetryDecision,
    RetryPolicy,
    call_with_retries,
    deadline_paused,
    retry_after_seconds,
)

FATAL_FOR_RUN = frozenset({401, 402, 403, 404})
"""Statuses that no other section could get past either."""
OUT_OF_CREDIT = frozenset(
    {"insufficient_quota", "exceeded_current_quota_error", "1113", "1304", "1308", "1309", "1310"}
)
"""The `code` or `type` of a 429 that is an empty account or a used-up quota, not a rate limit:
OpenAI's insufficient_quota, Moonshot's exceeded_current_quota_error, Zhipu's 1113 (账户已欠费),
1304 (今日调用次数限额), 1308 and 1310 (usage caps until their reset), 1309 (plan expired)."""
REGION_REFUSED = "unsupported_country_region_territory"
"""The `code` of OpenAI's 403 for a request from a region it does not serve."""
ACCOUNT_BLOCKED = frozenset({"1110", "1111", "1112", "1121"})
"""The `code` of a 429 that is an account that cannot be used at all: Zhipu's 1110 (inactive),
1111 (no such account), 1112 and 1121 (locked)."""


UNKNOWN_MODEL = frozenset({"model_not_found", "1211"})
"""The `code` of a 400 for a model the endpoint does not have (Zhipu: 1211 模型不存在)."""
_UNKNOWN_MODEL_TEXT = re.compile(
    r"(?i)model not exist|model\b.{0,80}\b(?:not found|does not exist|not exist)|模型不存在"
)


def _unknown_model(exc: Any) -> bool:
    """Whether a 400 says the model does not exist (DeepSeek: "Model Not Exist"): an endpoint
    that answers so for one section answers so for all."""
    if str(getattr(exc, "code", None)) in UNKNOWN_MODEL:
        return True
    return _UNKNOWN_MODEL_TEXT.search(provider_message(exc)) is not None


_DAILY_LIMIT = re.compile(r"(?i)requests? per day|\bRPD\b|PerDay|daily (?:request |call )?limit")
"""A 429's message that says the day's requests are used up (OpenAI: "on requests per day
(RPD)"; Gemini's quota ids: GenerateRequestsPerDay…)."""


def _account_problem(exc: Any) -> Literal["credit", "blocked", "daily"] | None:
    """What is wrong with the account when waiting cannot help: a 402 (DeepSeek: Insufficient
    Balance) or a 429 whose code or type says the account is empty or its quota used up
    ("credit"), that the account is locked ("blocked"), or whose message says the day's
    request limit is reached with no Retry-After to wait for ("daily"); None for anything
    else, such as a 429 that is a rate limit. No other section would get through either."""
    if exc.status_code == 402:
        return "credit"
    if exc.status_code != 429:
        return None
    kinds = {str(getattr(exc, "code", None)), str(getattr(exc, "type", None))}
    if kinds & OUT_OF_CREDIT:
        return "credit"
    if kinds & ACCOUNT_BLOCKED:
        return "blocked"
    headers = dict(exc.response.headers) if exc.response is not None else {}
    if retry_after_seconds(headers) is None and _DAILY_LIMIT.search(provider_message(exc)):
        return "daily"
    return None


class EndpointSettings(BaseModel):
    """Everything needed to call one model on one endpoint, except the key itself."""

    model_config = ConfigDict(frozen=True)

    model: str
    base_url: str | None = None
    key_env: str = "OPENAI_API_KEY"
    key_sent: bool = True
    """False when `key_env` was not set and the profile needs no key (`key_required = false`):
    a placeholder goes out instead of a key."""
    temperature: float | None = None
    seed: int | None = None
    max_tokens: int | None = None
    max_tokens_field: Literal["max_tokens", "max_completion_tokens"] = "max_tokens"
    extra_body: dict[str, Any] = {}
    """Provider-specific request fields (a profile's `extra_body`)."""
    connect_timeout: float = 10.0
    read_timeout: float = 120.0
    price_input_per_1k: float | None = None
    price_output_per_1k: float | None = None

    def identity(self) -> dict[str, Any]:
        """What makes two calls interchangeable: the cache key's model and parameters."""
        return {
            "model": self.model,
            # stored with each cached answer: a password in the URL stays out of the cache
            "base_url": redact(self.base_url) if self.base_url else self.base_url,
            "temperature": self.temperature,
            "seed": self.seed,
            "max_tokens": self.max_tokens,
            # only when set: the cache keys of every other profile stay as they were
            **({"extra_body": self.extra_body} if self.extra_body else {}),
        }

    def cost(self, input_tokens: int, output_tokens: int) -> float | None:
        """The price of a call, when the profile sets one."""
        if self.price_input_per_1k is None and self.price_output_per_1k is None:
            return None
        price_in, price_out = self.price_input_per_1k or 0.0, self.price_output_per_1k or 0.0
        return round(input_tokens / 1000 * price_in + output_tokens / 1000 * price_out, COST_DIGITS)


def _status_text(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


MESSAGE_LIMIT = 300
"""Longest provider message quoted (some echo the whole request, or a page of HTML)."""
_HTML = re.compile(r"\A\s*<(?:!doctype\s+html|html|head|body|title)\b", re.IGNORECASE)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def _shorten(text: str, limit: int = MESSAGE_LIMIT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _page_title(text: str) -> str | None:
    """The title of an HTML page ("" when it has none), or None when `text` is not HTML."""
    if not _HTML.match(text):
        return None
    title = _TITLE.search(text)
    return html.unescape(" ".join(title.group(1).split())) if title else ""


def _page_message(text: str) -> str:
    """A body that is not JSON, as a line: an HTML page by its title."""
    title = _page_title(text)
    if title is None:
        return text
    named = f" “{title}”" if title else ""
    return (
        f"an HTML page{named} came back instead of an API answer (a proxy or web server "
        "answered, not the model service)"
    )


def _json_message(body: dict[str, Any]) -> str | None:
    """The message of an error body in any of the shapes providers use: `{"error":
    {"message"}}` (OpenAI, DeepSeek, Zhipu, DashScope), `{"error": "…"}`, `{"message"}` (vLLM),
    `{"detail": …}` (FastAPI servers)."""
    inner = body.get("error", body)
    if isinstance(inner, str) and inner.strip():
        return inner
    if isinstance(inner, dict):
        for key in ("message", "msg", "error_msg"):
            if isinstance(inner.get(key), str) and inner[key].strip():
                return inner[key]
    detail = body.get("detail")
    if isinstance(detail, str) and detail.strip():
        return detail
    if isinstance(detail, list):  # FastAPI's validation errors
        parts = [
            f"{'.'.join(map(str, d.get('loc', [])))}: {d.get('msg', '')}"
            for d in detail
            if isinstance(d, dict)
        ]
        return "; ".join(parts) or None
    return None


def provider_message(exc: BaseException) -> str:
    """The provider's own explanation of a failed request, as one shortened line of text."""
    body = getattr(exc, "body", None)
    message: str | None = None
    if isinstance(body, dict):
        message = _json_message(body)
    elif isinstance(body, str) and body.strip():
        message = _page_message(body)
    if not message:
        message = str(getattr(exc, "message", None) or exc)
    return _shorten(redact(message))  # masked before it is cut: no part of a key is left


class ErrorInAnswer(Exception):
    """A 200 answer whose body is an `error` object instead of choices (some routers and
    proxies relay an upstream failure this way)."""

    def __init__(self, error: dict[str, Any]):
        self.body = error
        code = error.get("code")
        self.status = int(code) if isinstance(code, int | str) and str(code).isdigit() else None
        super().__init__(_json_message({"error": error}) or str(error))


def _version_hint(base_url: str | None) -> str:
    """For a 404: the base URL has no API version in its path, where most endpoints need one
    (Ollama, vLLM, LM Studio, Moonshot: /v1; Zhipu: /api/paas/v4)."""
    if base_url is None or re.search(r"/v\d+(?:beta\d*)?(?:/|$)", base_url):
        return ""
    return f" (OpenAI-compatible base URLs usually end in /v1: {base_url}/v1?)"


def _causes(exc: BaseException) -> list[BaseException]:
    """`exc` and every exception behind it."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not c for c in chain) and len(chain) < 12:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _connection_reason(exc: BaseException) -> str:
    """`connection refused`, `connection reset`… from the chain of causes."""
    chain = _causes(exc)
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return "connection refused"
    if any(isinstance(e, ConnectionResetError) for e in chain):
        return "connection reset"
    text = " ".join(f"{type(e).__name__} {e}".lower() for e in chain)
    for needle, reason in (
        ("refused", "connection refused"),
        ("reset", "connection reset"),
        ("disconnected", "server disconnected"),
        ("remoteprotocol", "server closed the connection"),
        ("name or service", "host not found"),
        ("nodename nor servname", "host not found"),
    ):
        if needle in text:
            return reason
    return "connection error"


PLAIN_HTTP_TLS = (
    "wrong_version_number",
    "wrong version number",
    "record layer failure",
    "http_request",
    "packet length too long",
)
"""How OpenSSL words a plain-HTTP answer to its handshake (an https:// URL for an http:// server)."""


def _tls_problem(exc: BaseException) -> Literal["plain", "certificate"] | None:
    """Why a TLS handshake failed in a way no retry changes: the server answered in plain HTTP
    ("plain"), or its certificate is not trusted ("certificate"); None otherwise."""
    import ssl

    for e in _causes(exc):
        if isinstance(e, ssl.SSLCertVerificationError):
            return "certificate"
        if isinstance(e, ssl.SSLError) and any(n in str(e).lower() for n in PLAIN_HTTP_TLS):
            return "plain"
    return None


def classify(exc: BaseException) -> RetryDecision:
    """Sort a failure of the OpenAI client into transient (retry) or permanent."""
    import openai

    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        headers = dict(exc.response.headers) if exc.response is not None else {}
        reason = _status_text(status)
        problem = _account_problem(exc)
        if problem is not None:
            what = {
                "credit": "insufficient quota",
                "blocked": "account not usable",
                "daily": "daily request limit reached",
            }[problem]
            return RetryDecision(transient=False, reason=f"{reason} ({what})")
        transient = status not in PERMANENT_STATUS and (status in TRANSIENT_STATUS or status >= 500)
        return RetryDecision(
            transient=transient, reason=reason, retry_after=retry_after_seconds(headers)
        )
    if isinstance(exc, AnswerInterrupted):
        return RetryDecision(transient=True, reason=str(exc))
    if isinstance(exc, ErrorInAnswer):
        in_answer = exc.status
        transient = in_answer is not None and (in_answer in TRANSIENT_STATUS or in_answer >= 500)
        code = f" (code {in_answer})" if in_answer is not None else ""
        return RetryDecision(transient=transient, reason=f"an error in a 200 answer{code}")
    if isinstance(exc, openai.APIConnectionError) and _tls_problem(exc) is not None:
        return RetryDecision(transient=False, reason="TLS handshake failed")
    if isinstance(exc, openai.APIConnectionError):  # timeouts included
        # The aiohttp transport reports a lost connection as a timeout too: what lies behind
        # the error tells them apart.
        reason = _connection_reason(exc)
        timed_out = any(isinstance(e, TimeoutError) for e in _causes(exc))
        if timed_out or (isinstance(exc, openai.APITimeoutError) and reason == "connection error"):
            reason = "request timed out"
        return RetryDecision(transient=True, reason=reason)
    return RetryDecision(transient=False, reason=type(exc).__name__)


FILTERED = frozenset({"content_filter", "sensitive", "safety"})
"""Finish reasons of an answer stopped by a content filter (OpenAI, DeepSeek, Moonshot:
`content_filter`; Zhipu: `sensitive`; Gemini's compatible API: `safety`)."""
CUT_OFF = frozenset({"length", "max_tokens", "model_length"})
"""Finish reasons of an answer cut off at the token limit."""
INTERRUPTED = frozenset({"insufficient_system_resource", "network_error", "error", "abort"})
"""Finish reasons of an answer the server broke off (DeepSeek: `insufficient_system_resource`;
Zhipu: `network_error`; Mistral and vLLM: `error`, `abort`): a partial answer, worth asking
again like a 503."""


def _no_choices(exc: BaseException) -> bool:
    """Whether `exc` is a 200 answer without choices: an empty list (ours), a null one or
    none at all (ChatOpenAI's TypeError and KeyError for those)."""
    text = str(exc)
    return (
        (isinstance(exc, ValueError) and text == NO_CHOICES)
        or (isinstance(exc, TypeError) and "null value for 'choices'" in text)
        or (isinstance(exc, KeyError) and "missing 'choices'" in text)
    )


NO_CHOICES = "the answer has no choices"


class AnswerInterrupted(Exception):
    """A 200 answer that the server broke off (its finish reason is in `INTERRUPTED`)."""

    def __init__(self, finish_reason: str):
        self.finish_reason = finish_reason
        super().__init__(f"the endpoint broke the answer off (finish_reason '{finish_reason}')")


def _finish_reason(raw: Any) -> Literal["stop", "length", "content_filter", "other"]:
    if raw == "stop":
        return "stop"
    if raw in CUT_OFF:
        return "length"
    if raw in FILTERED:
        return "content_filter"
    return "other"


@functools.cache
def _tls_context() -> Any:
    """The TLS settings every client of this process shares (the HTTP library's defaults:
    its CA bundle, SSL_CERT_FILE/SSL_CERT_DIR honoured). Loading the CA bundle costs about
    25 ms, which each new client would otherwise pay again."""
    import httpx2

    return httpx2.create_ssl_context()


class AnswersInlineExecutor(ThreadPoolExecutor):
    """An event loop's default executor for a loop that makes many calls: it runs
    langchain-openai's building of each answer inline, everything else in threads.

    ChatOpenAI hands each response to the loop's default executor to turn it into a message
    (`_create_chat_result`: pure CPU, a fraction of a millisecond). On a busy loop the thread
    hop costs more than the work, and the answer then waits behind the loop's other callbacks
    while its call still holds a slot. Any other job (a DNS lookup, an import) still gets a
    thread; should langchain change how it makes that one job, it gets a thread too.
    """

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        if not _builds_chat_result(fn):
            return super().submit(fn, *args, **kwargs)
        done: Future[Any] = Future()
        try:
            done.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # handed to the awaiting call, as a thread would
            done.set_exception(exc)
        return done


def _builds_chat_result(fn: Any) -> bool:
    """Whether `fn` is langchain's executor job for ChatOpenAI's `_create_chat_result`:
    `partial(context.run, wrapper)`, `wrapper` closing over the bound method."""
    wrapper = fn.args[0] if isinstance(fn, functools.partial) and fn.args else None
    cells = getattr(wrapper, "__closure__", None) or ()
    return any(getattr(_cell_value(c), "__name__", None) == "_create_chat_result" for c in cells)


def _cell_value(cell: Any) -> Any:
    try:
        return cell.cell_contents
    except ValueError:  # an empty cell
        return None


class OpenAIModel:
    """A drafting model behind an OpenAI-compatible endpoint."""

    def __init__(
        self,
        settings: EndpointSettings,
        *,
        api_key: str,
        policy: RetryPolicy | None = None,
        name: str | None = None,
    ):
        self.settings = settings
        self.policy = policy or RetryPolicy()
        self.name = name or f"openai:{settings.model}"
        self.deadline: float | None = self.policy.deadline
        """Seconds one section may take (read by the drafter)."""
        self._api_key = SecretStr(api_key)
        if settings.key_sent:  # the placeholder a keyless profile sends is no secret
            register_secret(api_key)
        self._chat: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._fatal: str | None = None
        """Why every call of this model fails (a wrong key, model name or parameter), once one
        was refused so; later calls are not sent."""
        self._fatal_section = ""
        """The section whose request was refused so."""

    def __repr__(self) -> str:
        return f"OpenAIModel({self.name!r}, base_url={self.settings.base_url!r})"

    def identity(self) -> dict[str, Any]:
        """The model and parameters that key the response cache."""
        return self.settings.identity()

    # ------------------------------------------------------------------ the client

    async def _client(self) -> Any:
        """The ChatOpenAI of the running event loop, made on first use.

        The libraries (about 2 s to import) are loaded in a worker thread, so that the event
        loop — progress display, sections answered from the cache — keeps running meanwhile;
        the section's deadline stands still meanwhile (no request was sent yet).
        """
        loop = asyncio.get_running_loop()
        if self._chat is None or self._loop is not loop:
            if not self.prepare.cache_info().currsize:
                with deadline_paused():
                    await asyncio.to_thread(self.prepare)
            if self._chat is None or self._loop is not loop:
                self._chat = self._build()
                self._loop = loop
        return self._chat

    @staticmethod
    @functools.cache
    def prepare() -> None:
        """Load the libraries and what every client needs, ahead of the first call: done
        once in a process that forks workers, they inherit it instead of each loading it."""
        importlib.import_module("langchain_openai")
        # A client loads its chat resources when first asked for them (about 50 ms): ChatOpenAI
        # asks as it is made, on the event loop. Ask here instead, as the client does.
        importlib.import_module("openai.resources.chat").AsyncChat  # noqa: B018
        _tls_context()

    def _build(self) -> Any:
        import openai
        from langchain_openai import ChatOpenAI

        s = self.settings
        timeout = openai.Timeout(s.read_timeout, connect=s.connect_timeout)
        tls = _tls_context()
        kwargs: dict[str, Any] = {
            "model": s.model,
            "api_key": self._api_key,
            "base_url": s.base_url,
            "timeout": timeout,
            "max_retries": 0,
            "use_responses_api": False,
            "streaming": False,
            "http_async_client": openai.DefaultAioHttpClient(timeout=timeout, verify=tls),
            # Never used (calls are async), but ChatOpenAI makes one: share the TLS context.
            "http_client": openai.DefaultHttpxClient(timeout=timeout, verify=tls),
            # Socket options apply only to clients langchain makes, and these are ours; left at
            # its default, langchain warns that HTTPS_PROXY is ignored, which it is not.
            "http_socket_options": (),
        }
        if s.temperature is not None:
            kwargs["temperature"] = s.temperature
        if s.seed is not None:
            kwargs["seed"] = s.seed
        extra_body = dict(s.extra_body)
        if s.max_tokens is not None:
            if s.max_tokens_field == "max_completion_tokens":
                kwargs["max_tokens"] = s.max_tokens
            else:
                extra_body["max_tokens"] = s.max_tokens
        if extra_body:
            kwargs["extra_body"] = extra_body
        return ChatOpenAI(**kwargs)

    async def aclose(self) -> None:
        """Close the HTTP connections of this event loop's client."""
        chat, self._chat, self._loop = self._chat, None, None
        client = getattr(chat, "http_async_client", None) if chat is not None else None
        if client is not None:
            with contextlib.suppress(RuntimeError):  # the loop may already be closing
                await client.aclose()

    # ------------------------------------------------------------------ the call

    async def complete(self, prompt: SectionPrompt, messages: list[Message]) -> Completion:
        """One answer to `messages`, retrying transient failures; never leaks the key."""
        refused = self.refusal()
        if refused is not None:
            raise refused
        chat = await self._client()
        from langchain_core.messages import convert_to_messages

        payload = convert_to_messages([{"role": m.role, "content": m.content} for m in messages])
        requests = 0

        async def once() -> Any:
            nonlocal requests
            requests += 1
            try:
                result = await chat._agenerate(payload)
            except ValueError as exc:  # how ChatOpenAI reports a 200 with an `error` body
                if exc.args and isinstance(exc.args[0], dict):
                    raise ErrorInAnswer(exc.args[0]) from None
                raise
            if not result.generations:
                raise ValueError(NO_CHOICES)
            finish = (result.generations[0].generation_info or {}).get("finish_reason")
            if finish in INTERRUPTED:
                raise AnswerInterrupted(finish)
            return result

        started = time.monotonic()
        try:
            answer = await call_with_retries(
                once,
                policy=self.policy,
                classify=classify,
                label=prompt.section_id,
            )
        except RetriesExhausted as exc:
            usage = self._usage(requests, started)
            detail = self._connection_detail(exc.last, exc.decision.reason)
            if detail is None:
                detail = provider_message(exc.last)
            if exc.asked_wait is not None:
                detail += (
                    f"; run again after {exc.asked_wait:g} s, or allow a section more time "
                    "(--deadline, or deadline in the [retry] table of draft.toml)"
                )
            elif exc.decision.reason.startswith("429"):
                # Moonshot's free tier allows 3 requests a minute: backoff alone cannot get
                # four sections at once through
                detail += (
                    "; the endpoint's rate limit held through every retry: ask for fewer "
                    "sections at once (--concurrency, or a model's concurrency and rpm in an "
                    "eval suite)"
                )
            raise ModelCallError(
                redact(
                    str(exc) if not detail or detail in str(exc) else f"{exc} — {detail}",
                    self._key(),
                ),
                usage=usage,
                transient=True,
            ) from None
        except Exception as exc:
            usage = self._usage(requests, started)
            raise self._permanent(exc, usage, prompt.section_id) from None
        return self._completion(answer, self._usage(requests, started))

    def _connection_detail(self, exc: BaseException, reason: str) -> str | None:
        """What to check after a failure below HTTP (`reason` as `classify` gave it): where to
        raise a read timeout, whether a server runs at the address, whether its host exists;
        "" when there is nothing to add, None when `exc` is not such a failure. The client's
        own words ("Connection error.", and "Request timed out." for a refused connection)
        are left out: they add nothing, or contradict the reason."""
        import httpx2
        import openai

        if not isinstance(exc, openai.APIConnectionError):
            return None
        where = self.settings.base_url or "api.openai.com"
        if any(isinstance(e, httpx2.ReadTimeout) for e in _causes(exc)):
            # a local server, or a model that reasons first, can take minutes to answer a
            # call that does not stream
            return (
                f"no answer within the {self.settings.read_timeout:g} s read timeout: a slow "
                "model (a local server, or one that reasons before it answers) needs a larger "
                "--timeout, or read_timeout in its draft.toml profile; a server that answers "
                "one request at a time, a lower --concurrency"
            )
        if reason == "connection refused":
            return (
                f"nothing accepts connections at {where}: is the server running (ollama serve, "
                "vllm serve, llama-server…), and is the port right?"
            )
        if reason == "host not found":
            return f"the host of {where} is not found: check the base URL, the network or proxy"
        return ""

    def _key(self) -> str | None:
        """The key to mask in messages; None for the placeholder a keyless profile sends."""
        return self._api_key.get_secret_value() if self.settings.key_sent else None

    def _key_hint(self) -> str:
        """For a 401: the variable the key was read from, or, when none was sent, how to
        give the key the server asks for."""
        env = self.settings.key_env
        if self.settings.key_sent:
            return f"; check the key in {env}"
        return (
            f"; the server asks for an API key and none was sent ({env} is not set, and "
            f"profile '{self.name}' has key_required = false): export {env}=… with the key, "
            "or name the variable that holds it with key_env in the profile"
        )

    def _usage(self, requests: int, started: float) -> Usage:
        return Usage(
            requests=requests,
            retries=max(0, requests - 1),
            latency_s=round(time.monotonic() - started, 6),
        )

    def _permanent(self, exc: BaseException, usage: Usage, section: str) -> ModelCallError:
        """The error to report for a failure that was not retried; a refusal no other request
        of this model could get past (`section`'s) also stops its later calls."""
        import openai

        if isinstance(exc, openai.APIStatusError):
            status = exc.status_code
            message = redact(
                f"{_status_text(status)} from {self.settings.base_url or 'api.openai.com'}: "
                f"{provider_message(exc)}",
                self._key(),
            )
            problem = _account_problem(exc)
            if status in (400, 422):
                parameter = self._parameter_hint(exc)
                if parameter:  # every request carries the parameter: none would get through
                    return self._stop_calls(message + parameter, section, usage)
                if _unknown_model(exc):
                    return self._stop_calls(message + self._model_hint(), section, usage)
                return ModelCallError(message, usage=usage)
            if status in FATAL_FOR_RUN or problem is not None:
                hint = {
                    401: self._key_hint(),
                    402: "; the account has no credit left: top it up with the provider",
                    429: {
                        "credit": "; the account has no credit or quota left: top it up with the "
                        "provider (or wait until its limit resets)",
                        "blocked": "; the account cannot be used (inactive or locked): see the "
                        "provider's console",
                        "daily": "; the key's requests for the day are used up, and no retry "
                        "gets past that: run again after the limit resets, or use another key or "
                        "model (or ask the provider for a higher limit)",
                    }[problem or "credit"],
                    403: "; the provider does not serve requests from this country or region"
                    if getattr(exc, "code", None) == REGION_REFUSED
                    else "; the key may not be allowed to use this model",
                    404: self._model_hint(),
                }[status]
                return self._stop_calls(message + hint, section, usage)
            return ModelCallError(message, usage=usage)
        if isinstance(exc, asyncio.CancelledError | TimeoutError):
            raise exc
        where = self.settings.base_url or "api.openai.com"
        tls = _tls_problem(exc)
        if tls is not None:  # every request to the address fails the same way
            hint = {
                "plain": "the server there answers plain HTTP, not HTTPS: a local server "
                "(Ollama, vLLM, llama-server…) is usually http://, so check the base URL's "
                "scheme (and its port)",
                "certificate": "its certificate is not trusted (self-signed, or replaced by a "
                "company proxy): set SSL_CERT_FILE to the CA bundle that signs it",
            }[tls]
            return self._stop_calls(f"TLS handshake with {where} failed: {hint}", section, usage)
        if isinstance(exc, ErrorInAnswer):
            return ModelCallError(
                redact(
                    f"{where} answered 200 OK with an error: {provider_message(exc)}", self._key()
                ),
                usage=usage,
            )
        if _no_choices(exc):
            return ModelCallError(
                f"{where} answered 200 OK with no choices: not a chat completion as an "
                "OpenAI-compatible API gives it (check the base URL and the model name)",
                usage=usage,
            )
        if isinstance(exc, json.JSONDecodeError):
            what = "a body that is not JSON" if exc.doc.strip() else "an empty body"
            return ModelCallError(
                f"{where} answered 200 OK with {what}, not an API answer (a proxy in between "
                "broke it off, or the base URL is not the API's address)",
                usage=usage,
            )
        if isinstance(exc, ValueError) and "Unexpected response type" in str(exc):
            # ChatOpenAI's words for a 200 whose body is not JSON: a web page at the base URL
            title = _page_title(str(exc).partition(": ")[2].strip("'\""))
            what = "text" if title is None else f"an HTML page{f' “{title}”' if title else ''}"
            return ModelCallError(
                f"{where} answered with {_shorten(what, 120)}, not an API answer: check the "
                "base URL, which is the API's address (usually ending in /v1), not a web page",
                usage=usage,
            )
        detail = redact(str(exc), self._key())
        return ModelCallError(
            f"unexpected answer from the endpoint ({type(exc).__name__}: {detail[:300]})",
            usage=usage,
        )

    def refusal(self) -> ModelCallError | None:
        """The error a call now fails with, unsent, once one was refused for a reason every
        call would be (see `_stop_calls`); None until then."""
        if self._fatal is None:
            return None
        return ModelCallError(self._fatal + NOT_SENT.format(section=self._fatal_section))

    def _stop_calls(self, reason: str, section: str, usage: Usage) -> ModelCallError:
        """The error of a refusal that every call of this model would get: later calls fail
        with it at once, unsent, naming `section` as the one that was refused."""
        if self._fatal is None:
            self._fatal, self._fatal_section = reason, section
        return ModelCallError(reason, usage=usage)

    def _model_hint(self) -> str:
        """What to check when the endpoint does not know the model."""
        return f"; check the model name '{self.settings.model}' and the base URL" + _version_hint(
            self.settings.base_url
        )

    def _parameter_hint(self, exc: Any) -> str:
        """For a 400 about a parameter: which setting sends it, and what to do instead."""
        body = exc.body if isinstance(exc.body, dict) else {}
        param = str(body.get("param") or "")
        text = provider_message(exc)
        if param == "max_tokens" or "Use 'max_completion_tokens'" in text:
            return (
                "; this model takes max_completion_tokens: set max_tokens_field = "
                '"max_completion_tokens" in its draft.toml profile, or leave out --max-tokens'
            )
        if param == "temperature" or "'temperature' does not support" in text:
            return (
                "; this model takes only its default temperature: leave out --temperature "
                "and the profile's temperature"
            )
        if "enable_thinking" in text:
            return (
                "; Draftsmith does not stream: add extra_body = { enable_thinking = false } to "
                "the model's draft.toml profile"
            )
        return ""

    def _completion(self, result: Any, usage: Usage) -> Completion:
        """The `Completion` of ChatOpenAI's `ChatResult`: one generation (n=1), its finish
        reason in `generation_info`, token counts on the message or in `llm_output`."""
        generation = result.generations[0]
        answer = generation.message
        meta = generation.generation_info or {}
        tokens = getattr(answer, "usage_metadata", None) or {}
        raw_usage = (result.llm_output or {}).get("token_usage") or {}
        input_tokens = int(tokens.get("input_tokens") or raw_usage.get("prompt_tokens") or 0)
        output_tokens = int(tokens.get("output_tokens") or raw_usage.get("completion_tokens") or 0)
        # Some servers (older Ollama, proxies) send no counts or only prompt_tokens: langchain
        # then reports zeros, which would make an unknown cost look free.
        counted = all(
            isinstance(raw_usage.get(k), int) for k in ("prompt_tokens", "completion_tokens")
        )
        content = answer.content
        if isinstance(content, list):  # content blocks
            content = "".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in content)
        refusal = (getattr(answer, "additional_kwargs", {}) or {}).get("refusal")
        served = (result.llm_output or {}).get("model_name")
        return Completion(
            text=str(content or ""),
            finish_reason=_finish_reason(meta.get("finish_reason")),
            refusal=str(refusal) if refusal else None,
            usage=usage.model_copy(
                update={
                    "input_tokens": input_tokens,
                    "output_tokens": output_tokens,
                    "cost": self.settings.cost(input_tokens, output_tokens) if counted else None,
                    "unmetered": 0 if counted else 1,
                    "served_models": [str(served)] if served else [],
                }
            ),
        )
