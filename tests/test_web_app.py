"""The web app's routes through FastAPI's TestClient: the form, generation with live progress,
review with markers and findings in place, edits, downloads, import/export, history, safety."""

from __future__ import annotations

import gc
import html
import io
import json
import re
import shutil
import warnings
from pathlib import Path

import pytest
import yaml
from aiohttp import ClientSession
from conftest import REPO
from fastapi.testclient import TestClient
from webapp import (
    BASE_URL,
    EXAMPLE,
    SCHOOL,
    csrf_of,
    error_beside,
    example_facts,
    fields_for,
    follow_job,
    form_values,
    scripted_profile,
)

from pipeline.render.json import load_draft_json
from pipeline.web import WebSettings, create_app

SCRIPT = "<script>alert(1)</script>"


class Web:
    """A browser-like client of the app: keeps cookies and the page's CSRF token."""

    def __init__(self, client: TestClient):
        self.client = client
        self.token = csrf_of(client.get("/").text)

    def post(self, url: str, data: dict[str, str] | None = None, **kwargs):
        return self.client.post(
            url, data={"csrf_token": self.token, **(data or {})}, follow_redirects=False, **kwargs
        )

    def new_doc(self, start: str = "blank", doctype: str = SCHOOL, name: str = "红星中学") -> str:
        r = self.post("/docs", {"name": name, "doctype": doctype, "start": start})
        assert r.status_code == 303, r.text
        return r.headers["location"]

    def save(self, doc: str, fields: dict[str, str], action: str = "save", **extra: str):
        return self.post(f"{doc}/save", {"action": action, **fields, **extra})

    def generate(self, doc: str, fields: dict[str, str], model: str = "offline") -> str:
        """Generate from these fields; follow the job to its end; return the review URL."""
        r = self.save(doc, fields, action="generate", model=model)
        assert r.status_code == 303, r.text
        job = r.headers["location"]
        assert job.startswith("/jobs/"), f"generation did not start: {job}"
        events = follow_job(self.client, job)
        kind, data = events[-1]
        assert kind == "done", events
        return data["url"]

    def edit(self, draft: str, section: str, text: str, base: int | None = None, tab="t1"):
        return self.client.post(
            f"{draft}/sections/{section}",
            json={"text": text, "base": base, "tab": tab},
            headers={"X-CSRF-Token": self.token},
        )


@pytest.fixture
def web(draftsmith_home: Path):
    app = create_app(WebSettings())
    with TestClient(app, base_url=BASE_URL) as client:
        yield Web(client)


def review_headings(html: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", h)
        for h in re.findall(r'<h2 class="doc-heading"[^>]*>(.*?)</h2>', html, re.S)
    ]


# ----------------------------------------------------------------------------- the form


def test_form_is_generated_from_the_spec_with_labels_hints_and_list_rows(web: Web):
    doc = web.new_doc()
    html = web.client.get(doc).text
    from pipeline.spec import load_spec

    spec = load_spec(SCHOOL)
    for fact_id, fact in spec.facts.items():
        assert f'id="fact-{fact_id}"' in html
        assert fact.label in html
        assert fact.description in html
    # Examples are shown as hints; a required fact is starred.
    assert "例：青山县红星中学" in html
    assert re.search(r'学校名称<span class="req"', html)
    # Lists: one empty row, a template row for "add", add and remove buttons that work without JS.
    assert 'name="fact.study_topics.0"' in html
    assert 'name="fact.study_topics.__i__"' in html
    assert 'value="add:study_topics"' in html
    assert 'name="fact.next_year_measures.0.title"' in html
    assert "措施要点" in html and "具体做法" in html


def test_add_and_remove_rows_without_javascript(web: Web):
    doc = web.new_doc()
    fields = {"fact.study_topics.0": "《习近平谈治国理政》", "fact.study_topics.1": "党纪法规"}
    r = web.save(doc, fields, action="add:study_topics")
    assert r.status_code == 303
    html = web.client.get(r.headers["location"]).text
    values = form_values(html)
    assert values["fact.study_topics.0"] == "《习近平谈治国理政》"
    assert values["fact.study_topics.2"] == ""  # the new, empty row
    r = web.save(doc, fields, action="remove:study_topics:0")
    values = form_values(web.client.get(doc).text)
    assert values["fact.study_topics.0"] == "党纪法规"
    assert "fact.study_topics.1" not in values


