"""The web app's local store: facts documents with their history, drafts with their revisions.

One SQLite database in the user data directory (`web.sqlite3`), in WAL mode. Every change is
one transaction (`BEGIN IMMEDIATE`), so a crash leaves either the old or the new state, never
half of one, and two browser tabs writing at once are serialised rather than interleaved.

Nothing is overwritten that another writer made: a save appends a new version, except that a
run of autosaves from the same browser tab within `COALESCE_SECONDS` updates its own latest
version in place (so that typing does not make hundreds of versions). A save whose base is not
the latest version is reported as a conflict, and both versions stay in the history.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from pipeline import paths
from pipeline.document import Draft
from pipeline.textio import connect_database, database_errors, existing_database, use_wal

DB_NAME = "web.sqlite3"
COALESCE_SECONDS = 120
"""Autosaves from one tab closer together than this update one version instead of adding one."""

FactsKind = Literal[
    "created", "autosave", "saved", "imported", "restored", "generated", "from_draft"
]
DraftKind = Literal["generated", "edited", "regenerated", "restored"]

_MIGRATIONS: list[str] = [
    # 1: facts documents, their versions, drafts and their revisions
    """
    CREATE TABLE facts_docs (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        doctype TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE facts_versions (
        id INTEGER PRIMARY KEY,
        doc_id INTEGER NOT NULL REFERENCES facts_docs(id),
        number INTEGER NOT NULL,
        data TEXT NOT NULL,
        kind TEXT NOT NULL,
        session TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (doc_id, number)
    );
    CREATE TABLE drafts (
        id INTEGER PRIMARY KEY,
        doc_id INTEGER NOT NULL REFERENCES facts_docs(id),
        facts_version INTEGER NOT NULL,
        model TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE draft_revisions (
        id INTEGER PRIMARY KEY,
        draft_id INTEGER NOT NULL REFERENCES drafts(id),
        number INTEGER NOT NULL,
        data TEXT NOT NULL,
        kind TEXT NOT NULL,
        session TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (draft_id, number)
    );
    """,
]


class NotFound(LookupError):
    """No such facts document, version, draft or revision."""


_TOO_LARGE = "no document, version, draft or revision has a number that large"
"""Why an id beyond SQLite's 64-bit integers (SQLite cannot even look it up) is not found."""


class FactsDoc(BaseModel):
    """A facts document as the web app keeps it: a name, a document type, a latest version."""

    id: int
    name: str
    doctype: str
    created_at: str
    updated_at: str
    version: int
    """The number of the latest version."""
    data: dict[str, Any]
    """The facts of the latest version, as the form holds them (possibly not yet valid)."""


class FactsVersion(BaseModel):
    """One saved state of a facts document."""

    doc_id: int
    number: int
    kind: str
    session: str | None
    created_at: str
    updated_at: str
    data: dict[str, Any]


class DraftSummary(BaseModel):
    """A draft in a list: which facts it came from, its model and its latest revision."""

    id: int
    doc_id: int
    facts_version: int
    model: str
    created_at: str
    updated_at: str
    revision: int
    title: str


class StoredDraft(BaseModel):
    """A draft's latest revision with where it came from."""

    id: int
    doc_id: int
    facts_version: int
    model: str
    created_at: str
    revision: int
    kind: str
    updated_at: str
    draft: Draft


class DraftRevision(BaseModel):
    """One saved state of a draft, for the history list."""

    draft_id: int
    number: int
    kind: str
    created_at: str
    updated_at: str


class SaveResult(BaseModel):
    """What a save did: the version now latest, and whether another writer came in between."""

    number: int
    changed: bool
    """False when the data equalled the latest version and nothing was written."""
    conflict: bool = False
    """True when `base` was not the latest version: another tab or window saved meanwhile."""


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def _age_seconds(stamp: str) -> float:
    return (dt.datetime.now().astimezone() - dt.datetime.fromisoformat(stamp)).total_seconds()


def _dump(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)


def _dump_draft(draft: Draft) -> str:
    data = draft.model_dump(mode="json", exclude={"text"})
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def _load_draft(blob: str) -> Draft:
    data = json.loads(blob)
    data.pop("text", None)
    return Draft.model_validate(data)


def _latest(conn: sqlite3.Connection, table: str, owner: str, owner_id: int) -> sqlite3.Row | None:
    """The highest-numbered row of `table` (`facts_versions` or `draft_revisions`) for an owner."""
    return conn.execute(
        f"SELECT * FROM {table} WHERE {owner} = ? ORDER BY number DESC LIMIT 1", (owner_id,)
    ).fetchone()


def _save_over(
    conn: sqlite3.Connection,
    table: str,
    owner: str,
    owner_id: int,
    latest: sqlite3.Row,
    blob: str,
    *,
    kind: str,
    coalesce_kind: str,
    session: str | None,
    base: int | None,
    now: str,
) -> SaveResult:
    """Keep `blob` as the newest row of `table` after `latest` (see the module docstring).

    Nothing is written when `blob` equals `latest`. A save of `coalesce_kind` from the session
    that wrote `latest` (also of that kind) less than `COALESCE_SECONDS` ago, and not in
    conflict, updates `latest` in place; anything else is inserted as the next number.
    """
    conflict = base is not None and base != latest["number"]
    if latest["data"] == blob:
        return SaveResult(number=latest["number"], changed=False, conflict=conflict)
    coalesce = (
        kind == coalesce_kind
        and latest["kind"] == coalesce_kind
        and session is not None
        and latest["session"] == session
        and not conflict
        and _age_seconds(latest["created_at"]) < COALESCE_SECONDS
    )
    if coalesce:
        number = latest["number"]
        conn.execute(
            f"UPDATE {table} SET data = ?, updated_at = ? WHERE id = ?", (blob, now, latest["id"])
        )
    else:
        number = latest["number"] + 1
        conn.execute(
            f"INSERT INTO {table} ({owner}, number, data, kind, session, created_at, updated_at) "
            "VALUES (?,?,?,?,?,?,?)",
            (owner_id, number, blob, kind, session, now, now),
        )
    return SaveResult(number=number, changed=True, conflict=conflict)


def default_db_path() -> Path:
    """The store's database file in the user data directory."""
    return paths.user_data_dir() / DB_NAME


class Store:
    """Facts documents and drafts in one SQLite file; safe to share between threads."""

    def __init__(self, path: Path | None = None):
        self.path = Path(path) if path is not None else default_db_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        existing_database(self.path, what="web app's store")
        with database_errors(self.path, what="web app's store"), self._connect() as conn:
            use_wal(conn)
            self._migrate(conn)

    # ------------------------------------------------------------------ plumbing

    def _connect(self) -> sqlite3.Connection:
        conn = connect_database(self.path)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=NORMAL")
        return conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taking the write lock at once so read-modify-write is safe."""
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        except OverflowError:
            raise NotFound(_TOO_LARGE) from None
        finally:
            conn.close()

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        conn = self._connect()
        try:
            yield conn
        except OverflowError:
            raise NotFound(_TOO_LARGE) from None
        finally:
            conn.close()

    def _migrate(self, conn: sqlite3.Connection) -> None:
        """Apply the migrations not yet applied, each in one transaction that reads the
        version under its lock: two web apps opening a new store at once must not both apply
        one (the second failed with 'table facts_docs already exists')."""
        if conn.execute("PRAGMA user_version").fetchone()[0] >= len(_MIGRATIONS):
            return
        for number, script in enumerate(_MIGRATIONS, start=1):
            conn.execute("BEGIN IMMEDIATE")
            try:
                if conn.execute("PRAGMA user_version").fetchone()[0] < number:
                    for statement in script.split(";"):
                        if statement.strip():
                            conn.execute(statement)
                    conn.execute(f"PRAGMA user_version={number}")
                conn.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):  # else its error hides the real one
                    conn.execute("ROLLBACK")
                raise

    # ------------------------------------------------------------------ facts documents

    def create_doc(
        self,
        name: str,
        doctype: str,
        data: dict[str, Any],
        *,
        kind: FactsKind = "created",
        session: str | None = None,
    ) -> FactsDoc:
        """A new facts document with its first version."""
        now = _now()
        with self._write() as conn:
            cur = conn.execute(
                "INSERT INTO facts_docs (name, doctype, created_at, updated_at) VALUES (?,?,?,?)",
                (name, doctype, now, now),
            )
            doc_id = int(cur.lastrowid or 0)
            conn.execute(
                "INSERT INTO facts_versions (doc_id, number, data, kind, session, created_at, "
                "updated_at) VALUES (?,?,?,?,?,?,?)",
                (doc_id, 1, _dump(data), kind, session, now, now),
            )
        return self.get_doc(doc_id)

    def list_docs(self) -> list[FactsDoc]:
        """Every facts document, the most recently changed first."""
        with self._read() as conn:
            rows = conn.execute(
                "SELECT d.*, v.number AS version, v.data AS data FROM facts_docs d "
                "JOIN facts_versions v ON v.doc_id = d.id AND v.number = "
                "(SELECT MAX(number) FROM facts_versions WHERE doc_id = d.id) "
                "ORDER BY d.updated_at DESC, d.id DESC"
            ).fetchall()
        return [self._doc(row) for row in rows]

    def get_doc(self, doc_id: int) -> FactsDoc:
        """A facts document with its latest version."""
        with self._read() as conn:
            row = conn.execute(
                "SELECT d.*, v.number AS version, v.data AS data FROM facts_docs d "
                "JOIN facts_versions v ON v.doc_id = d.id WHERE d.id = ? "
                "ORDER BY v.number DESC LIMIT 1",
                (doc_id,),
            ).fetchone()
        if row is None:
            raise NotFound(f"facts document {doc_id}")
        return self._doc(row)

    @staticmethod
    def _doc(row: sqlite3.Row) -> FactsDoc:
        return FactsDoc(
            id=row["id"],
            name=row["name"],
            doctype=row["doctype"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            version=row["version"],
            data=json.loads(row["data"]),
        )

    def rename_doc(self, doc_id: int, name: str) -> None:
        """Give a facts document a new name."""
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE facts_docs SET name = ?, updated_at = ? WHERE id = ?",
                (name, _now(), doc_id),
            )
            if cur.rowcount == 0:
                raise NotFound(f"facts document {doc_id}")

    def save_facts(
        self,
        doc_id: int,
        data: dict[str, Any],
        *,
        kind: FactsKind = "saved",
        session: str | None = None,
        base: int | None = None,
    ) -> SaveResult:
        """Save the facts as the latest version (see the module docstring for when one is added)."""
        blob = _dump(data)
        now = _now()
        with self._write() as conn:
            latest = _latest(conn, "facts_versions", "doc_id", doc_id)
            if latest is None:
                raise NotFound(f"facts document {doc_id}")
            result = _save_over(
                conn,
                "facts_versions",
                "doc_id",
                doc_id,
                latest,
                blob,
                kind=kind,
                coalesce_kind="autosave",
                session=session,
                base=base,
                now=now,
            )
            if result.changed:
                conn.execute("UPDATE facts_docs SET updated_at = ? WHERE id = ?", (now, doc_id))
        return result

    def versions(self, doc_id: int) -> list[FactsVersion]:
        """Every version of a facts document, the newest first."""
        self.get_doc(doc_id)
        with self._read() as conn:
            rows = conn.execute(
                "SELECT * FROM facts_versions WHERE doc_id = ? ORDER BY number DESC", (doc_id,)
            ).fetchall()
        return [self._version(row) for row in rows]

    def version(self, doc_id: int, number: int) -> FactsVersion:
        """One version of a facts document."""
        with self._read() as conn:
            row = conn.execute(
                "SELECT * FROM facts_versions WHERE doc_id = ? AND number = ?", (doc_id, number)
            ).fetchone()
        if row is None:
            raise NotFound(f"version {number} of facts document {doc_id}")
        return self._version(row)

    @staticmethod
    def _version(row: sqlite3.Row) -> FactsVersion:
        return FactsVersion(
            doc_id=row["doc_id"],
            number=row["number"],
            kind=row["kind"],
            session=row["session"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            data=json.loads(row["data"]),
        )

    # ------------------------------------------------------------------ drafts

    def create_draft(self, doc_id: int, facts_version: int, draft: Draft) -> int:
        """Keep a newly generated draft; returns its id."""
        now = _now()
        with self._write() as conn:
            cur = conn.execute(
                "INSERT INTO drafts (doc_id, facts_version, model, created_at) VALUES (?,?,?,?)",
                (doc_id, facts_version, draft.provenance.model, now),
            )
            draft_id = int(cur.lastrowid or 0)
            conn.execute(
                "INSERT INTO draft_revisions (draft_id, number, data, kind, session, created_at, "
                "updated_at) VALUES (?,?,?,?,?,?,?)",
                (draft_id, 1, _dump_draft(draft), "generated", None, now, now),
            )
            conn.execute("UPDATE facts_docs SET updated_at = ? WHERE id = ?", (now, doc_id))
        return draft_id

    def get_draft(self, draft_id: int, revision: int | None = None) -> StoredDraft:
        """A draft at its latest revision (or at `revision`)."""
        query = (
            "SELECT d.*, r.number AS revision, r.kind AS kind, r.data AS data, "
            "r.updated_at AS updated_at FROM drafts d JOIN draft_revisions r "
            "ON r.draft_id = d.id WHERE d.id = ?"
        )
        args: tuple[Any, ...] = (draft_id,)
        if revision is not None:
            query += " AND r.number = ?"
            args += (revision,)
        with self._read() as conn:
            row = conn.execute(query + " ORDER BY r.number DESC LIMIT 1", args).fetchone()
        if row is None:
            raise NotFound(f"draft {draft_id}")
        return StoredDraft(
            id=row["id"],
            doc_id=row["doc_id"],
            facts_version=row["facts_version"],
            model=row["model"],
            created_at=row["created_at"],
            revision=row["revision"],
            kind=row["kind"],
            updated_at=row["updated_at"],
            draft=_load_draft(row["data"]),
        )

    def drafts_for(self, doc_id: int) -> list[DraftSummary]:
        """The drafts made from a facts document, the newest first."""
        with self._read() as conn:
            rows = conn.execute(
                "SELECT d.*, r.number AS revision, r.updated_at AS updated_at, r.data AS data "
                "FROM drafts d JOIN draft_revisions r ON r.draft_id = d.id AND r.number = "
                "(SELECT MAX(number) FROM draft_revisions WHERE draft_id = d.id) "
                "WHERE d.doc_id = ? ORDER BY d.id DESC",
                (doc_id,),
            ).fetchall()
        return [
            DraftSummary(
                id=row["id"],
                doc_id=row["doc_id"],
                facts_version=row["facts_version"],
                model=row["model"],
                created_at=row["created_at"],
                updated_at=row["updated_at"],
                revision=row["revision"],
                title=str(json.loads(row["data"]).get("title", "")),
            )
            for row in rows
        ]

    def update_draft(
        self,
        draft_id: int,
        change: Callable[[Draft], Draft],
        *,
        kind: DraftKind = "edited",
        session: str | None = None,
        base: int | None = None,
    ) -> SaveResult:
        """Apply `change` to the latest revision inside one transaction and keep the result.

        Because `change` sees the latest revision (not the one the browser last loaded), two
        tabs editing different sections both keep their edits.
        """
        now = _now()
        with self._write() as conn:
            latest = _latest(conn, "draft_revisions", "draft_id", draft_id)
            if latest is None:
                raise NotFound(f"draft {draft_id}")
            blob = _dump_draft(change(_load_draft(latest["data"])))
            return _save_over(
                conn,
                "draft_revisions",
                "draft_id",
                draft_id,
                latest,
                blob,
                kind=kind,
                coalesce_kind="edited",
                session=session,
                base=base,
                now=now,
            )

    def draft_revisions(self, draft_id: int) -> list[DraftRevision]:
        """Every revision of a draft, the newest first."""
        with self._read() as conn:
            rows = conn.execute(
                "SELECT draft_id, number, kind, created_at, updated_at FROM draft_revisions "
                "WHERE draft_id = ? ORDER BY number DESC",
                (draft_id,),
            ).fetchall()
        if not rows:
            raise NotFound(f"draft {draft_id}")
        return [DraftRevision(**dict(row)) for row in rows]
