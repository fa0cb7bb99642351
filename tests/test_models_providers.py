"""What real OpenAI-compatible providers and the proxies in front of them answer, through the
OpenAI adapter and the real openai client over real HTTP: error bodies in each provider's
shape, HTML pages from a reverse proxy, 200 answers that carry an error, missing token counts,
the finish reasons they use, and the parameters reasoning models accept."""

from __future__ import annotations

import asyncio
import json

import pytest
from modelrun import FAST_POLICY, SECTIONS, draft_run, section_prompt

from pipeline.models.base import ModelCallError
from pipeline.models.openai import EndpointSettings, OpenAIModel

KEY = "sk-providers-test-3c9d1e7f5a2b8046"


def _complete(server, **settings):
    settings.setdefault("model", "good")
    model = OpenAIModel(
        EndpointSettings(base_url=server.base_url, **settings), api_key=KEY, policy=FAST_POLICY
    )

    async def go():
        try:
            return await model.complete(section_prompt(), section_prompt().messages)
        finally:
            await model.aclose()

    return asyncio.run(go())


def _failure(server, **settings) -> str:
    with pytest.raises(ModelCallError) as info:
        _complete(server, **settings)
    message = str(info.value)
    assert KEY not in message
    return message


def _raw(body, status: int = 200, content_type: str = "application/json") -> dict:
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    return {"kind": "raw", "status": status, "text": text, "content_type": content_type}


# ----------------------------------------------------------------------------- error bodies


def test_a_proxys_html_error_page_is_named_by_its_title_and_retried(openai_server):
    openai_server.script("organization", "html:502", "html:502", "html:502")
    message = _failure(openai_server)
    assert openai_server.count() == 3  # a 502 is transient, whatever its body
    assert message.startswith("502 Bad Gateway after 3 attempt(s)")
    assert "an HTML page “502 Bad Gateway” came back instead of an API answer" in message
    assert "<" not in message and "Error code" not in message


def test_a_long_provider_message_is_shortened_with_no_part_of_the_key(openai_server):
    # some servers quote the whole request back; here the key straddles the cut
    long = "请求参数错误：" + "很长的说明" * 57 + f"Authorization: {KEY} " + "更多" * 900
    openai_server.script("organization", _raw({"error": {"message": long}}, 400))
    message = _failure(openai_server)
    assert len(message) < 400, len(message)
    assert message.endswith("…")
    assert KEY[:8] not in message


@pytest.mark.parametrize(
    ("body", "status", "expected"),
    [
        # Zhipu (BigModel): the code is a number in a string
        (
            {
                "error": {
                    "code": "1301",
                    "message": "系统检测到输入或生成内容可能包含不安全或敏感内容",
                }
            },
            400,
            "400 Bad Request from http://127.0.0.1:",
        ),
        # DashScope (Qwen) in its native shape, at the top level
        (
            {"code": "InvalidParameter", "message": "Range of input length should be [1, 129024]"},
            400,
            "Range of input length",
        ),
        # vLLM: an OpenAI-like object at the top level
        (
            {"object": "error", "message": "The model `x` does not exist.", "code": 404},
            404,
            "The model `x` does not exist.",
        ),
        # a FastAPI server (vLLM's router, LocalAI…) for a wrong path
        ({"detail": "Not Found"}, 404, ": Not Found;"),
        # FastAPI's validation errors
        (
            {"detail": [{"loc": ["body", "messages"], "msg": "field required"}]},
            422,
            "body.messages: field required",
        ),
        # Ollama's plain-text 404 for a path it does not serve
        ("404 page not found", 404, ": 404 page not found"),
    ],
)
def test_every_providers_error_shape_gives_its_message(openai_server, body, status, expected):
    content_type = "text/plain" if isinstance(body, str) else "application/json"
    openai_server.script("organization", _raw(body, status, content_type))
    message = _failure(openai_server)
    assert expected in message
    assert "Error code:" not in message
    assert openai_server.count() == 1