def test_validation_errors_are_shown_beside_their_fields_in_chinese(web: Web):
    doc = web.new_doc()
    fields = fields_for(example_facts())
    fields["fact.report_year"] = "去年"
    fields["fact.theory_sessions"] = "-3"
    fields["fact.anniversary"] = "七十一周年啦"
    fields["fact.next_year_measures.1.detail"] = ""
    fields["fact.report_date"] = "2021-13-40"
    r = web.save(doc, fields, action="generate")
    assert r.status_code == 303 and "checked=1" in r.headers["location"]
    html = web.client.get(r.headers["location"]).text
    assert "“总结年度”应填写四位数的年份" in error_beside(html, "fact.report_year")
    assert "“中心组理论学习次数”不能小于 0次" in error_beside(html, "fact.theory_sessions")
    assert "应填写整数" in error_beside(html, "fact.anniversary")
    assert "“具体做法”是必填项" in error_beside(html, "fact.next_year_measures.1.detail")
    assert "应填写日期" in error_beside(html, "fact.report_date")
    assert error_beside(html, "fact.school_name") is None
    assert 'id="fact.report_year" name="fact.report_year"' in html
    assert re.search(r'name="fact.report_year"[^>]*aria-invalid="true"', html)
    assert "还有 5 处需要修改" in html
    # The user's input is kept as typed, so it can be corrected.
    assert form_values(html)["fact.report_year"] == "去年"
    # Nothing was generated.
    assert "尚未生成草稿" in html


def test_required_blanks_are_flagged_only_after_an_explicit_check(web: Web):
    doc = web.new_doc()
    assert error_beside(web.client.get(doc).text, "fact.school_name") is None
    web.save(doc, {})
    html = web.client.get(f"{doc}?checked=1").text
    assert error_beside(html, "fact.school_name") == "“学校名称”是必填项，请填写。"


def test_what_a_clerk_types_is_understood(web: Web):
    doc = web.new_doc()
    fields = {
        "fact.central_group_sessions": "１２次",
        "fact.theory_sessions": "八",
        "fact.report_year": "2020年",
        "fact.report_date": "2021年1月15日",
    }
    web.save(doc, fields)
    exported = yaml.safe_load(web.client.get(f"{doc}/export.yaml").text)
    assert exported["central_group_sessions"] == 12
    assert exported["theory_sessions"] == 8
    assert exported["report_year"] == 2020
    assert exported["report_date"] == "2021-01-15"


def test_autosave_answers_with_version_and_errors_by_field(web: Web):
    doc = web.new_doc()
    fields = {"fact.school_name": "红星中学", "fact.central_group_sessions": "x", "tab": "A"}
    r = web.post(f"{doc}/autosave", fields, headers={"accept": "application/json"})
    body = r.json()
    assert body["version"] == 2 and body["changed"] and not body["conflict"]
    assert "整数" in body["errors"]["fact.central_group_sessions"]
    assert "fact.county" in body["missing_fields"]
    assert "所在县（区）（必填）" in body["missing"]
    # The same tab typing on: the same version is updated, not a new one per keystroke.
    fields["fact.central_group_sessions"] = "12"
    r = web.post(f"{doc}/autosave", {**fields, "base": "2"})
    assert r.json()["version"] == 2
    assert "fact.central_group_sessions" not in r.json()["errors"]
    html = web.client.get(doc).text
    assert form_values(html)["fact.central_group_sessions"] == "12"


# ----------------------------------------------------------------------------- generate, review


def test_generate_streams_progress_per_section_then_shows_the_six_sections(web: Web):
    doc = web.new_doc()
    r = web.save(doc, fields_for(example_facts()), action="generate", model="offline")
    job = r.headers["location"]
    page = web.client.get(job)
    events = follow_job(web.client, job)
    sections = ["opening", "organization", "theory_study", "public_opinion"]
    sections += ["civic_culture", "shortcomings", "plans"]
    for sid in sections:
        states = [d["state"] for k, d in events if k == "section" and d["section"] == sid]
        assert states[0] == "queued" and states[-1] == "done", (sid, states)
    done = [d for k, d in events if k == "section" and d["state"] == "done"]
    assert all(d["detail"].endswith("字") for d in done)
    assert events[-1][0] == "done"
    if page.status_code == 200:  # the job page lists every section while it runs
        assert "开头段" in page.text and "一、加强组织领导" in page.text
    review = web.client.get(events[-1][1]["url"]).text
    headings = review_headings(review)
    assert len(headings) == 6
    assert headings[0].startswith("一、加强组织领导") and headings[5].startswith("六、2021年")
    assert "青山县红星中学2020年意识形态工作总结" in review
    assert "tone-error" not in review.split('<div id="panel"')[1].split("</div>")[0]
    assert "没有发现问题" in review
    # A finished job's page goes straight to its draft; a reconnect resumes after its last event.
    assert web.client.get(job, follow_redirects=False).headers["location"] == events[-1][1]["url"]
    with web.client.stream("GET", f"{job}/events", headers={"Last-Event-ID": "20"}) as s:
        ids = [int(line[4:]) for line in s.iter_lines() if line.startswith("id: ")]
    assert ids == list(range(21, len(events) + 1))


