"""The web app's SQLite store: versions, autosave coalescing, conflicts, atomic changes, threads."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from conftest import EXAMPLES

from pipeline.drafting import draft_document
from pipeline.facts import load_facts
from pipeline.models import get_model
from pipeline.web.editing import with_section_text
from pipeline.web.store import NotFound, Store


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "web.sqlite3")


@pytest.fixture(scope="module")
def school_draft():
    spec, facts = load_facts(EXAMPLES / "school-ideology-summary.yaml")
    return spec, draft_document(spec, facts, get_model("offline"))


def test_the_database_lives_in_the_user_data_dir_in_wal_mode(draftsmith_home: Path):
    store = Store()
    assert store.path == draftsmith_home / "data" / "web.sqlite3"
    conn = sqlite3.connect(store.path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] >= 1


def test_saves_add_versions_and_unchanged_data_adds_none(store: Store):
    doc = store.create_doc("红星中学", "school-ideology-summary", {"school_name": "甲"})
    assert doc.version == 1
    assert store.save_facts(doc.id, {"school_name": "乙"}).number == 2
    unchanged = store.save_facts(doc.id, {"school_name": "乙"})
    assert unchanged.number == 2 and not unchanged.changed
    assert [v.number for v in store.versions(doc.id)] == [2, 1]
    assert store.version(doc.id, 1).data == {"school_name": "甲"}
    assert store.get_doc(doc.id).data == {"school_name": "乙"}


def test_one_tabs_autosaves_update_its_own_version(store: Store):
    doc = store.create_doc("d", "x", {})
    first = store.save_facts(doc.id, {"a": 1}, kind="autosave", session="A", base=1)
    second = store.save_facts(doc.id, {"a": 12}, kind="autosave", session="A", base=first.number)
    assert first.number == second.number == 2
    other = store.save_facts(doc.id, {"a": 13}, kind="autosave", session="B", base=2)
    assert other.number == 3 and not other.conflict
    # Tab A still thinks version 2 is the latest: its next save is a new version, flagged.
    stale = store.save_facts(doc.id, {"a": 14}, kind="autosave", session="A", base=2)
    assert stale.number == 4 and stale.conflict
    assert [v.data.get("a") for v in store.versions(doc.id)] == [14, 13, 12, None]


def test_an_explicit_save_never_overwrites_an_autosave(store: Store):
    doc = store.create_doc("d", "x", {})
    store.save_facts(doc.id, {"a": 1}, kind="autosave", session="A")
    store.save_facts(doc.id, {"a": 2}, kind="saved", session="A")
    assert [v.kind for v in store.versions(doc.id)] == ["saved", "autosave", "created"]


def test_the_store_survives_reopening(tmp_path: Path):
    path = tmp_path / "web.sqlite3"
    doc = Store(path).create_doc("d", "x", {"a": "中文"})
    again = Store(path)
    assert again.get_doc(doc.id).data == {"a": "中文"}
    assert [d.name for d in again.list_docs()] == ["d"]


def test_missing_things_raise_not_found(store: Store):
    with pytest.raises(NotFound):
        store.get_doc(1)
    with pytest.raises(NotFound):
        store.save_facts(1, {})
    with pytest.raises(NotFound):
        store.get_draft(1)
    doc = store.create_doc("d", "x", {})
    with pytest.raises(NotFound):
        store.version(doc.id, 7)


def test_drafts_keep_revisions_and_a_failed_change_leaves_nothing(store: Store, school_draft):
    spec, draft = school_draft
    doc = store.create_doc("d", spec.id, {})
    draft_id = store.create_draft(doc.id, 1, draft)
    kept = store.get_draft(draft_id)
    assert kept.revision == 1 and kept.draft.text == draft.text
    edited = store.update_draft(
        draft_id, lambda d: with_section_text(d, spec, "shortcomings", "改写。"), session="A"
    )
    assert edited.number == 2

    def broken(d):
        raise RuntimeError("crash half-way")

    with pytest.raises(RuntimeError):
        store.update_draft(draft_id, broken, session="A")
    assert store.get_draft(draft_id).revision == 2
    assert store.get_draft(draft_id, revision=1).draft.text == draft.text
    assert [s.title for s in store.drafts_for(doc.id)] == [draft.title]


def test_concurrent_edits_of_different_sections_are_all_kept(store: Store, school_draft):
    spec, draft = school_draft
    doc = store.create_doc("d", spec.id, {})
    draft_id = store.create_draft(doc.id, 1, draft)
    sections = ["organization", "theory_study", "public_opinion", "civic_culture", "shortcomings"]
    errors: list[BaseException] = []

    def edit(sid: str, tab: str) -> None:
        try:
            for n in range(3):
                store.update_draft(
                    draft_id,
                    lambda d, sid=sid, n=n: with_section_text(d, spec, sid, f"{sid} 第{n}次修改。"),
                    session=tab,
                    base=1,
                )
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=edit, args=(s, f"tab-{s}")) for s in sections]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    final = {s.id: s.body for s in store.get_draft(draft_id).draft.sections}
    for sid in sections:
        assert final[sid] == f"{sid} 第2次修改。"
    assert final["opening"] == draft.sections[0].body


def test_two_web_apps_opening_a_new_store_at_once_both_start(tmp_path: Path):
    """Two `draft serve` started at once on a new machine: the second read the store's
    version before the first had committed its tables, then applied the same migration and
    failed with "table facts_docs already exists"."""
    from pipeline.web.store import _MIGRATIONS

    path = tmp_path / "web.sqlite3"
    first = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    first.execute("PRAGMA journal_mode=WAL")
    first.execute("BEGIN IMMEDIATE")  # the first app, half-way through creating the store
    for statement in _MIGRATIONS[0].split(";"):
        if statement.strip():
            first.execute(statement)
    first.execute("PRAGMA user_version=1")
    done = threading.Timer(0.5, lambda: (first.execute("COMMIT"), first.close()))
    done.start()
    try:
        second = Store(path)
    finally:
        done.join()
    doc = second.create_doc("总结", "school-ideology-summary", {"a": 1})
    assert second.get_doc(doc.id).name == "总结"
