"""Lazy sub-commands: `draft` imports only the command it runs, and its help still lists all."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from typer.core import TyperGroup

from pipeline.cli import COMMANDS, _LazyGroup
from tests.conftest import REPO
from tests.evalrun import SECTIONS, server_env, write_suite

_PROBE = """
import atexit, json, os, sys
atexit.register(lambda: print("MODULES " + json.dumps(sorted(
    m for m in sys.modules
    if m.startswith(("pipeline.commands.", "openai", "langchain", "httpx2", "aiohttp", "opencc"))
)), "PLUGINS " + str(os.environ.get("PYDANTIC_DISABLE_PLUGINS")), file=sys.stderr))
sys.argv = ["draft", *sys.argv[1:]]
from pipeline.cli import main
main()
"""


def _probe(
    *args: str, env: dict[str, str] | None = None
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Run `draft ARGS` in a subprocess: the process, and the command modules it imported."""
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )
    line = next(x for x in proc.stderr.splitlines() if x.startswith("MODULES "))
    return proc, json.loads(line.removeprefix("MODULES ").split(" PLUGINS ")[0])


def _plugins_setting(proc: subprocess.CompletedProcess[str]) -> str:
    line = next(x for x in proc.stderr.splitlines() if x.startswith("MODULES "))
    return line.split(" PLUGINS ")[1]


def test_help_lists_every_command_without_importing_any():
    proc, modules = _probe("--help")
    assert proc.returncode == 0, proc.stderr
    for name in COMMANDS:
        assert f"\n  {name} " in proc.stdout
    assert "Check FILE for missing parts" in proc.stdout
    assert "Evaluate drafts, prompts and models" in proc.stdout
    assert modules == []


def test_a_command_imports_only_its_own_module(tmp_path):
    text = tmp_path / "d.txt"
    text.write_text("青山县红星中学2020年工作总结\n二〇二〇年十二月\n", encoding="utf-8")
    proc, modules = _probe("check", str(text))
    assert proc.returncode in (0, 1), proc.stderr
    assert modules == ["pipeline.commands.check", "pipeline.commands.options"]
    # OpenCC is loaded only for a text with a Han character outside GB 2312 (〇 is not one)
    text.write_text("青山县红星中学2020年工作總結\n二〇二〇年十二月\n", encoding="utf-8")
    proc, modules = _probe("check", str(text))
    assert "style.traditional" in proc.stdout, proc.stderr
    assert "opencc" in modules and "pipeline.commands.check" in modules
    proc, modules = _probe("eval", "--help")
    assert proc.returncode == 0 and "compare" in proc.stdout
    assert modules == ["pipeline.commands.eval"]


def test_a_cached_rerun_loads_no_model_library(tmp_path, openai_server):
    facts = REPO / "examples" / "school-ideology-summary.yaml"
    env = {"OPENAI_BASE_URL": openai_server.base_url, "OPENAI_API_KEY": "sk-test-lazy"}
    args = ("run", str(facts), "--model", "openai:good", "-q", "-o", str(tmp_path / "d.md"))
    first, modules = _probe(*args, env=env)
    assert first.returncode == 0, first.stderr
    assert "Unclosed" not in first.stderr  # the HTTP session was closed with its event loop
    assert any(m.startswith("aiohttp") for m in modules)  # the probe sees them when loaded
    asked = openai_server.count()
    again, modules = _probe(*args, env=env)
    assert again.returncode == 0, again.stderr
    assert openai_server.count() == asked
    assert modules == ["pipeline.commands.options", "pipeline.commands.run"]