def test_a_cleared_count_is_highlighted_with_its_label_and_fixed_by_editing(web: Web):
    doc = web.new_doc()
    fields = fields_for(example_facts())
    fields["fact.central_group_sessions"] = ""
    draft = web.generate(doc, fields)
    html = web.client.get(draft).text
    mark = re.search(
        r'<mark class="ann tone-marker"[^>]*data-label="中心组学习次数"[^>]*>([^<]*)</mark>', html
    )
    assert mark and mark.group(1) == "【待补充：中心组学习次数】"
    assert 'id="ann-1"' in html and 'href="#ann-1"' in html  # the side panel links to it
    assert "1</strong> 处待补充" in html
    body = re.search(r'data-edit="theory_study"[^>]*>(.*?)</div>', html, re.S).group(1)
    text = "\n".join(re.sub(r"<[^>]+>", "", p) for p in re.findall(r"<p>(.*?)</p>", body))
    fixed = text.replace("【待补充：中心组学习次数】", "12")
    r = web.edit(draft, "theory_study", fixed, base=1)
    assert r.status_code == 200, r.text
    parts = r.json()
    assert parts["revision"] == 2
    assert "待补充" not in parts["sections"]["theory_study"]["body"]
    assert "没有发现问题" in parts["panel"]
    assert "0</strong> 处待补充" in parts["summary"]
    # The value typed over the marker went back into the facts form, as a new version.
    assert parts["filled"] == ["中心组学习次数：12"]
    assert yaml.safe_load(web.client.get(f"{doc}/export.yaml").text)["central_group_sessions"] == 12
    assert "在草稿中补填" in web.client.get(f"{doc}/history").text
    txt = web.client.get(f"{draft}/download.txt").text
    assert "全年学校共开展中心组学习12次" in txt and "待补充" not in txt


def test_an_edit_that_leaves_a_marker_is_checked_at_once(web: Web):
    draft = web.generate(web.new_doc(), fields_for(example_facts()))
    r = web.edit(draft, "organization", "学校由【待补充：意识形态工作领导组组长】任组长。")
    parts = r.json()
    assert 'data-label="意识形态工作领导组组长"' in parts["sections"]["organization"]["body"]
    assert "意识形态工作领导组组长" in parts["panel"]


def test_checker_findings_are_highlighted_where_they_are_and_listed(web: Web):
    draft = web.generate(web.new_doc(), fields_for(example_facts()))
    parts = web.edit(draft, "theory_study", "学校共开展中心组学习 次，其中理论学习XX次。").json()
    body = parts["sections"]["theory_study"]["body"]
    placeholder = re.search(
        r'<mark class="ann tone-error" data-ann="(ann-\d+)"[^>]*>XX</mark>', body
    )
    assert placeholder, body
    ann = placeholder.group(1)
    found = re.search(rf'<li ([^>]*)data-ann-item="{ann}">(.*?)</li>', parts["panel"], re.S)
    tag, item = found.group(1), found.group(2)
    assert 'class="badge">错误<' in item and f'href="#{ann}"' in item
    # the rule's code is for whoever reports a problem: on hover, not in the clerk's text
    assert 'data-code="gap.placeholder"' in tag and "gap.placeholder" not in item
    assert "占位符，尚未填写实际内容" in item  # told in Chinese, like the rest of the page
    assert "placeholder letters" not in parts["panel"]
    assert re.search(r'<mark class="ann tone-error"[^>]*>学习 次</mark>', body)
    assert "gap.silent-number" in parts["panel"]
    # A section emptied by the edit: the finding sits on its heading.
    parts = web.edit(draft, "shortcomings", "").json()
    assert "tone-error" in parts["sections"]["shortcomings"]["heading"]
    assert "structure.empty-section" in parts["panel"]


def test_downloads_in_every_format_carry_the_edits(web: Web, tmp_path: Path):
    draft = web.generate(web.new_doc(), fields_for(example_facts()))
    web.edit(draft, "shortcomings", "宣传工作还有差距，需要进一步改进。")
    for fmt in ("md", "txt", "json", "docx"):
        r = web.client.get(f"{draft}/download.{fmt}")
        assert r.status_code == 200, (fmt, r.text[:300])
        assert "attachment" in r.headers["content-disposition"]
        assert "filename*=UTF-8''" in r.headers["content-disposition"]
        (tmp_path / f"d.{fmt}").write_bytes(r.content)
    assert (tmp_path / "d.md").read_text().startswith("# 青山县红星中学2020年意识形态工作总结")
    assert "宣传工作还有差距" in (tmp_path / "d.txt").read_text()
    back = load_draft_json(tmp_path / "d.json")
    assert {s.id: s.body for s in back.sections}[
        "shortcomings"
    ] == "宣传工作还有差距，需要进一步改进。"
    import docx

    document = docx.Document(str(tmp_path / "d.docx"))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "青山县红星中学2020年意识形态工作总结" in text
    assert "宣传工作还有差距，需要进一步改进。" in text
    assert web.client.get(f"{draft}/download.pdf").status_code == 400