def test_a_web_page_where_the_api_should_be_says_to_check_the_base_url(openai_server):
    page = "<!DOCTYPE html><html><head><title>Open WebUI</title></head><body>…</body></html>"
    openai_server.script("organization", _raw(page, 200, "text/html"))
    message = _failure(openai_server)
    assert "answered with an HTML page “Open WebUI”, not an API answer" in message
    assert "check the base URL" in message
    assert openai_server.count() == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # vLLM and some routers: `choices` null
        ('{"id": "x", "object": "chat.completion", "choices": null}', "with no choices"),
        # DashScope's native API shape where the compatible one was meant
        ('{"output": {"text": "第一句。"}, "request_id": "53ada3be"}', "with no choices"),
        # a proxy that broke the body off, or sent none
        ('{"choices": [{"message": {"content": "第一', "with a body that is not JSON"),
        ("", "with an empty body"),
    ],
    ids=["null-choices", "native-shape", "cut-off-json", "empty"],
)
def test_a_200_that_is_no_chat_completion_says_what_came(openai_server, text, expected):
    openai_server.script("organization", _raw(text))
    message = _failure(openai_server)
    assert message.startswith(f"{openai_server.base_url} answered 200 OK {expected}")
    assert "Error" not in message and "Full response keys" not in message
    assert openai_server.count() == 1


def test_a_200_answer_carrying_an_upstream_error_is_retried(openai_server):
    # OpenRouter and one-api style gateways relay an upstream failure inside a 200
    upstream = _raw({"error": {"code": 502, "message": "Upstream provider timed out"}})
    openai_server.script("organization", upstream, "ok")
    completion = _complete(openai_server)
    assert completion.text == "第一句。第二句。"
    assert completion.usage.retries == 1


def test_a_200_answer_carrying_a_request_error_says_so(openai_server):
    bad = _raw({"error": {"code": "invalid_request", "message": "Model not supported"}})
    openai_server.script("organization", bad, "ok")
    message = _failure(openai_server)
    assert openai_server.count() == 1
    assert message.startswith("http://127.0.0.1:")
    assert "answered 200 OK with an error: Model not supported" in message


# ----------------------------------------------------------------------------- finish reasons


def test_an_answer_the_server_broke_off_is_asked_again(openai_server):
    # DeepSeek under load: a partial answer, finish_reason insufficient_system_resource
    broken = {"kind": "text", "text": "第一句。", "finish": "insufficient_system_resource"}
    openai_server.script("organization", broken, "ok")
    completion = _complete(openai_server)
    assert completion.text == "第一句。第二句。"
    assert completion.usage.retries == 1


def test_an_answer_broken_off_every_time_fails_with_the_reason_once(openai_server):
    broken = {"kind": "ok", "finish": "network_error"}  # Zhipu's word for it
    openai_server.script("organization", broken, broken, broken)
    message = _failure(openai_server)
    assert message == (
        "the endpoint broke the answer off (finish_reason 'network_error') after 3 attempt(s) "
        "(3 allowed)"
    )


@pytest.mark.parametrize(
    ("finish", "expected"), [("sensitive", "content_filter"), ("model_length", "length")]
)
def test_providers_own_finish_reasons_are_understood(openai_server, finish, expected):
    openai_server.script("organization", {"kind": "ok", "finish": finish})
    assert _complete(openai_server).finish_reason == expected


# ----------------------------------------------------------------------------- token counts


def _priced_profile(tmp_path, server) -> None:
    (tmp_path / "draft.toml").write_text(
        "[profiles.local]\n"
        'model = "good"\n'
        f'base_url = "{server.base_url}"\n'
        "key_required = false\n"
        "price_input_per_1k = 0.002\n"
        "price_output_per_1k = 0.006\n",
        encoding="utf-8",
    )


@pytest.mark.parametrize("usage", ["missing", "prompt_only"])
def test_answers_without_token_counts_make_the_cost_unknown_not_free(
    tmp_path, openai_server, usage
):
    _priced_profile(tmp_path, openai_server)
    openai_server.script("*", {"kind": "ok", "usage": usage})
    run = draft_run(tmp_path, None, model="local", cwd=tmp_path)
    assert run.code == 0, run.stderr
    total = run.draft["usage"]
    assert total["cost"] is None and total["unmetered"] == len(SECTIONS)
    assert all(s["usage"]["cost"] is None for s in run.draft["sections"])
    assert f"cost unknown ({len(SECTIONS)} answer(s) without token counts)" in run.stderr
    assert "cost 0.0000" not in run.stderr


