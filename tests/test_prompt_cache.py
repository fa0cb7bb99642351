"""The template check is remembered across processes for an unchanged spec and templates only;
any edit is checked afresh and reported as before."""

from __future__ import annotations

import contextlib
import shutil
import threading
from pathlib import Path

import pytest

from pipeline import paths, prompts
from pipeline.errors import InputError
from pipeline.spec import load_spec_file
from tests.conftest import EXAMPLES, REPO

DOCTYPE = "school-ideology-summary"
FACTS = EXAMPLES / f"{DOCTYPE}.yaml"


@pytest.fixture
def doctype_copy(tmp_path: Path) -> Path:
    root = tmp_path / "types"
    (root / "schemas").mkdir(parents=True)
    shutil.copy(REPO / f"schemas/{DOCTYPE}.yaml", root / "schemas")
    shutil.copytree(REPO / f"prompts/{DOCTYPE}", root / f"prompts/{DOCTYPE}")
    return root


@pytest.fixture
def new_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget the sets loaded in this process, as a new process would."""
    monkeypatch.setattr(prompts, "_LOADED", {})


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _records() -> list[Path]:
    folder = paths.templates_cache_dir() / "checked"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def _load(root: Path):  # type: ignore[no-untyped-def]
    prompts._LOADED.clear()
    return load_spec_file(root / f"schemas/{DOCTYPE}.yaml")


def test_a_passed_check_is_recorded_and_then_skipped(doctype_copy, new_process, monkeypatch):
    assert _records() == []
    _load(doctype_copy)
    assert len(_records()) == 1

    def fail(*args: object) -> None:
        raise AssertionError("checked again")

    monkeypatch.setattr(prompts, "check_sources", fail)
    spec = _load(doctype_copy)
    assert prompts.PromptSet.load(spec).render_title({"report_year": 2020, "school_name": "甲"})

    _edit(doctype_copy / f"prompts/{DOCTYPE}/plans.j2", "{{ m.detail", "{{ m.detail ")
    with pytest.raises(AssertionError, match="checked again"):
        _load(doctype_copy)


@pytest.mark.parametrize(
    ("template", "old", "new", "expected"),
    [
        ("organization.j2", "{{ leading_group_head }}", "{{ principal_name }}", "principal_name"),
        (
            "civic_culture.j2",
            "{{ facilities | series }}",
            "{{ facilities | series }",
            r"civic_culture\.j2:\d+: template syntax error",
        ),
        ("plans.j2", "{{ m.detail | sentence }}", "{{ m.details | sentence }}", "details"),
    ],
)
def test_a_template_edited_after_a_passed_check_is_checked_again(
    doctype_copy, new_process, template, old, new, expected
):
    _load(doctype_copy)
    recorded = _records()
    _edit(doctype_copy / f"prompts/{DOCTYPE}" / template, old, new)
    with pytest.raises(InputError, match=expected) as err:
        _load(doctype_copy)
    assert template in str(err.value)
    assert _records() == recorded  # a failing check is never recorded


def test_a_spec_edited_after_a_passed_check_is_checked_again(doctype_copy, new_process):
    _load(doctype_copy)
    spec = doctype_copy / f"schemas/{DOCTYPE}.yaml"
    _edit(spec, "{{ school_name }}{{ report_year }}", "{{ school_nam }}{{ report_year }}")
    with pytest.raises(InputError, match="field 'title' uses 'school_nam'"):
        _load(doctype_copy)


def test_a_deleted_template_is_reported_after_a_passed_check(doctype_copy, new_process):
    _load(doctype_copy)
    (doctype_copy / f"prompts/{DOCTYPE}/shortcomings.j2").unlink()
    with pytest.raises(InputError, match="template for section 'shortcomings' not found"):
        _load(doctype_copy)


def test_the_cli_reports_a_template_broken_after_a_cached_run(doctype_copy, cli, tmp_path):
    out = tmp_path / "draft.md"
    first = cli("run", FACTS, "--spec-dir", doctype_copy, "-o", out, "--no-log")
    assert first.returncode == 0, first.stderr
    assert len(_records()) == 1

    tmpl = doctype_copy / f"prompts/{DOCTYPE}/organization.j2"
    _edit(tmpl, "{{ leading_group_head }}", "{{ principal_name }}")
    broken = cli("run", FACTS, "--spec-dir", doctype_copy, "-o", out, "--no-log")
    assert broken.returncode == 2
    assert "Traceback" not in broken.stderr
    assert str(tmpl) in broken.stderr and "principal_name" in broken.stderr
    assert len(_records()) == 1


def test_compiled_templates_follow_an_edit(doctype_copy, cli, tmp_path):
    """The bytecode cache never serves a template's old code."""
    out = tmp_path / "draft.txt"
    assert cli("run", FACTS, "--spec-dir", doctype_copy, "-o", out, "--no-log").returncode == 0
    assert "确有实效" not in out.read_text(encoding="utf-8")
    assert any((paths.templates_cache_dir() / "bytecode").iterdir())

    tmpl = doctype_copy / f"prompts/{DOCTYPE}/plans.j2"
    text = tmpl.read_text(encoding="utf-8")
    start = text.index("{% block skeleton %}") + len("{% block skeleton %}")
    tmpl.write_text(text[:start] + "确有实效。" + text[start:], encoding="utf-8")
    again = cli("run", FACTS, "--spec-dir", doctype_copy, "-o", out, "--no-log")
    assert again.returncode == 0, again.stderr
    assert "确有实效" in out.read_text(encoding="utf-8")