def test_the_word_download_is_in_the_house_style(web: Web, draftsmith_home: Path, tmp_path: Path):
    """The unit's [style] in the user's draft.toml applies to the web app's .docx as it does to
    `draft run` and `draft export`."""
    config = draftsmith_home / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "draft.toml").write_text(
        '[style.title]\nfont = "方正小标宋_GBK"\nsize = "小二"\n', encoding="utf-8"
    )
    draft = web.generate(web.new_doc(), fields_for(example_facts()))
    r = web.client.get(f"{draft}/download.docx")
    assert r.status_code == 200, r.text[:300]
    (tmp_path / "d.docx").write_bytes(r.content)
    import docx
    from docx.oxml.ns import qn

    title = docx.Document(str(tmp_path / "d.docx")).paragraphs[0]
    assert title.text == "青山县红星中学2020年意识形态工作总结"
    run = title.runs[0]
    assert run._r.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋_GBK"
    assert run.font.size.pt == 18


def test_regenerating_one_section_uses_the_new_facts_and_keeps_other_edits(web: Web):
    doc = web.new_doc()
    fields = fields_for(example_facts())
    draft = web.generate(doc, fields)
    web.edit(draft, "organization", "这是手工改写的组织领导一节。")
    fields["fact.central_group_sessions"] = "15"
    web.save(doc, fields)
    r = web.post(f"{draft}/regenerate", {"section": "theory_study", "model": "offline"})
    assert r.status_code == 303 and r.headers["location"].startswith("/jobs/")
    events = follow_job(web.client, r.headers["location"])
    assert {d["section"] for k, d in events if k == "section"} == {"theory_study"}
    assert events[-1][0] == "done"
    txt = web.client.get(f"{draft}/download.txt").text
    assert "中心组学习15次" in txt
    assert "这是手工改写的组织领导一节。" in txt
    assert len(review_headings(web.client.get(draft).text)) == 6
    kinds = web.client.get(f"{draft}/revisions").text
    assert "重新生成一节" in kinds and "编辑" in kinds


def test_generating_again_after_hand_edits_says_they_stay_in_the_old_draft(draftsmith_home: Path):
    """Monday: a draft is edited by hand. Wednesday (the server restarted in between): two facts
    change and the whole draft is generated again. The new draft is made from the facts only;
    the form must say so before she presses 生成草稿, and the old draft keeps her edits."""
    with TestClient(create_app(WebSettings()), base_url=BASE_URL) as client:
        monday = Web(client)
        doc = monday.new_doc()
        fields = fields_for(example_facts())
        draft = monday.generate(doc, fields)
        assert "手工改写" not in client.get(doc).text  # no edits yet: nothing to warn of
        monday.edit(draft, "organization", "这是周一手工改写的组织领导一节。")
    with TestClient(create_app(WebSettings()), base_url=BASE_URL) as client:
        wednesday = Web(client)
        form = client.get(doc).text
        side = re.search(r'<aside class="side">.*?</section>', form, re.S)
        assert side and "手工改写的文字不会带入新草稿" in side.group(0)
        assert f'href="{draft}"' in form  # the edited draft is still listed
        # Regenerating one section replaces that section's hand edits: the review page says so.
        assert "这一节中你手工改写的文字会被替换" in client.get(draft).text
        fields["fact.central_group_sessions"] = "15"
        fields["fact.theory_sessions"] = "9"
        fresh = wednesday.generate(doc, fields)
        assert fresh != draft
        assert "这是周一手工改写的组织领导一节。" not in client.get(f"{fresh}/download.txt").text
        assert "中心组学习15次" in client.get(f"{fresh}/download.txt").text
        assert "这是周一手工改写的组织领导一节。" in client.get(f"{draft}/download.txt").text


def test_a_section_too_long_to_keep_is_refused_in_chinese(web: Web):
    """Pasting a whole other report into one section: the page is told in Chinese how long a
    section may be, not pydantic's English, and nothing is changed."""
    draft = web.generate(web.new_doc(start="example"), fields_for(example_facts()))
    r = web.client.post(
        f"{draft}/sections/organization",
        json={"text": "长" * 20_001, "base": None, "tab": "t1"},
        headers={"X-CSRF-Token": web.token, "Accept": "application/json"},  # as review.js
    )
    assert r.status_code == 400
    message = r.json()["error"]
    assert "20,000" in message and "字" in message, message
    assert not re.search(r"[A-Za-z]{3,}", message), message
    assert web.client.get(draft).text.count("长长长长") == 0


# ----------------------------------------------------------------------------- import, export, history


