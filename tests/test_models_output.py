"""Cleaning a model's answer, telling a failed answer from a usable one, and the retry rules."""

from __future__ import annotations

import asyncio
import email.utils
import io
import logging
import time

import pytest

from pipeline.drafting import SectionEvent
from pipeline.errors import InputError
from pipeline.models.base import Completion, Usage
from pipeline.postprocess import (
    CONTINUE_REQUEST,
    clean_section_text,
    completion_failure,
    continuation_messages,
    join_continuation,
    refusal_reason,
)
from pipeline.progress import SectionProgress, describe_usage
from pipeline.prompts import Message
from pipeline.retry import (
    RetriesExhausted,
    RetryDecision,
    RetryPolicy,
    call_with_retries,
    deadline_paused,
    retry_after_seconds,
    section_deadline,
)

HEADING = "强化理论学习，提高党员政治理论水平"
BODY = "抓宣传思想工作，理论武装是关键。\n一是坚持以科学的理论武装头脑。\n二是抓好中心组学习。"

# ----------------------------------------------------------------------------- cleaning


@pytest.mark.parametrize(
    "answer",
    [
        BODY,
        f"```\n{BODY}\n```",
        f"```markdown\n## 二、{HEADING}\n\n{BODY}\n```",
        f"好的，以下是根据您提供的事实撰写的本节内容：\n\n{BODY}",
        f"当然可以！\n\n**二、{HEADING}**\n\n{BODY}\n\n希望对您有所帮助！",
        f"# {HEADING}\n{BODY}\n\n如需调整，请告诉我。",
        f"三、{HEADING}\n{BODY}",  # a wrong number on the right heading
        f"二、理论学习\n{BODY}",  # a shortened top-level heading
        f"以下是本节正文：\n---\n{BODY}\n---",
        f"Sure, here is the section:\n\n{BODY}",
        # a thinking model's reasoning: its own block, or (the template opened it) a lone close
        f"<think>\n好的，用户要我写这一节，共12次学习……\n</think>\n\n{BODY}",
        f"<think>\n\n</think>\n\n{BODY}",
        f"用户要我写这一节。先看事实……\n</think>\n\n{BODY}",
        "**抓宣传思想工作**，理论武装是关键。\n- 一是坚持以科学的理论武装头脑。\n- 二是抓好中心组学习。",
        # control characters, which no Word file can hold; Word's manual break is a new line
        "抓宣传思想工作，理论\x00武装是关键。\x0b一是坚持以科学的理论武装头脑。\n二是抓好\x1b中心组学习。",
    ],
)
def test_wrapping_is_removed(answer):
    assert clean_section_text(answer, HEADING) == BODY


def test_text_is_kept_when_it_is_the_report():
    opening = "以深入学习贯彻……为首要政治任务。现将2020年以来意识形态工作情况总结如下："
    assert clean_section_text(opening, None) == opening
    assert clean_section_text(f"开头段\n{opening}", None) == opening
    title = "青山县红星中学2020年意识形态工作总结"
    assert clean_section_text(f"{title}\n\n{opening}", None, title=title) == opening
    sub = "（一）加强组织领导。学校成立领导组。\n（二）落实责任。签订责任书。"
    assert clean_section_text(sub, HEADING) == sub
    assert (
        clean_section_text("好基地讲好故事活动深入开展。", None) == "好基地讲好故事活动深入开展。"
    )
    # a first subheading made of the heading's own words is no reworded heading
    for first in ("（一）工作主要成效", "1.工作主要成效"):
        kept = f"{first}\n全年新增补充耕地1200亩。"
        assert clean_section_text(kept, "主要工作和成效") == kept
    assert clean_section_text("主要工作及成效\n全年新增。", "主要工作和成效") == "全年新增。"


def test_refusals_and_empty_answers_are_failures():
    assert refusal_reason("抱歉，我无法协助完成这个请求。") is not None
    assert refusal_reason("很抱歉，作为AI我不能撰写该内容。").startswith("the model refused")
    assert refusal_reason("I'm sorry, but I can't help with that.") is not None
    assert refusal_reason(BODY) is None
    assert completion_failure(Completion(text="  \n")) == "the model returned empty content"
    assert "refused" in completion_failure(Completion(text="x", refusal="no"))
    assert "content filter" in completion_failure(
        Completion(text="x", finish_reason="content_filter")
    )
    assert completion_failure(Completion(text=BODY, finish_reason="length")) is None
    assert completion_failure(Completion(text=BODY)) is None


