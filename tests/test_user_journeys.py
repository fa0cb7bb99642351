"""End-to-end user journeys: the commands used together as office staff and maintainers do
(facts-template → run → hand edit → check → export; next year's re-run; …)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tests.conftest import EXAMPLES, REPO


def _example(doctype: str) -> dict[str, Any]:
    return yaml.safe_load((EXAMPLES / f"{doctype}.yaml").read_text("utf-8"))


def _write(path: Path, facts: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(facts, allow_unicode=True), "utf-8")
    return path


def test_next_years_facts_with_last_years_date_are_flagged_by_run_and_check(cli, tmp_path):
    """The clerk copies the 2023 facts (signed 2024-01-10), changes the year to 2024 and runs
    again: the 2024 summary was dated 2024年1月10日 with no word from `run` or `check`."""
    facts = _example("annual-work-summary")
    assert facts["report_year"] == 2023 and str(facts["report_date"]) == "2024-01-10"
    facts["report_year"] = 2024
    path = _write(tmp_path / "2024.yaml", facts)
    out = tmp_path / "2024.md"
    result = cli("run", path, "-o", out)
    assert result.returncode == 0, result.stderr  # a warning: the date may be right
    assert "2025年工作打算" in out.read_text("utf-8")
    assert "warning facts.signature-date" in result.stderr
    assert "“2024年1月10日”" in result.stderr
    check = cli("check", out, "--facts", path)
    assert "facts.signature-date [warning]" in check.stdout, check.stdout
    # dated after the year it covers, the same draft has nothing to say about the date
    facts["report_date"] = "2025-01-08"
    _write(path, facts)
    again = cli("run", path, "-o", out)
    assert again.returncode == 0 and "signature-date" not in again.stderr, again.stderr


def _clerks_facts(tmp_path: Path) -> Path:
    """A county bureau's facts as a clerk fills them: counts and a profile missing, values
    typed as clerks type them (九个 with full-width digits, 十二次, 1.2万, a final 。)."""
    facts = {
        "doctype": "annual-work-summary",
        "unit_name": "青山县市场监督管理局",
        "report_year": "2025年",
        "guidance": "坚持以习近平新时代中国特色社会主义思想为指导，围绕县委、县政府中心工作。",
        "departments": "９个",
        "staff_count": None,
        "work_items": [
            {
                "title": "强化食品安全监管。",
                "summary": "开展食品安全专项检查十二次，覆盖全县餐饮单位",
                "result": "检查经营主体1.2万户次，立案查处违法案件36件",
            },
            {"title": "优化营商环境", "summary": "推进“证照分离”改革，压缩企业开办时间"},
        ],
        "problems": ["基层监管力量不足；", "智慧监管手段相对滞后。"],
        "plans": ["持续抓好食品安全监管", "深化“放管服”改革，优化营商环境。"],
        "report_date": "2026年1月8日",
    }
    return _write(tmp_path / "facts.yaml", facts)


def _hand_edited(tmp_path: Path, cli) -> Path:
    """The clerk's draft saved as JSON, then edited by hand as the marker's hint says
    ("write it here and remove the marker"): the profile and the staff count written over
    their markers, and a figure the facts do not have added."""
    import json

    saved = tmp_path / "draft.json"
    result = cli("run", _clerks_facts(tmp_path), "-o", saved)
    assert result.returncode == 0, result.stderr
    data = json.loads(saved.read_text("utf-8"))
    assert [m["fact"] for m in data["markers"]] == ["unit_profile", "staff_count"]
    for section in data["sections"]:
        section["body"] = (
            section["body"]
            .replace("【待补充：单位基本情况】", "我局是县政府工作部门，负责全县市场监督管理工作")
            .replace("【待补充：在职干部职工人数】", "52")
            .replace("压缩企业开办时间。", "压缩企业开办时间，全年新登记市场主体2300户。")
        )
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return edited


def test_check_of_a_hand_edited_draft_takes_values_typed_over_markers_as_facts(cli, tmp_path):
    """Writing 52 over 【待补充：在职干部职工人数】, as its hint says, gave two errors from
    `draft check` of the JSON ("52人" not in the facts, and the section no longer naming the
    fact), where the web app's editor takes the value as the fact. Only the invented 2300户
    is an error."""
    import json

    edited = _hand_edited(tmp_path, cli)
    check = cli("check", edited, "--format", "json")
    assert check.returncode == 1, check.stderr
    found = json.loads(check.stdout)["findings"]
    assert [(f["code"], f["excerpt"]) for f in found if f["severity"] == "error"] == [
        ("facts.unsupported-number", "2300户")
    ]
    assert not [f for f in found if f["code"] == "gap.marker"]
    # a value the fact cannot take is no fact: 很多 over the count stays unbacked text
    data = json.loads(edited.read_text("utf-8"))
    for section in data["sections"]:
        section["body"] = section["body"].replace("在职干部职工52人", "在职干部职工很多人")
    edited.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    again = cli("check", edited, "--format", "json")
    codes = [f["code"] for f in json.loads(again.stdout)["findings"] if f["severity"] == "error"]
    assert codes == ["facts.unsupported-number"]


def test_export_of_a_hand_edited_draft_reports_what_check_reports(cli, tmp_path):
    """The clerk fills the markers in the saved draft and adds a figure the facts lack, then
    exports it to Word: export said "0 error finding(s)", exited 0 and wrote no comment on
    the invented 2300户, while `draft check` of the same file reported it and exited 1."""
    import json

    import docx

    edited = _hand_edited(tmp_path, cli)
    check = cli("check", edited, "--format", "json")
    assert check.returncode == 1, check.stderr
    checked = json.loads(check.stdout)["findings"]
    assert [(f["code"], f["excerpt"]) for f in checked if f["severity"] == "error"] == [
        ("facts.unsupported-number", "2300户")
    ]

    word = tmp_path / "edited.docx"
    export = cli("export", edited, "-o", word, "-o", tmp_path / "again.json")
    assert export.returncode == 1, export.stderr
    assert "0 marker(s), 1 error finding(s)" in export.stderr
    again = json.loads((tmp_path / "again.json").read_text("utf-8"))
    assert [(f["code"], f["excerpt"]) for f in again["findings"]] == [
        (f["code"], f["excerpt"]) for f in checked
    ]
    assert again["markers"] == []
    assert again["facts"]["staff_count"] == 52  # as the web app keeps a value typed so
    comments = [c.text for c in docx.Document(str(word)).comments]
    assert len(comments) == 1  # the invented number
    assert any("2300户" in c for c in comments), comments


def test_export_of_the_markdown_the_clerk_edited_says_what_it_reads(cli, tmp_path):
    """`draft export draft.md -o x.docx` answered "invalid JSON: Expecting value" about a
    Markdown file: name what export reads and where the edits go instead."""
    facts = _clerks_facts(tmp_path)
    md = tmp_path / "总结.md"
    assert cli("run", facts, "-o", md).returncode == 0
    word = tmp_path / "总结.docx"
    for source in (md, md.with_suffix(".txt")):
        if not source.exists():
            assert cli("run", facts, "-o", source).returncode == 0
        result = cli("export", source, "-o", word)
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith(f"error: {source}: expected a draft saved as JSON")
        assert f"not a {source.suffix} file" in result.stderr
        assert "-o draft.json" in result.stderr and "invalid JSON" not in result.stderr
        assert not word.exists()


def test_check_counts_a_sections_length_in_the_markdown_as_run_does(cli, tmp_path):
    """Thin facts leave 主要工作和成效 short: `draft run` says 16 characters; `draft check` of
    the Markdown it wrote said 19, counting the ### of the （一） subheading (and the ** of a
    bold lead sentence) as text. A section near its bound was reported by one and not the
    other."""
    import json

    facts = _example("annual-work-summary")
    for key in ("guidance", "unit_profile", "problems", "plans", "departments", "staff_count"):
        del facts[key]
    facts["work_items"] = [{"title": "统计调查", "summary": "完成各项统计调查"}]
    path = _write(tmp_path / "facts.yaml", facts)
    md, txt = tmp_path / "d.md", tmp_path / "d.txt"
    run = cli("run", path, "-o", md, "-o", txt)
    assert "the section has 16 characters; expected 100–5000" in run.stderr, run.stderr

    def lengths(file: Path) -> list[str]:
        done = cli("check", file, "--facts", path, "--format", "json")
        found = json.loads(done.stdout)["findings"]
        return [f["message"] for f in found if f["code"] == "style.length"]

    assert lengths(md) == lengths(txt)
    assert "the section has 16 characters; expected 100–5000" in lengths(md)
    # a lead sentence set in bold, and a Markdown character escaped, count as the text
    bold = md.read_text("utf-8").replace("完成各项统计调查。", "**完成各项统计调查。**\\*")
    md.write_text(bold, "utf-8")
    assert "the section has 17 characters; expected 100–5000" in lengths(md)


def test_a_section_short_by_a_fact_left_empty_is_not_told_to_expand(cli, tmp_path):
    """A clerk who leaves 单位基本情况 and the plans empty got, besides each marker, “the section
    has 34 characters; expected 40–600 … expand the section from the facts” on 基本情况 and
    on the plans, from `draft run` and from `draft check` of its own draft: the section is
    short by the fact still to fill. A section short with every fact given still is."""
    import json

    facts = _example("annual-work-summary")
    del facts["unit_profile"], facts["plans"]
    facts["work_items"] = [{"title": "统计调查", "summary": "完成各项统计调查"}]
    path = _write(tmp_path / "facts.yaml", facts)
    md = tmp_path / "总结.md"
    run = cli("run", path, "-o", md)
    assert run.returncode == 0, run.stderr
    for source in (md, md.with_suffix(".docx")):
        if not source.exists():
            assert cli("run", path, "-o", source).returncode == 0
        done = cli("check", source, "--facts", path, "--format", "json")
        found = json.loads(done.stdout)["findings"]
        markers = {f["message"] for f in found if f["code"] == "gap.marker"}
        assert markers == {"missing fact: 单位基本情况", "missing fact: 下一年度工作打算"}
        short = [f["message"] for f in found if f["code"] == "style.length"]
        assert short == ["the section has 16 characters; expected 100–5000"], short
    assert "expected 40–600" not in run.stderr and "expected 60–1500" not in run.stderr
    assert "expected 100–5000" in run.stderr


def _summary_findings(stderr: str) -> list[str]:
    """The findings `draft run` lists after its summary, one a line."""
    return [line.strip() for line in stderr.splitlines() if ": warning " in line]


def test_run_lists_its_findings_where_they_are_in_the_file_it_wrote(cli, tmp_path):
    """`draft run facts.yaml -o 总结.md` listed "line 6:1: warning style.length …", a line of
    the plain text: in 总结.md that line is a blank, the heading is on line 9, and
    `draft check 总结.md` says 9:4. The summary now names the file and its line and column
    (Markdown on standard output: the line there)."""
    facts = _example("annual-work-summary")
    for key in ("guidance", "unit_profile", "problems", "plans", "departments", "staff_count"):
        del facts[key]
    facts["work_items"] = [{"title": "统计调查", "summary": "完成各项统计调查"}]
    path = _write(tmp_path / "facts.yaml", facts)
    for out in (tmp_path / "总结.md", tmp_path / "总结.txt", tmp_path / "总结.docx"):
        run = cli("run", path, "-o", out)
        listed = [line.split(": warning ")[0] for line in _summary_findings(run.stderr)]
        check = cli("check", out, "--facts", path)
        places = [line.split(": style.length ")[0] for line in check.stdout.splitlines()]
        assert listed and set(listed) <= set(places), (listed, places)
    stdout = cli("run", path)
    lines = stdout.stdout.splitlines()
    for line in _summary_findings(stdout.stderr):
        row, column = (int(n) for n in line.removeprefix("line ").split(":")[:2])
        assert lines[row - 1][column - 1 :].startswith(("二、主要工作和成效", "四、")), line


def test_markdown_positions_point_at_the_same_words(cli, tmp_path):
    """Every marker of a draft, and its signature date, placed in the Markdown: the words there
    are the marker's (a lead heading in bold and escaped characters included)."""
    from pipeline.render.json import load_draft_json
    from pipeline.render.markdown import markdown_position, render_markdown

    facts = _example("annual-work-summary")
    del facts["report_date"], facts["staff_count"]
    facts["work_items"][0]["result"] = "新增补充耕地*【待补充】*1200亩"  # escaped by Markdown
    facts["problems"] = ["（一）人员不足。基层所人员【待补充：人数】", "历史问题多"]
    saved = tmp_path / "d.json"
    assert cli("run", _write(tmp_path / "f.yaml", facts), "-o", saved).returncode in (0, 1)
    draft = load_draft_json(saved)
    lines = render_markdown(draft).splitlines()
    starts = [m.start for m in draft.locate_markers()]
    assert len(starts) >= 3
    for start in starts:
        row, column = markdown_position(draft, start)
        assert lines[row - 1][column - 1 :].startswith("【待补充"), (row, column, lines[row - 1])
    date = draft.text.rindex("【待补充：成文日期】")
    assert markdown_position(draft, date) == (len(lines), 1)


