"""An office clerk's journey through `draft serve`, a real process over real HTTP: the mistakes
she really makes, and what the pages then tell her (in Chinese, with nothing lost)."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from webapp import SCHOOL, csrf_of, example_facts, fields_for, follow_job, serving

ENGLISH = re.compile(r"[A-Za-z]{4,}")
"""A run of Latin letters a clerk would have to read as English (not 401, not API)."""


class Clerk:
    """A browser's session with a running `draft serve`: cookies and the page's CSRF token."""

    def __init__(self, client: httpx.Client):
        self.client = client
        self.token = csrf_of(client.get("/").text)

    def post(self, url: str, data: dict[str, str] | None = None, **kwargs) -> httpx.Response:
        return self.client.post(url, data={"csrf_token": self.token, **(data or {})}, **kwargs)

    def new_doc(self) -> str:
        r = self.post("/docs", {"name": "红星中学", "doctype": SCHOOL, "start": "blank"})
        assert r.status_code == 303, r.text
        return r.headers["location"]

    def start(self, doc: str, model: str) -> httpx.Response:
        fields = fields_for(example_facts())
        return self.post(f"{doc}/save", {"action": "generate", "model": model, **fields})


def page_text(html: str) -> str:
    """What a reader sees of a page: its text without markup, scripts or styles."""
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def _profile(
    home: Path, base_url: str, *, read_timeout: float | None = None, attempts: int = 1
) -> None:
    """A `scripted` profile for the test server, its key in CLERK_KEY; `attempts` per call."""
    config = home / "config"
    config.mkdir(parents=True, exist_ok=True)
    extra = f"read_timeout = {read_timeout}\n" if read_timeout else ""
    (config / "draft.toml").write_text(
        f'[profiles.scripted]\nmodel = "good"\nbase_url = "{base_url}"\nkey_env = "CLERK_KEY"\n'
        f"{extra}[retry]\nmax_attempts = {attempts}\ninitial_backoff = 0.1\njitter = 0\n",
        encoding="utf-8",
    )


@pytest.mark.parametrize(
    ("behaviour", "reason"), [("401", "401 API 密钥无效"), ("hang:60", "请求超时")]
)
def test_a_failed_model_call_is_told_in_chinese_on_progress_and_review(
    draftsmith_home: Path, openai_server, behaviour: str, reason: str
):
    _profile(draftsmith_home, openai_server.base_url, read_timeout=1)
    openai_server.script("theory_study", behaviour)
    with (
        serving(draftsmith_home, env={"CLERK_KEY": "sk-clerk"}) as served,
        served.client() as client,
    ):
        clerk = Clerk(client)
        r = clerk.start(clerk.new_doc(), "scripted")
        assert r.status_code == 303, r.text
        events = follow_job(client, r.headers["location"])
        assert events[-1][0] == "done", events
        failed = [d for k, d in events if k == "section" and d["state"] == "failed"]
        # after a 401 the sections not yet sent are not sent: they fail for the same reason
        assert "theory_study" in [d["section"] for d in failed]
        assert {d["detail"] for d in failed} == {f"失败：{reason}"}
        done = [d["detail"] for k, d in events if k == "section" and d["state"] == "done"]
        assert done and not [d for d in done if ENGLISH.search(d)], done
        review = client.get(events[-1][1]["url"]).text
    section = page_text(
        review.split('id="sec-theory_study"')[1].split(">", 1)[1].split("</section>")[0]
    )
    assert f"这一节生成失败：{reason}。" in section
    assert "重新生成本节" in section
    assert not ENGLISH.search(section), section
    # the side panel does not send her to the facts form for a section that failed
    items = [page_text(i.split("</li>")[0]) for i in review.split('data-ann-item="')[1:]]
    item = next(
        i for i in items if f"强化理论学习，提高党员政治理论水平（生成失败：{reason}）" in i
    )
    assert "直接在正文中写明" in item and "事实表单" not in item
    panel = [page_text(i.split(">", 1)[1]) for i in items]  # without the <li>'s own attributes
    assert not [i for i in panel if ENGLISH.search(i)], panel  # no rule codes as text


def test_a_double_click_on_generate_makes_one_draft_and_pays_once(
    draftsmith_home: Path, openai_server
):
    _profile(draftsmith_home, openai_server.base_url)
    openai_server.script("*", "hold:60")  # the first draft is under way when the second click comes
    with (
        serving(draftsmith_home, env={"CLERK_KEY": "sk-clerk"}) as served,
        served.client() as client,
    ):
        clerk = Clerk(client)
        doc = clerk.new_doc()
        first, second = clerk.start(doc, "scripted"), clerk.start(doc, "scripted")
        assert first.status_code == second.status_code == 303
        assert second.headers["location"] == first.headers["location"]
        openai_server.release()
        events = follow_job(client, first.headers["location"])
        assert events[-1][0] == "done", events
        form = client.get(doc).text
    assert form.count('<a href="/drafts/') == 1
    assert openai_server.count() == 7  # one request per section, not two


def test_a_model_that_cannot_be_used_is_told_in_chinese_and_the_facts_are_kept(
    draftsmith_home: Path, openai_server
):
    _profile(draftsmith_home, openai_server.base_url)  # CLERK_KEY is not set on the server
    with serving(draftsmith_home) as served, served.client() as client:
        clerk = Clerk(client)
        doc = clerk.new_doc()
        r = clerk.start(doc, "scripted")
        assert r.status_code == 400
        shown = page_text(r.text)
        assert "无法开始生成：模型“scripted”暂时不能使用：服务器上没有设置它的 API 密钥" in shown
        assert "CLERK_KEY" in shown and "离线模型" in shown
        # a page older than the server's draft.toml offers a model no longer there
        r = clerk.start(doc, "retired-model")
        assert r.status_code == 400
        assert "模型“retired-model”已不在可选列表中" in page_text(r.text)
        assert "unknown model" not in r.text and "environment variable" not in r.text
        assert 'value="青山县红星中学"' in client.get(doc).text  # what she typed is saved
        assert openai_server.count() == 0


def test_an_imported_file_with_a_misspelt_key_or_type_says_what_to_write(
    draftsmith_home: Path,
):
    # saved by Notepad on a Chinese Windows: GBK
    facts = "doctype: school-ideology-summary\nschol_name: 红星中学\n".encode("gbk")
    wrong_type = b"doctype: school-summary\nschool_name: x\n"
    with serving(draftsmith_home) as served, served.client() as client:
        clerk = Clerk(client)
        r = clerk.post("/docs/import", files={"facts_file": ("学校.yaml", facts, "text/yaml")})
        assert r.status_code == 303, r.text
        shown = page_text(client.get(r.headers["location"]).text)
        assert "本文种没有“schol_name”这一项，已忽略（其值“红星中学”没有填入）。" in shown
        assert "是否应为“学校名称”（school_name）？" in shown
        r = clerk.post("/docs/import", files={"facts_file": ("学校.yaml", wrong_type, "text/yaml")})
        assert r.status_code == 400
        shown = page_text(r.text)
        assert "文件中的“doctype: school-summary”不是已有的文种，没有导入。" in shown
        assert "是否应为“doctype: school-ideology-summary”（学校意识形态工作总结）？" in shown
        assert "unknown" not in shown and "--spec-dir" not in shown
        assert client.get("/").text.count('href="/docs/') == 1  # only the first import


def test_numbers_and_dates_as_a_clerk_types_them(draftsmith_home: Path):
    typed = {
        "fact.central_group_sessions": "十二次",
        "fact.theory_sessions": "１２",
        "fact.micro_lectures": "10 次",
        "fact.report_date": "2021年1月8号",
    }
    with serving(draftsmith_home) as served, served.client() as client:
        clerk = Clerk(client)
        doc = clerk.new_doc()
        fields = {**fields_for(example_facts()), **typed}
        saved = clerk.post(f"{doc}/autosave", fields).json()
        assert saved["errors"] == {} and saved["valid"]
        fields["fact.report_date"] = "2021.1.8"
        assert clerk.post(f"{doc}/autosave", fields).json()["errors"] == {}
        fields["fact.report_date"] = "2021年1月"  # the day left out: say how a date is written
        assert clerk.post(f"{doc}/autosave", fields).json()["errors"] == {
            "fact.report_date": "“成文日期”应填写日期（年、月、日齐全），如 2021年1月15日；"
            "“2021年1月”无法识别为日期。"
        }
        fields["fact.report_date"] = "2021.1.8"
        # two numbers typed with a comma between them are not one number (3，5 is not 35)
        for given in ("3，5", "1,2"):
            fields["fact.central_group_sessions"] = given
            errors = clerk.post(f"{doc}/autosave", fields).json()["errors"]
            assert errors == {
                "fact.central_group_sessions": f"“中心组学习次数”应填写整数，如 86 或 八十六；“{given}”不是整数。"
            }
        fields["fact.central_group_sessions"] = "1,200"
        assert clerk.post(f"{doc}/autosave", fields).json()["errors"] == {}


def test_addresses_opened_by_hand_are_answered_in_chinese(draftsmith_home: Path):
    """The address bar after a refused form (…/save), a mistyped number or download format:
    a Chinese page saying what to do, never the framework's English."""
    with serving(draftsmith_home) as served, served.client() as client:
        clerk = Clerk(client)
        doc = clerk.new_doc()
        r = clerk.start(doc, "offline")
        events = follow_job(client, r.headers["location"])
        draft = events[-1][1]["url"]
        # the drafts list and the review page name the offline model in Chinese
        assert "模型 离线模型" in page_text(client.get(draft).text)
        assert "离线模型 · 第 2 版事实" in page_text(client.get(doc).text)
        pages = {
            f"{doc}/save": (405, "这个地址只用于提交表单，不能直接打开"),
            "/docs/abc": (404, "没有这个页面"),
            f"{draft}/download.pdf": (
                400,
                "不能下载为“.pdf”格式，可选的格式有：.md、.txt、.json、.docx",
            ),
        }
        for url, (status, words) in pages.items():
            r = client.get(url)
            assert r.status_code == status, url
            main = re.search(r"<main\b[^>]*>(.*?)</main>", r.text, re.S)
            assert main, r.text
            shown = page_text(main.group(1))
            assert words in shown, shown
            assert not ENGLISH.search(re.sub(r"\.[a-z]+", "", shown)), shown  # .docx may stay
        r = client.post(
            f"{draft}/sections/opening",
            json={"text": 5},
            headers={"X-CSRF-Token": clerk.token, "Accept": "application/json"},
        )
        assert r.status_code == 400
        assert r.json() == {"error": "提交的内容不完整或格式不对，没有保存。请刷新页面后重试。"}


