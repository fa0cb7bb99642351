"""Report files of `draft eval` read by other tools: JUnit XML parsed by CI, Markdown rendered
by GitLab/GitHub. Checker suites (no model) over texts holding what breaks those formats."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path


def _checker_suite(tmp_path: Path, text: str) -> Path:
    (tmp_path / "case.txt").write_bytes(text.encode("utf-8"))
    suite = tmp_path / "suite.yaml"
    suite.write_text(
        "name: formats\nkind: checker\ncases:\n  - id: damaged\n    file: case.txt\n",
        encoding="utf-8",
    )
    return suite


def test_junit_stays_well_formed_when_a_finding_quotes_a_control_character(cli, tmp_path):
    # A text pasted from a PDF can hold control characters; the finding's excerpt quotes one.
    suite = _checker_suite(tmp_path, "全年共开展学习\x07 次，参加教师共\x0b 人。\n")
    junit = tmp_path / "junit.xml"
    result = cli("eval", suite, "-q", "-o", junit)
    assert result.returncode == 1, result.stderr
    root = ET.fromstring(junit.read_bytes())  # expat, as CI parsers: refuses &#7; and raw \x07
    messages = [f.get("message") for f in root.iter("failure")]
    assert any("习\\x07 次" in m for m in messages), messages
    assert root.get("tests") == "2" and root.get("failures") == "2"
