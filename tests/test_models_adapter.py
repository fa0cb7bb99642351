"""The OpenAI adapter in-process, through the real openai client over real HTTP."""

from __future__ import annotations

import asyncio
import time

import pytest
from modelrun import FAST_POLICY, section_prompt

from pipeline.models.base import ModelCallError
from pipeline.models.openai import EndpointSettings, OpenAIModel
from pipeline.prompts import SectionPrompt
from pipeline.retry import RetryPolicy

KEY = "sk-adapter-test-55aa66bb77cc"


def _model(server, policy: RetryPolicy = FAST_POLICY, **settings) -> OpenAIModel:
    return OpenAIModel(
        EndpointSettings(model="good", base_url=server.base_url, **settings),
        api_key=KEY,
        policy=policy,
    )


async def _complete(model: OpenAIModel, prompt: SectionPrompt, messages=None):
    try:
        return await model.complete(prompt, messages or prompt.messages)
    finally:
        await model.aclose()


def test_answer_usage_and_finish_reason(openai_server):
    prompt = section_prompt()
    model = _model(openai_server, price_input_per_1k=1.0, price_output_per_1k=2.0)
    completion = asyncio.run(_complete(model, prompt))
    assert completion.text == "第一句。第二句。"
    assert completion.finish_reason == "stop"
    u = completion.usage
    assert (u.requests, u.retries) == (1, 0)
    assert u.input_tokens == sum(len(m.content) for m in prompt.messages)
    assert u.output_tokens == len("第一句。第二句。")
    assert u.cost == pytest.approx(u.input_tokens / 1000 + 2 * u.output_tokens / 1000)
    (request,) = openai_server.requests()
    assert request.path == "/v1/chat/completions"
    assert request.authorization == f"Bearer {KEY}"
    assert request.body["messages"][0] == {"role": "system", "content": "系统"}


def test_length_is_reported_not_hidden(openai_server):
    openai_server.script("organization", "truncate")
    completion = asyncio.run(_complete(_model(openai_server), section_prompt()))
    assert completion.finish_reason == "length"
    assert completion.text == "第一句。"


def test_sdk_retries_are_off_and_ours_are_bounded(openai_server):
    openai_server.script("organization", "500", "500", "500", "500", "ok")
    with pytest.raises(ModelCallError) as info:
        asyncio.run(_complete(_model(openai_server), section_prompt()))
    assert openai_server.count() == 3  # max_attempts=3, no hidden SDK retries on top
    assert info.value.transient
    assert info.value.usage.requests == 3
    assert "500 Internal Server Error after 3 attempt(s)" in str(info.value)


def test_retry_after_header_wait(openai_server):
    openai_server.script("organization", "503:0.5", "ok")
    OpenAIModel.prepare()  # load the libraries first: on a busy machine that alone takes 10 s
    started = time.monotonic()
    completion = asyncio.run(_complete(_model(openai_server), section_prompt()))
    assert completion.usage.retries == 1
    (gap,) = openai_server.gaps("organization")
    assert gap >= 0.48
    assert time.monotonic() - started < 10


def test_a_permanent_error_is_one_request_with_the_message_masked(openai_server):
    openai_server.script("organization", "401")
    model = _model(openai_server)
    with pytest.raises(ModelCallError) as info:
        asyncio.run(_complete(model, section_prompt()))
    message = str(info.value)
    assert message.startswith("401 Unauthorized from http://127.0.0.1:")
    assert "Incorrect API key provided: ***" in message
    assert KEY not in message
    assert not info.value.transient
    # the run is stopped for every other section, without another request
    with pytest.raises(ModelCallError, match="401 Unauthorized"):
        asyncio.run(_complete(model, section_prompt("plans")))
    assert openai_server.count() == 1


def test_read_timeout_is_explicit(openai_server):
    openai_server.script("organization", "hang:10", "hang:10", "hang:10")
    model = _model(openai_server, read_timeout=0.3, connect_timeout=0.5)
    OpenAIModel.prepare()  # load the libraries first: on a busy machine that alone takes 10 s
    started = time.monotonic()
    with pytest.raises(ModelCallError, match="request timed out after 3 attempt"):
        asyncio.run(_complete(model, section_prompt()))
    # three 0.3 s read timeouts: never waited for the server's 10 s answer (even once)
    assert time.monotonic() - started < 8


def test_the_client_follows_the_event_loop(openai_server):
    """A model shared by several `asyncio.run` drafts makes a client per loop (each closed
    before its loop ends, as every owner of a model does)."""
    model = _model(openai_server)
    for _ in range(2):
        assert asyncio.run(_complete(model, section_prompt())).text
    assert openai_server.count() == 2


def test_concurrent_requests_are_served_concurrently(openai_server):
    openai_server.latency = 1.0
    model = _model(openai_server)

    async def many():
        try:
            return await asyncio.gather(
                *(
                    model.complete(section_prompt(f"s{i}"), section_prompt(f"s{i}").messages)
                    for i in range(6)
                )
            )
        finally:
            await model.aclose()

    asyncio.run(_complete(model, section_prompt()))  # load the libraries first
    started = time.monotonic()
    answers = asyncio.run(many())
    assert len(answers) == 6
    # six 1 s answers, in parallel: one after the other they take at least 6 s
    assert time.monotonic() - started < 4.5


def test_answers_are_built_inline_and_other_jobs_in_threads(openai_server):
    """With `AnswersInlineExecutor` as the loop's default executor, ChatOpenAI's building of
    each answer runs on the loop's own thread, while every other job still gets a thread."""
    import functools
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from pipeline.models.openai import AnswersInlineExecutor

    threaded: list[str] = []

    class Pool(ThreadPoolExecutor):  # below AnswersInlineExecutor: sees what goes to threads
        def submit(self, fn, /, *args, **kwargs):
            job = fn.args[0] if isinstance(fn, functools.partial) and fn.args else fn
            threaded.append(getattr(job, "__qualname__", repr(job)))
            return super().submit(fn, *args, **kwargs)

    class Executor(AnswersInlineExecutor, Pool):
        pass

    async def scenario() -> tuple[list[str], int]:
        loop = asyncio.get_running_loop()
        loop.set_default_executor(Executor())
        model = _model(openai_server)
        answers = [await _complete(model, section_prompt(s)) for s in ("organization", "opening")]
        other = await loop.run_in_executor(None, threading.get_ident)
        return [a.text for a in answers], other

    texts, other_thread = asyncio.run(scenario())
    assert all(texts) and openai_server.count() == 2
    assert "run_in_executor.<locals>.wrapper" not in threaded  # langchain's job ran inline
    assert other_thread != threading.get_ident() and "get_ident" in str(threaded)


def test_prepare_loads_all_a_client_needs():
    """After `prepare` (which a run does before it forks its workers), making a client loads
    no further module: the workers inherit the libraries instead of each loading the rest."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from pipeline.models.openai import EndpointSettings, OpenAIModel\n"
        "OpenAIModel.prepare()\n"
        "before = set(sys.modules)\n"
        "model = OpenAIModel(EndpointSettings(model='m', base_url='http://127.0.0.1:9/v1'),"
        " api_key='sk-x')\n"
        "model._build()\n"
        "print(sorted(set(sys.modules) - before))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_an_answer_without_choices_is_a_failure_with_a_reason(openai_server):
    openai_server.script("organization", "nochoices")
    with pytest.raises(ModelCallError) as info:
        asyncio.run(_complete(_model(openai_server), section_prompt()))
    assert "no choices" in str(info.value)
    assert openai_server.count() == 1  # not retried: asking again gets the same answer
