"""The run log: every prompt and response of a run, with usage; `draft logs` lists and shows."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from modelrun import EXAMPLE, SECTIONS, draft_run, model_env, run_on_a_full_disk

from pipeline.models.base import Completion, Usage
from pipeline.prompts import Message
from pipeline.runlog import MIGRATIONS, RunLog
from pipeline.testing.openai_server import ScriptedOpenAIServer
from tests.conftest import EXAMPLES, REPO


def test_a_run_is_logged_with_every_prompt_and_response(tmp_path, openai_server, cli):
    openai_server.script("theory_study", "503", "ok")
    openai_server.script("plans", "refuse")
    run = draft_run(tmp_path, openai_server)
    assert run.code == 3
    assert "logged as run 1" in run.stderr

    listing = cli("logs")
    assert listing.returncode == 0, listing.stderr
    assert "school-ideology-summary" in listing.stdout and "openai:good" in listing.stdout
    assert "exit 3" in listing.stdout and "1 section(s) failed" in listing.stdout

    shown = cli("logs", "show", "1", "--json")
    assert shown.returncode == 0, shown.stderr
    record = json.loads(shown.stdout)
    assert record["exit_code"] == 3
    assert {c["section"] for c in record["calls"]} == set(SECTIONS)
    theory = next(c for c in record["calls"] if c["section"] == "theory_study")
    assert theory["usage"]["requests"] == 2 and theory["usage"]["retries"] == 1
    assert "（编号：theory_study）" in theory["messages"][1]["content"]
    assert theory["response"] == run.section("theory_study")["body"]
    plans = next(c for c in record["calls"] if c["section"] == "plans")
    assert plans["response"].startswith("抱歉")
    assert record["usage"]["requests"] == run.draft["usage"]["requests"]
    assert record["options"]["concurrency"] == 7

    text = cli("logs", "show", "1")
    assert "<user>" in text.stdout and "<response finish_reason=stop>" in text.stdout
    assert "[plans] failed" in text.stdout

    missing = cli("logs", "show", "99")
    assert missing.returncode == 2 and "no run 99" in missing.stderr


def _start_run(server: ScriptedOpenAIServer, out: Path) -> subprocess.Popen[str]:
    """`draft run` of the school example against `server`, as a running subprocess."""
    facts = REPO / "examples" / "school-ideology-summary.yaml"
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline", "run", str(facts), "--model", "openai:good", "-o", str(out)],
        cwd=out.parent, env={**os.environ, **model_env(server)},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _wait_for_requests(server: ScriptedOpenAIServer, n: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while server.count() < n and time.monotonic() < deadline:
        time.sleep(0.02)


def test_a_run_whose_output_cannot_be_written_still_logs_what_it_used(tmp_path, openai_server, cli):
    # `plans` is answered only once the output's place is taken, however slow the machine
    openai_server.script("plans", "hold")
    out = tmp_path / "draft.json"
    proc = _start_run(openai_server, out)
    _wait_for_requests(openai_server, 1)
    assert openai_server.count() >= 1, "the run asked the model nothing"
    # The output was checked before the model was asked; now something takes its place.
    (out / "in-the-way").mkdir(parents=True)
    openai_server.release()
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2 and "the output is a directory" in err
    assert openai_server.count() == len(SECTIONS)  # the model was asked (and paid) all the same
    record = json.loads(cli("logs", "show", "1", "--json").stdout)
    assert record["exit_code"] == 2
    assert record["usage"]["requests"] == len(SECTIONS) and record["usage"]["input_tokens"] > 0
    assert [s["id"] for s in record["sections"]] == SECTIONS


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_ctrl_c_says_so_and_logs_the_answers_already_paid_for(tmp_path, openai_server, cli, signum):
    """Ctrl-C, or a SIGTERM (a cancelled CI job, `timeout`): the same honest interruption."""
    # every other section answers at once; `plans` still hangs when the run is interrupted,
    # however slow the machine (with 30 s, a busy one could see it answered first)
    openai_server.script("plans", "hang:120")
    out = tmp_path / "draft.md"
    proc = _start_run(openai_server, out)
    answered = len(SECTIONS) - 1
    # interrupt once the run says every answered section is done (the answers are then in
    # hand): a fixed pause after the requests arrived was too short on a busy machine
    lines: list[str] = []
    assert proc.stderr is not None
    reader = threading.Thread(target=lambda: lines.extend(iter(proc.stderr.readline, "")))
    reader.start()
    deadline = time.monotonic() + 110
    while sum("] done" in line for line in lines) < answered and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sum("] done" in line for line in lines) == answered, "".join(lines)
    proc.send_signal(signum)
    proc.wait(timeout=30)
    reader.join(timeout=10)
    err = "".join(lines)
    assert proc.returncode == 130 and "Traceback" not in err
    assert "interrupted: nothing was written" in err and "logged as run 1" in err
    assert "run the same command again" in err and not out.exists()
    record = json.loads(cli("logs", "show", "1", "--json").stdout)
    assert record["exit_code"] == 130
    assert record["usage"]["requests"] == answered and record["usage"]["input_tokens"] > 0
    assert "exit 130" in cli("logs").stdout
    asked = openai_server.count()
    again = _start_run(openai_server, out)
    again.communicate(timeout=60)
    assert again.returncode == 0 and out.exists()
    assert openai_server.count() == asked + 1  # only the section that never answered


def test_the_log_names_the_facts_and_output_files_wherever_it_is_read(tmp_path, cli):
    """Relative names would be ambiguous once read from another folder."""
    work = tmp_path / "单位 材料"
    work.mkdir()
    (work / "facts.yaml").write_bytes(EXAMPLE.read_bytes())
    assert cli("run", "facts.yaml", "-o", "out/总结.docx", cwd=work).returncode == 0
    work = work.resolve()  # as the process saw its folder (macOS: /private/var…)
    record = json.loads(cli("logs", "show", "1", "--json").stdout)
    assert record["facts_source"] == str(work / "facts.yaml")
    assert record["output"] == str(work / "out" / "总结.docx")
    shown = cli("logs", "show", "1").stdout
    assert f"facts {work / 'facts.yaml'}  output {work / 'out' / '总结.docx'}" in shown


def test_logs_show_times_on_the_users_clock(tmp_path, cli):
    """Stored in UTC; a user in China must not read a run as 8 hours old."""
    import datetime as dt

    assert cli("run", EXAMPLE, "-o", tmp_path / "d.md").returncode == 0
    stored = json.loads(cli("logs", "show", "1", "--json").stdout)["started_at"]
    local = dt.datetime.fromisoformat(stored).astimezone(dt.timezone(dt.timedelta(hours=8)))
    expected = local.strftime("%Y-%m-%d %H:%M:%S +0800")
    shanghai = {"TZ": "Asia/Shanghai"}
    assert expected in cli("logs", env=shanghai).stdout
    assert f"started {expected}" in cli("logs", "show", "1", env=shanghai).stdout


def test_no_log_skips_the_log(tmp_path, openai_server, cli, draftsmith_home):
    run = draft_run(tmp_path, openai_server, "--no-log")
    assert run.code == 0
    assert not (draftsmith_home / "data" / "logs.db").exists()
    assert cli("logs").stdout.strip() == "no runs logged yet"


def test_migrations_apply_once_and_in_order(tmp_path):
    path = tmp_path / "logs.db"
    first = RunLog(path)
    names = [name for name, _ in MIGRATIONS]
    assert names == sorted(names) and names[0] == "m001_initial"
    rows = [r[0] for r in first.db.execute("SELECT name FROM _migrations")]
    assert rows == names
    run_id = first.start_run(doctype="d", model="m", facts_source="f.yaml", output=None, options={})
    first.record_call(
        run_id,
        "s",
        [Message(role="user", content="问")],
        Completion(text="答", usage=Usage(requests=1, input_tokens=3, output_tokens=1)),
    )
    first.finish_run(run_id, exit_code=0, usage=Usage(requests=1), sections=[])
    first.close()
    again = RunLog(path)
    assert again.migrate() == []
    record = again.run(run_id)
    assert record is not None and record.calls[0].response == "答"
    assert record.calls[0].usage.input_tokens == 3
    again.close()


def test_an_old_log_is_upgraded(tmp_path):
    path = tmp_path / "logs.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
    MIGRATIONS[0][1](db)
    db.execute("INSERT INTO _migrations VALUES ('m001_initial', 'then')")
    db.execute("INSERT INTO runs (started_at, doctype) VALUES ('then', 'old')")
    db.commit()
    db.close()
    log = RunLog(path)
    assert [r.doctype for r in log.runs()] == ["old"]
    assert "m002_run_usage" in [r[0] for r in log.db.execute("SELECT name FROM _migrations")]
    log.close()


def _open_log(path: Path) -> None:
    RunLog(path).close()


def _open_cache(path: Path) -> None:
    from pipeline.cache import ResponseCache

    cache = ResponseCache(path)
    cache.put("k", {"model": "m"}, [Message(role="user", content="问")], Completion(text="答"))
    assert cache.unwritable is None
    cache.close()


def _open_store(path: Path) -> None:
    from pipeline.web.store import Store

    Store(path)


@pytest.mark.parametrize(
    "opener", [_open_log, _open_cache, _open_store], ids=["log", "cache", "store"]
)
def test_a_database_another_process_is_creating_is_waited_for(tmp_path, opener):
    """Two runs started at once on a new machine: while one is in its first transaction on
    a new file, the other's switch to WAL mode must wait for it (as every other statement
    does), not fail at once with "database is locked"."""
    path = tmp_path / "new.sqlite"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("CREATE TABLE creating (x)")
    release = threading.Timer(0.5, lambda: (other.execute("COMMIT"), other.close()))
    release.start()
    try:
        opener(path)
    finally:
        release.join()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


DAMAGED = {
    "run log": (
        ("data", "logs.db"),
        [("logs",), ("run", EXAMPLES / "school-ideology-summary.yaml")],
    ),
    "answer cache": (("cache", "responses.sqlite"), [("cache", "info")]),
}


@pytest.mark.parametrize("which", DAMAGED)
@pytest.mark.parametrize("damage", ["not a database", "a folder"])
def test_a_damaged_database_is_named_not_a_traceback(cli, draftsmith_home, tmp_path, which, damage):
    """A log or cache file that SQLite cannot open is bad input naming the file."""
    parts, commands = DAMAGED[which]
    path = draftsmith_home.joinpath(*parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    if damage == "a folder":
        path.mkdir()
    else:
        path.write_bytes(b"not a database, some bytes that are no SQLite header at all")
    says = (
        f"is a directory, not the {which}" if damage == "a folder" else f"cannot use the {which}: "
    )
    for args in commands:
        result = cli(*args)
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith(f"error: {path}: {says}"), result.stderr
        assert "Traceback" not in result.stderr


def test_cache_clear_deletes_a_damaged_cache(cli, draftsmith_home):
    """`draft cache clear` is the way out of a damaged cache, so it cannot fail on one."""
    path = draftsmith_home / "cache" / "responses.sqlite"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not a database, some bytes that are no SQLite header at all")
    result = cli("cache", "clear")
    assert result.returncode == 0, result.stderr
    assert not path.exists()
    assert cli("cache", "info").returncode == 0


def _read_only(db_file: Path) -> None:
    """Make `db_file` a database SQLite may only read (as a read-only file is, for anyone but
    root): its header's file-format write version is one this SQLite cannot write."""
    with db_file.open("r+b") as fh:
        fh.seek(18)
        fh.write(bytes([3]))


