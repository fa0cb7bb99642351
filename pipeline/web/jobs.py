"""Generation jobs: a draft (or one section) drafted in the background, its progress streamed.

A job runs as an asyncio task in the server's event loop. The drafter reports each section's
progress through `on_event`; the job records every event in order, so any number of browser
tabs can follow it over server-sent events, and a tab that reconnects (`Last-Event-ID`)
continues where it left off. When the draft is done the job keeps it in the store; a tab
that was closed meanwhile finds it in the draft list.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Literal

from pydantic import BaseModel

from pipeline.drafting import SectionEvent

JobState = Literal["running", "done", "failed"]
KEEP_JOBS = 100
"""Finished jobs remembered for late followers; older ones are forgotten."""


def detail_cn(state: str, detail: str) -> str:
    """The drafter's English progress detail in Chinese for the page ("513 characters" → "513 字")."""
    if m := re.fullmatch(r"(\d+) characters?", detail):
        return f"{m[1]} 字"
    if m := re.fullmatch(r"(\d+) error\(s\)", detail):
        return f"发现 {m[1]} 处错误，正在修改"
    if state == "failed" and detail:
        return f"失败：{detail}"
    return detail


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

    def __init__(self, kind: str, doc_id: int, sections: list[SectionLine], draft_id: int | None):
        self.id = secrets.token_hex(8)
        self.kind = kind
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
    ) -> Job:
        """Start `work(job)` in the background; it returns the URL of the result."""
        job = Job(kind, doc_id, sections, draft_id)

        async def run() -> None:
            try:
                url = await work(job)
            except asyncio.CancelledError:
                job.fail("任务已取消。")
                raise
            except Exception as exc:  # the job reports every failure to its followers
                from pipeline.errors import DraftsmithError

                if isinstance(exc, DraftsmithError):
                    job.fail(f"生成失败：{exc}")
                else:
                    job.fail(f"生成失败（内部错误）：{type(exc).__name__}: {exc}")
            else:
                job.finish(url)

        job.task = asyncio.get_running_loop().create_task(run())
        self._jobs[job.id] = job
        finished = [j for j in self._jobs.values() if j.state != "running"]
        for old in finished[: max(0, len(finished) - KEEP_JOBS)]:
            self._jobs.pop(old.id, None)
        return job

    def running_for(self, doc_id: int) -> list[Job]:
        """Jobs of a facts document still running."""
        return [j for j in self._jobs.values() if j.doc_id == doc_id and j.state == "running"]

    async def shutdown(self) -> None:
        """Cancel running jobs (the server is stopping)."""
        tasks = [j.task for j in self._jobs.values() if j.task and not j.task.done()]
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