def test_export_yaml_runs_with_the_cli_and_import_makes_the_same_form(web: Web, cli, tmp_path):
    doc = web.new_doc(start="example")
    exported = web.client.get(f"{doc}/export.yaml")
    assert "attachment" in exported.headers["content-disposition"]
    path = tmp_path / "facts.yaml"
    path.write_text(exported.text, encoding="utf-8")
    result = cli("run", path, "-o", tmp_path / "out.md")
    assert result.returncode == 0, result.stderr
    r = web.post(
        "/docs/import",
        files={"facts_file": ("红星中学.yaml", EXAMPLE.read_bytes(), "application/x-yaml")},
    )
    assert r.status_code == 303
    imported = form_values(web.client.get(r.headers["location"]).text)
    assert imported["fact.school_name"] == "青山县红星中学"
    assert (
        imported["fact.next_year_measures.1.title"]
        == example_facts()["next_year_measures"][1]["title"]
    )
    assert "红星中学" in web.client.get("/").text


def test_a_broken_import_says_what_is_wrong_and_changes_nothing(web: Web):
    doc = web.new_doc(start="example")
    before = web.client.get(f"{doc}/history").text.count("<tr>")
    bad = b"doctype: school-ideology-summary\nschool_name: [unclosed\n"
    r = web.post(f"{doc}/import", files={"facts_file": ("bad.yaml", bad, "application/x-yaml")})
    assert r.status_code == 400
    assert re.search(r"bad\.yaml: 无法读取：第 \d+ 行附近不符合 YAML/JSON 格式", r.text)
    other = b"doctype: annual-work-summary\nunit_name: x\n"
    r = web.post(f"{doc}/import", files={"facts_file": ("o.yaml", other, "application/x-yaml")})
    assert r.status_code == 400 and "annual-work-summary" in r.text
    assert web.client.get(f"{doc}/history").text.count("<tr>") == before


def test_import_errors_are_told_in_chinese(web: Web):
    """A clerk picks the wrong file: every reason the import is refused is in Chinese (the
    file name and line stay), not the CLI's English."""
    doc = web.new_doc(start="example")
    cases = [
        (f"{doc}/import", b"doctype: annual-work-summary\nunit_name: x\n", "年度工作总结"),
        (f"{doc}/import", b"doctype: school-ideology-summary\nschool_name: [x\n", "行附近"),
        ("/docs/import", b"school_name: x\n", "doctype"),
        ("/docs/import", b"- a\n- b\n", "事实"),
    ]
    for url, content, expected in cases:
        r = web.post(url, files={"facts_file": ("f.yaml", content, "application/x-yaml")})
        assert r.status_code == 400
        message = re.search(r'<section class="card[^"]*">(.*?)</section>', r.text, re.S)
        assert message, r.text
        shown = html.unescape(re.sub(r"<[^>]+>", " ", message.group(1)))
        assert "f.yaml" in shown and expected in shown, shown
        words = set(re.findall(r"[A-Za-z]{3,}", shown)) - {"yaml", "doctype", "YAML", "JSON"}
        assert not words - {"annual", "work", "summary", "school", "ideology", "name"}, shown


def test_history_keeps_every_save_and_restore_adds_a_version(web: Web):
    doc = web.new_doc()
    web.save(doc, {"fact.school_name": "第一稿"})
    web.save(doc, {"fact.school_name": "第二稿"})
    history = web.client.get(f"{doc}/history").text
    assert history.count("<tr>") == 4  # header + created + two saves
    r = web.post(f"{doc}/history/2/restore")
    assert r.status_code == 303
    assert form_values(web.client.get(doc).text)["fact.school_name"] == "第一稿"
    history = web.client.get(f"{doc}/history").text
    assert "第 4 版" in history and "恢复旧版本" in history
    assert "第二稿" in web.client.get(f"{doc}/history/3").text


def test_a_stale_tab_is_told_of_the_conflict_and_both_versions_are_kept(web: Web):
    doc = web.new_doc()
    a = web.post(f"{doc}/autosave", {"fact.school_name": "甲", "tab": "A", "base": "1"}).json()
    b = web.post(f"{doc}/autosave", {"fact.school_name": "乙", "tab": "B", "base": "1"}).json()
    assert not a["conflict"] and b["conflict"]
    assert b["version"] == a["version"] + 1
    assert "甲" in web.client.get(f"{doc}/history/{a['version']}").text
    assert "乙" in web.client.get(f"{doc}/history/{b['version']}").text


# ----------------------------------------------------------------------------- learned types