def test_a_log_that_cannot_be_written_stops_the_run_before_the_model_is_asked(
    tmp_path, openai_server, cli, draftsmith_home
):
    assert cli("run", EXAMPLE, "-o", tmp_path / "first.md").returncode == 0  # offline
    path = draftsmith_home / "data" / "logs.db"
    _read_only(path)
    run = draft_run(tmp_path, openai_server)
    assert run.code == 2, run.stderr
    assert "Traceback" not in run.stderr
    assert run.stderr.startswith(f"error: {path}: cannot use the run log: attempt to write a ")
    assert run.stderr.rstrip().endswith("or draft without the log: --no-log")
    assert openai_server.count() == 0 and not run.out.exists()
    assert "model offline" in cli("logs").stdout  # still readable


def test_a_log_that_fails_mid_run_does_not_lose_the_run(tmp_path, openai_server, cli):
    assert cli("run", EXAMPLE, "-o", tmp_path / "first.md").returncode == 0  # log made
    # The run starts and is logged; its calls' prompts soon outgrow the "disk".
    proc = run_on_a_full_disk(
        36_000, "run", str(EXAMPLE), "--model", "openai:good", "--no-cache", "-q",
        server=openai_server,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "cannot be written" in proc.stderr and "the rest of run 2 is not logged" in proc.stderr
    assert "run 2 is logged only in part" in proc.stderr and "logged as run" not in proc.stderr
    assert proc.stdout.startswith("# 青山县红星中学2020年意识形态工作总结")
    assert openai_server.count() == len(SECTIONS)
    listing = cli("logs")
    assert listing.returncode == 0 and "model openai:good" in listing.stdout


def test_a_damaged_table_in_the_log_is_named_not_a_traceback(tmp_path, cli, draftsmith_home):
    """A log that opens but whose runs table is damaged (garbage over its page)."""
    assert cli("run", EXAMPLE, "-o", tmp_path / "first.md").returncode == 0
    path = draftsmith_home / "data" / "logs.db"
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    (page_size,) = db.execute("PRAGMA page_size").fetchone()
    (root,) = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'runs'").fetchone()
    db.close()
    with path.open("r+b") as fh:
        fh.seek((root - 1) * page_size)
        fh.write(b"\xa5" * page_size)
    for args in [("logs",), ("logs", "show", "1")]:
        result = cli(*args)
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith(f"error: {path}: cannot use the run log: database disk")
        assert "Traceback" not in result.stderr


def test_a_cache_of_another_layout_is_named_and_cleared(cli, draftsmith_home):
    """An older cache (its table without today's columns) opens, but every query fails."""
    path = draftsmith_home / "cache" / "responses.sqlite"
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path)
    with db:
        db.execute("CREATE TABLE responses (key TEXT PRIMARY KEY, answer TEXT)")
        db.execute("INSERT INTO responses VALUES ('k', '旧的答案')")
    db.close()
    info = cli("cache", "info")
    assert info.returncode == 2, info.stderr
    assert info.stderr.startswith(f"error: {path}: cannot use the answer cache: no such column")
    assert "Traceback" not in info.stderr
    cleared = cli("cache", "clear")
    assert cleared.returncode == 0, cleared.stderr
    assert "removed 1 cached answer(s)" in cleared.stdout
    info = cli("cache", "info")
    assert info.returncode == 0, info.stderr
    assert "0 answer(s)" in info.stdout
    db = sqlite3.connect(path)
    assert "completion" in {row[1] for row in db.execute("PRAGMA table_info(responses)")}
    db.close()


