"""No API key in anything a run writes: outputs, the cache, the run log, messages, logs."""

from __future__ import annotations

from pathlib import Path

from modelrun import KEY, draft_run

from pipeline.models.redact import MASK, redact, register_secret


def _files_under(*roots: Path) -> list[Path]:
    return [p for root in roots for p in root.rglob("*") if p.is_file()]


def test_the_key_appears_in_no_file_a_run_wrote(tmp_path, openai_server, draftsmith_home, cli):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    # a good run (fills the cache and the log), then one whose 401 echoes the key back
    good = draft_run(out_dir, openai_server, out_name="good.json")
    assert good.code == 0, good.stderr
    openai_server.script("*", "401", "401")  # each section: a 401 in each of the next two runs
    bad = draft_run(out_dir, openai_server, "--no-cache", out_name="bad.json")
    assert bad.code == 3
    md = draft_run(out_dir, openai_server, "--no-cache", out_name="bad.md")
    assert md.code == 3

    # the key was really sent, and really echoed by the server
    auths = {r.authorization for r in openai_server.requests()}
    assert auths == {f"Bearer {KEY}"}
    assert f"Incorrect API key provided: {MASK}" in bad.section("theory_study")["error"]

    logs = cli("logs", "show", "3")
    listing = cli("logs")
    assert logs.returncode == 0, logs.stderr

    files = _files_under(out_dir, draftsmith_home)
    names = {p.name for p in files}
    assert {"good.json", "bad.json", "bad.md", "responses.sqlite", "logs.db"} <= names
    for path in files:
        data = path.read_bytes()
        assert KEY.encode() not in data, path
    for text in (
        good.stderr,
        bad.stderr,
        md.stderr,
        bad.proc.stdout,
        logs.stdout,
        logs.stderr,
        listing.stdout,
    ):
        assert KEY not in text
    assert "401 Unauthorized" in logs.stdout  # the log keeps the (masked) error


def test_missing_key_names_the_variable_and_writes_nothing(tmp_path, openai_server, cli):
    out = tmp_path / "draft.md"
    out.write_text("existing", encoding="utf-8")
    proc = cli(
        "run",
        "examples/school-ideology-summary.yaml",
        "--model",
        "openai:good",
        "-o",
        out,
        env={"OPENAI_BASE_URL": openai_server.base_url},
    )
    assert proc.returncode == 2
    assert "set the environment variable OPENAI_API_KEY" in proc.stderr
    assert "or name another one with --api-key-env" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert out.read_text(encoding="utf-8") == "existing"
    assert openai_server.count() == 0

    other = cli(
        "run",
        "examples/school-ideology-summary.yaml",
        "--model",
        "openai:good",
        "--api-key-env",
        "MY_PROVIDER_KEY",
        env={"OPENAI_API_KEY": KEY},
    )
    assert other.returncode == 2
    assert "set the environment variable MY_PROVIDER_KEY" in other.stderr

    # learn has no --api-key-env: its message does not send the user to one
    learn = cli("learn", "tests/data/school-ideology-summary-2020.txt", "--model", "openai:good")
    assert learn.returncode == 2 and "set the environment variable OPENAI_API_KEY" in learn.stderr
    assert "--api-key-env" not in learn.stderr


def test_redact_masks_registered_keys_and_bearer_tokens():
    register_secret("sk-abcdef-123456")
    assert redact("key sk-abcdef-123456 used") == f"key {MASK} used"
    assert redact("Authorization: Bearer xyz.987") == f"Authorization: Bearer {MASK}"
    assert redact("short ab", "ab") == "short ab"  # too short to be a key
    assert redact("other-secret-999 here", "other-secret-999") == f"{MASK} here"
    assert redact("at http://bob:pw-9@gw.local:8000/v1") == f"at http://bob:{MASK}@gw.local:8000/v1"
    assert redact("http://gw.local:8000/v1/a:b@c") == "http://gw.local:8000/v1/a:b@c"


def test_a_base_url_with_a_password_is_refused_without_quoting_it(
    tmp_path, openai_server, draftsmith_home
):
    """A gateway behind basic auth given as http://user:password@host/v1: the HTTP client
    cannot send it beside the key, and the password must not be echoed or stored."""
    password = "gw-pass-7f3a9"
    url = openai_server.base_url.replace("http://", f"http://office:{password}@")
    run = draft_run(tmp_path, openai_server, env={"OPENAI_BASE_URL": url})
    assert run.code == 2, run.stderr
    assert "carries a user name or password" in run.stderr and "office:***@" in run.stderr
    assert password not in run.stderr
    assert openai_server.count() == 0
    for path in _files_under(tmp_path, draftsmith_home):
        assert password.encode() not in path.read_bytes(), path
