"""The response cache: a re-run makes no request, errors are not cached, --no-cache and
`draft cache clear` bypass and empty it."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
import time

import pytest
from modelrun import EXAMPLE, SECTIONS, draft_run, run_on_a_full_disk

from pipeline import textio
from pipeline.cache import CachedModel, ResponseCache, cache_key
from pipeline.errors import InputError
from pipeline.models.base import Completion, Usage
from pipeline.prompts import Message, SectionPrompt


def test_a_cached_rerun_makes_no_request(tmp_path, openai_server):
    first = draft_run(tmp_path, openai_server, out_name="first.json")
    assert first.code == 0, first.stderr
    assert openai_server.count() == len(SECTIONS)
    second = draft_run(tmp_path, openai_server, out_name="second.json")
    assert second.code == 0, second.stderr
    assert openai_server.count() == len(SECTIONS)  # nothing new reached the server
    assert second.draft["text"] == first.draft["text"]
    usage = second.draft["usage"]
    assert usage["requests"] == 0 and usage["cached"] == len(SECTIONS)
    assert all(second.section(s)["usage"]["cached"] == 1 for s in SECTIONS)
    assert "0 request(s), 7 cached" in second.stderr


def test_errors_are_not_cached(tmp_path, openai_server):
    openai_server.script("theory_study", "500")
    first = draft_run(tmp_path, openai_server, "--max-attempts", "1", out_name="first.json")
    assert first.code == 3
    assert openai_server.count() == len(SECTIONS)
    second = draft_run(tmp_path, openai_server, out_name="second.json")
    assert second.code == 0, second.stderr
    # only the failed section is asked again
    assert openai_server.count() == len(SECTIONS) + 1
    assert openai_server.count("theory_study") == 2


def test_empty_answers_and_refusals_are_not_cached(tmp_path, openai_server):
    openai_server.script("organization", "empty")
    openai_server.script("plans", "refuse")
    assert draft_run(tmp_path, openai_server, out_name="a.json").code == 3
    again = draft_run(tmp_path, openai_server, out_name="b.json")
    assert again.code == 0, again.stderr
    assert openai_server.count("organization") == 2
    assert openai_server.count("plans") == 2
    assert openai_server.count("opening") == 1


def test_no_cache_asks_again_and_cache_clear_empties_it(tmp_path, openai_server, cli):
    assert draft_run(tmp_path, openai_server, out_name="a.json").code == 0
    assert draft_run(tmp_path, openai_server, "--no-cache", out_name="b.json").code == 0
    assert openai_server.count() == 2 * len(SECTIONS)

    info = cli("cache", "info")
    assert info.returncode == 0
    assert "7 answer(s)" in info.stdout

    cleared = cli("cache", "clear")
    assert cleared.returncode == 0, cleared.stderr
    assert "removed 7 cached answer(s)" in cleared.stdout
    assert draft_run(tmp_path, openai_server, out_name="c.json").code == 0
    assert openai_server.count() == 3 * len(SECTIONS)


def test_cache_clear_can_forget_one_model_or_old_answers_only(
    tmp_path, openai_server, cli, draftsmith_home
):
    """A provider changed what stands behind a model name: its answers go, the others stay."""
    assert draft_run(tmp_path, openai_server, model="openai:good").code == 0
    assert draft_run(tmp_path, openai_server, "--repairs", "0", model="openai:inventor").code == 1
    info = cli("cache", "info")
    assert "14 answer(s)" in info.stdout
    assert f"{len(SECTIONS):>8}  good" in info.stdout and "inventor" in info.stdout
    typo = cli("cache", "clear", "--model", "inventr")
    assert typo.returncode == 2 and "did you mean 'inventor'?" in typo.stderr

    cleared = cli("cache", "clear", "--model", "inventor")
    assert cleared.returncode == 0, cleared.stderr
    assert cleared.stdout.startswith(f"removed {len(SECTIONS)} cached answer(s) of inventor from")
    asked = openai_server.count()
    assert draft_run(tmp_path, openai_server, model="openai:good").code == 0
    assert openai_server.count() == asked  # good's answers stayed

    db = sqlite3.connect(draftsmith_home / "cache" / "responses.sqlite")
    with db:
        db.execute("UPDATE responses SET created_at = '2020-01-01T00:00:00+00:00' WHERE rowid = 1")
    db.close()
    old = cli("cache", "clear", "--older-than", "30")
    assert old.stdout.startswith("removed 1 cached answer(s) older than 30 day(s) from")
    assert f"{len(SECTIONS) - 1} answer(s)" in cli("cache", "info").stdout


def test_the_key_depends_on_model_parameters_and_messages():
    m = [Message(role="user", content="甲")]
    base = cache_key({"model": "a", "temperature": 0.2}, m)
    assert base == cache_key({"temperature": 0.2, "model": "a"}, list(m))
    assert base != cache_key({"model": "b", "temperature": 0.2}, m)
    assert base != cache_key({"model": "a", "temperature": 0.3}, m)
    assert base != cache_key(
        {"model": "a", "temperature": 0.2}, [Message(role="user", content="乙")]
    )


class _Counting:
    name = "counting"

    def __init__(self, answer: Completion):
        self.answer = answer
        self.calls = 0

    def identity(self):
        return {"model": "counting"}

    async def complete(self, prompt, messages):
        self.calls += 1
        return self.answer


def test_cached_model_in_process(tmp_path):
    prompt = SectionPrompt(
        section_id="s", heading=None, messages=[], skeleton="", template_hash="x"
    )
    msgs = [Message(role="user", content="写一段")]
    inner = _Counting(Completion(text="正文。", usage=Usage(requests=1, input_tokens=5, cost=0.5)))
    model = CachedModel(inner, ResponseCache(tmp_path / "c.sqlite"))
    first = asyncio.run(model.complete(prompt, msgs))
    second = asyncio.run(model.complete(prompt, msgs))
    assert inner.calls == 1
    assert first.usage.requests == 1
    assert second.text == "正文。"
    assert second.usage == Usage(cached=1, cost=0.0)
    stats = model.cache.stats()
    assert stats["entries"] == 1 and stats["hits"] == 1
    stored = json.loads(model.cache._conn().execute("SELECT request FROM responses").fetchone()[0])
    assert stored["messages"] == [{"role": "user", "content": "写一段"}]


def test_a_cache_that_cannot_be_written_does_not_lose_the_run(openai_server, draftsmith_home):
    # The -shm file (32 KB) fits; the cache's growth does not, so a store fails mid-run after
    # the answers were paid for: the draft is still written, with a warning.
    proc = run_on_a_full_disk(
        36_000, "run", str(EXAMPLE), "--model", "openai:good", "--no-log", "--concurrency", "7",
        server=openai_server,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    cache = draftsmith_home / "cache" / "responses.sqlite"
    assert f"the answer cache {cache} cannot be written" in proc.stderr
    assert "new answers are not cached" in proc.stderr
    assert proc.stdout.startswith("# 青山县红星中学2020年意识形态工作总结")
    assert openai_server.count() == len(SECTIONS)


def test_a_damaged_cached_answer_is_asked_again(tmp_path, openai_server, draftsmith_home):
    first = draft_run(tmp_path, openai_server, out_name="first.json")
    assert first.code == 0, first.stderr
    db = sqlite3.connect(draftsmith_home / "cache" / "responses.sqlite")
    with db:  # a damaged page: bytes that are not UTF-8 where an answer was
        db.execute("UPDATE responses SET completion = CAST(X'80ff00fe' AS TEXT)")
    db.close()
    again = draft_run(tmp_path, openai_server, out_name="second.json")
    assert again.code == 0, again.stderr
    assert "Traceback" not in again.stderr
    assert "cannot be read (Could not decode to UTF-8 column 'completion')" in again.stderr
    assert "`draft cache clear` deletes a damaged cache" in again.stderr
    assert openai_server.count() == 2 * len(SECTIONS)
    assert again.draft["text"] == first.draft["text"]


def test_clearing_the_cache_never_stops_another_process_caching(tmp_path):
    """`draft cache clear` while a run or the web app used the cache: between the clear's DROP
    and CREATE the other process found no table, and with 'cannot be written (no such table:
    responses)' it cached nothing more until it ended (the web app: until restarted)."""
    path = tmp_path / "responses.sqlite"
    user = ResponseCache(path)
    messages = [Message(role="user", content="问")]
    user.put("first", {"model": "m"}, messages, Completion(text="答"))
    stop = threading.Event()

    def clear_again_and_again() -> None:
        while not stop.is_set():
            clearing = ResponseCache(path)
            clearing.clear()
            clearing.close()

    clearer = threading.Thread(target=clear_again_and_again)
    clearer.start()
    try:
        deadline = time.monotonic() + 1.5
        n = 0
        while time.monotonic() < deadline and not (user.unwritable or user.unreadable):
            user.put(f"k{n}", {"model": "m"}, messages, Completion(text="答"))
            user.get(f"k{n}")
            n += 1
    finally:
        stop.set()
        clearer.join()
    assert user.unwritable is None and user.unreadable is None, (n, user.unwritable)