def test_a_running_process_sees_an_edited_template_even_in_a_subfolder(doctype_copy):
    """A long-running process (the web app) drafts from the templates as they are now."""
    pdir = doctype_copy / f"prompts/{DOCTYPE}"
    (pdir / "parts").mkdir()
    (pdir / "parts" / "closing.j2").write_text("旧的结尾。", encoding="utf-8")
    _edit(
        pdir / "plans.j2",
        "{% block guidance %}",
        "{% block guidance %}{% include 'parts/closing.j2' %}",
    )
    spec = _load(doctype_copy)
    values = {name: f.example for name, f in spec.facts.items()}
    plans = spec.section("plans")

    def user_message() -> str:
        return prompts.PromptSet.load(spec).render_section(plans, values).messages[1].content

    assert "旧的结尾。" in user_message()
    (pdir / "parts" / "closing.j2").write_text("改过的新结尾。", encoding="utf-8")
    assert "改过的新结尾。" in user_message()
    _edit(pdir / "plans.j2", "{% include", "另加一句。{% include")
    assert "另加一句。" in user_message()


def test_an_unwritable_cache_is_no_error(cli, tmp_path, draftsmith_home):
    (draftsmith_home / "cache").write_text("not a folder", encoding="utf-8")
    out = tmp_path / "draft.md"
    result = cli("run", FACTS, "-o", out, "--no-log")
    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8").strip()


def test_cache_clear_empties_the_template_cache(cli, tmp_path):
    assert cli("run", FACTS, "-o", tmp_path / "d.md", "--no-log").returncode == 0
    assert paths.templates_cache_dir().is_dir()
    cleared = cli("cache", "clear")
    assert cleared.returncode == 0, cleared.stderr
    assert "removed the checked and compiled templates" in cleared.stdout
    assert not paths.templates_cache_dir().exists()


def test_cache_clear_while_a_run_compiles_its_templates(cli):
    """`draft cache clear` while another process wrote compiled templates into the cache
    failed with 'error: bytecode: Directory not empty' (exit 2): a file written between the
    deletion's listing of the folder and its removal of it."""
    bytecode = paths.templates_cache_dir() / "bytecode"
    stop = threading.Event()

    def compile_again_and_again() -> None:  # as Jinja's bytecode cache writes, by path
        n = 0
        while not stop.is_set():
            with contextlib.suppress(OSError):
                bytecode.mkdir(parents=True, exist_ok=True)
                (bytecode / f"__jinja2_{n % 50}.cache").write_bytes(b"compiled")
            n += 1

    writer = threading.Thread(target=compile_again_and_again)
    writer.start()
    try:
        for _ in range(3):
            cleared = cli("cache", "clear")
            assert cleared.returncode == 0, cleared.stderr
    finally:
        stop.set()
        writer.join()
    leftovers = [p.name for p in paths.user_cache_dir().iterdir() if "removing" in p.name]
    assert leftovers == []
