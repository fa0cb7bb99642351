"""The run log: every `draft run`, every prompt and response, with usage, in SQLite.

`logs.db` lives in the user data directory. Its schema grows by numbered migrations
(`m001_…`, `m002_…`), each applied once and recorded in `_migrations`, so an old log keeps
working after an upgrade. `draft logs` lists runs; `draft logs show ID` prints one run with
every call. API keys never reach it: it stores only messages, answers and redacted errors.

A log that cannot be opened or written when a run starts stops the run before any model is
asked (exit 2, naming the file). Once the run is under way the log never stops it: a write
that fails (a full disk, a lock held too long) is kept in `RunLog.failure`, reported once,
and the rest of the run goes unlogged while its draft is still written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel

from pipeline import paths
from pipeline.errors import ModelError
from pipeline.models.base import Completion, Model, Usage, close_model
from pipeline.models.redact import redact
from pipeline.prompts import Message, SectionPrompt
from pipeline.textio import (
    connect_database,
    database_errors,
    existing_database,
    path_text,
    reclaim_space,
    use_wal,
)

if TYPE_CHECKING:
    from pipeline.document import Draft

log = logging.getLogger("pipeline.runlog")

LOG_NAME = "logs.db"

Migration = Callable[[sqlite3.Connection], None]
MIGRATIONS: list[tuple[str, Migration]] = []


def migration(fn: Migration) -> Migration:
    """Register a schema migration; they run in the order they are defined."""
    MIGRATIONS.append((fn.__name__, fn))
    return fn


def _run_sql(db: sqlite3.Connection, script: str) -> None:
    """Each statement of `script` in the open transaction (executescript would commit it)."""
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


@migration
def m001_initial(db: sqlite3.Connection) -> None:
    _run_sql(
        db,
        """
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            doctype TEXT,
            model TEXT,
            facts_source TEXT,
            output TEXT,
            options TEXT,
            exit_code INTEGER
        );
        CREATE TABLE calls (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL REFERENCES runs(id),
            section TEXT NOT NULL,
            created_at TEXT NOT NULL,
            messages TEXT NOT NULL,
            response TEXT,
            finish_reason TEXT,
            error TEXT,
            input_tokens INTEGER NOT NULL DEFAULT 0,
            output_tokens INTEGER NOT NULL DEFAULT 0,
            requests INTEGER NOT NULL DEFAULT 0,
            cached INTEGER NOT NULL DEFAULT 0,
            latency_s REAL NOT NULL DEFAULT 0,
            cost REAL
        );
        CREATE INDEX calls_run ON calls(run_id);
        """,
    )


@migration
def m002_run_usage(db: sqlite3.Connection) -> None:
    _run_sql(
        db,
        """
        ALTER TABLE runs ADD COLUMN usage TEXT;
        ALTER TABLE runs ADD COLUMN sections TEXT;
        ALTER TABLE calls ADD COLUMN retries INTEGER NOT NULL DEFAULT 0;
        """,
    )


@migration
def m003_asked_model(db: sqlite3.Connection) -> None:
    # the model id a profile asks for: what the answers' own model name is compared with
    _run_sql(db, "ALTER TABLE runs ADD COLUMN asked_model TEXT")


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def default_log_path() -> Path:
    """`logs.db` in the user data directory (under DRAFTSMITH_HOME in tests)."""
    return paths.user_data_dir() / LOG_NAME


def log_exists() -> bool:
    """Whether the run log has been made; InputError when something else is in its place."""
    return existing_database(default_log_path(), what="run log")


class CallRecord(BaseModel):
    """One model call as logged."""

    id: int
    section: str
    created_at: str
    messages: list[Message]
    response: str | None
    finish_reason: str | None
    error: str | None
    usage: Usage


class RunRecord(BaseModel):
    """One run as logged."""

    id: int
    started_at: str
    finished_at: str | None
    doctype: str | None
    model: str | None
    """The model as the user named it: `offline`, `openai:gpt-4o`, a profile's name."""
    asked_model: str | None = None
    """The model id asked of the endpoint (a profile's `model`); None offline."""
    facts_source: str | None
    output: str | None
    options: dict[str, Any] = {}
    exit_code: int | None
    usage: Usage | None = None
    sections: list[dict[str, Any]] = []
    calls: list[CallRecord] = []