def test_a_required_fact_left_empty_is_not_promised_as_a_marker(draftsmith_home: Path):
    with serving(draftsmith_home) as served, served.client() as client:
        clerk = Clerk(client)
        doc = clerk.new_doc()
        fields = {**fields_for(example_facts()), "fact.school_name": "", "fact.theory_sessions": ""}
        saved = clerk.post(f"{doc}/autosave", fields).json()
        assert saved["missing"] == ["学校名称（必填）", "中心组理论学习次数"]
        r = clerk.post(f"{doc}/save", {"action": "generate", "model": "offline", **fields})
        assert r.status_code == 303 and r.headers["location"].endswith("#form-errors")
        form = page_text(client.get(r.headers["location"]).text)
        assert "“学校名称”是必填项，请填写。" in form
        assert "必填项填写后才能生成" in form and "学校名称（必填）" in form


def test_a_marker_filled_in_the_draft_with_full_width_digits(draftsmith_home: Path):
    """The clerk types ８ (as some input methods do) over 【待补充：中心组理论学习次数】: the draft
    and the Word file say 8次, and the facts form has the fact."""
    with serving(draftsmith_home) as served, served.client() as client:
        clerk = Clerk(client)
        doc = clerk.new_doc()
        fields = {**fields_for(example_facts()), "fact.theory_sessions": ""}
        r = clerk.post(f"{doc}/save", {"action": "generate", "model": "offline", **fields})
        draft = follow_job(client, r.headers["location"])[-1][1]["url"]
        sections = client.get(f"{draft}/download.json").json()["sections"]
        body = next(s["body"] for s in sections if s["id"] == "theory_study")
        marker = "【待补充：中心组理论学习次数】"
        assert marker in body
        r = client.post(
            f"{draft}/sections/theory_study",
            json={"text": body.replace(marker, "８"), "base": 1, "tab": "A"},
            headers={"X-CSRF-Token": clerk.token, "Accept": "application/json"},
        )
        assert r.status_code == 200 and r.json()["filled"] == ["中心组理论学习次数：8"]
        text = client.get(f"{draft}/download.txt").text
        assert "专题理论学习8次" in text and "８" not in text and "待补充" not in text
        assert 'value="8"' in client.get(doc).text


