"""The short summary printed after a run: sections, characters, markers, findings, usage."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from pipeline.checker.findings import Finding
from pipeline.document import Draft
from pipeline.errors import ExitCode
from pipeline.models.base import model_text, not_sent_note


def exit_code_for(draft: Draft) -> ExitCode:
    """3 when a section failed, 1 when error-level findings remain, else 0."""
    if draft.failed_sections:
        return ExitCode.MODEL_FAILED
    if any(f.severity == "error" for f in draft.findings):
        return ExitCode.FINDINGS
    return ExitCode.OK


_CLAUSE_MARKS = "，。；：、！？（）“”\n"


def _before(text: str, pos: int, most: int = 12) -> str:
    """The words of the clause before `pos` (at most `most` characters, a marker's
    neighbour: 新增补充耕地 before 【待补充：目标值】)."""
    start = pos
    while start > 0 and pos - start < most and text[start - 1] not in _CLAUSE_MARKS:
        start -= 1
    return text[start:pos].strip()


def _place(
    draft: Draft, finding: Finding, first: tuple[Path | None, str] | None, written: list[Path]
) -> str:
    """`file:line:col` of a finding in the first output written (`line L:C` on standard
    output). A finding's own line and column are in the plain text, which the .txt and the
    paragraphs of the .docx follow line for line, and the JSON's `text`; the Markdown adds
    heading marks and blank lines, so its places are worked out from the layout."""
    path, fmt = first or (None, "txt")
    if path is not None and path not in written:  # not written (every section failed)
        path, fmt = None, "txt"
    line, column = finding.line, finding.column
    if fmt == "md":
        from pipeline.render.markdown import markdown_position

        line, column = markdown_position(draft, finding.start)
    return f"{path}:{line}:{column}" if path is not None else f"line {line}:{column}"


def _no_price(model: str) -> str:
    """What the summary says of the cost when the model's profile sets no prices."""
    where = "its draft.toml profile"
    if model.startswith("openai:"):  # no profile: prices need one of the model's name
        name = model.removeprefix("openai:")
        where = f"a draft.toml profile [profiles.{name}] and run --model {name}"
    return (
        f"cost unknown (no price set for {model}: set price_input_per_1k and "
        f"price_output_per_1k in {where})"
    )


def print_run_summary(
    draft: Draft,
    outputs: list[Path],
    *,
    first: tuple[Path | None, str] | None = None,
    shown: bool = True,
    asked_model: str | None = None,
) -> ExitCode:
    """Print the summary to stderr (naming the files written) and return the exit code.

    `first`: the first output (None for standard output) and its format: the findings are
    placed by line and column in it, as `draft check` of that file places them. `shown`:
    whether the draft went anywhere; when it did not (every section failed, and the file
    already there was kept), its markers and findings are not listed: they are the failure
    markers' own, in a text nobody will read. `asked_model`: the model id asked of the
    endpoint (a profile's `model`), which the answers' own model name is compared with.
    """
    err = sys.stderr
    chars = sum(len(s.body) for s in draft.sections)
    where = f" → {', '.join(map(str, outputs))}" if outputs else ""
    print(f"drafted {draft.title}{where}", file=err)
    model = model_text(draft.provenance.model, asked_model, draft.usage)
    print(f"  {len(draft.sections)} sections, {chars} characters, model {model}", file=err)
    for reason, failed in draft.failures_by_reason().items():
        print(f"  FAILED {', '.join(s.id for s in failed)}: {reason}", file=err)
        unsent = [s.id for s in failed if not_sent_note(s.error or "")]
        if unsent:
            note = not_sent_note(failed[-1].error or "") or ""
            print(f"    ({', '.join(unsent)} {note})", file=err)
        for s in failed:  # what the clerk now writes in by hand
            if s.must_mention:
                labels = "、".join(f"“{f.label}”" for f in s.must_mention)
                print(f"    {s.id} had to mention {labels}", file=err)
    if shown and draft.markers:
        print(f"  {len(draft.markers)} marker(s) to fill in:", file=err)
        # outside every section: in the title, the 主送机关 under it, or the 落款 after them
        places = [m.section or _outside_sections(draft, m.start) for m in draft.markers]
        repeated = Counter(zip(places, (m.label for m in draft.markers), strict=True))
        text = draft.text if any(n > 1 for n in repeated.values()) else ""
        for m, where in zip(draft.markers, places, strict=True):
            fact = f" ({m.fact})" if m.fact else ""
            # one label for each item of a list (目标值 twice in one section): which is which
            words = _before(text, m.start) if repeated[where, m.label] > 1 else ""
            near = f" after “{words}”" if words else ""
            print(f"    {where}: 【待补充：{m.label}】{fact}{near}", file=err)
    elif shown:
        print("  no markers", file=err)
    # a failed section's text is its failure marker: that it misses its facts, points and
    # length is the failure, reported above, not more to fix
    failed_ids = {s.id for s in draft.failed_sections}
    findings = [f for f in draft.findings if f.section not in failed_ids] if shown else []
    errors = [f for f in findings if f.severity == "error"]
    warnings = [f for f in findings if f.severity == "warning" and f.code != "gap.marker"]
    for f in errors + warnings:
        print(
            f"  {_place(draft, f, first, outputs)}: {f.severity} {f.code} {f.message} “{f.excerpt}”",
            file=err,
        )
    u = draft.usage
    if u.requests or u.cached:
        # no price set: say so, rather than leave out a cost that reads as nothing paid
        cost = f", {u.cost_text() or _no_price(draft.provenance.model)}"
        retries = f" ({u.retries} retried)" if u.retries else ""
        print(
            f"  usage: {u.requests} request(s){retries}, {u.cached} cached, "
            f"{u.input_tokens} tokens in, {u.output_tokens} out, "
            f"{u.latency_s:.1f} s model time, {u.elapsed_s:.1f} s elapsed{cost}",
            file=err,
        )
    return exit_code_for(draft)


def _outside_sections(draft: Draft, offset: int) -> str:
    """Where in the text outside the sections `offset` lies."""
    if offset < len(draft.title):
        return "title"
    spans = draft.section_spans()
    return "addressee" if spans and offset < spans[0][1] else "signature"
