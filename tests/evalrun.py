"""Helpers for the `draft eval` tests against the scripted server: suites of the shipped school
cases, a run started as a real subprocess, and the calls a run needed against those served."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from pipeline.evals.journal import CallRecord, call_key
from pipeline.prompts import Message
from pipeline.testing.openai_server import ScriptedOpenAIServer
from tests.conftest import REPO

CASES_DIR = REPO / "evals" / "cases" / "school-ideology-summary"
SECTIONS = 7  # school-ideology-summary


def write_suite(tmp_path: Path, cases: list[str], extra: str = "", name: str = "srv") -> Path:
    """A suite of the shipped school cases; `extra` is YAML put before `cases:`."""
    body = f"name: {name}\ndoctype: school-ideology-summary\n" + extra + "cases:\n"
    for c in cases:
        body += f"  - id: {c}\n    facts: {CASES_DIR / (c + '.yaml')}\n"
    path = tmp_path / "suite.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def server_env(server: ScriptedOpenAIServer) -> dict[str, str]:
    """The variables pointing `openai:…` models at `server`."""
    return {"OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": "sk-test-eval"}


_AS_FROM_A_TERMINAL = (
    "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "sys.argv = ['draft', *sys.argv[1:]]; from pipeline.cli import main; main()"
)
"""`draft` as a terminal starts it, Ctrl-C raising KeyboardInterrupt, even when the test run
itself was started with SIGINT ignored (in the background of a non-interactive shell), which
its subprocesses would inherit."""


def start_eval(server: ScriptedOpenAIServer, *args: str | os.PathLike[str]) -> subprocess.Popen:
    """`draft eval ARGS` as a running subprocess (to be killed or interrupted)."""
    return subprocess.Popen(
        [sys.executable, "-c", _AS_FROM_A_TERMINAL, "eval", *map(str, args)],
        cwd=REPO,
        env={**os.environ, **server_env(server)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_first_sample(timeout: float = 60) -> Path | None:
    """The journal (`samples.jsonl`) of the run under way once it holds a finished sample."""
    runs = Path(os.environ["DRAFTSMITH_HOME"]) / "data" / "runs"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = list(runs.glob("*/samples.jsonl"))
        if found and found[0].read_text(encoding="utf-8").count("\n") >= 1:
            return found[0]
        time.sleep(0.05)
    return None


def settled_count(server: ScriptedOpenAIServer, quiet: float = 1.5, timeout: float = 30) -> int:
    """The server's request count once no request has arrived for `quiet` seconds (requests a
    killed run left in flight reach its log late on a busy machine), or after `timeout`."""
    deadline = time.monotonic() + timeout
    count, since = server.count(), time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - since < quiet:
        time.sleep(0.05)
        if server.count() != count:
            count, since = server.count(), time.monotonic()
    return count


def journaled_calls(run_dir: Path) -> list[CallRecord]:
    """Every answer the run journaled in `calls.jsonl`."""
    return [
        CallRecord.model_validate_json(line)
        for line in (run_dir / "calls.jsonl").read_text(encoding="utf-8").splitlines()
    ]


def served_calls(server: ScriptedOpenAIServer) -> Counter[str]:
    """The call keys of every request the server received."""
    return Counter(
        # A request the kill cut off mid-send reaches the server without its messages.
        call_key("openai:good", [Message(**m) for m in r.body["messages"]])
        if r.body.get("messages")
        else "torn request"
        for r in server.requests()
    )