def test_logs_are_filtered_by_model_and_doctype(tmp_path, cli):
    for facts in (EXAMPLE, EXAMPLE, EXAMPLES / "annual-work-summary.yaml"):
        assert cli("run", facts, "-o", tmp_path / "d.md").returncode == 0
    annual = cli("logs", "--doctype", "annual-work-summary")
    assert annual.returncode == 0, annual.stderr
    assert [line.split()[0] for line in annual.stdout.splitlines() if "exit" in line] == ["3"]
    school = cli("logs", "--doctype", "school-ideology-summary", "--model", "offline", "-n", "1")
    assert [line.split()[0] for line in school.stdout.splitlines() if "exit" in line] == ["2"]
    typo = cli("logs", "--model", "ofline")
    assert typo.returncode == 2 and "Traceback" not in typo.stderr
    assert "--model 'ofline': no logged run has it; did you mean 'offline'?" in typo.stderr


def _filled_log(path: Path, runs: int) -> RunLog:
    log = RunLog(path)
    messages = [Message(role="user", content="事实" * 20_000)]  # a prompt worth deleting
    for _ in range(runs):
        run_id = log.start_run(doctype="d", model="m", facts_source=None, output=None)
        log.record_call(run_id, "s", messages, Completion(text="答" * 5_000))
        log.finish_run(run_id, exit_code=0, usage=Usage(), sections=[])
    return log


