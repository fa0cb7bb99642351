"""Property-based tests: any Unicode text, and long runs of blanks, X, * and _ — the checker
never crashes, every finding points into the text exactly as given, and the --fix copy keeps
every character but blanks, residue and a function word's second copy (so it never touches a
gap).

Speed is measured by `benchmarks/bench_checker.py` (linear in the input, ratios printed); the
long-run cases here would hang on a pattern that backtracks catastrophically.
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.checker import apply_fixes, check_text
from pipeline.checker.fix import STYLE_FIXES, TYPO_FIXES
from pipeline.checker.text import LineIndex
from pipeline.spec import load_spec

FRAGMENTS = [
    " ", "  ", "\u3000", "\t", "\n", "\n\n", "X", "xx", "*", "**", "******", "_", "__", "＿＿",
    "××", "○○", "〇〇", "（ ）", "【】", "《", "》", "“", "”", "、", "，", "。", ".", ",", "：",
    "学习", "次", "周年", "年", "党的", "大精神", "县", "关于", "新时代中国特色社会主义思想",
    "牢记使命", "两手两手硬", "一、", "二、", "（一）", "1.", "（1）", "一是", "二要", "三是",
    "十九", "二〇二〇", "2020", "95%", "12", "2021年1月15日", "【待补充：次数】", "{{ x }}",
    "查看更多", "- 5页", "申明敬告:", "文档介绍", "# ", "## ", "> ", "\r\n", "某某", "TODO",
    "学校2020年意识形态工作总结", "的", "了", "落实",
]  # fmt: skip
RUNS = [" ", "X", "*", "_", "\u3000", "、", "学 ", "一是", "\n", "【待补充："]

texts = st.one_of(
    st.text(max_size=400),
    st.lists(st.sampled_from(FRAGMENTS), max_size=120).map("".join),
    st.tuples(
        st.lists(st.sampled_from(FRAGMENTS), max_size=20).map("".join),
        st.sampled_from(RUNS),
        st.integers(min_value=0, max_value=3000),
        st.lists(st.sampled_from(FRAGMENTS), max_size=20).map("".join),
    ).map(lambda t: t[0] + t[1] * t[2] + t[3]),
)
SPEC = load_spec("school-ideology-summary")
_BLANKS = re.compile(r"[ \t\u3000\u00a0\r\n]")


def _assert_well_formed(text: str) -> None:
    report = check_text(text)
    index = LineIndex(text)
    last = -1
    for f in report.findings:
        assert 0 <= f.start <= f.end <= len(text)
        assert f.excerpt == text[f.start : f.end]
        assert (f.line, f.column) == index.locate(f.start)
        assert f.start >= last
        last = f.start
    assert len(report.findings) <= 3 * len(text) + 10

    fixed = apply_fixes(text, report.findings)
    gaps = [(f.start, max(f.end, f.start + 1)) for f in report.findings if f.family == "gap"]
    residue = sorted(
        (f.start, f.end)
        for f in report.findings
        if f.code == "noise.boilerplate"
        # a residue line holding a gap stays: a fix never touches a gap
        and not any(a < max(f.end, f.start + 1) and f.start < b for a, b in gaps)
    )
    # half-width punctuation in Chinese text is written full-width and traditional characters
    # simplified, one character for one (never inside a gap's span)
    replaced = {
        i: ch
        for f in report.findings
        if f.code in STYLE_FIXES
        and f.replacement is not None
        and not any(a < max(f.end, f.start + 1) and f.start < b for a, b in gaps)
        for i, ch in zip(range(f.start, f.end), f.replacement, strict=True)
    }
    # a function word typed twice is written once: its first copy kept, the others deleted
    for f in report.findings:
        if (
            f.code in TYPO_FIXES
            and f.replacement is not None
            and not any(a < f.end and f.start < b for a, b in gaps)
        ):
            replaced.update(dict.fromkeys(range(f.start + len(f.replacement), f.end), ""))
    expected = "".join(replaced.get(i, ch) for i, ch in enumerate(text))
    kept, pos = [], 0
    for a, b in residue:
        kept.append(expected[pos:a])
        pos = max(pos, b)
    kept.append(expected[pos:])
    assert _BLANKS.sub("", fixed) == _BLANKS.sub("", "".join(kept))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_any_text_gives_well_formed_findings(text: str):
    _assert_well_formed(text)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_any_text_with_a_doctype(text: str):
    for f in check_text(text, spec=SPEC).findings:
        assert f.excerpt == text[f.start : f.end]


def test_long_runs_finish():
    """200,000 characters of each run: a catastrophic pattern would never return."""
    for run in RUNS:
        text = "学校" + run * (200_000 // len(run)) + "次。"
        report = check_text(text)
        assert all(f.excerpt == text[f.start : f.end] for f in report.findings[:50])


def test_fix_never_touches_a_gap():
    text = "学校 2020 年 共开展学习 次 ，其中 XX 次。"
    report = check_text(text)
    fixed = apply_fixes(text, report.findings)
    assert "学习 次" in fixed and "XX" in fixed
    assert fixed.startswith("学校2020年")
