"""Bad input across commands: each is refused with the file, the field and what was expected,
exit code 2, no traceback, and no output overwritten.

Cases one command owns are in its own tests (test_facts.py, test_spec.py, test_check_cli.py,
test_eval_suite_errors.py); these are the ones every command that reads a file shares.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import paths
from tests.conftest import EXAMPLES, REPO

FACTS = EXAMPLES / "annual-work-summary.yaml"
SUITE = REPO / "evals" / "annual-work-summary.yaml"


def _refused(result, *says: str) -> None:
    """Exit 2, a one-line `error:` naming what is given, and no Python exception."""
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert result.stderr.startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr and "Error(" not in result.stderr, result.stderr
    for text in says:
        assert text in result.stderr, (text, result.stderr)


def _kept(path: Path, before: tuple[bytes, int]) -> None:
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def _existing_output(tmp_path: Path, name: str = "draft.docx") -> tuple[Path, tuple[bytes, int]]:
    out = tmp_path / name
    out.write_bytes(b"the clerk's own file")
    os.utime(out, ns=(1_600_000_000_000_000_000,) * 2)
    return out, (out.read_bytes(), out.stat().st_mtime_ns)


# Each command's file argument: (suffix, arguments with {} for the file).
FILE_ARGUMENTS = {
    "run": (".yaml", ["run", "{}"]),
    "check": (".txt", ["check", "{}"]),
    "check-docx": (".docx", ["check", "{}"]),
    "check-facts": (".yaml", ["check", FACTS, "--facts", "{}"]),
    "check-doctype": (".yaml", ["check", FACTS, "--doctype", "{}"]),
    "export": (".json", ["export", "{}"]),
    "facts-template": (".yaml", ["facts-template", "{}"]),
    "learn": (".txt", ["learn", "{}", "--out", "learned"]),
    "eval": (".yaml", ["eval", "run", "{}"]),
}


def _command(name: str, path: Path) -> list[str | os.PathLike[str]]:
    return [path if arg == "{}" else arg for arg in FILE_ARGUMENTS[name][1]]


@pytest.mark.parametrize("command", FILE_ARGUMENTS)
def test_a_named_pipe_is_refused_not_waited_for(tmp_path, cli, command):
    """A FIFO that nothing writes to: opening it plainly would wait for a writer forever."""
    fifo = tmp_path / f"input{FILE_ARGUMENTS[command][0]}"
    os.mkfifo(fifo)
    _refused(cli(*_command(command, fifo), cwd=tmp_path), str(fifo), "pipe")


@pytest.mark.parametrize(
    ("command", "expected"), [("eval", "an evaluation suite"), ("run", "a facts file")]
)
def test_the_expected_kind_of_file_takes_its_article(tmp_path, cli, command, expected):
    """It read "expected a evaluation suite"."""
    fifo = tmp_path / f"input{FILE_ARGUMENTS[command][0]}"
    os.mkfifo(fifo)
    _refused(cli(*_command(command, fifo)), f"{fifo}: expected {expected}, found a named pipe")


def test_a_pipe_with_a_writer_is_still_read(tmp_path, cli):
    """`draft check <(…)`, `/dev/stdin`: a pipe something writes to reads whole."""
    done = cli("check", "/dev/stdin", input="一、总结\n今年共开展学习12次。\n")
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("command", ["run", "check", "eval"])
def test_utf16_without_a_byte_order_mark_is_named(tmp_path, cli, command):
    """Chinese UTF-16 text without a BOM is neither UTF-8 nor GB18030: the message says
    what it likely is, not only which byte failed."""
    path = tmp_path / f"input{FILE_ARGUMENTS[command][0]}"
    path.write_bytes(FACTS.read_text(encoding="utf-8").encode("utf-16-le"))
    _refused(cli(*_command(command, path)), str(path), "UTF-16", "byte-order mark")


def test_a_raw_control_character_in_yaml_is_named_at_its_line(tmp_path, cli):
    """The YAML reader marks it by offset only: the message gives the line."""
    text = FACTS.read_text(encoding="utf-8")
    path = tmp_path / "facts.yaml"
    path.write_text(text.replace("青山县自然资源局", "青山县\x01自然资源局", 1), "utf-8")
    line = text.splitlines().index(next(t for t in text.splitlines() if "青山县自然资源局" in t))
    _refused(cli("run", path), f"{path}:{line + 1}: invalid YAML", "U+0001")


@pytest.mark.parametrize(("source", "what"), [(FACTS, "facts file"), (SUITE, "evaluation suite")])
def test_a_number_as_a_key_is_an_unknown_field_at_its_line(tmp_path, cli, source, what):
    """`2020:` is read by YAML as a number: named as the unknown field it is, at its line,
    with the fields expected (pydantic said "Keys should be strings", at line 1)."""
    text = source.read_text(encoding="utf-8")
    path = tmp_path / source.name
    path.write_text(text + "2020: 青山县\n", encoding="utf-8")
    line = text.count("\n") + 1
    command = ["run", path] if what == "facts file" else ["eval", "run", path]
    result = cli(*command)
    _refused(result, f"{line}: unknown field '2020'", "expected one of")
    assert "Keys should be strings" not in result.stderr


def test_a_date_where_text_is_expected_is_quoted_as_written(tmp_path, cli):
    """YAML reads 2023-01-01 as a date: the message quotes it as typed and says to quote it,
    not Python's datetime.date(2023, 1, 1)."""
    text = FACTS.read_text(encoding="utf-8")
    path = tmp_path / "facts.yaml"
    path.write_text(text.replace("unit_name: 青山县自然资源局", "unit_name: 2023-01-01"), "utf-8")
    assert path.read_text(encoding="utf-8") != text
    result = cli("run", path)
    _refused(result, "field 'unit_name' (单位名称", "got '2023-01-01'", "quotes")
    assert "datetime" not in result.stderr