def test_prune_deletes_old_runs_with_their_calls_and_gives_the_space_back(tmp_path):
    import datetime as dt

    log = _filled_log(tmp_path / "logs.db", 4)
    under_way = log.start_run(doctype="d", model="m", facts_source=None, output=None)
    done = log.prune(keep=1)
    # The newest finished run is kept, and so is a run without an exit code of today
    # (another process may be writing it); the three older ones go, with their calls.
    assert (done.runs, done.calls) == (3, 3)
    assert [r.id for r in log.runs()] == [under_way, 4]
    assert log.db.execute("SELECT COUNT(*) FROM calls").fetchone()[0] == 1
    assert done.reclaimed and done.bytes_after < done.bytes_before / 2
    # An interrupted run of days ago is old, not under way.
    log.db.execute("UPDATE runs SET started_at = '2020-01-01T00:00:00.000+00:00' WHERE id = ?",
                   (under_way,))  # fmt: skip
    done = log.prune(before=dt.datetime.now(dt.UTC) - dt.timedelta(days=2))
    assert done.runs == 1 and [r.id for r in log.runs()] == [4]
    assert log.prune(before=dt.datetime(2000, 1, 1, tzinfo=dt.UTC)).runs == 0


def test_logs_prune_says_what_it_deleted(tmp_path, cli, draftsmith_home):
    refused = cli("logs", "prune")
    assert refused.returncode == 2 and "--keep N, --older-than DAYS, or both" in refused.stderr
    _filled_log(draftsmith_home / "data" / "logs.db", 3).close()
    pruned = cli("logs", "prune", "--keep", "1")
    assert pruned.returncode == 0, pruned.stderr
    assert pruned.stdout.startswith("deleted 2 run(s) with 2 call(s) from ")
    assert [line.split()[0] for line in cli("logs").stdout.splitlines() if "exit" in line] == ["3"]
    assert cli("logs", "prune", "--older-than", "0").stdout.startswith("deleted 1 run(s)")


