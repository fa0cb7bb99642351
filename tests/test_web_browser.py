"""End to end in a real browser: Debian's Chromium, headless, driven by Playwright, against
`draft serve` running as a real process on 127.0.0.1.

Fill the form for the example school, generate offline, see the six sections and no error;
clear a count and see its marker highlighted with the right label; fix it by editing; download
the .docx and read it back. Screenshots are kept in test-artifacts/. A fact value
`<script>alert(1)</script>` shows as text; a reload and two tabs lose nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from webapp import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, example_facts, scripted_profile, serving

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed (pip install playwright)"
)
if not CHROMIUM.exists():
    pytest.skip(
        f"Debian's Chromium is not installed at {CHROMIUM} (apt-get install chromium)",
        allow_module_level=True,
    )

from playwright.sync_api import Browser, Page, expect  # noqa: E402

SCRIPT = "<script>alert(1)</script>"
DRAFT_URL = re.compile(r".*/drafts/\d+(#.*)?$")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def server(draftsmith_home: Path):
    with serving(draftsmith_home) as served:
        yield served


class Watch:
    """What the page did that it should not: dialogs (an executed alert), script errors."""

    def __init__(self, page: Page):
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on(
            "console",
            lambda m: self.errors.append(m.text) if m.type == "error" else None,
        )


@pytest.fixture
def page(browser: Browser, server) -> Iterator[Page]:
    context = browser.new_context(
        base_url=server.base,
        viewport={"width": 1360, "height": 900},
        accept_downloads=True,
        locale="zh-CN",
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.watch = Watch(page)  # type: ignore[attr-defined]
    yield page
    context.close()


def new_doc(page: Page, name: str = "红星中学", start: str = "blank") -> None:
    page.goto("/")
    page.fill("#new-name", name)
    page.select_option("#new-doctype", "school-ideology-summary")
    page.check(f'input[name="start"][value="{start}"]')
    page.get_by_role("button", name="新建", exact=True).click()
    page.wait_for_url(re.compile(r".*/docs/\d+$"))
    form_ready(page)


def form_ready(page: Page) -> None:
    """Until the form's script runs (autosave listens from then on)."""
    page.wait_for_function("() => window.DraftsmithForm !== undefined")


def review_ready(page: Page) -> None:
    page.wait_for_function("() => window.DraftsmithReview !== undefined")


def fill_form(page: Page, facts: dict[str, Any]) -> None:
    """Type the facts into the form as a user would: one field at a time, adding list rows."""
    for key, value in facts.items():
        if isinstance(value, list):
            block = page.locator(f"#fact-{key}")
            for i, item in enumerate(value):
                if i > 0:
                    block.locator("button.add").click()
                row = block.locator("ol.rows > li.row").nth(i)
                if isinstance(item, dict):
                    for sub, v in item.items():
                        row.locator(f'[name$=".{sub}"]').fill(str(v))
                else:
                    row.locator("input, textarea").first.fill(str(item))
        else:
            page.locator(f'[name="fact.{key}"]').fill(str(value))


def wait_saved(page: Page) -> None:
    """Until the autosave has caught up with everything typed."""
    page.wait_for_function(
        "() => document.getElementById('save-state').dataset.state === 'saved'"
        " && !window.DraftsmithForm.isDirty()"
    )


def generate(page: Page) -> None:
    page.click("#generate")
    page.wait_for_url(DRAFT_URL)
    review_ready(page)


def select_marker(page: Page, label: str) -> None:
    """Select the marker of `label` in its editable section, as a user does before typing
    the value over it."""
    page.evaluate(
        """(label) => {
            const m = document.querySelector(`mark[data-label="${label}"]`);
            m.closest('[data-edit]').focus();
            const range = document.createRange();
            range.selectNode(m);
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
        }""",
        label,
    )