@pytest.mark.parametrize("make", ["fifo", "loop", "dangling"])
def test_a_draft_toml_that_cannot_be_read_is_not_passed_over(tmp_path, cli, make):
    """The working directory's draft.toml as a pipe or a broken link: refused by name (it was
    skipped in silence, the house style or profile it was meant to give lost)."""
    config = tmp_path / "draft.toml"
    if make == "fifo":
        os.mkfifo(config)
    else:
        config.symlink_to(config if make == "loop" else tmp_path / "nowhere.toml")
    out, before = _existing_output(tmp_path)
    _refused(cli("run", FACTS, "-o", out, cwd=tmp_path), str(config))
    _kept(out, before)


@pytest.mark.parametrize(
    ("style", "says"),
    [
        ('font = "仿宋\\u0001"', "'style.title.font': a font name cannot hold control characters"),
        (f'font = "{"宋" * 5000}"', "'style.title.font': expected at most 60 characters"),
        ("font = 2020-01-01", "'style.title.font': expected text, got '2020-01-01'"),
        ("font = 3", "'style.title.font': expected text, got 3"),
        ("size = 1e308", "'style.title.size': expected a value ≤ 72"),
    ],
)
def test_a_bad_style_in_the_users_draft_toml_is_refused_before_writing(tmp_path, cli, style, says):
    """A control character reached Word's XML as a traceback (exit 1); pydantic's own words
    and a 5,000-character value were quoted whole."""
    config = paths.user_config_dir() / "draft.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f"[style.title]\n{style}\n", encoding="utf-8")
    out, before = _existing_output(tmp_path)
    result = cli("run", FACTS, "-o", out, cwd=tmp_path)
    _refused(result, str(config), says)
    assert len(result.stderr) < 500 and "Input should" not in result.stderr
    _kept(out, before)


@pytest.mark.parametrize("make", ["file", "link"])
def test_cache_clear_removes_a_file_where_a_cache_folder_belongs(cli, make):
    """A file (or a link) in place of the templates folder made `clear` fail naming its own
    temporary name (.templates.removing-1738: Not a directory), and left that file behind."""
    templates = paths.user_cache_dir() / "templates"
    templates.parent.mkdir(parents=True, exist_ok=True)
    if make == "file":
        templates.write_text("not a folder", encoding="utf-8")
    else:
        templates.symlink_to(templates.parent)  # rmtree refuses a link: it must go, not its target
    result = cli("cache", "clear")
    assert result.returncode == 0, result.stderr
    assert not templates.exists() and not templates.is_symlink()
    assert templates.parent.is_dir()
    assert not [p.name for p in templates.parent.iterdir() if "removing" in p.name]


