"""The checker on the real sample report, against a hand annotation of every blank in it.

Measured (and asserted) on `tests/data/school-ideology-summary-2020.txt`:

- gaps (removed numbers, names, ordinals, set-phrase parts, and the garbled set phrase):
  recall 15/15 = 1.0, precision 1.0 — every error-level gap finding is an annotated gap;
- site residue: recall 6/6 = 1.0, precision 1.0;
- PDF line ends (81 wraps, 23 paragraph breaks, one pair "等方 面 要" of which either blank
  may be the line end): none is reported as a gap (of any severity); all 105 are reported as
  `noise.wrap-space`/`noise.line-break` (asserted: at least 97 %), and no wrap is taken for a
  paragraph break or the other way round (asserted: at most 3);
- the blanks that are neither (stray, or beside digits) are info notes, never errors or
  warnings: `gap.suspect-space` ("多变 性", "推进 教育教学" — words may be missing) or
  `noise.stray-space` (after punctuation, beside digits; `--fix` joins these).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pipeline.checker import check_text
from pipeline.checker.findings import Finding
from pipeline.spec import load_spec

DATA = Path(__file__).parent / "data"
SAMPLE = DATA / "school-ideology-summary-2020.txt"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "samples" / SAMPLE.name


@pytest.fixture(scope="module")
def text() -> str:
    return SAMPLE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def notes(text: str) -> dict:
    data = yaml.safe_load(
        (DATA / "school-ideology-summary-2020.annotations.yaml").read_text("utf-8")
    )
    for group in ("gaps", "stray", "extraction"):
        for item in data[group]:
            at = item["at"]
            assert text[at] == " ", (group, item)
            assert text[at - 2 : at + 3] == item["context"], (group, item)
    return data


@pytest.fixture(scope="module")
def findings(text: str) -> list[Finding]:
    return check_text(text).findings


def _line_ends(notes: dict) -> set[int]:
    return {p for row in notes["wraps"] + notes["breaks"] for p in row}


def _blanks_in(text: str, f: Finding) -> set[int]:
    return {i for i in range(f.start, f.end) if text[i] == " "}


def test_copy_is_byte_for_byte():
    if SHARED.exists():
        assert SAMPLE.read_bytes() == SHARED.read_bytes()


def test_annotation_covers_every_blank_of_the_flowed_line(text: str, notes: dict):
    line_start = text.index("学校 2020 年")
    line_end = text.index("\n", line_start) if "\n" in text[line_start:] else len(text)
    blanks = {i for i in range(line_start, line_end) if text[i] == " "}
    annotated = (
        {g["at"] for g in notes["gaps"]}
        | _line_ends(notes)
        | {p for pair in notes["either_line_end"] for p in pair}
        | {s["at"] for s in notes["stray"]}
        | {e["at"] for e in notes["extraction"]}
    )
    assert blanks == annotated


def test_every_gap_found_and_every_gap_error_is_a_gap(text, notes, findings):
    gap_errors = [f for f in findings if f.family == "gap" and f.severity == "error"]
    holes = [g["at"] for g in notes["gaps"]]
    garbles = [text.index(g["text"]) for g in notes["garbles"]]

    found = [at for at in holes if any(f.start <= at < f.end for f in gap_errors)]
    found += [at for at in garbles if any(f.start <= at < f.end for f in gap_errors)]
    recall = len(found) / (len(holes) + len(garbles))

    true = [f for f in gap_errors if any(f.start <= at < f.end for at in holes + garbles)]
    precision = len(true) / len(gap_errors)
    assert (recall, precision) == (1.0, 1.0), (recall, precision)
    assert len(holes) + len(garbles) == 15


def test_gap_kinds(text, notes, findings):
    """A removed number is a silent number, a removed ordinal a silent ordinal, and so on."""
    expected = {
        "number": {"gap.silent-number"},
        "ordinal": {"gap.silent-ordinal"},
        "name": {"gap.silent-name", "gap.broken-phrase"},
        "set-phrase": {"gap.broken-phrase", "gap.empty-item"},
    }
    for g in notes["gaps"]:
        codes = {f.code for f in findings if f.start <= g["at"] < f.end and f.family == "gap"}
        assert codes & expected[g["kind"]], (g, codes)


def test_every_residue_line_found(text, notes, findings):
    residue = [f for f in findings if f.code == "noise.boilerplate"]
    spans = [
        (text.index(r["text"]), text.index(r["text"]) + len(r["text"])) for r in notes["residue"]
    ]
    found = [s for s in spans if any(f.start <= s[0] and s[1] <= f.end for f in residue)]
    true = [f for f in residue if any(a <= f.start and f.end <= b for a, b in spans)]
    recall, precision = len(found) / len(spans), len(true) / len(residue)
    assert (recall, precision) == (1.0, 1.0), (recall, precision)


def test_no_line_end_is_reported_as_a_gap(text, notes, findings):
    ends = _line_ends(notes)
    for f in findings:
        if f.family == "gap":
            assert not (_blanks_in(text, f) & ends), f


def test_line_ends_are_reported_as_wraps_or_breaks(notes, findings):
    reported = {f.start for f in findings if f.code in ("noise.wrap-space", "noise.line-break")}
    ends = _line_ends(notes)
    pairs = notes["either_line_end"]
    hits = len(ends & reported) + sum(1 for pair in pairs if set(pair) & reported)
    share = hits / (len(ends) + len(pairs))
    assert share >= 0.97, share
    # a wrap inside a paragraph is never a paragraph break, and the other way round, mostly
    wraps = {p for row in notes["wraps"] for p in row}
    breaks = {p for row in notes["breaks"] for p in row}
    as_break = {f.start for f in findings if f.code == "noise.line-break"}
    as_wrap = {f.start for f in findings if f.code == "noise.wrap-space"}
    assert len(wraps & as_break) + len(breaks & as_wrap) <= 3


def test_stray_and_extraction_blanks_are_never_gap_errors(notes, findings):
    for item in notes["stray"] + notes["extraction"]:
        on_it = [f for f in findings if f.start <= item["at"] < max(f.end, f.start + 1)]
        assert all(f.severity == "info" for f in on_it if f.family in ("gap", "noise")), on_it
        assert all(f.code != "noise.wrap-space" for f in on_it), (item, on_it)
    for item in notes["extraction"]:
        assert any(f.code == "noise.stray-space" and f.start == item["at"] for f in findings)
    # each stray blank is a note to look at: removed words, or a blank to join
    for item in notes["stray"]:
        notes_on_it = [
            f.code
            for f in findings
            if f.start <= item["at"] < f.end
            and f.code in ("gap.suspect-space", "noise.stray-space")
        ]
        assert notes_on_it, item


def test_with_the_doctype_the_typo_the_plans_year_and_the_series_are_found(text):
    spec = load_spec("school-ideology-summary")
    report = check_text(text, spec=spec)
    codes = {(f.code, f.excerpt) for f in report.findings}
    assert ("style.banned-phrase", "正确舆引导 论") in codes
    assert ("style.banned-phrase", "两手两手硬") in codes
    assert ("facts.plans-year", "2020 年") in codes
    assert ("structure.series-form", "三是") in codes
    # the six sections and the opening are all recognised, in order
    assert not [f for f in report.findings if f.code.startswith("structure.missing")]
    assert not [f for f in report.findings if f.code == "structure.section-order"]
    sections = {f.section for f in report.findings if f.section}
    assert {"opening", "theory_study", "public_opinion", "plans"} <= sections
