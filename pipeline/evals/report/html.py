"""The HTML report: one self-contained file (inline CSS and SVG, no script, no external
resource) with the per-model summary, metric charts per model, and a per-case drill-down
showing each draft with its findings highlighted in place. All user text is escaped.
"""

from __future__ import annotations

import itertools
from html import escape

from pipeline.evals.journal import CompactFinding, RunMeta, SampleResult
from pipeline.evals.metrics import SHARE_METRICS
from pipeline.evals.report.common import (
    ERRORED,
    SHORT_NAMES,
    fmt,
    group_label,
    metric_columns,
    pct,
    tag_table,
    unfinished_note,
    usage_cell,
    usage_columns,
    verdict,
)
from pipeline.evals.summary import GroupSummary, RunSummary

_SEVERITY_RANK = {"error": 3, "warning": 2, "info": 1}

CSS = """
body{font-family:system-ui,"Noto Sans CJK SC","Source Han Sans SC",sans-serif;margin:0;color:#1d2433;background:#f6f7f9}
header{background:#1d2433;color:#fff;padding:16px 24px}
header h1{margin:0;font-size:20px}
header .meta{opacity:.8;font-size:13px;margin-top:4px}
main{padding:16px 24px;max-width:1200px}
section{background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:12px 16px;margin:16px 0}
h2{font-size:17px;margin:4px 0 12px}
table{border-collapse:collapse;font-size:13px}
th,td{border-bottom:1px solid #e4e7ec;padding:4px 8px;text-align:right}
th:nth-child(2),td:nth-child(2){text-align:left}
.badge{display:inline-block;padding:2px 8px;border-radius:10px;font-weight:600;font-size:12px}
.tag{display:inline-block;padding:0 6px;border-radius:8px;background:#eef;color:#335;font-size:12px}
.PASS,.pass{background:#d9f2e1;color:#0f6b33}.FAIL,.fail{background:#fbe0e0;color:#a11d1d}
.INCOMPLETE,.error{background:#fff1cc;color:#7a5600}
.charts{display:flex;flex-wrap:wrap;gap:16px}
.chart{border:1px solid #e4e7ec;border-radius:4px;padding:8px}
.chart h3{font-size:14px;margin:0 0 6px}
details{border-top:1px solid #e4e7ec;padding:6px 0}
summary{cursor:pointer;font-size:14px}
pre.draft{white-space:pre-wrap;word-break:break-all;font-family:inherit;font-size:14px;line-height:1.7;background:#fbfbfc;border:1px solid #eceef2;padding:10px;border-radius:4px}
mark{border-radius:2px;padding:0 1px}
mark.sev-error{background:#ffc9c9;border-bottom:2px solid #d11}
mark.sev-warning{background:#ffe9a8;border-bottom:2px solid #c90}
mark.sev-info{background:#d6e9ff;border-bottom:2px dotted #2a6fd6}
mark.point::after{content:"‸"}
ul.findings{font-size:13px;margin:6px 0}
ul.findings li.error{color:#a11d1d}ul.findings li.warning{color:#7a5600}
ul.asserts{font-size:13px;margin:6px 0}
.ok{color:#0f6b33}.bad{color:#a11d1d}
code{font-size:12px}
"""


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def highlight(text: str, findings: list[CompactFinding], anchor: str) -> str:
    """The text as HTML with every finding's span in a <mark> (the most severe finding wins
    where spans overlap), each finding's start carrying an anchor `<anchor>-f<i>`; a finding
    about what is missing after the text's end (a dropped last section) is a caret there."""
    n = len(text)
    spans = []
    at_end = []  # findings about what is missing after the last character (a dropped section)
    for i, f in enumerate(findings):
        start = min(max(f.start, 0), n)
        end = min(max(f.end, start + 1), n)
        if start < end:
            spans.append((start, end, i, f))
        else:
            at_end.append((i, f))
    cuts = sorted({0, n, *(s for s, _, _, _ in spans), *(e for _, e, _, _ in spans)})
    starts: dict[int, list[int]] = {}
    for s, _, i, _ in spans:
        starts.setdefault(s, []).append(i)
    out = []
    for a, b in itertools.pairwise(cuts):
        for i in starts.get(a, []):
            out.append(f'<a id="{anchor}-f{i}"></a>')
        covering = [f for s, e, _, f in spans if s <= a and e >= b]
        chunk = _e(text[a:b])
        if covering:
            worst = max(covering, key=lambda f: _SEVERITY_RANK.get(f.severity, 0))
            title = "; ".join(f"{f.code}: {f.message}" for f in covering)
            out.append(
                f'<mark class="sev-{_e(worst.severity)}" data-code="{_e(worst.code)}" '
                f'title="{_e(title)}">{chunk}</mark>'
            )
        else:
            out.append(chunk)
    for i, f in at_end:  # an empty mark, drawn as a caret by the CSS: no text is added
        out.append(
            f'<a id="{anchor}-f{i}"></a><mark class="sev-{_e(f.severity)} point" '
            f'data-code="{_e(f.code)}" title="{_e(f.code)}: {_e(f.message)}"></mark>'
        )
    return "".join(out)