def test_learn_into_a_folder_of_ones_own_says_how_to_run_the_new_type(cli, tmp_path):
    """`draft learn 范文.txt --out mytypes` ended with "next: fill … and run `draft run
    <facts>`": done literally, that is "unknown document type", as the type is not in a
    folder `draft run` searches without `--spec-dir mytypes`."""
    import shlex

    sample = REPO / "tests" / "data" / "school-ideology-summary-2020.txt"
    learned = cli("learn", sample, "--id", "my-ideology", "--out", "mytypes", cwd=tmp_path)
    assert learned.returncode == 0, learned.stderr
    nxt = learned.stderr.splitlines()[-1]
    template = Path(tmp_path / nxt.split("next: fill ")[1].split(" and run")[0])
    command = nxt.split("`")[1]
    assert command.startswith("draft run <facts>"), nxt
    facts = yaml.safe_load(template.read_text("utf-8"))
    facts.update(report_year=2025, school_name="青山县第二中学", area_level="县")  # 必填 facts
    filled = _write(tmp_path / "facts.yaml", facts)
    args = [str(filled) if a == "<facts>" else a for a in shlex.split(command)[2:]]
    run = cli("run", *args, "-o", tmp_path / "d.md", cwd=tmp_path)
    assert run.returncode == 0, (nxt, run.stderr)
    # learned into the user's own types folder, the command needs no --spec-dir
    home = cli("learn", sample, "--id", "home-ideology", cwd=tmp_path)
    assert home.returncode == 0, home.stderr
    assert "`draft run <facts>`" in home.stderr.splitlines()[-1]


def test_export_of_an_edited_draft_whose_facts_its_type_no_longer_takes(cli, tmp_path):
    """Checking an edited draft again must not cost the export: facts its type refuses (the
    spec changed since, or the facts were edited too) leave it exported as before, with a
    note, where `draft check` refuses the file."""
    import json

    edited = _hand_edited(tmp_path, cli)
    data = json.loads(edited.read_text("utf-8"))
    data["facts"]["staff_count"] = "很多"
    edited.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    word = tmp_path / "edited.docx"
    export = cli("export", edited, "-o", word)
    assert export.returncode == 0, export.stderr
    assert "the draft's facts could not be read again" in export.stderr
    assert "finding(s) past the first change dropped" in export.stderr
    assert word.exists()
    assert cli("check", edited).returncode == 2