def _occupy(path: Path, make: str) -> str:
    """Put a directory, a named pipe or a link to itself at `path`; what the message says."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if make == "directory":
        path.mkdir()
        return "is a directory, not the"
    if make == "fifo":
        os.mkfifo(path)
        return "is a named pipe (FIFO), not the"
    path.symlink_to(path)
    return "is a symbolic link that leads back to itself, not the"


STORES = ["directory", "fifo", "loop"]


@pytest.mark.parametrize("make", STORES)
@pytest.mark.parametrize(
    "command", [["logs"], ["logs", "show", "1"], ["logs", "prune", "--keep", "1"]]
)
def test_something_else_in_the_run_logs_place_is_named(cli, make, command):
    """A folder or a pipe was reported as a folder that cannot be written or a full disk; a
    link to itself read as an empty log (exit 0)."""
    log = paths.user_data_dir() / "logs.db"
    says = _occupy(log, make)
    _refused(cli(*command), f"{log}: {says} run log")
    assert log.is_symlink() or log.exists()
    assert "disk has space" not in cli(*command).stderr


@pytest.mark.parametrize("make", STORES)
def test_draft_run_with_something_else_in_the_run_logs_place_stops_before_drafting(
    tmp_path, cli, make
):
    """As with any log that cannot be written at all: nothing is drafted or paid for, no
    output is touched, and the message says how to draft without the log."""
    says = _occupy(paths.user_data_dir() / "logs.db", make)
    out, before = _existing_output(tmp_path, "draft.md")
    result = cli("run", FACTS, "-o", out)
    _refused(result, f"{says} run log", "--no-log")
    _kept(out, before)
    assert cli("run", FACTS, "-o", out, "--no-log").returncode == 0


@pytest.mark.parametrize("make", STORES)
@pytest.mark.parametrize(
    "command", [["cache", "info"], ["cache", "clear"], ["cache", "clear", "--older-than", "1"]]
)
def test_something_else_in_the_answer_caches_place_is_named(cli, make, command):
    """`cache info` showed a link to itself as an empty cache; `cache clear` said only "Is a
    directory", or removed a pipe as if it were a damaged cache."""
    cache = paths.user_cache_dir() / "responses.sqlite"
    says = _occupy(cache, make)
    result = cli(*command)
    _refused(result, f"{cache}: {says} answer cache")
    assert cache.is_symlink() or cache.exists()


def test_a_key_given_twice_in_a_json_facts_file_is_refused_as_in_yaml(tmp_path, cli):
    """YAML refused it; JSON kept the last value in silence."""
    path = tmp_path / "facts.json"
    path.write_text(
        '{"doctype": "annual-work-summary",\n "facts": {"unit_name": "甲单位",\n'
        ' "unit_name": "乙单位"}}\n',
        encoding="utf-8",
    )
    _refused(cli("run", path), f"{path}:3: invalid JSON: duplicate key 'unit_name'")


SAMPLE = REPO / "tests" / "data" / "teacher-training-summary-2023.txt"


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs /proc, where no folder is made")
def test_learn_into_a_folder_the_system_will_not_make_says_what_was_expected(cli):
    """It said only the system's "No such file or directory"."""
    _refused(
        cli("learn", SAMPLE, "--out", "/proc/draftsmith-learned"),
        "/proc/draftsmith-learned: cannot make the output folder (No such file or directory): "
        "expected a folder the document type can be written into",
    )


def test_learn_into_a_folder_under_a_file_is_refused_before_learning(tmp_path, cli):
    """It said only the system's "Not a directory", naming a folder inside the one given."""
    (tmp_path / "notes.txt").write_text("a file", encoding="utf-8")
    out = tmp_path / "notes.txt" / "types"
    _refused(
        cli("learn", SAMPLE, "--out", out),
        f"{out}: cannot write the document type here: {tmp_path / 'notes.txt'} is a file, "
        "not a folder",
    )


def _output_commands(tmp_path: Path, cli) -> dict[str, list[str | os.PathLike[str]]]:
    """Each command that writes an -o file, with {} for that file."""
    draft = tmp_path / "draft.json"
    assert cli("run", FACTS, "-o", draft, "--no-log").returncode == 0
    return {
        "run": ["run", FACTS, "--format", "md", "--no-log", "-o", "{}"],
        "export": ["export", draft, "--format", "md", "-o", "{}"],
        "check-fix": ["check", SAMPLE, "--fix", "-o", "{}"],
        "eval": ["eval", "run", SUITE, "-q", "--case", "complete", "-o", "{}"],
    }


@pytest.mark.parametrize("loop", ["itself", "each other"])
def test_an_output_that_is_a_link_loop_is_refused_and_the_link_kept(tmp_path, cli, loop):
    """The output was written in the link's place (exit 0), the link lost: there is no file
    to write through to."""
    out = tmp_path / "out.md"
    if loop == "itself":
        out.symlink_to(out)
    else:
        (tmp_path / "other.md").symlink_to(out)
        out.symlink_to(tmp_path / "other.md")
    link = os.readlink(out)
    for name, command in _output_commands(tmp_path, cli).items():
        result = cli(*[out if arg == "{}" else arg for arg in command])
        _refused(result, f"{out}: the output is a symbolic link that leads back to itself")
        assert out.is_symlink() and os.readlink(out) == link, name