def test_fill_generate_review_fix_and_download(page: Page, tmp_path: Path):
    ARTIFACTS.mkdir(exist_ok=True)
    new_doc(page)
    fill_form(page, example_facts())
    wait_saved(page)
    expect(page.locator("#filled")).to_have_text("22")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / "web-form.png"))
    page.locator("#fact-next_year_measures").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "web-form-lists.png"))
    generate(page)

    # The six numbered sections, nothing failed, no error findings.
    headings = page.locator("h2.doc-heading")
    expect(headings).to_have_count(6)
    expect(headings.first).to_contain_text("一、加强组织领导")
    expect(headings.nth(5)).to_contain_text("六、2021年工作打算")
    expect(page.locator(".section-failed")).to_have_count(0)
    expect(page.locator("mark.tone-error, #panel li.tone-error")).to_have_count(0)
    expect(page.locator("#summary .tone-error")).to_have_text("0 个错误")
    expect(page.locator(".all-clear")).to_be_visible()

    # Clear a count and generate again: its marker is highlighted with the fact's label.
    page.get_by_role("link", name="修改事实").click()
    form_ready(page)
    page.locator('[name="fact.central_group_sessions"]').fill("")
    wait_saved(page)
    expect(page.locator("#missing")).to_contain_text("中心组学习次数")
    generate(page)
    mark = page.locator('mark.tone-marker[data-label="中心组学习次数"]')
    expect(mark).to_have_count(1)
    expect(mark).to_have_text("【待补充：中心组学习次数】")
    expect(mark).to_have_css("background-color", "rgb(255, 241, 168)")
    item = page.locator("#panel li.tone-marker", has_text="中心组学习次数")
    expect(item).to_be_visible()
    expect(page.locator("#summary")).to_contain_text("1 处待补充")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    item.locator("a").click()
    expect(mark).to_be_in_viewport()
    expect(mark).to_have_class(re.compile(r"\bflash\b"))
    page.wait_for_function(
        "() => new Promise(r => setTimeout(() => r(true), 700))"
    )  # scroll settles
    page.screenshot(path=str(ARTIFACTS / "web-review.png"))
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / "web-review-full.png"), full_page=True)

    # Fix it by editing the text in place: select the marker, type the number, leave the field.
    mark.click()
    select_marker(page, "中心组学习次数")
    page.keyboard.type("12")
    page.locator("h1.doc-title").click()
    expect(page.locator("#save-state")).to_contain_text("已保存并检查")
    expect(mark).to_have_count(0)
    expect(page.locator(".all-clear")).to_be_visible()
    expect(page.locator('[data-edit="theory_study"]')).to_contain_text(
        "全年学校共开展中心组学习12次"
    )
    page.screenshot(path=str(ARTIFACTS / "web-review-fixed.png"), full_page=False)

    # Download the .docx and read it back.
    with page.expect_download() as download:
        page.click('a[href$="/download.docx"]')
    path = tmp_path / "draft.docx"
    download.value.save_as(path)
    assert download.value.suggested_filename == "青山县红星中学2020年意识形态工作总结.docx"
    import docx

    text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    assert "青山县红星中学2020年意识形态工作总结" in text
    assert "全年学校共开展中心组学习12次" in text
    assert "待补充" not in text
    assert not page.watch.errors  # type: ignore[attr-defined]


def test_a_script_in_a_fact_shows_as_text(page: Page):
    new_doc(page, name=SCRIPT, start="example")
    page.locator('[name="fact.school_name"]').fill(SCRIPT)
    wait_saved(page)
    page.reload()
    form_ready(page)
    expect(page.locator('[name="fact.school_name"]')).to_have_value(SCRIPT)
    generate(page)
    expect(page.locator("h1.doc-title")).to_have_text(f"{SCRIPT}2020年意识形态工作总结")
    expect(page.locator(".signature")).to_contain_text(SCRIPT)
    page.goto("/")
    expect(page.locator("table.list")).to_contain_text(SCRIPT)
    assert page.evaluate("document.querySelectorAll('script:not([src])').length") == 0
    assert page.watch.dialogs == []  # type: ignore[attr-defined]