def test_one_answer_without_token_counts_makes_the_cost_a_lower_bound(tmp_path, openai_server):
    _priced_profile(tmp_path, openai_server)
    openai_server.script("plans", {"kind": "ok", "usage": "missing"})
    run = draft_run(tmp_path, None, model="local", cwd=tmp_path)
    assert run.code == 0, run.stderr
    total = run.draft["usage"]
    assert total["cost"] > 0 and total["unmetered"] == 1
    assert run.section("plans")["usage"]["cost"] is None
    assert f"cost at least {total['cost']:.4f} (1 answer(s) without token counts)" in run.stderr


# ----------------------------------------------------------------------------- base URL


def test_a_404_at_a_base_url_without_a_version_suggests_v1(openai_server):
    # Ollama at http://127.0.0.1:11434 answers POST /chat/completions with a 404
    openai_server.script("organization", _raw("404 page not found", 404, "text/plain"))
    root = openai_server.base_url.removesuffix("/v1")
    model = OpenAIModel(
        EndpointSettings(model="good", base_url=root), api_key=KEY, policy=FAST_POLICY
    )

    async def go():
        try:
            return await model.complete(section_prompt(), section_prompt().messages)
        finally:
            await model.aclose()

    with pytest.raises(ModelCallError) as info:
        asyncio.run(go())
    assert str(info.value).endswith(
        f"check the model name 'good' and the base URL (OpenAI-compatible base URLs usually "
        f"end in /v1: {root}/v1?)"
    )


def test_a_404_at_a_versioned_base_url_has_no_such_suggestion(openai_server):
    openai_server.script("organization", "404")
    assert "usually end in /v1" not in _failure(openai_server)


# ----------------------------------------------------------------------------- parameters


def _openai_error(message: str, param: str, code: str) -> dict:
    body = {
        "error": {"message": message, "type": "invalid_request_error", "param": param, "code": code}
    }
    return _raw(body, 400)


def test_a_reasoning_model_gets_max_completion_tokens_behind_any_base_url(tmp_path, openai_server):
    # o-series and gpt-5 served by Azure or a proxy refuse max_tokens, as on api.openai.com
    run = draft_run(tmp_path, openai_server, "--max-tokens", "800", model="openai:o4-mini")
    assert run.code == 0, run.stderr
    body = openai_server.requests("plans")[0].body
    assert body["max_completion_tokens"] == 800 and "max_tokens" not in body


@pytest.mark.parametrize(
    ("error", "hint"),
    [
        (
            _openai_error(
                "Unsupported parameter: 'max_tokens' is not supported with this model. Use "
                "'max_completion_tokens' instead.",
                "max_tokens",
                "unsupported_parameter",
            ),
            'set max_tokens_field = "max_completion_tokens" in its draft.toml profile',
        ),
        (
            _openai_error(
                "Unsupported value: 'temperature' does not support 0.3 with this model. Only the "
                "default (1) value is supported.",
                "temperature",
                "unsupported_value",
            ),
            "leave out --temperature and the profile's temperature",
        ),
        (  # DashScope, for a Qwen3 model asked without streaming
            _raw(
                {
                    "error": {
                        "code": "invalid_parameter_error",
                        "param": None,
                        "message": "parameter.enable_thinking must be set to false for non-streaming calls",
                        "type": "invalid_request_error",
                    },
                    "request_id": "53ada3be",
                },
                400,
            ),
            "add extra_body = { enable_thinking = false } to the model's draft.toml profile",
        ),
    ],
)
def test_a_parameter_the_model_refuses_names_the_setting_to_change(openai_server, error, hint):
    openai_server.script("organization", error)
    message = _failure(openai_server)
    assert message.startswith("400 Bad Request from http://127.0.0.1:")
    assert hint in message


