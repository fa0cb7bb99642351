"""Golden findings of the checker: varied texts and the exact findings they give.

    python tests/checker_golden.py          # rewrite tests/data/checker-golden.json

The texts are stored in the golden file itself (offline drafts change whenever the drafter
does; the findings on a given text must not change when the checker is only made faster).
Each case is checked with `check_text` or `check_section`, with or without a spec and facts:
the shared sample, the checker eval suite's cases, offline drafts of the examples, their
sections, and copies with defects injected at seeded random places (blanks, missing words,
placeholders, wrong numbers and counties, half-width punctuation, residue, repeated
sentences, renumbered headings, flattened lines).
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipeline.checker import check_section, check_text  # noqa: E402
from pipeline.checker.findings import Finding  # noqa: E402
from pipeline.textio import read_text  # noqa: E402

GOLDEN = REPO / "tests" / "data" / "checker-golden.json"
EXAMPLES = ("school-ideology-summary", "school-ideology-summary-incomplete", "annual-work-summary")

_INSERTS = (
    " ", "  ", "\u3000", "XX", "××", "**", "*", "__", "（ ）", "【】", "某某", "待补充",
    "【待补充：某项数字】", ",", ";", ":", "(", ")", "?", "2019年", "二〇一九年", "三次",
    "十九大", "第 次", "37次", "12.5%", "百分之三十", "1,200人", "2021年3月5日", "5月4日",
    "、、", "，、", "绿水县", "红河县", "党的 大精神", "四个意识", "两学一做", "不忘初心",
    "查看更多", "{{ year }}", "TODO", "一是", "二是", "四是", "一要", "X光", "中国特色.主义",
    "2020 年", "学习 次", "。", "\n", "\n三、", "\n（二）", "\n1.", "\n## 小结\n",
)  # fmt: skip
_LINES = (
    "- 2021-04-19 发布 |",
    "- 37.5 KB |",
    "共5页",
    "文档介绍",
    "申明敬告：本站不保证该用户上传的文档完整性。",
    "下载次数 12",
    "以下是小编为大家整理的总结，供大家参考。",
)


def _mutate(text: str, rng: random.Random) -> str:
    """`text` with one to four defects injected at random places."""
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(7)
        pos = rng.randrange(len(text) + 1)
        if op <= 2:
            text = text[:pos] + rng.choice(_INSERTS) + text[pos:]
        elif op == 3:  # words removed, a blank left (or nothing)
            n = rng.randint(1, 4)
            text = text[:pos] + rng.choice(("", " ", "  ")) + text[pos + n :]
        elif op == 4:  # a residue line
            line = text.rfind("\n", 0, pos) + 1
            text = text[:line] + rng.choice(_LINES) + "\n" + text[line:]
        elif op == 5:  # a sentence written twice
            end = text.find("。", pos)
            start = text.rfind("。", 0, max(0, end)) + 1
            if end > start:
                text = text[: end + 1] + text[start : end + 1] + text[end + 1 :]
        else:  # a digit changed, or a stretch flattened onto one line
            digits = [i for i, ch in enumerate(text) if ch.isdigit()]
            if digits and rng.random() < 0.5:
                i = rng.choice(digits)
                text = text[:i] + str((int(text[i]) + 1) % 10) + text[i + 1 :]
            else:
                end = min(len(text), pos + 400)
                text = text[:pos] + text[pos:end].replace("\n", " ") + text[end:]
    return text


def _edits(text: str, draft: Any) -> list[str]:
    """Edits the random defects rarely make: sections swapped, another unit signing,
    non-standard heading forms, a plans section for the wrong year."""
    out = []
    headed = [s for s in draft.sections if s.heading]
    if len(headed) >= 3:
        a = f"{headed[1].heading}\n{headed[1].body}"
        b = f"{headed[2].heading}\n{headed[2].body}"
        if a in text and b in text:
            out.append(text.replace(a, "\0").replace(b, a).replace("\0", b))
    if draft.signature is not None:
        unit = text.rstrip().split("\n")[-2]
        out.append(text.replace(unit, "青山县第二中学党支部"))
    out.append(text.replace("（一）", "(一)").replace("（二）", "(二)").replace("二、", "二，"))
    out.append(text.replace("1.", "1、").replace("2021", "2023").replace("二〇二一", "二〇二三"))
    return out


def _offline(name: str) -> tuple[Any, Any, Any]:
    from pipeline.drafting import draft_document
    from pipeline.facts import load_facts
    from pipeline.models import get_model

    spec, facts = load_facts(REPO / "examples" / f"{name}.yaml", templates=True)
    return spec, facts, draft_document(spec, facts, get_model("offline"))


def build_cases() -> list[dict[str, Any]]:
    """Every golden case: its input (text, doctype, facts file, section) without findings."""
    import yaml

    rng = random.Random(20240601)
    cases: list[dict[str, Any]] = []

    def add(name: str, text: str, *, doctype=None, facts=None, section=None) -> None:
        cases.append(
            {
                "name": name,
                "text": text,
                "doctype": doctype,
                "facts": facts,
                "section": section,
            }
        )

    data = REPO / "tests" / "data"
    for path in sorted(data.glob("*.txt")) + sorted(data.glob("*.md")):
        add(f"data/{path.name}", read_text(path))
    sample = read_text(data / "school-ideology-summary-2020.txt")
    add("sample with spec", sample, doctype="school-ideology-summary")

    suite = yaml.safe_load((REPO / "evals" / "checker.yaml").read_text(encoding="utf-8"))
    for case in suite["cases"]:
        text = read_text(REPO / "evals" / case["file"])  # as `draft check` reads it: CRLF kept
        facts = case.get("facts")
        facts = f"examples/{Path(facts).name}" if facts else None
        add(f"eval/{case['id']}", text, doctype=case.get("doctype", suite["doctype"]), facts=facts)
        add(f"eval/{case['id']} plain", text)

    for name in EXAMPLES:
        spec, _facts, draft = _offline(name)
        facts = f"examples/{name}.yaml"
        text = draft.text
        add(f"offline/{name}", text, doctype=spec.id, facts=facts)
        add(f"offline/{name} spec only", text, doctype=spec.id)
        add(f"offline/{name} plain", text)
        for k in range(12):
            add(f"offline/{name} mutated {k}", _mutate(text, rng), doctype=spec.id, facts=facts)
        for k in range(4):
            add(f"offline/{name} mutated plain {k}", _mutate(text, rng))
        for k, edited in enumerate(_edits(text, draft)):
            add(f"offline/{name} edited {k}", edited, doctype=spec.id, facts=facts)
        for sec in draft.sections:
            add(f"section/{name}/{sec.id}", sec.body, doctype=spec.id, facts=facts, section=sec.id)
            for k in range(3):
                add(
                    f"section/{name}/{sec.id} mutated {k}",
                    _mutate(sec.body, rng),
                    doctype=spec.id,
                    facts=facts,
                    section=sec.id,
                )
    return cases


def findings_of(case: dict[str, Any]) -> list[list[Any]]:
    """The findings the checker gives on one case, every field, as JSON-ready rows."""
    from pipeline.facts import load_facts
    from pipeline.spec import load_spec

    spec = facts = None
    if case["facts"]:
        spec, facts = load_facts(REPO / case["facts"], doctype=case["doctype"], templates=False)
    elif case["doctype"]:
        spec = load_spec(case["doctype"], templates=False)
    if case["section"]:
        assert spec is not None and facts is not None
        section = next(s for s in spec.sections if s.id == case["section"])
        found = check_section(case["text"], section=section, spec=spec, facts=facts)
    else:
        found = check_text(case["text"], spec=spec, facts=facts).findings
    return [_row(f) for f in found]


def _row(f: Finding) -> list[Any]:
    return [
        f.code,
        f.severity.value,
        f.start,
        f.end,
        f.line,
        f.column,
        f.excerpt,
        f.message,
        f.hint,
        f.section,
        f.replacement,
    ]


def main() -> None:
    cases = build_cases()
    for case in cases:
        case["findings"] = findings_of(case)
    GOLDEN.write_text(json.dumps(cases, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    total = sum(len(c["findings"]) for c in cases)
    print(f"{len(cases)} cases, {total} findings → {GOLDEN.relative_to(REPO)}")


if __name__ == "__main__":
    main()
