"""The response cache: every model answer, keyed by (model, parameters, messages), in SQLite.

Re-running a draft or an evaluation suite with the same facts, prompts and model costs
nothing: each call is answered from `responses.sqlite` in the user cache directory without
a request. Only usable answers are stored — never an error, an empty answer or a refusal —
so a failed call is tried again next time. `draft run --no-cache` bypasses the cache;
`draft cache clear` empties it.

A cache file that cannot be opened at all (not a database) is reported before any request
is made. Once a run is under way the cache never stops it, as the answers it pays for matter
more: an answer that cannot be stored (a full disk, a read-only file) or looked up (a damaged
page) is reported once on the `pipeline.cache` logger, and the run goes on without storing
(a read-only cache still answers) or without the cache.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import sqlite3
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from pipeline import paths
from pipeline.models.base import Completion, Model, Usage, close_model, model_identity
from pipeline.prompts import Message, SectionPrompt
from pipeline.textio import (
    connect_database,
    database_busy,
    database_errors,
    database_locked,
    existing_database,
    reclaim_space,
    use_wal,
)

log = logging.getLogger("pipeline.cache")

CACHE_NAME = "responses.sqlite"
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    request TEXT NOT NULL,
    completion TEXT NOT NULL,
    created_at TEXT NOT NULL,
    hits INTEGER NOT NULL DEFAULT 0
);
"""


def default_cache_path() -> Path:
    """`responses.sqlite` in the user cache directory (under DRAFTSMITH_HOME in tests)."""
    return paths.user_cache_dir() / CACHE_NAME


def cache_key(identity: dict[str, Any], messages: list[Message]) -> str:
    """A stable hash of the model, its parameters and the exact messages."""
    canonical = json.dumps(
        {
            "v": SCHEMA_VERSION,
            "model": identity,
            "messages": [[m.role, m.content] for m in messages],
        },
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class ResponseCache:
    """A SQLite table of answers, opened on first use."""

    def __init__(self, path: Path | None = None):
        self.path = path or default_cache_path()
        self._db: sqlite3.Connection | None = None
        self.unreadable: str | None = None
        """Why look-ups stopped during this process (a damaged file), once they did."""
        self.unwritable: str | None = None
        """Why storing stopped during this process (a full disk, a read-only file)."""

    def _conn(self) -> sqlite3.Connection:
        """The open database; a file SQLite cannot open is an InputError naming it."""
        if self._db is None:
            with database_errors(self.path, what="answer cache"):
                self._db = self._open()
        return self._db

    def _exists(self) -> bool:
        """Whether the cache file exists; InputError when something else is in its place."""
        return existing_database(self.path, what="answer cache")

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._exists()
        db = connect_database(self.path)
        try:
            use_wal(db)
            # Commits need not reach the disk one by one (a power cut may lose the last few
            # answers, never corrupt the file): a cached re-run would otherwise wait on a sync
            # for every hit it counts.
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(_SCHEMA)
        except BaseException:
            db.close()
            raise
        return db

    def get(self, key: str) -> Completion | None:
        """The stored answer for `key`, or None (also once the cache cannot be read)."""
        if self.unreadable or (self._db is None and not self._exists()):
            return None
        db = self._conn()  # a file that cannot be opened is reported: nothing is paid yet
        try:
            row = db.execute("SELECT completion FROM responses WHERE key = ?", (key,)).fetchone()
            completion = Completion.model_validate_json(row[0]) if row else None
        except (sqlite3.Error, ValidationError) as exc:
            self.unreadable = self.unwritable = _reason(exc)
            log.warning(
                "the answer cache %s cannot be read (%s): going on without it; "
                "`draft cache clear` deletes a damaged cache",
                self.path,
                self.unreadable,
            )
            return None
        if completion is not None and not self.unwritable:
            try:
                db.execute("UPDATE responses SET hits = hits + 1 WHERE key = ?", (key,))
            except sqlite3.Error as exc:  # a read-only cache still answers
                self._cannot_write(exc)
        return completion

    def put(
        self, key: str, identity: dict[str, Any], messages: list[Message], completion: Completion
    ) -> None:
        """Store an answer (its usage as first paid for); a failure only stops the storing."""
        if self.unwritable:
            return
        request = json.dumps(
            {"model": identity, "messages": [m.model_dump() for m in messages]},
            ensure_ascii=False,
        )
        try:
            if self._db is None:
                self._db = self._open()
            self._db.execute(
                "INSERT OR REPLACE INTO responses (key, model, request, completion, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    key,
                    str(identity.get("model")),
                    request,
                    completion.model_dump_json(),
                    dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                ),
            )
        except (sqlite3.Error, OSError) as exc:
            self._cannot_write(exc)

    def _cannot_write(self, exc: Exception) -> None:
        """Stop storing for the rest of this process, saying why once."""
        self.unwritable = _reason(exc)
        log.warning(
            "the answer cache %s cannot be written (%s): new answers are not cached",
            self.path,
            self.unwritable,
        )

    def stats(self) -> dict[str, Any]:
        """Entries, hits and the file's size."""
        if not self._exists():
            return {"path": str(self.path), "entries": 0, "hits": 0, "bytes": 0}
        db = self._conn()
        with database_errors(self.path, what="answer cache"):  # damaged, or another layout
            entries, hits = db.execute(
                "SELECT COUNT(*), COALESCE(SUM(hits), 0) FROM responses"
            ).fetchone()
        size = sum(
            p.stat().st_size for p in self.path.parent.glob(self.path.name + "*") if p.is_file()
        )
        return {"path": str(self.path), "entries": entries, "hits": hits, "bytes": size}

    def models(self) -> list[tuple[str, int]]:
        """The models with cached answers and how many each, most first."""
        if not self._exists():
            return []
        with database_errors(self.path, what="answer cache"):
            rows = (
                self._conn()
                .execute(
                    "SELECT model, COUNT(*) FROM responses GROUP BY model ORDER BY COUNT(*) DESC, model"
                )
                .fetchall()
            )
        return [(str(m), int(n)) for m, n in rows]

    def prune(self, *, model: str | None = None, before: dt.datetime | None = None) -> int:
        """Delete the answers of `model` (its name at the endpoint), or stored before
        `before`, or both; returns how many."""
        if model is None and before is None:
            raise ValueError("prune needs a model or a time; clear() deletes everything")
        if not self._exists():
            return 0
        where = [("model = ?", model)] if model is not None else []
        if before is not None:
            stamp = before.astimezone(dt.UTC).isoformat(timespec="seconds")
            where.append(("created_at < ?", stamp))
        with database_errors(self.path, what="answer cache"):
            db = self._conn()
            deleted = db.execute(
                "DELETE FROM responses WHERE " + " AND ".join(w for w, _ in where),
                tuple(v for _, v in where),
            ).rowcount
        reclaim_space(db)
        return int(deleted)

    def clear(self) -> int:
        """Delete every entry; returns how many there were. A damaged cache is deleted; one
        another process keeps locked is left as it is (InputError)."""
        if not self._exists():
            return 0
        try:
            if self._db is None:
                self._db = self._open()
            db = self._db
            # One transaction: a process using the cache meanwhile (a run, the web app) must
            # never find the table missing, which would stop its caching until it ends.
            db.execute("BEGIN IMMEDIATE")
            (count,) = db.execute("SELECT COUNT(*) FROM responses").fetchone()
            db.execute("DROP TABLE responses")  # and made again: a table of another layout
            db.execute(_SCHEMA)  # (an older cache's) is cleared too
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            if not database_busy(exc):
                self._delete_files()
                return 0
            if self._db is not None:
                with contextlib.suppress(sqlite3.Error):
                    self._db.execute("ROLLBACK")
            # In use, not damaged: its files must stay.
            raise database_locked(self.path, what="answer cache") from None
        reclaim_space(db)
        return int(count)

    def _delete_files(self) -> None:
        """A damaged cache is only a cache: clearing it is deleting it, -wal and -shm too."""
        self.close()
        for f in self.path.parent.glob(self.path.name + "*"):
            f.unlink()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def _reason(exc: Exception) -> str:
    """A short reason for a warning: SQLite's message, or the system's."""
    if isinstance(exc, ValidationError):
        return "a stored answer is damaged"
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    reason = reason.splitlines()[0] if reason else type(exc).__name__
    reason = reason.split(" with text ")[0]  # SQLite quotes the undecodable bytes
    return reason if len(reason) <= 80 else reason[:79] + "…"