def test_a_profiles_extra_body_is_sent_and_keys_the_cache(tmp_path, openai_server):
    (tmp_path / "draft.toml").write_text(
        "[profiles.qwen]\n"
        'model = "qwen3-32b"\n'
        f'base_url = "{openai_server.base_url}"\n'
        "key_required = false\n"
        "max_tokens = 900\n"
        "extra_body = { enable_thinking = false }\n",
        encoding="utf-8",
    )
    run = draft_run(tmp_path, None, model="qwen", cwd=tmp_path)
    assert run.code == 0, run.stderr
    body = openai_server.requests("plans")[0].body
    assert body["enable_thinking"] is False and body["max_tokens"] == 900
    # the same prompts without the field are other requests, not answers from the cache
    toml = (tmp_path / "draft.toml").read_text(encoding="utf-8")
    (tmp_path / "draft.toml").write_text(toml.replace("extra_body", "# extra_body"), "utf-8")
    again = draft_run(tmp_path, None, model="qwen", cwd=tmp_path, out_name="again.json")
    assert again.code == 0, again.stderr
    assert openai_server.count() == 2 * len(SECTIONS)
    assert "enable_thinking" not in openai_server.requests("plans")[1].body


# ----------------------------------------------------------------------------- empty accounts


@pytest.mark.parametrize(
    ("body", "status"),
    [
        # Zhipu: a 429 whose code says the account is in arrears
        ({"error": {"code": "1113", "message": "您的账户已欠费，请充值后重试。"}}, 429),
        # Zhipu: the day's quota of calls is used up
        (
            {
                "error": {
                    "code": "1304",
                    "message": "该 API 已达今日调用次数限额，如有更多需求，请联系客服购买",
                }
            },
            429,
        ),
        # Moonshot
        (
            {
                "error": {
                    "message": "Your account org-1 <ak-2> is suspended due to insufficient balance",
                    "type": "exceeded_current_quota_error",
                }
            },
            429,
        ),
        # DeepSeek
        (
            {
                "error": {
                    "message": "Insufficient Balance",
                    "type": "unknown_error",
                    "code": "invalid_request_error",
                }
            },
            402,
        ),
    ],
)
def test_an_empty_account_stops_the_run_at_the_first_answer(tmp_path, openai_server, body, status):
    openai_server.script("*", _raw(body, status), "ok")
    run = draft_run(tmp_path, openai_server, "--concurrency", "1")
    assert run.code == 3, run.stderr
    assert openai_server.count() == 1  # not retried, and no other section asks again
    assert "retrying" not in run.stderr
    message = body["error"]["message"]
    for sid in SECTIONS:
        error = run.section(sid)["error"]
        assert error.startswith(f"{status} ") and message in error
        assert "top it up with the provider" in error


def test_a_locked_account_stops_the_run_at_the_first_answer(tmp_path, openai_server):
    # Zhipu answers a locked account with a 429 that no wait gets past
    body = {"error": {"code": "1112", "message": "您的账户已被锁定，请联系客服解锁"}}
    openai_server.script("*", _raw(body, 429), "ok")
    run = draft_run(tmp_path, openai_server, "--concurrency", "1")
    assert run.code == 3, run.stderr
    assert openai_server.count() == 1
    assert "retrying" not in run.stderr
    for sid in SECTIONS:
        error = run.section(sid)["error"]
        assert error.startswith("429 Too Many Requests from http://127.0.0.1:")
        assert "您的账户已被锁定" in error and "the account cannot be used" in error


def test_a_region_the_provider_does_not_serve_is_not_blamed_on_the_key(tmp_path, openai_server):
    # OpenAI, asked from a country it does not serve (or through a server it has blocked)
    body = {
        "error": {
            "code": "unsupported_country_region_territory",
            "message": "Country, region, or territory not supported",
            "param": None,
            "type": "request_forbidden",
        }
    }
    openai_server.script("*", _raw(body, 403), "ok")
    run = draft_run(tmp_path, openai_server, "--concurrency", "1")
    assert run.code == 3, run.stderr
    assert openai_server.count() == 1
    error = run.section("plans")["error"]
    assert error.startswith("403 Forbidden from http://127.0.0.1:")
    assert "Country, region, or territory not supported" in error
    assert "the provider does not serve requests from this country or region" in error
    assert "key" not in error