def test_a_log_on_a_full_disk_is_not_called_damaged(tmp_path, openai_server, draftsmith_home):
    """A run log that cannot be made on a full disk said "move the file aside (or delete
    it) to start a new one": advice that deletes a sound log. It now says what is wrong
    with the disk; a damaged file still gets the old advice."""
    out = tmp_path / "draft.md"
    proc = run_on_a_full_disk(20_000, "run", str(EXAMPLE), "-o", str(out), server=openai_server)
    path = draftsmith_home / "data" / "logs.db"
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith(f"error: {path}: cannot use the run log: ")
    assert f"check that {path.parent} can be written and its disk has space left" in proc.stderr
    assert "delete it" not in proc.stderr and "Traceback" not in proc.stderr
    assert not out.exists() and openai_server.count() == 0

    path.unlink()
    path.write_bytes(b"not a database, some bytes that are no SQLite header at all")
    damaged = run_on_a_full_disk(
        10_000_000, "run", str(EXAMPLE), "-o", str(out), server=openai_server
    )
    assert damaged.returncode == 2, damaged.stderr
    assert "move the file aside (or delete it) to start a new one" in damaged.stderr


def test_the_model_behind_the_name_is_recorded_and_shown(tmp_path, openai_server, cli):
    # OpenAI answers a request for the alias gpt-4o with the dated model behind it
    served = {"kind": "ok", "served_model": "gpt-4o-2024-08-06"}
    openai_server.script("*", served)
    run = draft_run(tmp_path, openai_server, model="openai:gpt-4o")
    assert run.code == 0, run.stderr
    assert run.draft is not None
    assert run.draft["usage"]["served_models"] == ["gpt-4o-2024-08-06"]
    assert "model openai:gpt-4o (served by gpt-4o-2024-08-06)" in run.stderr
    shown = cli("logs", "show", "1")
    assert "with openai:gpt-4o (served by gpt-4o-2024-08-06)" in shown.stdout, shown.stdout
    listed = cli("logs")
    assert "model openai:gpt-4o (served by gpt-4o-2024-08-06)" in listed.stdout
    # the same answers from the cache still say which model wrote them
    again = draft_run(tmp_path, openai_server, model="openai:gpt-4o", out_name="again.json")
    assert again.draft is not None and again.draft["usage"]["cached"] == len(SECTIONS)
    assert again.draft["usage"]["served_models"] == ["gpt-4o-2024-08-06"]


def test_a_model_that_answers_under_its_own_name_adds_nothing(tmp_path, openai_server):
    run = draft_run(tmp_path, openai_server, model="openai:good")
    assert run.code == 0, run.stderr
    assert "served by" not in run.stderr


def test_a_profile_is_compared_with_the_model_it_asks_for(tmp_path, openai_server, cli):
    """Through a profile, `draft run` and `draft logs` compared the model the answers named
    with the profile's name, and noted "served by deepseek-chat" on every run: now with the
    profile's `model`, which is shown beside the name; another one is still noted."""
    (tmp_path / "draft.toml").write_text(
        f'[profiles.ds]\nmodel = "deepseek-chat"\nbase_url = "{openai_server.base_url}"\n',
        encoding="utf-8",
    )
    run = draft_run(tmp_path, None, model="ds", cwd=tmp_path)
    assert run.code == 0, run.stderr
    assert openai_server.requests()[0].model == "deepseek-chat"
    assert "model ds (deepseek-chat)\n" in run.stderr and "served by" not in run.stderr
    assert "with ds (deepseek-chat), started" in cli("logs", "show", "1").stdout
    listed = cli("logs").stdout
    assert "model ds (deepseek-chat)  exit 0" in listed and "served by" not in listed

    openai_server.script("*", {"kind": "ok", "served_model": "deepseek-v3-0324"})
    again = draft_run(tmp_path, None, "--no-cache", model="ds", cwd=tmp_path)
    assert again.code == 0, again.stderr
    assert "model ds (deepseek-chat, served by deepseek-v3-0324)" in again.stderr
    shown = cli("logs", "show", "2").stdout
    assert "with ds (deepseek-chat, served by deepseek-v3-0324), started" in shown