def _learn_a_type(home: Path) -> None:
    """A document type as `draft learn` leaves it in the user data directory (with an enum)."""
    root = home / "data" / "doctypes"
    (root / "schemas").mkdir(parents=True)
    spec = yaml.safe_load((REPO / "schemas" / "annual-work-summary.yaml").read_text())
    spec["id"] = "township-summary"
    spec["name"] = "乡镇年度工作总结"
    spec["facts"]["unit_level"] = {
        "type": "enum",
        "label": "单位级别",
        "choices": ["县级", "乡镇级"],
        "example": "乡镇级",
    }
    spec["sections"][1]["facts"].append("unit_level")  # a fact no section uses is refused
    (root / "schemas" / "township-summary.yaml").write_text(
        yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    shutil.copytree(REPO / "prompts" / "annual-work-summary", root / "prompts" / "township-summary")


def test_learned_document_types_get_a_form_too(draftsmith_home: Path):
    _learn_a_type(draftsmith_home)
    with TestClient(create_app(WebSettings()), base_url=BASE_URL) as client:
        web = Web(client)
        home = client.get("/").text
        assert "乡镇年度工作总结（学习所得）" in home
        doc = web.new_doc(doctype="township-summary")
        html = client.get(doc).text
        assert '<select id="fact.unit_level" name="fact.unit_level"' in html
        assert '<option value="乡镇级">乡镇级</option>' in html
        web.save(doc, {"fact.unit_level": "省级"})
        html = client.get(f"{doc}?checked=1").text
        assert (
            error_beside(html, "fact.unit_level")
            == "“单位级别”只能从以下选项中选择：县级、乡镇级。"
        )


# ----------------------------------------------------------------------------- safety


def test_posts_without_the_csrf_token_or_from_another_site_are_refused(web: Web):
    doc = web.new_doc()
    c = web.client
    assert c.post(f"{doc}/save", data={"fact.school_name": "x"}).status_code == 403
    r = c.post(f"{doc}/save", data={"fact.school_name": "x", "csrf_token": "0" * 40})
    assert r.status_code == 403 and "CSRF" in r.text
    r = c.post(
        f"{doc}/save",
        data={"fact.school_name": "x", "csrf_token": web.token},
        headers={"origin": "http://evil.example"},
    )
    assert r.status_code == 403
    r = c.post(
        f"{doc}/autosave", data={"fact.school_name": "x"}, headers={"accept": "application/json"}
    )
    assert r.status_code == 403 and "error" in r.json()
    # A new visitor (no session cookie) cannot post with someone else's token.
    with TestClient(c.app, base_url=BASE_URL) as stranger:
        r = stranger.post(f"{doc}/save", data={"fact.school_name": "x", "csrf_token": web.token})
        assert r.status_code == 403
    assert form_values(c.get(doc).text)["fact.school_name"] == ""
    assert c.get(f"{doc}/history").text.count("<tr>") == 2  # nothing was saved


def test_another_host_needs_the_access_token(draftsmith_home: Path):
    settings = WebSettings.for_host("0.0.0.0", 8000)
    assert settings.token and len(settings.token) >= 24
    with TestClient(create_app(settings), base_url="http://192.168.1.20:8000") as c:
        r = c.get("/")
        assert r.status_code == 401 and "需要访问令牌" in r.text
        assert c.get("/?token=wrong").status_code == 401
        assert c.get("/static/app.css").status_code == 401
        r = c.get(f"/docs/1?token={settings.token}&checked=1", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/docs/1?checked=1"
        assert "HttpOnly" in r.headers["set-cookie"]
        assert c.get("/").status_code == 200  # the cookie now carries the token


def test_on_loopback_only_loopback_host_names_are_answered(draftsmith_home: Path):
    with TestClient(create_app(WebSettings()), base_url="http://evil.example:8000") as c:
        assert c.get("/").status_code == 400
    with TestClient(create_app(WebSettings()), base_url="http://localhost:8000") as c:
        assert c.get("/").status_code == 200


def test_every_page_forbids_inline_script_and_framing(web: Web):
    r = web.client.get("/")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "<script>" not in r.text  # every script is a file: <script src=…>


def test_a_script_in_a_fact_is_shown_as_text_everywhere(web: Web):
    doc = web.new_doc(name=SCRIPT)
    fields = fields_for(example_facts())
    fields["fact.school_name"] = SCRIPT
    fields["fact.study_topics.0"] = SCRIPT
    draft = web.generate(doc, fields)
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    for url in ("/", doc, f"{doc}/history/2", draft, f"{draft}/revisions"):
        html = web.client.get(url).text
        assert SCRIPT not in html, url
        assert escaped in html, url
    r = web.edit(draft, "organization", f"{SCRIPT}【待补充：{SCRIPT}】")
    assert "<script>" not in r.text and "<\\/script>" not in r.text
    assert escaped in r.json()["sections"]["organization"]["body"]
    assert (
        'data-label="&lt;script&gt;alert(1)&lt;/script&gt;"'
        in r.json()["sections"]["organization"]["body"]
    )


def test_api_keys_never_reach_the_browser(
    draftsmith_home: Path, monkeypatch: pytest.MonkeyPatch, openai_server, tmp_path: Path
):
    key = "sk-web-test-4b1e9d7c2a6f8e0355"
    scripted_profile(draftsmith_home, openai_server.base_url, "scripted", "WEB_TEST_KEY")
    monkeypatch.setenv("WEB_TEST_KEY", key)
    monkeypatch.chdir(tmp_path)
    with TestClient(create_app(WebSettings()), base_url=BASE_URL) as client:
        web = Web(client)
        doc = web.new_doc()
        form = client.get(doc).text
        assert '<option value="scripted">scripted（good）</option>' in form
        gc.collect()  # what earlier tests left behind is not this test's to judge
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            draft = web.generate(doc, fields_for(example_facts()), model="scripted")
            gc.collect()
        assert openai_server.count() >= 7
        # The job closed the model's HTTP session: none is left open, none was dropped open.
        assert not [w for w in caught if "Unclosed" in str(w.message)]
        assert not [o for o in gc.get_objects() if isinstance(o, ClientSession) and not o.closed]
        assert all(r.authorization == f"Bearer {key}" for r in openai_server.requests())
        pages = [
            client.get(u) for u in ("/", doc, draft, f"{doc}/export.yaml", f"{draft}/revisions")
        ]
        pages += [client.get(f"{draft}/download.{f}") for f in ("md", "txt", "json", "docx")]
        for page in pages:
            assert key.encode() not in page.content
            assert b"WEB_TEST_KEY" not in page.content
        assert "scripted" in client.get(draft).text


def test_a_failed_section_says_which_facts_to_write_in_by_hand(
    draftsmith_home: Path, monkeypatch: pytest.MonkeyPatch, openai_server, tmp_path: Path
):
    scripted_profile(draftsmith_home, openai_server.base_url, "scripted", "WEB_TEST_KEY")
    monkeypatch.setenv("WEB_TEST_KEY", "sk-web-test-failing-section")
    monkeypatch.chdir(tmp_path)
    openai_server.script("theory_study", "400")
    with TestClient(create_app(WebSettings()), base_url=BASE_URL) as client:
        web = Web(client)
        draft = web.generate(web.new_doc(), fields_for(example_facts()), model="scripted")
        review = client.get(draft).text
    failed = review.split('id="sec-theory_study"')[1].split("</section>")[0]
    assert "这一节生成失败：400 请求无效。" in failed
    assert "请手写这一节，写明：“中心组学习次数”、“中心组理论学习次数”" in failed
    assert review.count("请手写这一节") == 1  # the sections drafted have nothing to add


def test_a_missing_key_is_reported_on_the_form_not_as_a_crash(
    draftsmith_home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    config = draftsmith_home / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "draft.toml").write_text(
        '[profiles.remote]\nmodel = "m"\nbase_url = "http://127.0.0.1:9"\nkey_env = "NO_SUCH_KEY"\n',
        encoding="utf-8",
    )
    monkeypatch.delenv("NO_SUCH_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    with TestClient(create_app(WebSettings()), base_url=BASE_URL) as client:
        web = Web(client)
        doc = web.new_doc()
        r = web.save(doc, fields_for(example_facts()), action="generate", model="remote")
        assert r.status_code == 400
        assert "无法开始生成" in r.text and "NO_SUCH_KEY" in r.text


def test_unknown_pages_say_so_in_chinese(web: Web):
    for url in ("/docs/99", "/drafts/99", "/docs/99/history", "/jobs/nope", "/nope"):
        r = web.client.get(url)
        assert r.status_code == 404, url
        assert "找不到" in r.text or "任务不存在" in r.text
    big = io.BytesIO(b"x" * (5 * 1024 * 1024))
    r = web.post("/docs/import", files={"facts_file": ("big.yaml", big, "application/x-yaml")})
    assert r.status_code == 413


def test_web_drafts_are_in_the_run_log_with_every_prompt(
    draftsmith_home: Path, monkeypatch: pytest.MonkeyPatch, openai_server, tmp_path: Path, cli
):
    """Generating in the web app pays for calls as `draft run` does: `draft logs` shows them."""
    scripted_profile(draftsmith_home, openai_server.base_url, "scripted", "WEB_TEST_KEY")
    monkeypatch.setenv("WEB_TEST_KEY", "sk-web-log-test")
    monkeypatch.chdir(tmp_path)
    with TestClient(create_app(WebSettings()), base_url=BASE_URL) as client:
        web = Web(client)
        doc = web.new_doc()
        draft = web.generate(doc, fields_for(example_facts()), model="scripted")
        r = web.post(f"{draft}/regenerate", {"section": "theory_study", "model": "offline"})
        assert r.status_code == 303, r.text
        kind, _ = follow_job(client, r.headers["location"])[-1]
        assert kind == "done"
    listing = cli("logs", "--json")
    assert listing.returncode == 0, listing.stderr
    runs = json.loads(listing.stdout)
    assert [(r["model"], r["exit_code"]) for r in runs] == [("offline", 0), ("scripted", 0)]
    assert runs[1]["facts_source"] == f"web app, document {doc.rsplit('/', 1)[1]}"
    shown = json.loads(cli("logs", "show", str(runs[1]["id"]), "--json").stdout)
    assert len(shown["calls"]) == openai_server.count() >= 7
    assert shown["calls"][0]["messages"][0]["role"] == "system"


def test_a_notice_shows_its_addressee_under_the_title_and_its_marker_when_left_blank(web: Web):
    """The 工作通知's 主送机关 is a line of its own under the title on the review page, not
    the opening's first words; left blank in the form, its marker is highlighted there."""
    facts = yaml.safe_load((REPO / "examples/work-notice.yaml").read_text(encoding="utf-8"))
    facts.pop("doctype")
    doc = web.new_doc(doctype="work-notice", name="安全生产大检查")
    review = web.client.get(web.generate(doc, fields_for(facts))).text
    line = re.search(r'<p class="doc-addressee" id="doc-addressee">(.*?)</p>', review, re.S)
    assert line is not None
    assert line.group(1) == "各乡镇（街道）安全生产委员会办公室，县直各有关单位："
    assert review.index('id="doc-title"') < line.start() < review.index('id="sec-opening"')
    assert review_headings(review)[0] == "一、时间和范围"
    facts["addressee"] = ""
    blank = web.client.get(web.generate(web.new_doc(doctype="work-notice"), fields_for(facts)))
    line = re.search(r'<p class="doc-addressee" id="doc-addressee">(.*?)</p>', blank.text, re.S)
    assert line is not None and "tone-marker" in line.group(1)
    assert "【待补充：主送机关】" in re.sub(r"<[^>]+>", "", line.group(1))


def test_a_notices_attachments_left_blank_are_not_listed_as_a_gap(web: Web):
    """附件 is left out of a notice that has none (`absent: omit`): the form does not list
    it among the facts that will leave a marker, while the 主送机关 left blank is listed."""
    facts = yaml.safe_load((REPO / "examples/work-notice.yaml").read_text(encoding="utf-8"))
    facts.pop("doctype")
    facts["attachments"] = []
    facts["addressee"] = ""
    doc = web.new_doc(doctype="work-notice", name="安全生产大检查")
    r = web.post(f"{doc}/autosave", fields_for(facts), headers={"accept": "application/json"})
    missing = r.json()["missing"]
    assert "主送机关" in missing and "附件" not in missing, missing


def test_a_plans_monthly_schedule_is_an_optional_list_drafted_only_when_given(web: Web):
    """The 月度工作安排 of annual-work-plan: on the form like any optional list; without it
    the draft, its progress page and its review list four sections, with it five; its
    section cannot be drafted again once the schedule is cleared."""
    plan = "annual-work-plan"
    doc = web.new_doc(doctype=plan, name="青山县自然资源局")
    form = web.client.get(doc).text
    assert 'id="fact-monthly_schedule"' in form and "月度工作安排" in form
    assert 'name="fact.monthly_schedule.0.month"' in form
    assert 'name="fact.monthly_schedule.0.tasks"' in form
    assert not re.search(r'月度工作安排<span class="req"', form)
    facts = yaml.safe_load((REPO / "examples/annual-work-plan.yaml").read_text("utf-8"))
    facts.pop("doctype")
    fields = fields_for(facts)
    r = web.save(doc, fields, action="generate", model="offline")
    events = follow_job(web.client, r.headers["location"])
    assert "monthly" not in {d["section"] for k, d in events if k == "section"}
    without = events[-1][1]["url"]
    assert review_headings(web.client.get(without).text) == [
        "一、目标任务",
        "二、重点工作",
        "三、保障措施",
    ]
    assert "月度工作安排" not in web.client.get(f"{without}/download.txt").text
    fields |= {
        "fact.monthly_schedule.0.month": "3月",
        "fact.monthly_schedule.0.tasks": "启动耕地“非农化”“非粮化”专项整治",
    }
    with_schedule = web.generate(doc, fields)
    review = web.client.get(with_schedule).text
    assert review_headings(review)[-1] == "四、月度工作安排"
    assert "3月：启动耕地“非农化”“非粮化”专项整治。" in review and "没有发现问题" in review
    del fields["fact.monthly_schedule.0.month"], fields["fact.monthly_schedule.0.tasks"]
    web.save(doc, fields)
    refused = web.post(f"{with_schedule}/regenerate", {"section": "monthly", "model": "offline"})
    assert refused.status_code == 400, refused.text
    assert "“月度工作安排”一节只在填写了“月度工作安排”时生成" in html.unescape(refused.text)