def test_a_cached_eval_rerun_loads_no_model_library(tmp_path, openai_server):
    env = server_env(openai_server)
    suite = write_suite(tmp_path, ["complete", "minimal"], "models: [openai:good]\n")
    first, modules = _probe("eval", str(suite), "-q", env=env)
    assert first.returncode == 0, first.stderr
    assert any(m.startswith("langchain") for m in modules)
    asked = openai_server.count()
    for workers in ("1", "2"):  # in this process, and in forked workers
        again, modules = _probe("eval", str(suite), "-q", "--workers", workers, env=env)
        assert again.returncode == 0, again.stderr
        assert f"0 answer(s) from the model, {asked} from the cache" in again.stderr
        assert modules == ["pipeline.commands.eval"]
    # One case more: the libraries load, and only what the cache lacks reaches the model.
    bigger = write_suite(
        tmp_path, ["complete", "minimal", "another-year"], "models: [openai:good]\n"
    )
    more, modules = _probe("eval", str(bigger), "-q", "--workers", "2", env=env)
    assert more.returncode == 0, more.stderr
    assert any(m.startswith("langchain") for m in modules)
    new = openai_server.count() - asked
    assert (
        new > 0
        and f"{new} answer(s) from the model, {3 * SECTIONS - new} from the cache" in more.stderr
    )


def test_unknown_command_is_a_usage_error_with_suggestions():
    proc, modules = _probe("chek", "x")
    assert proc.returncode == 2
    assert "No such command 'chek'. Did you mean 'check', 'cache'?" in proc.stderr
    assert "Traceback" not in proc.stderr and modules == []


@pytest.mark.parametrize("name", COMMANDS)
def test_listed_help_is_the_commands_own(name: str):
    """`draft --help` shows COMMANDS' text: it must say what the command's docstring says."""
    group = _LazyGroup(name="draft", rich_markup_mode=None)
    command = group.build(name)
    assert command.name == name
    own = " ".join((command.help or "").split("\n\n")[0].split())
    assert COMMANDS[name][1] == own


@pytest.mark.parametrize(
    "args",
    [
        ("run", "--help"),
        ("eval", "compare", "--help"),
        ("logs", "show", "--help"),
        ("cache", "--help"),
    ],
)
def test_sub_command_help(cli, args: tuple[str, ...]):
    result = cli(*args)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Usage: python -m pipeline {' '.join(args[:-1])} ")


def _leaf_commands() -> list[tuple[str, ...]]:
    """Every command a user runs: each entry of COMMANDS, or each sub-command of a group."""
    group = _LazyGroup(name="draft", rich_markup_mode=None)
    leaves: list[tuple[str, ...]] = []
    for name in COMMANDS:
        command = group.build(name)
        if isinstance(command, TyperGroup):
            leaves += [(name, sub) for sub in command.commands]
        else:
            leaves.append((name,))
    return leaves


@pytest.mark.parametrize("args", _leaf_commands(), ids=" ".join)
def test_help_names_arguments_as_the_text_does_and_shows_no_python_types(cli, args):
    """The usage line showed `{facts_file}` where the text says FACTS_FILE, and `--spec-dir`
    showed the metavar `<list[Path]>`: a Python type, not what to type."""
    result = cli(*args, "--help")
    assert result.returncode == 0, result.stderr
    usage = result.stdout.splitlines()[0]
    assert usage.startswith("Usage: "), usage
    assert not re.search(r"[{\[][a-z_]+[}\]]", usage), usage  # an argument in lower case
    assert not re.search(r"<(list|tuple|dict|Path|Optional)\b", result.stdout), result.stdout


def test_sub_apps_still_run(cli):
    listing = cli("eval", "list")
    assert listing.returncode == 0, listing.stderr
    assert "school-ideology-summary" in listing.stdout
    info = cli("cache", "info")
    assert info.returncode == 0, info.stderr
    bad = cli("logs", "-n", "0")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_pydantic_plugins_are_off_unless_the_user_says_otherwise(monkeypatch):
    monkeypatch.delenv("PYDANTIC_DISABLE_PLUGINS", raising=False)
    proc, _ = _probe("--help")
    assert _plugins_setting(proc) == "1"
    proc, _ = _probe("--help", env={"PYDANTIC_DISABLE_PLUGINS": "logfire"})
    assert _plugins_setting(proc) == "logfire"


def test_version_is_the_installed_distributions_and_imports_no_command(cli):
    import importlib.metadata

    proc = cli("--version")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"draft (Draftsmith) {importlib.metadata.version('draftsmith')}\n"
    probe, modules = _probe("--version")
    assert probe.returncode == 0 and modules == []
