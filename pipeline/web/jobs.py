"""Generation jobs: a draft (or one section) drafted in the background, its progress streamed.

A job runs as an asyncio task in the server's event loop. The drafter reports each section's
progress through `on_event`; the job records every event in order, so any number of browser
tabs can follow it over server-sent events, and a tab that reconnects (`Last-Event-ID`)
continues where it left off. When the draft is done the job keeps it in the store; a tab
that was closed meanwhile finds it in the draft list.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import secrets
import sys
import threading
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable
from contextvars import ContextVar
from typing import Any, Literal

from pydantic import BaseModel

from pipeline.drafting import SectionEvent, failure_reason_zh

JobState = Literal["running", "done", "failed"]
KEEP_JOBS = 100
"""Finished jobs remembered for late followers; older ones are forgotten."""


def detail_cn(state: str, detail: str) -> str:
    """The drafter's English progress detail in Chinese for the page ("513 characters" → "513 字";
    a model failure in the words of `failure_reason_zh`, "401 API 密钥无效")."""
    if state == "failed":
        return f"失败：{failure_reason_zh(detail)}" if detail else ""
    head, _, repair = detail.partition("; last repair failed: ")
    if m := re.fullmatch(r"(\d+) characters?(?:, (\d+) error\(s\) left)?", head):
        text = f"{m[1]} 字" + (f"，仍有 {m[2]} 处错误" if m[2] else "")
        return text + (f"；最后一次修改失败：{failure_reason_zh(repair)}" if repair else "")
    if m := re.fullmatch(r"(\d+) error\(s\)", detail):
        return f"发现 {m[1]} 处错误，正在修改"
    return detail


FAILED_ELSEWHERE = (
    "生成失败，没有得到草稿。已填写的事实不受影响，请稍后重试；"
    "如果问题反复出现，请查看运行 draft serve 的终端中的错误信息。"
)
"""What the page says of a failure that is not the model's (the details go to the terminal)."""


def failure_message(exc: Exception) -> str:
    """A failed job's message for the page, in Chinese: a model's failure by its reason (the
    English details, like any other failure's, are printed in the terminal)."""
    from pipeline.errors import DraftsmithError, ModelError

    if isinstance(exc, DraftsmithError):
        print(f"error: generation failed: {exc}", file=sys.stderr)
    else:
        traceback.print_exception(exc, file=sys.stderr)
    if isinstance(exc, ModelError):
        return f"生成失败：{failure_reason_zh(str(exc))}。已填写的事实不受影响，可稍后重试。"
    return FAILED_ELSEWHERE


class JobEvent(BaseModel):
    """One step of a job: a section's progress, the end, or a failure."""

    id: int
    kind: Literal["section", "done", "failed"]
    data: dict[str, Any]


class SectionLine(BaseModel):
    """A section as the progress page lists it."""

    id: str
    label: str
    state: str = "queued"
    detail: str = ""