class PruneResult(BaseModel):
    """What `RunLog.prune` deleted, and the log's size on disk before and after."""

    runs: int
    calls: int
    bytes_before: int
    bytes_after: int
    reclaimed: bool
    """False when the freed space could not be given back yet (the log was in use)."""


def _disk_size(path: Path) -> int:
    """The log's bytes on disk, its write-ahead log included."""
    return sum(p.stat().st_size for p in (path, path.with_name(path.name + "-wal")) if p.exists())


class RunLog:
    """The SQLite run log, migrated to the latest schema when opened."""

    def __init__(self, path: Path | None = None):
        self.path = path or default_log_path()
        self.failure: str | None = None
        """Why a write failed during the run, once one did (the rest is not logged)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        existing_database(self.path, what="run log")
        with database_errors(self.path, what="run log"):
            self.db = connect_database(self.path)
            self.db.row_factory = sqlite3.Row
            use_wal(self.db)
            # As the response cache: no sync per commit (a power cut may lose the last
            # records, never corrupt the log).
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.migrate()

    def migrate(self) -> list[str]:
        """Apply the migrations not yet applied; returns their names."""
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT)"
        )
        done = {row[0] for row in self.db.execute("SELECT name FROM _migrations")}
        applied = []
        for name, fn in MIGRATIONS:
            if name in done:
                continue
            self.db.execute("BEGIN IMMEDIATE")
            try:
                if self.db.execute("SELECT 1 FROM _migrations WHERE name = ?", (name,)).fetchone():
                    self.db.execute("ROLLBACK")
                    continue
                fn(self.db)
                self.db.execute(
                    "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)", (name, _now())
                )
                self.db.execute("COMMIT")
            except Exception:
                with contextlib.suppress(sqlite3.Error):  # else its error hides the real one
                    self.db.execute("ROLLBACK")
                raise
            applied.append(name)
        return applied

    def close(self) -> None:
        self.db.close()

    # ------------------------------------------------------------------ writing

    def start_run(
        self,
        *,
        doctype: str | None,
        model: str | None,
        facts_source: str | None,
        output: str | None,
        options: dict[str, Any] | None = None,
        asked_model: str | None = None,
    ) -> int:
        """A new run; returns its id. A log that cannot take it is an InputError naming it."""
        with database_errors(self.path, what="run log"):
            cur = self.db.execute(
                "INSERT INTO runs (started_at, doctype, model, asked_model, facts_source, "
                "output, options) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    _now(),
                    doctype,
                    model,
                    asked_model,
                    None if facts_source is None else path_text(facts_source),
                    None if output is None else path_text(output),
                    redact(json.dumps(options or {}, ensure_ascii=False, default=str)),
                ),
            )
        return int(cur.lastrowid or 0)

    def _write(self, sql: str, params: tuple[Any, ...], *, after_failure: bool = False) -> bool:
        """Run one write; False (and `failure` set) when it failed. After a failure, writes
        are skipped (each could wait out a lock again) unless `after_failure`."""
        if self.failure and not after_failure:
            return False
        try:
            self.db.execute(sql, params)
        except sqlite3.Error as exc:
            self.failure = self.failure or (str(exc).splitlines() or [type(exc).__name__])[0]
            return False
        return True

    def record_call(
        self,
        run_id: int,
        section: str,
        messages: list[Message],
        completion: Completion | None,
        *,
        error: str | None = None,
        usage: Usage | None = None,
    ) -> bool:
        """Log one call: its messages and its answer or error; False when it could not be."""
        u = usage or (completion.usage if completion else Usage())
        return self._write(
            "INSERT INTO calls (run_id, section, created_at, messages, response, finish_reason, "
            "error, input_tokens, output_tokens, requests, retries, cached, latency_s, cost) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                run_id,
                section,
                _now(),
                json.dumps([m.model_dump() for m in messages], ensure_ascii=False),
                completion.text if completion else None,
                completion.finish_reason if completion else None,
                redact(error) if error else None,
                u.input_tokens,
                u.output_tokens,
                u.requests,
                u.retries,
                u.cached,
                u.latency_s,
                u.cost,
            ),
        )

    def calls_usage(self, run_id: int) -> Usage:
        """The usage of every call logged for a run, summed (for a run that ended without a
        draft: its calls were still paid for)."""
        try:
            calls = self.db.execute("SELECT * FROM calls WHERE run_id = ?", (run_id,)).fetchall()
        except sqlite3.Error:  # the run is ending: a log that cannot be read must not stop it
            return Usage()
        return sum((_call_usage(c) for c in calls), Usage())

    def finish_run(
        self, run_id: int, *, exit_code: int, usage: Usage, sections: list[dict[str, Any]]
    ) -> None:
        """Close a run with its exit code, total usage and per-section summary (tried even
        after a failed write, so that the run does not show as still running)."""
        self._write(
            "UPDATE runs SET finished_at = ?, exit_code = ?, usage = ?, sections = ? WHERE id = ?",
            (
                _now(),
                exit_code,
                usage.model_dump_json(),
                redact(json.dumps(sections, ensure_ascii=False)),
                run_id,
            ),
            after_failure=True,
        )

    # ------------------------------------------------------------------ reading

    def _run(self, row: sqlite3.Row) -> RunRecord:
        data = dict(row)
        data["options"] = json.loads(data["options"] or "{}")
        data["usage"] = Usage.model_validate_json(data["usage"]) if data["usage"] else None
        data["sections"] = json.loads(data["sections"] or "[]")
        return RunRecord.model_validate(data)

    def runs(
        self, limit: int = 20, *, model: str | None = None, doctype: str | None = None
    ) -> list[RunRecord]:
        """The latest runs, newest first; only those with this model or doctype, if given."""
        where = " AND ".join(
            f"{column} = ?" for column, value in (("model", model), ("doctype", doctype)) if value
        )
        params = [v for v in (model, doctype) if v]
        with database_errors(self.path, what="run log"):
            rows = self.db.execute(
                f"SELECT * FROM runs {'WHERE ' + where if where else ''} ORDER BY id DESC LIMIT ?",
                (*params, limit),
            ).fetchall()
        return [self._run(r) for r in rows]

    def distinct(self, column: Literal["model", "doctype"]) -> list[str]:
        """The models (or doctypes) of the logged runs, most recently used first."""
        with database_errors(self.path, what="run log"):
            rows = self.db.execute(
                f"SELECT {column} FROM runs WHERE {column} IS NOT NULL "
                f"GROUP BY {column} ORDER BY MAX(id) DESC"
            ).fetchall()
        return [r[0] for r in rows]

    def prune(self, *, keep: int | None = None, before: dt.datetime | None = None) -> PruneResult:
        """Delete the runs beyond the newest `keep`, and those started before `before`, with
        their calls; then give the space back to the disk. A run without an exit code that
        started within the last day may still be under way in another process: it is kept,
        and not counted in `keep`."""
        recent = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).isoformat()
        size_before = _disk_size(self.path)
        with database_errors(self.path, what="run log"):
            self.db.execute("BEGIN IMMEDIATE")
            try:
                ids = []
                rows = self.db.execute(
                    "SELECT id, started_at, exit_code FROM runs ORDER BY id DESC"
                )
                newer = 0  # runs newer than this one, those under way aside
                for run_id, started, code in rows:
                    if code is None and started >= recent:
                        continue
                    old = before is not None and started < before.astimezone(dt.UTC).isoformat()
                    if old or (keep is not None and newer >= keep):
                        ids.append(run_id)
                    newer += 1
                calls = 0
                for start in range(0, len(ids), 500):  # SQLite bounds a statement's parameters
                    chunk = ids[start : start + 500]
                    marks = ",".join("?" * len(chunk))
                    calls += self.db.execute(
                        f"DELETE FROM calls WHERE run_id IN ({marks})", chunk
                    ).rowcount
                    self.db.execute(f"DELETE FROM runs WHERE id IN ({marks})", chunk)
                self.db.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    self.db.execute("ROLLBACK")
                raise
        reclaimed = reclaim_space(self.db) if ids else True
        return PruneResult(
            runs=len(ids),
            calls=calls,
            bytes_before=size_before,
            bytes_after=_disk_size(self.path),
            reclaimed=reclaimed,
        )

    def run(self, run_id: int) -> RunRecord | None:
        """One run with all its calls, or None."""
        with database_errors(self.path, what="run log"):
            row = self.db.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
            if row is None:
                return None
            rows = self.db.execute(
                "SELECT * FROM calls WHERE run_id = ? ORDER BY id", (run_id,)
            ).fetchall()
        calls = [
            CallRecord(
                id=c["id"],
                section=c["section"],
                created_at=c["created_at"],
                messages=[Message.model_validate(m) for m in json.loads(c["messages"])],
                response=c["response"],
                finish_reason=c["finish_reason"],
                error=c["error"],
                usage=_call_usage(c),
            )
            for c in rows
        ]
        return self._run(row).model_copy(update={"calls": calls})


def _call_usage(c: sqlite3.Row) -> Usage:
    """The usage of one logged call."""
    return Usage(
        input_tokens=c["input_tokens"],
        output_tokens=c["output_tokens"],
        requests=c["requests"],
        retries=c["retries"],
        cached=c["cached"],
        latency_s=c["latency_s"],
        cost=c["cost"],
    )


def finish_logged_run(log: RunLog, run_id: int, exit_code: int, draft: Draft | None) -> str:
    """Record how a run ended, with the usage of every section drafted (if any), and close
    the log; returns where the run is logged, or why only in part."""
    sections = [
        {
            "id": s.id,
            "status": s.status,
            "error": s.error,
            "attempts": s.attempts,
            "usage": s.usage.model_dump(),
        }
        for s in (draft.sections if draft is not None else [])
    ]
    usage = draft.usage if draft is not None else log.calls_usage(run_id)
    log.finish_run(run_id, exit_code=exit_code, usage=usage, sections=sections)
    log.close()
    if log.failure:
        return (
            f"run {run_id} is logged only in part: the run log {log.path} could not be "
            f"written ({log.failure})"
        )
    return f"logged as run {run_id} (draft logs show {run_id})"


class RecordingModel:
    """A model whose every call (answer or error) is written to the run log."""

    def __init__(self, inner: Model, log: RunLog, run_id: int):
        self.inner = inner
        self.log = log
        self.run_id = run_id
        self.name = inner.name
        self._warned = False

    @property
    def deadline(self) -> float | None:
        return getattr(self.inner, "deadline", None)

    async def complete(self, prompt: SectionPrompt, messages: list[Message]) -> Completion:
        started = time.monotonic()
        try:
            completion = await self.inner.complete(prompt, messages)
        except ModelError as exc:
            usage = getattr(exc, "usage", None) or Usage(
                latency_s=round(time.monotonic() - started, 6)
            )
            self._logged(
                self.log.record_call(
                    self.run_id, prompt.section_id, messages, None, error=str(exc), usage=usage
                )
            )
            raise
        self._logged(self.log.record_call(self.run_id, prompt.section_id, messages, completion))
        return completion

    def _logged(self, ok: bool) -> None:
        """Say once that the log stopped taking calls; the run goes on."""
        if not ok and not self._warned:
            self._warned = True
            log.warning(
                "the run log %s cannot be written (%s): the rest of run %d is not logged",
                self.log.path,
                self.log.failure,
                self.run_id,
            )

    async def aclose(self) -> None:
        await close_model(self.inner)