def test_a_reload_right_after_typing_loses_nothing(page: Page, browser: Browser, server):
    new_doc(page, start="example")
    field = page.locator('[name="fact.supervising_body"]')
    field.fill("青山县教育局党组")
    page.locator("#fact-campaigns button.add").click()
    page.locator("#fact-campaigns ol.rows > li.row").last.locator("input").fill("安全生产月")
    page.reload()  # at once: before the autosave's pause has passed
    form_ready(page)
    expect(field).to_have_value("青山县教育局党组")
    expect(page.locator("#fact-campaigns ol.rows > li.row").last.locator("input")).to_have_value(
        "安全生产月"
    )
    wait_saved(page)
    # The server has it too: a fresh browser (no local copy) sees the same values.
    other = browser.new_context(base_url=server.base).new_page()
    other.goto(page.url)
    expect(other.locator('[name="fact.supervising_body"]')).to_have_value("青山县教育局党组")
    values = other.locator("#fact-campaigns ol.rows input").evaluate_all("l => l.map(i => i.value)")
    assert values[-1] == "安全生产月"

    # The same for an edit on the review page.
    generate(page)
    body = page.locator('[data-edit="shortcomings"]')
    body.click()
    page.keyboard.press("End")
    page.keyboard.type("这是重新加载前补写的一句。")
    page.reload()
    review_ready(page)
    expect(body).to_contain_text("这是重新加载前补写的一句。")
    expect(page.locator("#save-state")).to_contain_text("已保存并检查")
    other.goto(page.url)
    expect(other.locator('[data-edit="shortcomings"]')).to_contain_text(
        "这是重新加载前补写的一句。"
    )
    other.context.close()


def test_two_tabs_editing_different_sections_both_keep_their_text(page: Page):
    new_doc(page, start="example")
    generate(page)
    second = page.context.new_page()
    second.goto(page.url)
    review_ready(second)
    for tab, section, words in (
        (page, "organization", "甲窗口补写。"),
        (second, "plans", "乙窗口补写。"),
    ):
        body = tab.locator(f'[data-edit="{section}"]')
        body.click()
        tab.keyboard.press("End")
        tab.keyboard.type(words)
    for tab in (page, second):
        tab.locator("h1.doc-title").click()
        expect(tab.locator("#save-state")).to_contain_text("已保存并检查")
    page.reload()
    expect(page.locator('[data-edit="organization"]')).to_contain_text("甲窗口补写。")
    expect(page.locator('[data-edit="plans"]')).to_contain_text("乙窗口补写。")