def _bar_chart(title: str, bars: list[tuple[str, float | None, str]]) -> str:
    """A horizontal bar chart of 0–1 values as inline SVG."""
    row, label_w, bar_w = 22, 150, 220
    height = row * len(bars) + 8
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + bar_w + 130}" height="{height}" '
        f'role="img" aria-label="{_e(title)}">'
    ]
    for i, (label, value, shown) in enumerate(bars):
        y = 4 + i * row
        width = 0 if value is None else max(0.0, min(1.0, value)) * bar_w
        colour = (
            "#c9ced6"
            if value is None
            else ("#2f9e5b" if value >= 0.95 else "#e0a21b" if value >= 0.7 else "#d64545")
        )
        parts.append(
            f'<text x="0" y="{y + 14}" font-size="12">{_e(label)}</text>'
            f'<rect x="{label_w}" y="{y + 2}" width="{bar_w}" height="14" fill="#eef0f3"/>'
            f'<rect class="bar" x="{label_w}" y="{y + 2}" width="{width:.1f}" height="14" fill="{colour}">'
            f"<title>{_e(label)}: {_e(shown)}</title></rect>"
            f'<text x="{label_w + bar_w + 6}" y="{y + 14}" font-size="12">{_e(shown)}</text>'
        )
    parts.append("</svg>")
    return f'<div class="chart"><h3>{_e(title)}</h3>{"".join(parts)}</div>'


def _group_chart(g: GroupSummary) -> str:
    bars: list[tuple[str, float | None, str]] = [("pass rate", g.pass_rate, pct(g.pass_rate))]
    for name in SHARE_METRICS:
        if name in g.metrics:
            bars.append((SHORT_NAMES[name], g.metrics[name], fmt(g.metrics[name])))
    if "unsupported_per_1k" in g.metrics:
        rate = g.metrics["unsupported_per_1k"]
        bars.append(("grounded numbers", 1 / (1 + rate), f"{fmt(rate)} unsupp./1k"))
    if "judge_score" in g.metrics:
        score = g.metrics["judge_score"]
        bars.append(("judge", (score - 1) / 4, f"{fmt(score)} / 5"))
    for family, s in g.families.items():
        bars.append((f"{family} P", s.precision, fmt(s.precision)))
        bars.append((f"{family} R", s.recall, fmt(s.recall)))
    return _bar_chart(f"#{g.rank} {group_label(g)}", bars)


def _summary_table(summary: RunSummary) -> str:
    cols = metric_columns(summary)
    used = usage_columns(summary)
    head = "".join(
        f"<th>{_e(h)}</th>"
        for h in (
            "rank",
            "model",
            "samples",
            "pass rate",
            ERRORED,
            *(SHORT_NAMES[c] for c in cols),
            "quality",
            *used,
            "thresholds",
        )
    )
    rows = []
    for g in summary.ranked:
        thr = "ok" if g.ok else "FAIL"
        model = _e(group_label(g)) + (
            f'<br><small class="served">{_e(g.served)}</small>' if g.served else ""
        )
        cells = [str(g.rank), model, str(g.samples), pct(g.pass_rate), str(g.errors)]
        cells += [fmt(g.metrics.get(c)) for c in cols]
        cells += [fmt(g.quality), *(_e(usage_cell(g, c)) for c in used)]
        cells += [f'<span class="badge {"pass" if g.ok else "fail"}">{thr}</span>']
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    thresholds = "".join(
        f'<li class="{"ok" if t.passed else "bad"}">{"✔" if t.passed else "✘"} {_e(group_label(g))}: '
        f"{_e(t.name)} = {fmt(t.value)} (needs {_e(t.bound)})</li>"
        for g in summary.groups
        for t in g.thresholds
    )
    return (
        f'<table id="summary-table"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
        f'<ul class="thresholds">{thresholds or "<li>no thresholds</li>"}</ul>'
    )