class Job:
    """One background drafting task and the events it has produced so far."""

    def __init__(
        self,
        kind: str,
        doc_id: int,
        sections: list[SectionLine],
        draft_id: int | None,
        key: str | None = None,
    ):
        self.id = secrets.token_hex(8)
        self.kind = kind
        self.key = key
        """What the job makes (the same facts, section and model): a second request for it
        while it runs, a double-click, follows this job instead of paying for another."""
        self.doc_id = doc_id
        self.draft_id = draft_id
        self.sections = {s.id: s for s in sections}
        self.state: JobState = "running"
        self.result_url: str | None = None
        self.message: str | None = None
        self.events: list[JobEvent] = []
        self._loop = asyncio.get_running_loop()
        self._thread = threading.get_ident()
        self._changed = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    # ---------------------------------------------------------------- publishing

    def _publish(self, kind: Literal["section", "done", "failed"], data: dict[str, Any]) -> None:
        if threading.get_ident() != self._thread:
            self._loop.call_soon_threadsafe(self._publish, kind, data)
            return
        self.events.append(JobEvent(id=len(self.events) + 1, kind=kind, data=data))
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    def on_section(self, event: SectionEvent) -> None:
        """The drafter's `on_event` sink."""
        detail = detail_cn(event.state, event.detail)
        line = self.sections.get(event.section)
        if line is not None:
            line.state, line.detail = event.state, detail
        self._publish("section", {"section": event.section, "state": event.state, "detail": detail})

    def on_retry(self, section: str, reason: str, wait: float, attempt: int, attempts: int) -> None:
        """A model call of `section` failed and is tried again: say so, or the page would
        show 起草中 without a word through minutes of retries."""
        line = self.sections.get(section)
        if line is None:
            return
        line.detail = (
            f"{failure_reason_zh(reason)}，{math.ceil(wait)} 秒后重试（第 {attempt} 次，"
            f"最多 {attempts} 次）"
        )
        self._publish("section", {"section": section, "state": line.state, "detail": line.detail})

    def finish(self, url: str) -> None:
        self.state, self.result_url = "done", url
        self._publish("done", {"url": url})

    def fail(self, message: str) -> None:
        self.state, self.message = "failed", message
        self._publish("failed", {"message": message})

    # ---------------------------------------------------------------- following

    async def follow(self, after: int = 0, idle: float = 15.0) -> AsyncIterator[JobEvent | None]:
        """Every event after `after`, as it happens; None when idle for `idle` seconds."""
        cursor = after
        while True:
            changed = self._changed
            while cursor < len(self.events):
                event = self.events[cursor]
                cursor += 1
                yield event
                if event.kind != "section":
                    return
            if self.state != "running":
                return
            try:
                await asyncio.wait_for(changed.wait(), timeout=idle)
            except TimeoutError:
                yield None


_CURRENT: ContextVar[Job | None] = ContextVar("draftsmith_web_job", default=None)
"""The job whose task (and the section tasks it starts) is running."""


class _RetryNotes(logging.Handler):
    """Retries logged on `pipeline.retry`, shown on the progress page of the job making them."""

    def emit(self, record: logging.LogRecord) -> None:
        job = _CURRENT.get()
        section = getattr(record, "section", None)
        if job is None or not isinstance(section, str) or not hasattr(record, "attempt"):
            return
        job.on_retry(
            section,
            str(getattr(record, "reason", "")),
            float(getattr(record, "wait", 0.0)),
            int(getattr(record, "attempt", 0)),
            int(getattr(record, "attempts", 0)),
        )


_RETRY_NOTES = _RetryNotes()
logging.getLogger("pipeline.retry").addHandler(_RETRY_NOTES)


class JobManager:
    """The jobs of one server process."""

    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def start(
        self,
        kind: str,
        doc_id: int,
        sections: list[SectionLine],
        work: Callable[[Job], Awaitable[str]],
        *,
        draft_id: int | None = None,
        key: str | None = None,
    ) -> Job:
        """Start `work(job)` in the background; it returns the URL of the result."""
        job = Job(kind, doc_id, sections, draft_id, key)

        async def run() -> None:
            _CURRENT.set(job)
            try:
                url = await work(job)
            except asyncio.CancelledError:
                job.fail("任务已取消。")
                raise
            except Exception as exc:  # the job reports every failure to its followers
                job.fail(failure_message(exc))
            else:
                job.finish(url)

        job.task = asyncio.get_running_loop().create_task(run())
        self._jobs[job.id] = job
        finished = [j for j in self._jobs.values() if j.state != "running"]
        for old in finished[: max(0, len(finished) - KEEP_JOBS)]:
            self._jobs.pop(old.id, None)
        return job

    def running_with(self, key: str) -> Job | None:
        """The running job that makes `key`, if any."""
        return next((j for j in self._jobs.values() if j.key == key and j.state == "running"), None)

    def running_for(self, doc_id: int) -> list[Job]:
        """Jobs of a facts document still running."""
        return [j for j in self._jobs.values() if j.doc_id == doc_id and j.state == "running"]

    async def shutdown(self) -> None:
        """Cancel running jobs (the server is stopping)."""
        tasks = [j.task for j in self._jobs.values() if j.task and not j.task.done()]
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