def test_a_link_to_a_file_not_there_yet_is_still_written_through(tmp_path, cli):
    """What a loop must not catch: a link to a file yet to be made is written through."""
    out = tmp_path / "out.md"
    out.symlink_to(tmp_path / "later.md")
    assert cli("run", FACTS, "-o", out, "--no-log").returncode == 0
    assert out.is_symlink() and (tmp_path / "later.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", ["run", "eval"])
@pytest.mark.parametrize("link", ["nowhere", "itself"])
def test_an_output_under_a_broken_link_names_the_link(tmp_path, cli, command, link):
    """It said only the system's "File exists" (mkdir of the folder where the link is);
    `draft eval -o` under a link to itself was a traceback (Path.resolve: RuntimeError)."""
    reports = tmp_path / "reports"
    reports.symlink_to(tmp_path / "gone" if link == "nowhere" else reports)
    out = reports / "draft.md"
    if command == "run":
        result = cli("run", FACTS, "-o", out, "--no-log")
    else:
        result = cli("eval", "run", SUITE, "-q", "--case", "complete", "-o", out)
    _refused(result, f"{out}: cannot write the output: {reports} is a symbolic link to nothing")
    assert not (tmp_path / "gone").exists()


def test_check_fix_of_a_pipe_asks_for_o_and_writes_nothing_beside_it(tmp_path, cli):
    """`draft check /dev/stdin --fix` wrote /dev/stdin.fixed.txt (into /dev, as root; else a
    read-only folder was blamed)."""
    text = "一、总结\n今年共开展学习12次 。\n"
    before = set(os.listdir("/dev"))
    result = cli("check", "/dev/stdin", "--fix", input=text)
    _refused(result, "/dev/stdin: --fix names the cleaned copy after FILE", "-o")
    assert set(os.listdir("/dev")) - before == set()
    out = tmp_path / "cleaned.txt"
    done = cli("check", "/dev/stdin", "--fix", "-o", out, input=text)
    assert done.returncode in (0, 1), done.stderr
    assert out.read_text(encoding="utf-8").startswith("一、总结\n")


def test_check_fix_of_a_file_through_a_link_is_still_named_after_the_link(tmp_path, cli):
    """What the pipe rule must not catch: a link to a regular file."""
    sample = tmp_path / "sample.txt"
    sample.symlink_to(SAMPLE)
    done = cli("check", sample, "--fix")
    assert done.returncode in (0, 1), done.stderr
    assert (tmp_path / "sample.fixed.txt").is_file()


@pytest.mark.parametrize("value", [".nan", ".inf"])
def test_a_number_that_is_not_finite_in_a_spec_is_said_in_the_messages_words(tmp_path, cli, value):
    """pydantic's own "Input should be a finite number" was quoted."""
    specs = tmp_path / "types"
    (specs / "schemas").mkdir(parents=True)
    spec = specs / "schemas" / "annual-work-summary-copy.yaml"
    text = (REPO / "schemas" / "annual-work-summary.yaml").read_text(encoding="utf-8")
    text = text.replace("id: annual-work-summary", "id: annual-work-summary-copy", 1)
    assert "length: {min: 60, max: 500}" in text
    spec.write_text(
        text.replace("length: {min: 60, max: 500}", f"length: {{min: 60, max: {value}}}", 1),
        "utf-8",
    )
    shutil.copytree(REPO / "prompts" / "annual-work-summary", specs / "prompts" / spec.stem)
    result = cli("doctypes", "--spec-dir", specs)
    _refused(result, "field 'sections[0].length.max': expected a finite number", f"got {value[1:]}")
    assert "Input should" not in result.stderr


def test_nan_in_a_draft_json_is_said_in_the_messages_words(tmp_path, cli):
    """Python's JSON reads NaN; pydantic refused it in its own words."""
    draft = tmp_path / "draft.json"
    assert cli("run", FACTS, "-o", draft, "--no-log").returncode == 0
    text = draft.read_text(encoding="utf-8")
    assert '"input_tokens": 0' in text
    draft.write_text(text.replace('"input_tokens": 0', '"input_tokens": NaN', 1), "utf-8")
    result = cli("export", draft, "-o", tmp_path / "draft.md")
    _refused(result, str(draft), "expected a finite number", "got nan")
    assert "Input should" not in result.stderr
    assert not (tmp_path / "draft.md").exists()