def _tag_table(summary: RunSummary) -> str:
    """Pass rate by case tag (empty when no case has a tag)."""
    groups, rows = tag_table(summary)
    if not rows:
        return ""
    head = "".join(f"<th>{_e(h)}</th>" for h in ("tag", *groups))
    body = "".join(
        f"<tr><td>{_e(tag)}</td>" + "".join(f"<td>{_e(c)}</td>" for c in cells) + "</tr>"
        for tag, cells in rows
    )
    return (
        '<section id="tags"><h2>Pass rate by case tag</h2>'
        f'<table id="tag-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
        "</section>"
    )


def _sample(i: int, s: SampleResult) -> str:
    anchor = f"s{i}"
    state = "error" if s.status == "error" else ("pass" if s.passed else "fail")
    label = {"pass": "PASS", "fail": "FAIL", "error": "ERROR"}[state]
    head = (
        f'<summary><span class="badge {state}">{label}</span> <b>{_e(s.case)}</b> · {_e(s.model)}'
        f" · {_e(s.variant)} · repeat {s.repeat} — {len(s.findings)} finding(s)"
        + "".join(f' <span class="tag">{_e(t)}</span>' for t in s.tags)
        + "</summary>"
    )
    body = []
    if s.error:
        body.append(f'<p class="bad">error: {_e(s.error)}</p>')
    if s.assertions:
        items = "".join(
            f'<li class="{"ok" if a.passed else "bad"}">{"✔" if a.passed else "✘"} {_e(a.name)}'
            f"{(' — ' + _e(a.message)) if a.message else ''}</li>"
            for a in s.assertions
        )
        body.append(f'<ul class="asserts">{items}</ul>')
    for m in s.missed:
        body.append(f'<p class="bad">missed: {_e(m)}</p>')
    for u in s.unexpected:
        body.append(f'<p class="bad">unexpected: {_e(u)}</p>')
    if s.metrics:
        body.append(
            "<p><small>"
            + " · ".join(f"{_e(SHORT_NAMES.get(k, k))} {fmt(v)}" for k, v in s.metrics.items())
            + "</small></p>"
        )
    if s.judge_reasons:
        body.append("<p><small>judge: " + _e("；".join(s.judge_reasons)) + "</small></p>")
    if s.findings:
        items = "".join(
            f'<li class="{_e(f.severity)}"><a href="#{anchor}-f{j}">line {f.line}</a> '
            f"<code>{_e(f.code)}</code> {_e(f.message)} “{_e(f.excerpt)}”</li>"
            for j, f in enumerate(s.findings)
        )
        body.append(f'<ul class="findings">{items}</ul>')
    if s.text:
        body.append(f'<pre class="draft">{highlight(s.text, s.findings, anchor)}</pre>')
    open_attr = " open" if state != "pass" else ""
    return f'<details class="sample" id="{anchor}" data-key="{_e(s.key)}"{open_attr}>{head}{"".join(body)}</details>'


def render_html(meta: RunMeta, summary: RunSummary, samples: list[SampleResult]) -> str:
    """The report as one self-contained HTML page."""
    v = verdict(summary)
    badge = v.split(" ", 1)[0]
    charts = "".join(_group_chart(g) for g in summary.ranked)
    cases = "".join(_sample(i, s) for i, s in enumerate(samples))
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>draft eval {_e(summary.suite)} — {_e(v)}</title><style>{CSS}</style></head><body>"
        f'<header><h1>draft eval {_e(summary.suite)} <span class="badge {badge}" id="verdict">{_e(v)}</span></h1>'
        f'<div class="meta">run {_e(meta.run_id)} · {summary.finished}/{summary.planned} samples · '
        f"started {_e(meta.created_at)} · suite {_e(meta.suite_path)}</div></header><main>"
        + (
            f'<p class="bad" id="unfinished">{_e(unfinished_note(summary))}</p>'
            if not summary.complete
            else ""
        )
        + f'<section id="summary"><h2>Summary by model</h2>{_summary_table(summary)}</section>'
        f"{_tag_table(summary)}"
        f'<section id="charts"><h2>Metrics per model</h2><div class="charts">{charts}</div></section>'
        f'<section id="cases"><h2>Cases ({len(samples)})</h2>{cases}</section>'
        "</main></body></html>\n"
    )
