"""Per-section progress of a run: a live table on a terminal (rich), plain lines otherwise.

`SectionProgress` is the drafter's event sink (`pipeline.drafting.SectionEvent`) and, while
it is open, also shows each retry logged on `pipeline.retry` next to its section. Outside
a progress display, `log_to_stderr` makes sure retries are still reported.
"""

from __future__ import annotations

import logging
import sys
import time
from types import TracebackType
from typing import IO, Any, ClassVar

from pipeline.drafting import SectionEvent
from pipeline.models.base import Usage, not_sent_note
from pipeline.models.redact import RedactingFilter, redact

RETRY_LOGGER = "pipeline.retry"


def describe_usage(usage: Usage | None) -> str:
    """`2 requests (1 retry) · 1,234 tokens in / 567 out · 2.3 s · cost 0.0042`."""
    if usage is None:
        return ""
    parts = []
    if usage.requests:
        retries = (
            f" ({usage.retries} retr{'y' if usage.retries == 1 else 'ies'})"
            if (usage.retries)
            else ""
        )
        parts.append(f"{usage.requests} request{'s' if usage.requests != 1 else ''}{retries}")
    if usage.cached:
        parts.append(f"{usage.cached} cached")
    if usage.input_tokens or usage.output_tokens:
        parts.append(f"{usage.input_tokens:,} tokens in / {usage.output_tokens:,} out")
    if usage.elapsed_s:
        parts.append(f"{usage.elapsed_s:.1f} s")
    cost = usage.cost_text()
    if cost:
        parts.append(cost)
    return " · ".join(parts)


class _StderrHandler(logging.Handler):
    """Writes `pipeline` log records as plain lines."""

    def __init__(self, stream: IO[str]):
        super().__init__(logging.INFO)
        self.stream = stream
        self.addFilter(RedactingFilter())

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.stream.write(f"  {redact(record.getMessage())}\n")
            self.stream.flush()
        except Exception:  # pragma: no cover - never let logging break a run
            self.handleError(record)


def log_to_stderr(stream: IO[str] | None = None) -> logging.Handler:
    """Report `pipeline` warnings (retries) as plain lines; returns the handler added."""
    logger = logging.getLogger("pipeline")
    handler = _StderrHandler(stream or sys.stderr)
    logger.addHandler(handler)
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    return handler


class _Row:
    def __init__(self, section: str):
        self.section = section
        self.state = "queued"
        self.detail = ""
        self.usage: Usage | None = None
        self.started: float | None = None


class SectionProgress:
    """The progress display of one run; use as a context manager and pass it as `on_event`."""

    STYLES: ClassVar[dict[str, str]] = {
        "queued": "dim",
        "drafting": "cyan",
        "continuing": "cyan",
        "retrying": "yellow",
        "repairing": "magenta",
        "done": "green",
        "failed": "bold red",
    }

    def __init__(
        self, sections: list[str], *, stream: IO[str] | None = None, live: bool | None = None
    ):
        self.stream = stream or sys.stderr
        self.rows = {s: _Row(s) for s in sections}
        self.live_mode = self.stream.isatty() if live is None else live
        self._live: Any = None
        self._handler: logging.Handler | None = None
        self._level = logging.NOTSET

    # ------------------------------------------------------------------ context

    def __enter__(self) -> SectionProgress:
        progress = self

        class _RetryHandler(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                progress._on_log(record)

        self._handler = _RetryHandler(logging.INFO)
        logger = logging.getLogger("pipeline")
        logger.addHandler(self._handler)
        self._level = logger.level
        if logger.getEffectiveLevel() > logging.INFO:
            logger.setLevel(logging.INFO)
        if self.live_mode:
            from rich.console import Console
            from rich.live import Live

            console = Console(file=self.stream, stderr=self.stream is sys.stderr)
            self._live = Live(self._table(), console=console, refresh_per_second=8, transient=False)
            self._live.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._live is not None:
            self._live.update(self._table())
            self._live.stop()
            self._live = None
        if self._handler is not None:
            logger = logging.getLogger("pipeline")
            logger.removeHandler(self._handler)
            logger.setLevel(self._level)
            self._handler = None

    # ------------------------------------------------------------------ events

    def __call__(self, event: SectionEvent) -> None:
        row = self.rows.setdefault(event.section, _Row(event.section))
        row.state = event.state
        row.detail = event.detail
        if event.usage is not None:
            row.usage = event.usage
        if event.state == "drafting" and row.started is None:
            row.started = time.monotonic()
        if self._live is not None:
            self._live.update(self._table())
        elif event.state != "queued":
            self._line(row)

    def _on_log(self, record: logging.LogRecord) -> None:
        message = redact(record.getMessage())
        section = getattr(record, "section", None)
        if section in self.rows and record.name == RETRY_LOGGER:
            row = self.rows[section]
            row.state = "retrying"
            reason = getattr(record, "reason", "")
            wait = getattr(record, "wait", 0.0)
            row.detail = f"{reason}; waiting {wait:.1f} s"
            if self._live is not None:
                self._live.update(self._table())
                return
        if self._live is not None:
            self._live.console.print(message, markup=False, highlight=False)
        else:
            self.stream.write(f"  {message}\n")
            self.stream.flush()

    def _line(self, row: _Row) -> None:
        text = f"  [{row.section}] {row.state}"
        # a call not sent after another section's refusal: the reason is that section's
        detail = (not_sent_note(row.detail) if row.state == "failed" else None) or row.detail
        extra = "; ".join(x for x in (detail, describe_usage(row.usage)) if x)
        if extra:
            text += f": {extra}"
        self.stream.write(redact(text) + "\n")
        self.stream.flush()

    def _table(self) -> Any:
        from rich.table import Table
        from rich.text import Text

        table = Table(box=None, pad_edge=False, show_header=True, header_style="bold")
        table.add_column("section")
        table.add_column("state")
        table.add_column("detail", overflow="fold")
        table.add_column("usage")
        now = time.monotonic()
        for row in self.rows.values():
            usage = describe_usage(row.usage)
            if not usage and row.started is not None and row.state not in ("done", "failed"):
                usage = f"{now - row.started:.1f} s"
            table.add_row(
                Text(row.section),
                Text(row.state, style=self.STYLES.get(row.state, "")),
                Text(redact(row.detail)),
                Text(usage),
            )
        return table