def test_two_tabs_editing_the_same_section_are_told_where_the_other_text_is(page: Page):
    """The tab that saves last keeps its text of the section; the page had said “两边的修改都
    已保存”, untrue of the current draft. It now names the revision that keeps the other
    tab's text, and restoring that revision brings it back."""
    new_doc(page, start="example")
    generate(page)
    second = page.context.new_page()
    second.goto(page.url)
    review_ready(second)
    for tab, words in ((page, "甲窗口补写。"), (second, "乙窗口补写。")):
        body = tab.locator('[data-edit="organization"]')
        body.click()
        tab.keyboard.press("End")
        tab.keyboard.type(words)
        tab.locator("h1.doc-title").click()
        expect(tab.locator("#save-state")).to_contain_text("已保存并检查")
    banner = second.locator("#conflict-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("同一节")
    kept = re.search(r"修订 (\d+)", banner.inner_text())
    assert kept, banner.inner_text()
    second.goto(second.url + "/revisions")
    row = second.locator("tr", has_text=f"修订 {kept.group(1)}")
    row.get_by_role("button", name="恢复此修订").click()
    review_ready(second)
    restored = second.locator('[data-edit="organization"]')
    expect(restored).to_contain_text("甲窗口补写。")
    expect(restored).not_to_contain_text("乙窗口补写。")


def test_progress_is_shown_live_while_sections_are_drafted(
    browser: Browser, draftsmith_home: Path, openai_server
):
    # one section is answered only once the page has shown the others done: with a fixed
    # delay (0.6 s answers, then a 3 s hang) a browser on a busy machine could connect only
    # after the job had ended
    openai_server.script("plans", "hold")
    scripted_profile(draftsmith_home, openai_server.base_url, "slow", "WEB_BROWSER_KEY")
    env = {"WEB_BROWSER_KEY": "sk-browser-test-91c2"}
    with serving(draftsmith_home, env=env, cwd=draftsmith_home) as served:
        context = browser.new_context(base_url=served.base, viewport={"width": 1100, "height": 800})
        page = context.new_page()
        new_doc(page, start="example")
        page.select_option("#model", "slow")
        page.click("#generate")
        page.wait_for_url(re.compile(r".*/jobs/\w+$"))
        items = page.locator("#job-sections li")
        expect(items).to_have_count(7)
        # Some sections are done while others are still being drafted: the page updates live.
        page.wait_for_function(
            "() => { const s = [...document.querySelectorAll('#job-sections li')]"
            ".map(li => li.dataset.state);"
            " return s.includes('done') && s.some(x => x !== 'done'); }",
            # the server loads the model libraries first: on a busy machine, 30 s and more
            timeout=90_000,
        )
        page.screenshot(path=str(ARTIFACTS / "web-progress.png"))
        openai_server.release()  # the held section is answered: the page goes on by itself
        page.wait_for_url(DRAFT_URL, timeout=60_000)
        expect(page.locator("h2.doc-heading")).to_have_count(6)
        assert "sk-browser-test-91c2" not in page.content()
        context.close()


def test_a_server_crash_loses_nothing_typed_in_the_browser(browser: Browser, draftsmith_home: Path):
    """Typing on while the server is down: the page says so, keeps the input, and after the
    server is back a reload restores and saves it."""
    import signal
    import socket

    from webapp import start_serve, stop_serve

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    served = start_serve(draftsmith_home, port=port)
    context = browser.new_context(base_url=served.base, locale="zh-CN")
    page = context.new_page()
    try:
        new_doc(page, start="example")
        page.locator('[name="fact.notice_title"]').fill("关于加强意识形态工作的通知")
        wait_saved(page)
        stop_serve(served, signal.SIGKILL)
        page.locator('[name="fact.leading_group_head"]').fill("校长")
        expect(page.locator("#save-state")).to_contain_text("保存失败", timeout=10_000)
        served = start_serve(draftsmith_home, port=port)
        expect(page.locator("#save-state")).to_contain_text("页面已过期", timeout=10_000)
        page.reload()
        form_ready(page)
        expect(page.locator("#restored-banner")).to_be_visible()
        expect(page.locator('[name="fact.leading_group_head"]')).to_have_value("校长")
        wait_saved(page)
        fresh = browser.new_context(base_url=served.base).new_page()
        fresh.goto(page.url)
        expect(fresh.locator('[name="fact.leading_group_head"]')).to_have_value("校长")
        expect(fresh.locator('[name="fact.notice_title"]')).to_have_value(
            "关于加强意识形态工作的通知"
        )
        fresh.context.close()
    finally:
        context.close()
        stop_serve(served)


def test_a_download_right_after_typing_carries_the_edit(page: Page, tmp_path: Path):
    """The page promises the download is the current revision with the user's edits: a value
    typed over a marker and Word clicked at once (before the pause that saves it) must be in
    the file, not the marker the page no longer shows."""
    new_doc(page, start="example")
    page.locator('[name="fact.micro_lectures"]').fill("")
    wait_saved(page)
    generate(page)
    mark = page.locator('mark[data-label="微党课次数"]')
    expect(mark).to_have_count(1)
    select_marker(page, "微党课次数")
    page.keyboard.type("10")
    for fmt in ("md", "docx"):
        with page.expect_download() as download:
            page.click(f'a[href$="/download.{fmt}"]')
        path = tmp_path / f"draft.{fmt}"
        download.value.save_as(path)
        if fmt == "md":
            text = path.read_text(encoding="utf-8")
        else:
            import docx

            text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
        assert "微党课次数" not in text, fmt
        assert "共讲授“微党课”10次" in text, fmt
    expect(mark).to_have_count(0)
    assert not page.watch.errors  # type: ignore[attr-defined]


def test_the_back_button_after_generating_goes_back_to_the_form(page: Page):
    """Generating goes form → progress → review; Back on the review page must reach the form,
    not the finished progress page, which sends the user straight back to the review."""
    new_doc(page, start="example")
    form_url = page.url
    generate(page)
    page.go_back()
    page.wait_for_url(form_url)
    form_ready(page)
    expect(page.locator("#generate")).to_be_visible()
