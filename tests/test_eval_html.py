"""The HTML report opened in headless Chromium: the summary, the charts and the per-case
drill-down (the draft with its findings highlighted in place) render, and user text is
escaped, never run."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Debian's chromium is not installed (apt-get install chromium; .ci/run installs it)",
)

SUITE = f"""
name: html <check> & “引号”
doctype: school-ideology-summary
models: [offline]
cases:
  - id: complete
    facts: {EXAMPLES / "school-ideology-summary.yaml"}
  - id: incomplete
    description: 缺学习次数
    facts: {EXAMPLES / "school-ideology-summary-incomplete.yaml"}
    assert:
      - {{type: contains, value: "<script>alert('x')</script>"}}
"""


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [
            CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", f"--user-data-dir={tmp_path / 'chromium-profile'}", *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip


def test_html_report_renders_summary_and_drill_down(cli, tmp_path):
    suite = tmp_path / "suite.yaml"
    suite.write_text(SUITE, encoding="utf-8")
    report = tmp_path / "report.html"
    result = cli("eval", suite, "-o", report, "-q")
    assert result.returncode == 1, result.stderr  # the injected assertion fails

    dumped = _chromium(tmp_path, "--dump-dom", report.as_uri())
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    dom = dumped.stdout
    # The summary table, with the model's row, and the verdict.
    assert re.search(r'<table id="summary-table">.*<td>offline</td>.*</table>', dom, re.S)
    assert 'id="verdict">FAIL</span>' in dom
    # One chart per model, drawn as inline SVG bars.
    assert dom.count("<svg") == 1 and dom.count('class="bar"') >= 7
    # The drill-down: one <details> per sample; the failing one open, with its findings
    # highlighted in the draft and linked from the list.
    samples = re.findall(r'<details class="sample" id="(s\d)" data-key="([^"]+)"( open="")?', dom)
    assert [(s[1], bool(s[2])) for s in samples] == [
        ("complete|offline|default|0", False),
        ("incomplete|offline|default|0", True),
    ]
    marks = re.findall(r'<mark class="sev-warning" data-code="gap.marker"[^>]*>([^<]*)</mark>', dom)
    assert marks == [
        "【待补充：中心组学习次数】",
        "【待补充：中心组理论学习次数】",
        "【待补充：新中国成立周年数】",
    ]
    assert '<a href="#s1-f0">' in dom and '<a id="s1-f0"></a>' in dom
    # User text is escaped: the suite name and the assertion's value show as text, no element.
    assert "html &lt;check&gt; &amp; “引号”" in dom
    assert "&lt;script&gt;alert('x')&lt;/script&gt;" in dom
    assert "<script" not in dom

    shot = tmp_path / "report.png"
    taken = _chromium(tmp_path, "--window-size=1200,1600", f"--screenshot={shot}", report.as_uri())
    assert taken.returncode == 0, taken.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000  # a rendered page, not blank