def test_importing_the_wrong_file_says_what_it_is(draftsmith_home: Path):
    with serving(draftsmith_home) as served, served.client() as client:
        clerk = Clerk(client)
        r = clerk.start(clerk.new_doc(), "offline")
        draft = follow_job(client, r.headers["location"])[-1][1]["url"]
        word = client.get(f"{draft}/download.docx").content
        cases = {
            "总结.docx": (word, "这是 Word、Excel 或 PDF 文件，不是事实文件，没有导入。"),
            "事实.yaml": (b"\n  \n", "文件是空的，没有导入。"),
        }
        for name, (content, words) in cases.items():
            r = clerk.post("/docs/import", files={"facts_file": (name, content, "text/yaml")})
            assert r.status_code == 400
            assert f"{name}: {words}" in page_text(r.text)
        assert client.get("/").text.count('href="/docs/') == 1  # nothing imported


def test_a_retry_is_shown_on_the_progress_page(draftsmith_home: Path, openai_server):
    """A busy model: the section says it is waiting to try again, not 起草中 for minutes."""
    _profile(draftsmith_home, openai_server.base_url, attempts=3)
    openai_server.script("theory_study", "503", "ok")
    with (
        serving(draftsmith_home, env={"CLERK_KEY": "sk-clerk"}) as served,
        served.client() as client,
    ):
        clerk = Clerk(client)
        r = clerk.start(clerk.new_doc(), "scripted")
        events = follow_job(client, r.headers["location"])
    theory = [d for k, d in events if k == "section" and d["section"] == "theory_study"]
    assert "503 模型服务暂不可用，1 秒后重试（第 2 次，最多 3 次）" in [d["detail"] for d in theory]
    assert theory[-1]["state"] == "done" and events[-1][0] == "done"
    others = [d for k, d in events if k == "section" and d["section"] != "theory_study"]
    assert not [d for d in others if "重试" in d["detail"]]


def test_a_tab_closed_while_drafting_finds_the_draft_from_the_home_page(
    draftsmith_home: Path, openai_server
):
    _profile(draftsmith_home, openai_server.base_url)
    openai_server.script("*", "hold:60")  # still drafting when she opens the app again
    with (
        serving(draftsmith_home, env={"CLERK_KEY": "sk-clerk"}) as served,
        served.client() as first,
        served.client() as later,
    ):
        clerk = Clerk(first)
        job = clerk.start(clerk.new_doc(), "scripted").headers["location"]
        first.close()  # the tab is closed mid-generation
        home = later.get("/").text
        assert f'<a href="{job}">正在生成，查看进度</a>' in home
        openai_server.release()
        events = follow_job(later, job)
        assert events[-1][0] == "done"
        assert f'<a href="{events[-1][1]["url"]}">查看草稿</a>' in later.get("/").text