@pytest.mark.parametrize("option", ["--facts", "--doctype"])
def test_check_fix_into_the_facts_or_spec_it_checks_against_is_refused(tmp_path, cli, option):
    """The cleaned text replaced the facts file (kept as facts（已编辑）.yaml): the next
    `draft run facts.yaml` read a report as facts."""
    given = tmp_path / "facts.yaml"
    source = FACTS if option == "--facts" else REPO / "schemas" / "annual-work-summary.yaml"
    given.write_bytes(source.read_bytes())
    before = (given.read_bytes(), given.stat().st_mtime_ns)
    result = cli("check", SAMPLE, option, given, "--fix", "-o", given)
    _refused(result, f"{given}: the output would replace the input file")
    _kept(given, before)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["facts.yaml"]


def test_check_fix_in_place_is_still_written_with_the_original_kept(tmp_path, cli):
    """What that must not catch: FILE itself as -o, fixed in place, the original kept."""
    text = tmp_path / "report.txt"
    text.write_text("一、总结\n今年共开展学习的的12次。\n", encoding="utf-8")
    done = cli("check", text, "--facts", FACTS, "--fix", "-o", text)
    assert done.returncode in (0, 1), done.stderr
    assert text.read_text(encoding="utf-8") == "一、总结\n今年共开展学习的12次。\n"
    assert (tmp_path / "report（已编辑）.txt").read_text(encoding="utf-8").count("的的") == 1


def _undecodable_name(tmp_path: Path, name: bytes) -> Path:
    """A path in `tmp_path` whose name holds a byte that is not UTF-8 (as a file copied from
    a GBK system keeps it), as Python gives it: a lone surrogate."""
    path = tmp_path / os.fsdecode(name)
    try:
        path.touch()
        path.unlink()
    except (OSError, UnicodeError):
        pytest.skip("this file system refuses names that are not UTF-8")
    return path


def test_file_names_that_are_not_utf8_are_drafted_logged_and_learned(tmp_path, cli):
    """The run log's insert, the record of written files, the draft JSON's provenance, the
    template check's hash and Jinja's bytecode cache each encoded the name as UTF-8: a
    traceback (exit 1), the first after the output was already written."""
    facts = _undecodable_name(tmp_path, b"\xd7\xdc\xbd\xe1.yaml")  # 总结 in GBK
    facts.write_bytes(FACTS.read_bytes())
    for out in (tmp_path / "draft.json", _undecodable_name(tmp_path, b"\xb8\xe5.md")):
        done = cli("run", facts, "-o", out)
        assert done.returncode == 0, done.stderr
        again = cli("run", facts, "-o", out)  # the record of what was written is read back
        assert again.returncode == 0 and "已编辑" not in again.stderr, again.stderr
    logged = cli("logs", "--json", "-n", "1")
    assert logged.returncode == 0 and "\\\\xd7" in logged.stdout, logged.stdout
    source = json.loads((tmp_path / "draft.json").read_text(encoding="utf-8"))
    assert source["provenance"]["facts_source"].startswith(str(tmp_path))
    assert source["provenance"]["facts_source"].endswith("\\xe1.yaml")  # the bytes, written out
    sample = _undecodable_name(tmp_path, b"\xb7\xb6\xce\xc4.txt")  # 范文
    sample.write_bytes(SAMPLE.read_bytes())
    learned = _undecodable_name(tmp_path, b"\xc0\xe0\xd0\xcd")  # 类型
    for args in (["learn", sample, "--out", learned], ["doctypes", "--spec-dir", learned]):
        _done_in_bytes(*args)


def _done_in_bytes(*args: str | os.PathLike[str]) -> None:
    """Run `draft ARGS`, whose output names a file by its bytes (as ls does: not UTF-8),
    and check that it succeeded."""
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", *args], cwd=REPO, capture_output=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert b"Traceback" not in done.stderr


def test_an_evaluation_suite_whose_name_is_not_utf8_runs_and_resumes(tmp_path):
    """Writing run.json (the suite's path) was a traceback, the run folder left without it."""
    suite = _undecodable_name(tmp_path, b"\xc6\xc0\xb2\xe2.yaml")  # 评测
    suite.write_text(
        SUITE.read_text(encoding="utf-8").replace("cases/", f"{SUITE.parent}/cases/"), "utf-8"
    )
    _done_in_bytes("eval", "run", suite, "-q", "--case", "complete")
    (run,) = (paths.user_data_dir() / "runs").iterdir()
    assert json.loads((run / "run.json").read_text(encoding="utf-8"))["suite_path"] == str(suite)
    _done_in_bytes("eval", "run", "-q", "--resume", run.name)
    _done_in_bytes("eval", "report", run.name)
