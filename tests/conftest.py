"""Shared fixtures: an isolated user home, the repository root, and a CLI runner (real subprocess)."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"


@pytest.fixture(autouse=True)
def draftsmith_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Every test gets its own user data, cache and config folders."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("DRAFTSMITH_HOME", str(home))
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(var, raising=False)
    return home


def run_cli(
    *args: str | os.PathLike[str],
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    input: str | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """Run `python -m pipeline ARGS` as a real subprocess and capture its output."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *map(str, args)],
        cwd=cwd or REPO,
        env=full_env,
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def edited_facts(
    facts: Path, tmp_path: Path, edit: dict[str, object] | None = None, *left_out: str
) -> Path:
    """The facts of `facts` with `edit` applied and `left_out` removed, as
    `tmp_path/facts.yaml`."""
    data = yaml.safe_load(facts.read_text("utf-8"))
    data.update(edit or {})
    for name in left_out:
        del data[name]
    path = tmp_path / "facts.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return path


@functools.cache
def example_draft_text(name: str) -> str:
    """The offline plain-text draft of `examples/<name>.yaml`, by the CLI, once a session: the
    draft a facts file with the same facts typed another way must give."""
    done = run_cli("run", EXAMPLES / f"{name}.yaml", "--format", "txt")
    assert done.returncode == 0, done.stderr
    return done.stdout


def repository_texts() -> dict[str, str]:
    """Every real text of the repository (tests/data, examples, evals, ../shared/samples; a
    .docx as Word shows it), and the offline draft of every example: what a rule must not
    misread."""
    from pipeline.docx_text import read_docx
    from pipeline.textio import read_text

    texts: dict[str, str] = {}
    roots = [REPO / "tests" / "data", EXAMPLES, REPO / "evals", REPO.parent / "shared" / "samples"]
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.suffix in (".txt", ".md", ".yaml", ".json"):
                texts[str(path)] = read_text(path)
            elif path.suffix == ".docx" and "password" not in path.name:
                texts[str(path)] = read_docx(path)
    for example in sorted(EXAMPLES.glob("*.yaml")):
        texts[f"draft of {example.name}"] = example_draft_text(example.stem)
    return texts


@pytest.fixture
def cli():
    """The CLI runner: `cli("run", path, "-o", out)` → CompletedProcess."""
    return run_cli


@pytest.fixture
def openai_server():
    """A scripted OpenAI-compatible server on 127.0.0.1 (see pipeline.testing.openai_server)."""
    from pipeline.testing.openai_server import ScriptedOpenAIServer

    with ScriptedOpenAIServer() as server:
        yield server


def addressed_school(root: Path, addressee: str | None = "青山县教育局") -> tuple[Path, Path]:
    """A `--spec-dir` copy of the school type that addresses a 主送机关 (spec `addressee`),
    and its example facts with the 主送机关 `addressee` (left out when None)."""
    import shutil

    (root / "schemas").mkdir(parents=True)
    spec = root / "schemas/school-ideology-summary.yaml"
    text = (REPO / "schemas/school-ideology-summary.yaml").read_text(encoding="utf-8")
    fact = (
        "  addressee:\n    type: string\n    label: 主送机关\n"
        "    description: 标题下顶格写的主送机关。\n    example: 青山县教育局\n"
    )
    text = text.replace("\nsections:\n", f"{fact}\naddressee: addressee\n\nsections:\n", 1)
    spec.write_text(text, encoding="utf-8")
    shutil.copytree(
        REPO / "prompts/school-ideology-summary", root / "prompts/school-ideology-summary"
    )
    facts = root / "school.yaml"
    given = (EXAMPLES / "school-ideology-summary.yaml").read_text(encoding="utf-8")
    facts.write_text(given + (f"addressee: {addressee}\n" if addressee else ""), encoding="utf-8")
    return root, facts