def test_a_rate_limit_that_outlasts_the_retries_says_to_ask_less_at_once(tmp_path, openai_server):
    # Moonshot's free tier: 3 requests a minute, no Retry-After
    body = {
        "error": {
            "message": "Your account org-1<ak-2> request reached organization max RPM: 3, "
            "please try again after 20 seconds",
            "type": "rate_limit_reached_error",
        }
    }
    openai_server.script("plans", _raw(body, 429), _raw(body, 429))
    run = draft_run(tmp_path, openai_server, "--max-attempts", "2")
    assert run.code == 3, run.stderr
    assert openai_server.count("plans") == 2  # a rate limit is retried
    error = run.section("plans")["error"]
    assert error.startswith("429 Too Many Requests after 2 attempt(s) (2 allowed) — Your account")
    assert "max RPM: 3" in error
    assert "ask for fewer sections at once (--concurrency" in error


# ----------------------------------------------------------------------------- proxies


def test_requests_go_through_the_proxy_in_the_environment_without_a_false_warning(
    tmp_path, openai_server
):
    # the scripted server stands in for the proxy: it answers what is sent to it as to a proxy
    proxy = openai_server.base_url.removesuffix("/v1")
    env = {"HTTP_PROXY": proxy, "http_proxy": proxy, "NO_PROXY": "", "no_proxy": ""}
    env["OPENAI_BASE_URL"] = "http://llm.example.invalid/v1"
    run = draft_run(tmp_path, None, env=env)
    assert run.code == 0, run.stderr
    assert {r.path for r in openai_server.requests()} == {
        "http://llm.example.invalid/v1/chat/completions"
    }
    # langchain's warning that the proxy is ignored is false here: it is not ignored
    assert "proxy" not in run.stderr.lower(), run.stderr


# ----------------------------------------------------------------------------- Retry-After


def test_a_retry_after_date_is_read_against_the_servers_clock(openai_server):
    # an office PC's clock an hour off: the server asks for 2 s by its own clock (and Date)
    wait = {"kind": "status", "status": 429, "retry_after_date": 2, "clock_skew": -3600}
    openai_server.script("organization", wait, "ok")
    completion = _complete(openai_server)
    assert completion.usage.retries == 1
    (gap,) = openai_server.gaps("organization")
    assert 0.9 <= gap < 3.0, gap  # whole seconds on the wire: 1 to 2 s


# ----------------------------------------------------------------------------- refusals of every request

TEMPERATURE_REFUSED = _openai_error(
    "Unsupported value: 'temperature' does not support 0.3 with this model. Only the default "
    "(1) value is supported.",
    "temperature",
    "unsupported_value",
)


@pytest.mark.parametrize(
    ("error", "hint"),
    [
        (TEMPERATURE_REFUSED, "leave out --temperature and the profile's temperature"),
        (  # DeepSeek, for a model name it does not have
            _raw(
                {
                    "error": {
                        "message": "Model Not Exist",
                        "type": "invalid_request_error",
                        "code": "invalid_request_error",
                    }
                },
                400,
            ),
            "check the model name 'o3' and the base URL",
        ),
    ],
)
def test_a_400_that_every_request_would_get_is_not_sent_again(tmp_path, openai_server, error, hint):
    openai_server.script("*", error, "ok")
    run = draft_run(tmp_path, openai_server, "--concurrency", "1", model="openai:o3")
    assert run.code == 3, run.stderr
    assert openai_server.count() == 1  # the other six sections are not sent
    first = run.section("opening")["error"]
    assert first.startswith("400 Bad Request from http://127.0.0.1:") and hint in first
    for sid in SECTIONS[1:]:
        assert run.section(sid)["error"] == (
            first + " (not sent: the endpoint had refused the request of section opening)"
        )
        assert "（生成失败：400 请求无效）" in run.section(sid)["body"]
    # the summary gives the reason once, for all seven sections
    summary = run.stderr.split("drafted ", 1)[1]
    assert summary.count(hint) == 1, summary
    assert f"FAILED {', '.join(SECTIONS)}: {first}\n" in summary
    assert (
        f"({', '.join(SECTIONS[1:])} not sent: the endpoint had refused the request of "
        "section opening)" in summary
    )