def test_a_cache_another_process_keeps_locked_is_never_deleted(tmp_path, monkeypatch):
    """A run holding the cache (a long write) is no damage: clearing, or pruning, says so
    and leaves the file with its answers, where it had deleted it as damaged."""
    path = tmp_path / "responses.sqlite"
    cache = ResponseCache(path)
    messages = [Message(role="user", content="问")]
    cache.put(cache_key({"model": "m"}, messages), {"model": "m"}, messages, Completion(text="答"))
    cache.close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another process's write under way
    monkeypatch.setattr(textio, "LOCK_WAIT_S", 0.2)
    try:
        for attempt in (lambda c: c.clear(), lambda c: c.prune(model="m")):
            with pytest.raises(InputError) as raised:
                attempt(ResponseCache(path))
            assert "another draft process has kept it locked" in str(raised.value)
            assert "delete" not in str(raised.value) and str(path) in str(raised.value)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert ResponseCache(path).stats()["entries"] == 1


def test_cache_clear_takes_the_model_as_draft_run_names_it(tmp_path, openai_server, cli):
    """The clerk ran `--model ds` and cleared `--model ds`: refused, as the cache knows the
    model by the name the profile asks the endpoint for; a profile's name and openai:NAME now
    clear that model's answers."""
    (tmp_path / "draft.toml").write_text(
        f'[profiles.ds]\nmodel = "good"\nbase_url = "{openai_server.base_url}"\n',
        encoding="utf-8",
    )
    assert draft_run(tmp_path, openai_server, model="ds", cwd=tmp_path).code == 0
    cleared = cli("cache", "clear", "--model", "ds", cwd=tmp_path)
    assert cleared.returncode == 0, cleared.stderr
    assert cleared.stdout.startswith(
        f"removed {len(SECTIONS)} cached answer(s) of good (what ds asks for) from"
    )
    assert draft_run(tmp_path, openai_server, model="ds", cwd=tmp_path).code == 0
    assert openai_server.count() == 2 * len(SECTIONS)  # asked again: the answers were gone
    again = cli("cache", "clear", "--model", "openai:good", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith(f"removed {len(SECTIONS)} cached answer(s) of good")
    typo = cli("cache", "clear", "--model", "dss", cwd=tmp_path)
    assert typo.returncode == 2 and "Traceback" not in typo.stderr
