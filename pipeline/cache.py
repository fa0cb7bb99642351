"""The response cache: every model answer, keyed by (model, parameters, messages), in SQLite.

Re-running a draft or an evaluation suite with the same facts, prompts and model costs
nothing: each call is answered from `responses.sqlite` in the user cache directory without
a request. Only usable answers are stored — never an error, an empty answer or a refusal —
so a failed call is tried again next time. `draft run --no-cache` bypasses the cache;
`draft cache clear` empties it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Any

from pipeline import paths
from pipeline.errors import InputError
from pipeline.models.base import Completion, Model, Usage, close_model
from pipeline.prompts import Message, SectionPrompt
from pipeline.textio import database_errors

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

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with database_errors(self.path, what="answer cache"):
                db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
                db.execute("PRAGMA journal_mode=WAL")
                # Commits need not reach the disk one by one (a power cut may lose the last
                # few answers, never corrupt the file): a cached re-run would otherwise wait
                # on a sync for every hit it counts.
                db.execute("PRAGMA synchronous=NORMAL")
                db.executescript(_SCHEMA)
            self._db = db
        return self._db

    def get(self, key: str) -> Completion | None:
        """The stored answer for `key`, or None."""
        if self._db is None and not self.path.exists():
            return None
        row = (
            self._conn()
            .execute("SELECT completion FROM responses WHERE key = ?", (key,))
            .fetchone()
        )
        if row is None:
            return None
        self._conn().execute("UPDATE responses SET hits = hits + 1 WHERE key = ?", (key,))
        return Completion.model_validate_json(row[0])

    def put(
        self, key: str, identity: dict[str, Any], messages: list[Message], completion: Completion
    ) -> None:
        """Store an answer (its usage as first paid for)."""
        request = json.dumps(
            {"model": identity, "messages": [m.model_dump() for m in messages]},
            ensure_ascii=False,
        )
        self._conn().execute(
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

    def stats(self) -> dict[str, Any]:
        """Entries, hits and the file's size."""
        if not self.path.exists():
            return {"path": str(self.path), "entries": 0, "hits": 0, "bytes": 0}
        entries, hits = (
            self._conn()
            .execute("SELECT COUNT(*), COALESCE(SUM(hits), 0) FROM responses")
            .fetchone()
        )
        size = sum(
            p.stat().st_size for p in self.path.parent.glob(self.path.name + "*") if p.is_file()
        )
        return {"path": str(self.path), "entries": entries, "hits": hits, "bytes": size}

    def clear(self) -> int:
        """Delete every entry; returns how many there were."""
        if not self.path.exists():
            return 0
        try:
            db = self._conn()
        except InputError:  # damaged: it is only a cache, so clearing it is deleting it
            for f in self.path.parent.glob(self.path.name + "*"):  # with its -wal and -shm
                f.unlink()
            return 0
        (count,) = db.execute("SELECT COUNT(*) FROM responses").fetchone()
        db.execute("DELETE FROM responses")
        db.execute("VACUUM")
        return int(count)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


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
        ident = getattr(self.inner, "identity", None)
        return ident() if callable(ident) else {"model": self.inner.name}

    def lookup(self, messages: list[Message]) -> Completion | None:
        """The cached answer to `messages` (usage: cached, nothing paid), or None. Callers that
        throttle real calls (an eval run's rate limits) ask this first: a hit is no call."""
        return self._hit(cache_key(self.identity(), messages))

    def _hit(self, key: str) -> Completion | None:
        hit = self.cache.get(key)
        if hit is None:
            return None
        paid = hit.usage
        return hit.model_copy(
            update={"usage": Usage(cached=1, cost=None if paid.cost is None else 0.0)}
        )

    async def complete(self, prompt: SectionPrompt, messages: list[Message]) -> Completion:
        """The cached answer, or the inner model's (stored when usable)."""
        from pipeline.postprocess import completion_failure

        identity = self.identity()
        key = cache_key(identity, messages)
        hit = self._hit(key)
        if hit is not None:
            return hit
        completion = await self.inner.complete(prompt, messages)
        if completion_failure(completion) is None:
            self.cache.put(key, identity, messages, completion)
        return completion

    async def aclose(self) -> None:
        await close_model(self.inner)
