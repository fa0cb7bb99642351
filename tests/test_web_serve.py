"""`draft serve` as a real process over real HTTP on 127.0.0.1: start, token, crash, concurrency."""

from __future__ import annotations

import signal
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
from webapp import (
    SCHOOL,
    csrf_of,
    example_facts,
    fields_for,
    follow_job,
    form_values,
    serving,
    start_serve,
    stop_serve,
)


def _session(client: httpx.Client) -> str:
    """Open the home page (which sets the session cookie) and return the CSRF token."""
    return csrf_of(client.get("/").text)


def _new_doc(client: httpx.Client, token: str, start: str = "example") -> str:
    r = client.post(
        "/docs", data={"csrf_token": token, "doctype": SCHOOL, "start": start, "name": "红星中学"}
    )
    assert r.status_code == 303, r.text
    return r.headers["location"]


def _generate(client: httpx.Client, token: str, doc: str) -> str:
    fields = fields_for(example_facts())
    r = client.post(
        f"{doc}/save",
        data={"csrf_token": token, "action": "generate", "model": "offline", **fields},
    )
    assert r.status_code == 303, r.text
    events = follow_job(client, r.headers["location"])
    assert events[-1][0] == "done", events
    return events[-1][1]["url"]


def test_serve_prints_its_address_serves_pages_and_stops_cleanly(draftsmith_home: Path):
    served = start_serve(draftsmith_home)
    try:
        assert served.url.startswith("http://127.0.0.1:")
        assert "token" not in served.url
        with served.client() as client:
            r = client.get("/")
            assert r.status_code == 200 and "新建材料" in r.text
            assert "script-src 'self'" in r.headers["content-security-policy"]
            css = client.get("/static/app.css")
            assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
            assert client.get("/static/review.js").status_code == 200
    finally:
        code = stop_serve(served, signal.SIGINT)
    assert code == 0, served.output
    assert (draftsmith_home / "data" / "web.sqlite3").is_file()


def test_serving_beyond_loopback_prints_a_token_and_requires_it(draftsmith_home: Path):
    with serving(draftsmith_home, host="0.0.0.0") as served:
        assert served.token and "access token" in "\n".join(served.output)
        with served.client() as client:
            assert client.get("/").status_code == 401
            assert client.get("/?token=not-it").status_code == 401
            r = client.get(f"/?token={served.token}", follow_redirects=True)
            assert r.status_code == 200 and "新建材料" in r.text
            assert "token=" not in str(r.url)  # the token moved into a cookie
            assert client.get("/").status_code == 200


def test_a_port_in_use_is_a_clear_error(draftsmith_home: Path, cli):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = cli("serve", "--port", str(port), timeout=30)
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_folder_where_the_store_belongs_is_named_as_a_folder(draftsmith_home: Path, cli):
    from pipeline.web.store import default_db_path

    default_db_path().mkdir(parents=True)  # DRAFTSMITH_HOME is this test's home
    result = cli("serve", "--port", "0", timeout=30)
    assert result.returncode == 2
    assert f"{default_db_path()}: is a directory, not the web app's store" in result.stderr
    assert "disk has space" not in result.stderr and "Traceback" not in result.stderr
    assert default_db_path().is_dir()  # nothing removed


def test_nothing_is_lost_when_the_server_is_killed(draftsmith_home: Path):
    served = start_serve(draftsmith_home)
    with served.client() as client:
        token = _session(client)
        doc = _new_doc(client, token, start="blank")
        r = client.post(
            f"{doc}/autosave",
            data={"csrf_token": token, "fact.school_name": "青山县红星中学", "tab": "A"},
        )
        assert r.status_code == 200 and r.json()["version"] == 2
        draft = _generate(client, token, _new_doc(client, token))
        r = client.post(
            f"{draft}/sections/shortcomings",
            json={"text": "改写后的不足一节。", "tab": "A"},
            headers={"X-CSRF-Token": token},
        )
        assert r.status_code == 200
    stop_serve(served, signal.SIGKILL)  # a crash: no shutdown, no flush
    with serving(draftsmith_home) as again, again.client() as client:
        assert form_values(client.get(doc).text)["fact.school_name"] == "青山县红星中学"
        assert "改写后的不足一节。" in client.get(f"{draft}/download.txt").text


