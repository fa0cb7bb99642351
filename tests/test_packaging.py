"""The wheel carries the built-in specs, prompts, suites and examples; the README's quick start works."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

NESTED = "DRAFTSMITH_QUICKSTART_NESTED"


def _sh(
    cmd: list[str] | str,
    cwd: Path,
    env: dict[str, str] | None = None,
    timeout: float = 900,
    shell: bool = False,
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    result = subprocess.run(
        cmd, cwd=cwd, env=full_env, capture_output=True, text=True, timeout=timeout, shell=shell
    )
    assert result.returncode == 0, f"{cmd}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def test_non_editable_wheel_finds_its_builtin_data(tmp_path: Path):
    """Build the wheel, install it (no deps: they are in this environment) into a folder of its own,
    and draft from outside the checkout: the data must come from inside the installed package."""
    wheel_dir = tmp_path / "wheel"
    _sh(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheel_dir), str(REPO)],
        cwd=tmp_path,
    )
    wheel = next(wheel_dir.glob("draftsmith-*.whl"))
    target = tmp_path / "site"
    _sh(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        cwd=tmp_path,
    )
    for sub in (
        "schemas/school-ideology-summary.yaml",
        "prompts/_shared/section.j2",
        "prompts/annual-work-summary/plans.j2",
        "schemas/work-notice.yaml",
        "prompts/work-notice/requirements.j2",
        "examples/work-notice.yaml",
        "evals/work-notice.yaml",
        "examples/school-ideology-summary.yaml",
        "schemas/lexicon/set-phrases.yaml",
        "schemas/lexicon/misused-words.yaml",
        "evals/school-ideology-summary.yaml",
    ):
        assert (target / "pipeline/_data" / sub).exists(), sub
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(REPO / "examples/annual-work-summary.yaml", elsewhere / "facts.yaml")
    env = {"PYTHONPATH": str(target), "DRAFTSMITH_HOME": str(tmp_path / "home")}
    where = _sh(
        [
            sys.executable,
            "-c",
            "import pipeline, pipeline.paths as p; print(pipeline.__file__); print(p.data_root())",
        ],
        cwd=elsewhere,
        env=env,
    )
    assert str(target) in where.stdout.splitlines()[0]
    assert where.stdout.splitlines()[1] == str(target / "pipeline/_data")
    result = _sh(
        [sys.executable, "-m", "pipeline", "run", "facts.yaml", "--format", "txt"],
        cwd=elsewhere,
        env=env,
    )
    assert result.stdout.startswith("青山县自然资源局2023年工作总结")
    listing = _sh([sys.executable, "-m", "pipeline", "doctypes"], cwd=elsewhere, env=env)
    assert "school-ideology-summary" in listing.stdout


def _quickstart_commands() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Quick start\n.*?```(?:sh|bash)\n(.*?)```", readme, re.S)
    assert block, "README has a Quick start section with a sh code block"
    commands = [c for c in block.group(1).strip().splitlines() if c and not c.startswith("#")]
    assert len(commands) == 2, commands
    return commands


@pytest.mark.skipif(os.environ.get(NESTED) == "1", reason="already inside the quick-start test")
def test_readme_quickstart_from_a_fresh_clone(tmp_path: Path):
    """The README's two commands, exactly as written, in a fresh clone with a new virtualenv.

    The second command runs the test suite; inside it, this test skips itself and the run is
    narrowed to the foundation tests (PYTEST_ADDOPTS) to keep CI time sane.
    """
    draft_cmd, test_cmd = _quickstart_commands()
    clone = tmp_path / "fresh"
    _sh(["git", "clone", "-q", str(REPO), str(clone)], cwd=tmp_path)
    env = {
        "DRAFTSMITH_HOME": str(tmp_path / "home"),
        "VIRTUAL_ENV": "",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    env["PATH"] = os.pathsep.join(
        p for p in os.environ["PATH"].split(os.pathsep) if not p.startswith(sys.prefix)
    )
    drafted = _sh(draft_cmd, cwd=clone, env=env, shell=True)
    assert "青山县红星中学2020年意识形态工作总结" in drafted.stdout
    assert "六、2021年工作打算和工作措施" in drafted.stdout
    tested = _sh(
        test_cmd,
        cwd=clone,
        shell=True,
        env={
            **env,
            NESTED: "1",
            "PYTEST_ADDOPTS": "-q -p no:cacheprovider tests/test_spec.py tests/test_offline_drafting.py",
        },
    )
    assert re.search(r"\d+ passed", tested.stdout), tested.stdout[-2000:]
    assert (clone / ".venv").is_dir()  # the commands made their own virtual environment
