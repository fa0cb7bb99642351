"""`draft run` interrupted by the user (Ctrl-C, once or twice, or SIGTERM) while a real model
answers: what it says, what it leaves, and that the same command resumes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest
from modelrun import EXAMPLE, OUTPUTS, SECTIONS, model_env, start_run, wait_for_line


@pytest.mark.parametrize(
    "signals",
    [[signal.SIGINT], [signal.SIGINT, signal.SIGINT], [signal.SIGTERM], [signal.SIGTERM] * 2],
    ids=["ctrl-c", "ctrl-c-twice", "sigterm", "sigterm-twice"],
)
def test_an_interrupted_run_says_how_far_it_got_and_resumes(tmp_path, openai_server, cli, signals):
    """The opening's answer has arrived and the other sections are still awaited when the
    clerk interrupts: she is told how many sections were drafted and that the same command
    resumes, no output or temporary file is left, and the re-run asks only for the rest."""
    for section in SECTIONS[1:]:
        openai_server.script(section, "hang:60")
    proc = start_run(openai_server, tmp_path)
    before = wait_for_line(proc, "[opening] done")
    for signum in signals:  # an impatient clerk presses Ctrl-C again at once
        proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)
    err = before + err
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert "interrupted: nothing was written; 1 of 7 section(s) had been drafted" in err
    assert "run the same command again" in err and "logged as run 1" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no output, no temporary file
    record = json.loads(cli("logs", "show", "1", "--json").stdout)
    assert record["exit_code"] == 130

    openai_server.reset()  # the model now answers every section at once
    again = start_run(openai_server, tmp_path)
    _, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(OUTPUTS)
    assert openai_server.count("opening") == 0  # drafted before the interruption: not asked
    assert openai_server.count() == len(SECTIONS) - 1


def test_an_interruption_after_every_section_was_drafted_says_drafting_was_complete(
    tmp_path, openai_server
):
    """Every section has been drafted and the draft is being written when the clerk presses
    Ctrl-C: she is told drafting was complete and that the same command writes the draft
    without asking the model for anything — not "7 of 7 … to finish the draft"."""
    fcntl = pytest.importorskip("fcntl")
    if not hasattr(fcntl, "F_SETPIPE_SZ"):
        pytest.skip("needs a pipe whose size can be set (Linux)")
    # a pipe smaller than the draft, not read until the end: the draft's writing waits on it
    read_end, write_end = os.pipe()
    fcntl.fcntl(read_end, fcntl.F_SETPIPE_SZ, 4096)
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "run", str(EXAMPLE), "--model", "openai:good",
         "-o", "-", "-o", OUTPUTS[0], "--concurrency", "7"],
        cwd=tmp_path, env={**os.environ, **model_env(openai_server)},
        stdout=write_end, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    os.close(write_end)
    before = ""
    while any(f"[{section}] done" not in before for section in SECTIONS):
        before += wait_for_line(proc, "] done")
    proc.send_signal(signal.SIGINT)
    with open(read_end, "rb") as out:
        out.read()  # what the draft had written before the interruption, up to the exit
    _, err = proc.communicate(timeout=60)
    err = before + err
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert "interrupted: nothing was written; drafting was complete (all 7 sections)" in err
    assert "ask the model for nothing" in err and "to finish the draft" not in err
    assert not (tmp_path / OUTPUTS[0]).exists()

    again = start_run(openai_server, tmp_path)
    _, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert openai_server.count() == len(SECTIONS)  # the first run's requests only
