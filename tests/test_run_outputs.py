"""`draft run` with several outputs against a real model: what the clerk is told when one of
them cannot be written once the run is under way."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from modelrun import EXAMPLE, OUTPUTS, SECTIONS, model_env, start_run

from pipeline.testing.openai_server import ScriptedOpenAIServer


def _wait_for_a_request(server: ScriptedOpenAIServer) -> None:
    """Wait until the run has asked the model (it is past its up-front checks)."""
    deadline = time.monotonic() + 60
    while server.count() == 0:
        assert time.monotonic() < deadline, "the run never asked the model"
        time.sleep(0.02)


def test_an_output_that_fails_late_does_not_hide_the_others(tmp_path, openai_server, cli):
    """总结.md becomes a folder while the model answers. The other outputs are still
    written and named, the copy of the clerk's own 总结.docx is still reported, the
    failure names its path and what to do, and the same command afterwards writes it
    without asking the model again."""
    docx = tmp_path / "总结.docx"
    edited = "the clerk's own 总结.docx, filled in".encode()
    docx.write_bytes(edited)
    openai_server.latency = 2.0
    run = start_run(openai_server, tmp_path)
    _wait_for_a_request(openai_server)
    (tmp_path / "总结.md").mkdir()  # checked before the model was asked; now in the way
    _, err = run.communicate(timeout=120)
    assert run.returncode == 2, err
    assert "Traceback" not in err
    assert "→ 总结.docx, 总结.json" in err  # written, and said so
    assert "总结.docx was not the file Draftsmith last wrote there" in err
    assert "kept as 总结（已编辑）.docx" in err
    assert (tmp_path / "总结（已编辑）.docx").read_bytes() == edited
    assert "error: 总结.md: the output is a directory" in err
    assert "not written: 总结.md; run the same command again" in err
    assert "logged as run 1" in err
    assert len(list(tmp_path.glob(".*.tmp"))) == 0

    (tmp_path / "总结.md").rmdir()
    asked = openai_server.count()
    assert asked == len(SECTIONS)
    again = start_run(openai_server, tmp_path)
    _, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert openai_server.count() == asked  # every answer came from the cache
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*OUTPUTS, "总结（已编辑）.docx"])


def test_ctrl_c_while_writing_still_says_where_the_clerks_file_went(
    tmp_path, openai_server, draftsmith_home
):
    """Ctrl-C after 总结.docx was written (the clerk's own file kept beside it) but before
    the next output: the interruption names the copy, not only the output written."""
    docx = tmp_path / "总结.docx"
    docx.write_text("the clerk's own", encoding="utf-8")
    pipe = tmp_path / "reader"
    os.mkfifo(pipe)  # opening it to write waits for a reader: the run stops there
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "run", str(EXAMPLE), "--model", "openai:good",
         "-o", "总结.docx", "-o", "reader"],
        cwd=tmp_path, env={**os.environ, **model_env(openai_server)},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    copy = tmp_path / "总结（已编辑）.docx"
    record = draftsmith_home / "data" / "written.json"  # 总结.docx written and recorded
    deadline = time.monotonic() + 120
    while not (record.exists() and "总结.docx" in record.read_text(encoding="utf-8")):
        assert time.monotonic() < deadline and proc.poll() is None, "总结.docx never written"
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted: wrote 总结.docx" in err and "Traceback" not in err
    assert "that file is kept as 总结（已编辑）.docx" in err
    assert copy.read_text(encoding="utf-8") == "the clerk's own"


def test_an_output_given_as_a_link_is_named_as_given(tmp_path, openai_server, cli):
    """`-o 总结.md` linked to a file elsewhere: messages named the link's target (a path the
    clerk never typed); they name 总结.md, while the draft still goes to the linked file."""
    env = model_env(openai_server)
    archive = tmp_path / "归档"
    archive.mkdir()
    link = tmp_path / "总结.md"
    link.symlink_to(archive / "2020总结.md")
    done = cli("run", EXAMPLE, "--model", "openai:good", "-o", link, env=env)
    assert done.returncode == 0, done.stderr
    assert f"→ {link}\n" in done.stderr and "2020总结" not in done.stderr
    assert link.is_symlink() and (archive / "2020总结.md").read_text("utf-8").startswith("# ")

    (tmp_path / "不是文件夹").write_text("", encoding="utf-8")
    link.unlink()
    link.symlink_to(tmp_path / "不是文件夹" / "2020总结.md")  # a folder that is a file
    refused = cli("run", EXAMPLE, "--model", "openai:good", "-o", link, env=env)
    assert refused.returncode == 2, refused.stderr
    assert refused.stderr.startswith(f"error: {link}: cannot write the output: "), refused.stderr
    assert "Traceback" not in refused.stderr