def test_two_windows_editing_at_once_lose_nothing(draftsmith_home: Path):
    with (
        serving(draftsmith_home) as served,
        served.client() as first,
        served.client() as second,
    ):
        t1, t2 = _session(first), _session(second)
        draft = _generate(first, t1, _new_doc(first, t1))
        failures: list[str] = []

        def typing(client: httpx.Client, token: str, section: str, tab: str) -> None:
            for n in range(8):
                r = client.post(
                    f"{draft}/sections/{section}",
                    json={"text": f"{tab}窗口第{n}次修改。", "base": 1, "tab": tab},
                    headers={"X-CSRF-Token": token},
                )
                if r.status_code != 200:
                    failures.append(r.text)

        threads = [
            threading.Thread(target=typing, args=(first, t1, "organization", "甲")),
            threading.Thread(target=typing, args=(second, t2, "shortcomings", "乙")),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not failures
        text = first.get(f"{draft}/download.txt").text
        assert "甲窗口第7次修改。" in text and "乙窗口第7次修改。" in text
        # Both windows write the same section: the later text wins, the other is in history.
        for client, token, tab in ((first, t1, "甲"), (second, t2, "乙")):
            client.post(
                f"{draft}/sections/plans",
                json={"text": f"{tab}写的打算。", "tab": tab},
                headers={"X-CSRF-Token": token},
            )
        revisions = first.get(f"{draft}/revisions").text.count("恢复此修订")
        assert revisions >= 3
        assert "乙写的打算。" in first.get(f"{draft}/download.txt").text


def test_the_wheel_carries_every_template_and_static_file(tmp_path: Path):
    """`pip install draftsmith` alone gives a working web app: no CDN, nothing fetched."""
    import subprocess
    import sys
    import zipfile

    from conftest import REPO

    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(REPO)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    names = set(zipfile.ZipFile(next(tmp_path.glob("draftsmith-*.whl"))).namelist())
    web = REPO / "pipeline" / "web"
    for folder in ("templates", "static"):
        for path in (web / folder).iterdir():
            assert f"pipeline/web/{folder}/{path.name}" in names
    for path in (web / "templates").iterdir():
        assert "http://" not in path.read_text() and "https://" not in path.read_text()


def test_text_pasted_from_word_with_its_line_breaks_still_downloads_as_word(draftsmith_home: Path):
    """Word puts a manual line break (Shift+Enter) on the clipboard as a vertical tab; pasted
    into a section it must not make the draft a .docx can no longer hold."""
    import io
    import zipfile

    with serving(draftsmith_home) as served, served.client() as client:
        token = _session(client)
        draft = _generate(client, token, _new_doc(client, token))
        r = client.post(
            f"{draft}/sections/shortcomings",
            json={"text": "第一行\v第二行\x07。\f第三行", "tab": "A"},
            headers={"X-CSRF-Token": token},
        )
        assert r.status_code == 200, r.text
        docx = client.get(f"{draft}/download.docx")
        assert docx.status_code == 200, docx.text
        body = zipfile.ZipFile(io.BytesIO(docx.content)).read("word/document.xml").decode()
        assert "第二行。" in body
        text = client.get(f"{draft}/download.txt").text
        assert "第一行\n第二行。\n第三行" in text


def test_a_number_too_large_for_any_id_is_not_found(draftsmith_home: Path):
    """An id in the address larger than SQLite's integers (a mistyped or doctored link) is a
    plain "not found", not a server error."""
    huge = "9" * 25
    with serving(draftsmith_home) as served, served.client() as client:
        token = _session(client)
        doc = _new_doc(client, token)
        for url in (
            f"/docs/{huge}",
            f"{doc}/history/{huge}",
            f"/drafts/{huge}",
            f"/drafts/{huge}/revisions",
            f"/drafts/{huge}/download.docx",
        ):
            r = client.get(url)
            assert r.status_code == 404, (url, r.text)
            assert "没有找到" in r.text
        r = client.post(f"{doc}/history/{huge}/restore", data={"csrf_token": token})
        assert r.status_code == 404 and "没有找到" in r.text
        r = client.post(
            f"/drafts/{huge}/sections/opening",
            json={"text": "x"},
            headers={"X-CSRF-Token": token, "Accept": "application/json"},
        )
        assert r.status_code == 404 and "没有找到" in r.json()["error"]


def test_a_body_too_large_is_refused_even_without_a_content_length(draftsmith_home: Path):
    """A body streamed in chunks (no Content-Length) past the limit gets the same clear 413 as
    one that declares its size, and the facts already saved stay as they were."""
    from pipeline.web.app import MAX_BODY_BYTES

    def chunks(head: bytes, tail: bytes = b"") -> Iterator[bytes]:
        yield head
        for _ in range(MAX_BODY_BYTES // 100_000 + 2):
            yield b"a" * 100_000
        yield tail

    with serving(draftsmith_home) as served, served.client() as client:
        token = _session(client)
        doc = _new_doc(client, token)
        before = form_values(client.get(doc).text)
        rows = b"".join(f"&fact.problems.{i}=".encode() + b"a" * 6_000 for i in range(800))
        r = client.post(
            f"{doc}/autosave",
            content=iter([f"csrf_token={token}".encode(), rows]),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert r.status_code == 413 and "内容太大" in r.text, r.text
        r = client.post(
            "/drafts/1/sections/opening",
            content=chunks(b'{"text": "', b'"}'),
            headers={
                "Content-Type": "application/json",
                "X-CSRF-Token": token,
                "Accept": "application/json",
            },
        )
        assert r.status_code == 413 and "内容太大" in r.json()["error"], r.text
        assert form_values(client.get(doc).text) == before


def test_an_unexpected_error_shows_a_clear_page_and_loses_nothing(draftsmith_home: Path):
    """A failure nobody foresaw (here a draft revision damaged in the store) is a Chinese page
    or JSON error, never a bare English "Internal Server Error" or a traceback, and the rest
    of the app goes on working with everything saved."""
    import sqlite3

    from pipeline.web.store import default_db_path

    # uvicorn closes a connection after a 500: one connection per request, as a browser would.
    with (
        serving(draftsmith_home) as served,
        served.client(headers={"Connection": "close"}) as client,
    ):
        token = _session(client)
        doc = _new_doc(client, token)
        draft = _generate(client, token, doc)
        saved = form_values(client.get(doc).text)
        with sqlite3.connect(default_db_path()) as db:
            db.execute("UPDATE draft_revisions SET data = '{\"title\": []}'")
        r = client.get(draft)
        assert r.status_code == 500
        assert r.headers["content-type"].startswith("text/html")
        assert "服务器内部出错" in r.text and "Traceback" not in r.text
        r = client.post(
            f"{draft}/recheck", headers={"X-CSRF-Token": token, "Accept": "application/json"}
        )
        assert r.status_code == 500 and "服务器内部出错" in r.json()["error"]
        assert client.get("/").status_code == 200
        assert form_values(client.get(doc).text) == saved


def test_text_pasted_from_word_into_the_form_is_understood(draftsmith_home: Path):
    """A value pasted from Word brings invisible control characters (a manual line break is a
    vertical tab): the form drops them instead of refusing a character the clerk cannot see."""
    with serving(draftsmith_home) as served, served.client() as client:
        token = _session(client)
        doc = _new_doc(client, token)
        fields = fields_for(example_facts())
        fields["fact.school_name"] = "青山县红星\x07中学"
        fields["fact.campaigns.0"] = "砥砺奋进\x0c的五年"
        r = client.post(f"{doc}/autosave", data={"csrf_token": token, **fields})
        assert r.status_code == 200 and r.json()["errors"] == {}, r.json()["errors"]
        draft = _generate(client, token, doc)
        assert client.get(f"{draft}/download.docx").status_code == 200
        assert form_values(client.get(doc).text)["fact.school_name"] == "青山县红星中学"
