"""The checker on six reports as document-sharing sites give them, against hand annotations.

`tests/data/damaged/` holds a damaged copy of six clean reports of `tests/data/realworld/` (a
社区居委会 annual summary, a 派出所 half-year summary, a company 党支部 summary, a 乡镇卫生院
summary, a 县文旅局 summary, a college's summary), made the way the shared sample was made:
site residue around the text, the body flowed into one line with a blank at every line end of
a PDF 29 cells wide (digits and quotes half a cell), and 14–16 cuts each: numbers with and
without their measure word (`活动 次`, `达到 %`, `同比增长 。`), names (`在 县公安局`,
`由所长 同志带队`) and parts of set phrases (`坚持以 新时代`, `两个 `, `全面从严 党`,
`不忘初心、 使命`). Each `<report>.annotations.yaml` records the cuts (offset, context, kind,
the clean words), the residue lines and the line ends, in the format of the sample's.

Measured (and asserted), with and without `--doctype annual-work-summary`:

- cuts: 83 of 92 found as gap errors (numbers 46/48, set phrases 26/26, ordinals 3/3, names
  8/15); `MISSED` lists the others, so that the recall cannot fall unnoticed;
- every gap error is at a cut, no line end is a gap error, every residue line is found and
  nothing else is residue; the clean reports give no finding (test_checker_realworld.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from pipeline.checker import check_text
from pipeline.checker.findings import Finding
from pipeline.spec import load_spec

DATA = Path(__file__).parent / "data"
DAMAGED = DATA / "damaged"
REPORTS = sorted(p.stem for p in DAMAGED.glob("*.txt"))
MISSED = {
    # (report, context of the cut): a blank that no rule can tell from a stray blank yet
    ("college-school-2023", "院在 大学"),  # a university's name before 大学党委
    ("company-party-branch-2023", "部在 集团"),  # a company's name before 集团公司党委
    ("county-culture-tourism-2023", " 。 景区"),  # a scenic area's name opening a sentence
    ("county-culture-tourism-2023", "项， 皮影"),  # a county's name after a comma
    ("county-culture-tourism-2023", "首届 油菜"),  # 首届 平川油菜花旅游文化节
    ("health-center-2023", "资金 万元"),  # a cut a full line's width from the last line end
    ("health-center-2023", "院长 同志"),  # the same
    ("police-station-halfyear-2024", "持“ 经验"),  # 枫桥 after an opening quote at a line end
    ("police-station-halfyear-2024", "下降 。 "),  # 警情同比下降: no figure before it
}


def _annotations(name: str) -> dict:
    return yaml.safe_load((DAMAGED / f"{name}.annotations.yaml").read_text("utf-8"))


def _text(name: str) -> str:
    return (DAMAGED / f"{name}.txt").read_text("utf-8")


def _holes(notes: dict) -> list[int]:
    return [g["at"] for g in notes["gaps"]]


def _line_ends(notes: dict) -> set[int]:
    return {p for row in notes["wraps"] + notes["breaks"] for p in row}


def test_six_reports_each_with_its_clean_copy():
    assert len(REPORTS) == 6
    for name in REPORTS:
        assert (DATA / "realworld" / f"{name}.txt").exists(), name


@pytest.mark.parametrize("name", REPORTS)
def test_the_annotations_fit_the_text(name: str):
    text, notes = _text(name), _annotations(name)
    clean = (DATA / "realworld" / f"{name}.txt").read_text("utf-8")
    assert 14 <= len(notes["gaps"]) <= 16
    for g in notes["gaps"]:
        assert text[g["at"]] == " " and text[g["at"] - 2 : g["at"] + 3] == g["context"], g
        assert clean.count(g["clean"]) == 1, g
    for at in _line_ends(notes):
        assert text[at] == " ", at
    for r in notes["residue"]:
        assert r["text"] in text and r["text"] not in clean, r
    # every blank of the flowed body is a cut or a line end
    body = text.index("\n", text.index(notes["residue"][-2]["text"]) + 1) + 1
    body = text.index("\n", body) + 1  # after the title line
    blanks = {i for i in range(body, len(text)) if text[i] == " "}
    assert blanks == set(_holes(notes)) | _line_ends(notes)


def _gap_errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.family == "gap" and f.severity == "error"]


@pytest.mark.parametrize("doctype", [None, "annual-work-summary"])
@pytest.mark.parametrize("name", REPORTS)
def test_every_cut_found_and_every_gap_error_is_a_cut(name: str, doctype: str | None):
    text, notes = _text(name), _annotations(name)
    spec = load_spec(doctype) if doctype else None
    errors = _gap_errors(check_text(text, spec=spec).findings)
    holes = _holes(notes)
    missed = {
        (name, g["context"]) for g in notes["gaps"]
        if not any(f.start <= g["at"] < f.end for f in errors)
    }  # fmt: skip
    assert missed == {m for m in MISSED if m[0] == name}
    stray = [f.excerpt for f in errors if not any(f.start <= at < f.end for at in holes)]
    assert stray == []
    ends = _line_ends(notes)
    on_line_ends = [
        f.excerpt
        for f in errors
        if any(f.start <= e < f.end for e in ends) and not any(f.start <= h < f.end for h in holes)
    ]
    assert on_line_ends == []


@pytest.mark.parametrize("name", REPORTS)
def test_every_residue_line_found_through_the_cli(cli, name: str):
    text, notes = _text(name), _annotations(name)
    done = cli("check", DAMAGED / f"{name}.txt", "--format", "json")
    assert done.returncode == 1, done.stderr
    findings = json.loads(done.stdout)["findings"]
    residue = [f for f in findings if f["code"] == "noise.boilerplate"]
    spans = [
        (text.index(r["text"]), text.index(r["text"]) + len(r["text"])) for r in notes["residue"]
    ]
    found = [s for s in spans if any(f["start"] <= s[0] and s[1] <= f["end"] for f in residue)]
    true = [f for f in residue if any(a <= f["start"] and f["end"] <= b for a, b in spans)]
    assert (len(found), len(true)) == (len(spans), len(residue))


def test_recall_by_kind():
    """The table of the module docstring."""
    found: dict[str, list[int]] = {}
    for name in REPORTS:
        text, notes = _text(name), _annotations(name)
        errors = _gap_errors(check_text(text).findings)
        for g in notes["gaps"]:
            hit = any(f.start <= g["at"] < f.end for f in errors)
            found.setdefault(g["kind"], [0, 0])[0] += hit
            found[g["kind"]][1] += 1
    assert found == {
        "number": [46, 48],
        "set-phrase": [26, 26],
        "ordinal": [3, 3],
        "name": [8, 15],
    }