def test_continuation():
    messages = [Message(role="user", content="写")]
    cont = continuation_messages(messages, "前半")
    assert [m.role for m in cont] == ["user", "assistant", "user"]
    assert cont[1].content == "前半" and cont[2].content == CONTINUE_REQUEST
    assert join_continuation("学校党支部高度重视党员的", "政治理论学习。") == (
        "学校党支部高度重视党员的政治理论学习。"
    )
    # an overlap the model repeats is not doubled
    assert join_continuation("学校党支部高度重视党员的", "高度重视党员的政治理论学习。") == (
        "学校党支部高度重视党员的政治理论学习。"
    )


# ----------------------------------------------------------------------------- retry rules


def test_retry_after_parsing():
    assert retry_after_seconds({"Retry-After": "2"}) == 2.0
    assert retry_after_seconds({"retry-after-ms": "250"}) == 0.25
    assert retry_after_seconds({"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    assert retry_after_seconds({"retry-after": "soon"}) is None
    assert retry_after_seconds({}) is None
    now = time.time()
    date = email.utils.formatdate(now + 30, usegmt=True)
    assert 25 <= retry_after_seconds({"Retry-After": date}, now=now) <= 31


class _Flaky(Exception):
    pass


class _Fatal(Exception):
    pass


def _classify(exc: BaseException) -> RetryDecision:
    if isinstance(exc, _Flaky):
        return RetryDecision(transient=True, reason="503 Service Unavailable", retry_after=None)
    return RetryDecision(transient=False, reason="400 Bad Request")


def test_only_transient_failures_are_retried(caplog):
    calls = []

    async def fails(kind):
        calls.append(kind)
        raise kind()

    policy = RetryPolicy(max_attempts=4, initial_backoff=0.001, max_backoff=0.002, jitter=0)
    with pytest.raises(_Fatal):
        asyncio.run(call_with_retries(lambda: fails(_Fatal), policy=policy, classify=_classify))
    assert len(calls) == 1
    calls.clear()
    with (
        caplog.at_level(logging.WARNING, logger="pipeline.retry"),
        pytest.raises(RetriesExhausted) as info,
    ):
        asyncio.run(
            call_with_retries(
                lambda: fails(_Flaky), policy=policy, classify=_classify, label="plans"
            )
        )
    assert len(calls) == 4 and info.value.attempts == 4
    retries = [r for r in caplog.records if r.name == "pipeline.retry"]
    assert len(retries) == 3
    assert retries[0].section == "plans" and "attempt 2 of 4" in retries[0].getMessage()


def test_no_wait_starts_past_the_deadline():
    calls: list[float] = []

    async def fails():
        calls.append(time.monotonic())
        raise _Flaky()

    # a 1 s wait after each failure, a 1.5 s deadline: the second attempt, at about 1 s, is
    # the last, and a wait started after it would end 2 s or more after the first
    policy = RetryPolicy(
        max_attempts=50, initial_backoff=1.0, max_backoff=1.0, jitter=0, deadline=1.5
    )
    with pytest.raises(RetriesExhausted, match="deadline"):
        asyncio.run(call_with_retries(fails, policy=policy, classify=_classify))
    assert time.monotonic() - calls[0] < 1.9, [t - calls[0] for t in calls]


def test_a_paused_deadline_stands_still():
    """Loading the model libraries is no part of a section's time: on a busy machine it took
    the whole of a short deadline before the first request was sent."""
    policy = RetryPolicy(max_attempts=2, initial_backoff=0.1, max_backoff=0.1, jitter=0)
    calls: list[float] = []

    async def fails_once():
        calls.append(time.monotonic())
        if len(calls) == 1:
            raise _Flaky()
        return "answered"

    async def section() -> str:
        async with asyncio.timeout(0.6) as timer:
            with section_deadline(0.6, timer) as retries:
                with deadline_paused():
                    await asyncio.sleep(0.8)  # past the deadline, which stands still meanwhile
                # the retry layer sees the moved deadline too: a 0.1 s wait fits in what is left
                answer = await call_with_retries(fails_once, policy=policy, classify=_classify)
        assert retries.paused >= 0.8
        return answer

    assert asyncio.run(section()) == "answered"
    assert len(calls) == 2


def test_policy_from_config_env_and_flags(monkeypatch):
    monkeypatch.setenv("DRAFTSMITH_RETRY_MAX_ATTEMPTS", "3")
    policy = RetryPolicy.resolve({"max_attempts": 9, "deadline": 60}, {"deadline": 10})
    assert (policy.max_attempts, policy.deadline) == (3, 10)
    monkeypatch.delenv("DRAFTSMITH_RETRY_MAX_ATTEMPTS")
    with pytest.raises(InputError, match="max_attempts"):
        RetryPolicy.resolve({"max_attempts": 0})


# ----------------------------------------------------------------------------- progress


def test_plain_progress_lines_and_retries():
    stream = io.StringIO()
    with SectionProgress(["a", "b"], stream=stream) as progress:
        progress(SectionEvent("a", "queued"))
        progress(SectionEvent("a", "drafting"))
        logging.getLogger("pipeline.retry").warning(
            "a: 429 Too Many Requests; retrying in 1.0 s (attempt 2 of 5)",
            extra={"section": "a", "reason": "429 Too Many Requests", "wait": 1.0},
        )
        progress(
            SectionEvent(
                "a",
                "done",
                "300 characters",
                Usage(requests=2, retries=1, input_tokens=1200, output_tokens=300, elapsed_s=1.5),
            )
        )
        progress(SectionEvent("b", "failed", "401 Unauthorized"))
    lines = stream.getvalue().splitlines()
    assert lines == [
        "  [a] drafting",
        "  a: 429 Too Many Requests; retrying in 1.0 s (attempt 2 of 5)",
        "  [a] done: 300 characters; 2 requests (1 retry) · 1,200 tokens in / 300 out · 1.5 s",
        "  [b] failed: 401 Unauthorized",
    ]


def test_live_progress_renders_a_table():
    stream = io.StringIO()
    with SectionProgress(["opening", "plans"], stream=stream, live=True) as progress:
        progress(SectionEvent("opening", "drafting"))
        progress(SectionEvent("opening", "done", "[x] 300 characters", Usage(requests=1)))
        progress(SectionEvent("plans", "failed", "the model refused"))
    out = stream.getvalue()
    assert "section" in out and "opening" in out and "plans" in out
    assert "[x] 300 characters" in out and "the model refused" in out


def test_describe_usage():
    assert describe_usage(Usage(cached=7)) == "7 cached"
    assert describe_usage(Usage(requests=1, cost=0.01234)) == "1 request · cost 0.0123"


@pytest.mark.parametrize(
    ("reason", "words"),
    [
        (
            "503 Service Unavailable after 3 attempt(s) (3 allowed) — overloaded",
            "503 模型服务暂不可用",
        ),
        ("401 Unauthorized from http://127.0.0.1:1/v1: bad key; check the key", "401 API 密钥无效"),
        ("599 Custom after 1 attempt(s)", "599 模型服务出错"),
        ("the model refused: “抱歉”", "模型拒绝作答"),
        (
            "the answer was cut off at the token limit even after one continuation request",
            "回答超出长度上限",
        ),
        ("the model returned empty content", "回答为空"),
        ("no usable answer within the 300 s deadline", "超过本节时限"),
        ("request timed out after 5 attempt(s) (5 allowed)", "请求超时"),
        ("connection error after 5 attempt(s) (5 allowed)", "无法连接模型服务"),
        ("connection refused after 1 attempt(s) (1 allowed) — timed out", "无法连接模型服务"),
        ("host not found after 2 attempt(s) (2 allowed)", "无法连接模型服务"),
        ("unexpected answer from the endpoint (KeyError: 'x')", "模型调用出错"),
    ],
)
def test_a_failed_sections_marker_gives_its_reason_in_chinese(reason, words):
    """The marker is document text: Chinese, the English detail stays in the run's records."""
    from pipeline.drafting import failure_reason_zh

    assert failure_reason_zh(reason) == words
