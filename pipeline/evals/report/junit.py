"""The JUnit XML report: one testsuite per model × variant, one testcase per sample, and a
testsuite of thresholds (with a failed `run complete` when samples are missing), so CI
systems show failures where they look for them."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from pipeline.evals.journal import RunMeta, SampleResult
from pipeline.evals.report.common import fmt, group_label, unfinished_note
from pipeline.evals.summary import RunSummary

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Characters XML 1.0 cannot hold, even escaped (C0 controls, lone surrogates, U+FFFE/F)."""


def _xml(text: str) -> str:
    """`text` with the characters XML cannot hold written as `\\xNN` (a control character in a
    checked text or a model's error would otherwise make the whole file unparseable)."""
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)


def _class_name(*parts: str) -> str:
    """A testcase's `classname`: Jenkins reads each dot as a package boundary, so a dot inside
    a model's name (qwen2.5, deepseek-v3.1) must not split it."""
    return ".".join(p.replace(".", "_") for p in parts)


def render_junit(meta: RunMeta, summary: RunSummary, samples: list[SampleResult]) -> str:
    """The report as JUnit XML."""
    root = ET.Element("testsuites", name=f"draft eval {summary.suite}")
    by_group: dict[tuple[str, str], list[SampleResult]] = {}
    for s in samples:
        by_group.setdefault((s.model, s.variant), []).append(s)
    total = failures = errors = 0
    for g in summary.groups:
        items = by_group.get((g.model, g.variant), [])
        suite = ET.SubElement(root, "testsuite", name=f"{summary.suite}/{group_label(g)}")
        if g.served:  # the model behind the name, when the endpoint named another
            props = ET.SubElement(suite, "properties")
            ET.SubElement(
                props, "property", name="served_models", value=", ".join(g.usage.served_models)
            )
        n_fail = n_err = 0
        for s in items:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=_class_name(summary.suite, s.model, s.variant),
                name=f"{s.case}#{s.repeat}",
                time=f"{s.duration_s:.3f}",
            )
            if s.status == "error":
                n_err += 1
                ET.SubElement(case, "error", message=s.error or "error").text = s.error or ""
            elif not s.passed:
                n_fail += 1
                lines = [f"{a.name}: {a.message}" for a in s.assertions if not a.passed]
                lines += [f"missed {m}" for m in s.missed] + [
                    f"unexpected {u}" for u in s.unexpected
                ]
                ET.SubElement(
                    case, "failure", message=lines[0] if lines else "failed"
                ).text = "\n".join(lines)
        suite.set("tests", str(len(items)))
        suite.set("failures", str(n_fail))
        suite.set("errors", str(n_err))
        total, failures, errors = total + len(items), failures + n_fail, errors + n_err
    checks = ET.SubElement(root, "testsuite", name=f"{summary.suite}/thresholds")
    n_thr = n_thr_fail = 0
    for g in summary.groups:
        for t in g.thresholds:
            n_thr += 1
            case = ET.SubElement(
                checks,
                "testcase",
                classname=_class_name(summary.suite, "thresholds"),
                name=f"{group_label(g)}: {t.name}",
            )
            if not t.passed:
                n_thr_fail += 1
                ET.SubElement(
                    case, "failure", message=f"{t.name} = {fmt(t.value)}, needs {t.bound}"
                )
    if not summary.complete:
        n_thr += 1
        n_thr_fail += 1
        case = ET.SubElement(
            checks,
            "testcase",
            classname=_class_name(summary.suite, "thresholds"),
            name="run complete",
        )
        missing = f"{summary.finished} of {summary.planned} samples finished"
        ET.SubElement(case, "failure", message=missing).text = unfinished_note(summary)
    checks.set("tests", str(n_thr))
    checks.set("failures", str(n_thr_fail))
    checks.set("errors", "0")
    root.set("tests", str(total + n_thr))
    root.set("failures", str(failures + n_thr_fail))
    root.set("errors", str(errors))
    for element in root.iter():
        if element.text:
            element.text = _xml(element.text)
        for key, value in element.attrib.items():
            element.set(key, _xml(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