@pytest.mark.parametrize(
    "body",
    [
        # DashScope's content inspection: about this section's prompt, not the model
        {
            "code": "DataInspectionFailed",
            "message": "Input data may contain inappropriate content.",
            "request_id": "5d1b7a0e",
        },
        # OpenAI's context length: this section's prompt is too long
        {
            "error": {
                "message": "This model's maximum context length is 8192 tokens. However, your "
                "messages resulted in 9000 tokens. Please reduce the length of the messages.",
                "type": "invalid_request_error",
                "param": "messages",
                "code": "context_length_exceeded",
            }
        },
    ],
)
def test_a_400_about_one_sections_prompt_stays_that_sections(tmp_path, openai_server, body):
    openai_server.script("public_opinion", _raw(body, 400))
    run = draft_run(tmp_path, openai_server, "--concurrency", "1")
    assert run.code == 3, run.stderr
    assert openai_server.count() == len(SECTIONS)  # every other section asked and answered
    assert run.section("public_opinion")["error"].startswith("400 Bad Request")
    assert [s["id"] for s in run.draft["sections"] if s["status"] == "failed"] == ["public_opinion"]


def test_openais_used_up_quota_is_not_retried(tmp_path, openai_server):
    body = {
        "error": {
            "message": "You exceeded your current quota, please check your plan and billing "
            "details. For more information on this error, read the docs: "
            "https://platform.openai.com/docs/guides/error-codes/api-errors.",
            "type": "insufficient_quota",
            "param": None,
            "code": "insufficient_quota",
        }
    }
    openai_server.script("*", _raw(body, 429), "ok")
    run = draft_run(tmp_path, openai_server, "--concurrency", "1")
    assert run.code == 3, run.stderr
    assert openai_server.count() == 1 and "retrying" not in run.stderr
    assert "top it up with the provider" in run.section("plans")["error"]


def test_a_daily_request_limit_is_not_retried_and_says_to_wait_for_the_reset(
    tmp_path, openai_server
):
    body = {
        "error": {
            "message": "Rate limit reached for gpt-4o-mini in organization org-abc on requests "
            "per day (RPD): Limit 200, Used 200, Requested 1. Visit "
            "https://platform.openai.com/account/rate-limits to learn more.",
            "type": "requests",
            "param": None,
            "code": "rate_limit_exceeded",
        }
    }
    openai_server.script("*", *[_raw(body, 429)] * 5, "ok")
    run = draft_run(tmp_path, openai_server, "--concurrency", "1")
    assert run.code == 3, run.stderr
    assert openai_server.count() == 1  # not 5 attempts × 7 sections
    assert "retrying" not in run.stderr
    error = run.section("opening")["error"]
    assert error.startswith("429 Too Many Requests from http://127.0.0.1:"), error
    assert "requests per day (RPD)" in error
    assert "run again after the limit resets" in error
    assert "ask for fewer sections at once" not in error
    assert run.section("plans")["error"].endswith(
        "(not sent: the endpoint had refused the request of section opening)"
    )


def test_a_profile_without_prices_says_the_cost_is_unknown(tmp_path, openai_server):
    (tmp_path / "draft.toml").write_text(
        f'[profiles.local]\nmodel = "good"\nbase_url = "{openai_server.base_url}"\n'
        "key_required = false\n",
        encoding="utf-8",
    )
    run = draft_run(tmp_path, None, model="local", cwd=tmp_path)
    assert run.code == 0, run.stderr
    assert run.draft is not None and run.draft["usage"]["cost"] is None
    assert (
        "cost unknown (no price set for local: set price_input_per_1k and price_output_per_1k "
        "in its draft.toml profile)" in run.stderr
    ), run.stderr
