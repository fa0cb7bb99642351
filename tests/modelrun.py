"""Helpers for the model tests: `draft run --model openai:…` against the scripted server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

try:
    import resource
except ImportError:  # Windows
    resource = None  # type: ignore[assignment]

from conftest import EXAMPLES, run_cli

from pipeline.prompts import Message, SectionPrompt
from pipeline.retry import RetryPolicy
from pipeline.testing.openai_server import ScriptedOpenAIServer

KEY = "sk-draftsmith-test-7f3a9c1e5b2d4086aa"
"""A fake API key; tests search every file a run writes for it."""
EXAMPLE = EXAMPLES / "school-ideology-summary.yaml"
SECTIONS = [
    "opening",
    "organization",
    "theory_study",
    "public_opinion",
    "civic_culture",
    "shortcomings",
    "plans",
]
FAST_RETRIES = {
    "DRAFTSMITH_RETRY_INITIAL_BACKOFF": "0.01",
    "DRAFTSMITH_RETRY_MAX_BACKOFF": "0.05",
    "DRAFTSMITH_RETRY_JITTER": "0",
}


FAST_POLICY = RetryPolicy(max_attempts=3, initial_backoff=0.01, max_backoff=0.02, jitter=0)
"""Retries that wait next to nothing, for tests that call a model in-process."""


def section_prompt(
    section: str = "organization", skeleton: str = "第一句。第二句。"
) -> SectionPrompt:
    """A section prompt the scripted server answers with `skeleton`."""
    user = f"章节：某节（编号：{section}）\n<skeleton>\n{skeleton}\n</skeleton>"
    return SectionPrompt(
        section_id=section,
        heading="某节",
        messages=[Message(role="system", content="系统"), Message(role="user", content=user)],
        skeleton=skeleton,
        template_hash="t",
    )


def model_env(server: ScriptedOpenAIServer | None = None, **extra: str) -> dict[str, str]:
    """Key, base URL and fast retry waits for a CLI run against `server`."""
    env = {"OPENAI_API_KEY": KEY, **FAST_RETRIES}
    if server is not None:
        env["OPENAI_BASE_URL"] = server.base_url
    env.update(extra)
    return env


class Run:
    """A finished `draft run`: the process and the JSON draft it wrote (if any)."""

    def __init__(self, proc: subprocess.CompletedProcess[str], out: Path):
        self.proc = proc
        self.out = out
        self.draft: dict[str, Any] | None = (
            json.loads(out.read_text(encoding="utf-8"))
            if out.exists() and out.suffix == ".json"
            else None
        )

    @property
    def code(self) -> int:
        return self.proc.returncode

    @property
    def stderr(self) -> str:
        return self.proc.stderr

    def section(self, sid: str) -> dict[str, Any]:
        assert self.draft is not None, self.stderr
        return next(s for s in self.draft["sections"] if s["id"] == sid)


def draft_run(
    tmp_path: Path,
    server: ScriptedOpenAIServer | None,
    *args: str,
    model: str = "openai:good",
    env: dict[str, str] | None = None,
    out_name: str = "draft.json",
    cwd: Path | None = None,
    example: Path = EXAMPLE,
) -> Run:
    """`draft run EXAMPLE --model MODEL -o tmp/draft.json --concurrency 7 ARGS`."""
    out = tmp_path / out_name
    proc = run_cli(
        "run",
        example,
        "--model",
        model,
        "-o",
        out,
        "--concurrency",
        "7",
        *args,
        env=model_env(server, **(env or {})),
        cwd=cwd,
    )
    return Run(proc, out)


def offline_bodies(example: Path = EXAMPLE) -> dict[str, str]:
    """The offline draft's section bodies: what the server's good model answers."""
    from pipeline.drafting import draft_document
    from pipeline.facts import load_facts
    from pipeline.models.offline import OfflineModel

    spec, facts = load_facts(example)
    draft = draft_document(spec, facts, OfflineModel())
    return {s.id: s.body for s in draft.sections}


def run_on_a_full_disk(
    limit: int, *args: str, server: ScriptedOpenAIServer
) -> subprocess.CompletedProcess[str]:
    """`draft ARGS` against `server` as a process whose files may not grow past `limit`
    bytes: a write beyond it fails (EFBIG) as on a full disk. SQLite's -shm file takes
    32 KB, so a limit a little above lets the databases open and fail as they grow."""
    if resource is None:
        import pytest

        pytest.skip("needs RLIMIT_FSIZE")

    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # else the process is killed
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        env={**os.environ, **model_env(server)}, cwd=EXAMPLES.parent, capture_output=True,
        text=True, timeout=120, preexec_fn=limited,
    )  # fmt: skip


OUTPUTS = ("总结.docx", "总结.md", "总结.json")
"""A clerk's outputs: Word for the office, Markdown, and JSON to export again."""


def start_run(server: ScriptedOpenAIServer, folder: Path) -> subprocess.Popen[str]:
    """`draft run EXAMPLE --model openai:good -o 总结.docx -o 总结.md -o 总结.json` in `folder`."""
    outputs = [arg for name in OUTPUTS for arg in ("-o", name)]
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline", "run", str(EXAMPLE), "--model", "openai:good",
         *outputs, "--concurrency", "7"],
        cwd=folder, env={**os.environ, **model_env(server)},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def wait_for_line(proc: subprocess.Popen[str], needle: str) -> str:
    """Read the run's stderr until a line holding `needle` (what it printed so far)."""
    assert proc.stderr is not None
    seen = ""
    for line in proc.stderr:
        seen += line
        if needle in line:
            return seen
    raise AssertionError(f"the run ended without printing {needle!r}:\n{seen}")