class CachedModel:
    """A model whose answers are looked up in, and saved to, a `ResponseCache`."""

    def __init__(self, inner: Model, cache: ResponseCache):
        self.inner = inner
        self.cache = cache
        self.name = inner.name

    @property
    def deadline(self) -> float | None:
        """The inner model's per-section deadline."""
        return getattr(self.inner, "deadline", None)

    def identity(self) -> dict[str, Any]:
        return model_identity(self.inner)

    def lookup(self, messages: list[Message]) -> Completion | None:
        """The cached answer to `messages` (usage: cached, nothing paid), or None. Callers that
        throttle real calls (an eval run's rate limits) ask this first, then `fetch`: a hit
        is no call."""
        hit = self.cache.get(cache_key(self.identity(), messages))
        if hit is None:
            return None
        paid = hit.usage
        return hit.model_copy(
            update={
                "usage": Usage(
                    cached=1,
                    cost=None if paid.cost is None else 0.0,
                    served_models=paid.served_models,
                )
            }
        )

    async def fetch(self, prompt: SectionPrompt, messages: list[Message]) -> Completion:
        """The inner model's answer, stored when usable (never an error, an empty answer or
        a refusal)."""
        from pipeline.postprocess import completion_failure

        completion = await self.inner.complete(prompt, messages)
        if completion_failure(completion) is None:
            identity = self.identity()
            self.cache.put(cache_key(identity, messages), identity, messages, completion)
        return completion

    async def complete(self, prompt: SectionPrompt, messages: list[Message]) -> Completion:
        """The cached answer, or the inner model's (stored when usable)."""
        return self.lookup(messages) or await self.fetch(prompt, messages)

    async def aclose(self) -> None:
        await close_model(self.inner)
