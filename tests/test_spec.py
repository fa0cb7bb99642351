"""Document-type specs: the built-ins load; a malformed spec or template is a clear error."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.errors import InputError
from pipeline.spec import available_doctypes, load_spec, load_spec_file
from tests.conftest import EXAMPLES, REPO


def test_builtin_doctypes_load_with_sections_in_order():
    school = load_spec("school-ideology-summary")
    assert [s.id for s in school.sections] == [
        "opening",
        "organization",
        "theory_study",
        "public_opinion",
        "civic_culture",
        "shortcomings",
        "plans",
    ]
    assert school.name == "学校意识形态工作总结"
    assert school.content_hash
    annual = load_spec("annual-work-summary")
    assert annual.facts["work_items"].type == "object-list"
    assert set(available_doctypes()) >= {
        "school-ideology-summary",
        "annual-work-summary",
        "annual-duty-report",
        "annual-work-plan",
        "meeting-notice",
    }
    duty = load_spec("annual-duty-report")
    assert duty.signature is not None and duty.signature.role == "述职人"


@pytest.mark.parametrize(
    "doctype",
    [
        "annual-work-summary",
        "school-ideology-summary",
        "annual-duty-report",
        "annual-work-plan",
        "meeting-notice",
    ],
)
def test_builtin_descriptions_have_no_blank_inside_the_chinese(doctype):
    """`draft doctypes` and the web app showed “……小节）， 存在的问题”: the spec's folded
    `description: >-` joined its two lines with a blank, which Chinese text does not have."""
    description = load_spec(doctype).description
    assert not re.search(
        r"[\u3000-\u9fff\uff00-\uffef]\s+[\u3000-\u9fff\uff00-\uffef]", description
    )


@pytest.fixture
def doctype_copy(tmp_path: Path) -> Path:
    """A writable copy of the built-in school doctype as a --spec-dir root."""
    (tmp_path / "schemas").mkdir()
    shutil.copy(REPO / "schemas/school-ideology-summary.yaml", tmp_path / "schemas")
    shutil.copytree(
        REPO / "prompts/school-ideology-summary", tmp_path / "prompts/school-ideology-summary"
    )
    return tmp_path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_unknown_fact_type_names_file_key_path_and_line(doctype_copy: Path):
    spec = doctype_copy / "schemas/school-ideology-summary.yaml"
    _edit(
        spec,
        "    type: integer\n    label: 中心组学习次数",
        "    type: count\n    label: 中心组学习次数",
    )
    with pytest.raises(InputError) as err:
        load_spec_file(spec)
    msg = str(err.value)
    assert str(spec) in msg
    assert "facts.central_group_sessions.type" in msg
    assert "'string'" in msg and "'integer'" in msg  # what was expected
    line = spec.read_text(encoding="utf-8").splitlines().index("    type: count") + 1
    assert f":{line}:" in msg or f"line {line}" in msg


def test_a_misspelt_fact_type_is_corrected_in_the_words_of_the_other_messages(
    doctype_copy: Path,
):
    """It was pydantic's "Input should be 'string', 'integer', … or 'object-list'"."""
    spec = doctype_copy / "schemas/school-ideology-summary.yaml"
    _edit(spec, "    type: year\n", "    type: yaer\n")
    with pytest.raises(InputError) as err:
        load_spec_file(spec)
    assert str(err.value) == (
        f"{spec}:{_line_of(spec, 'type: yaer')}: field 'facts.report_year.type': expected one "
        "of 'string', 'integer', 'number', 'year', 'date', 'enum', 'string-list', "
        "'object-list', got 'yaer'; did you mean 'year'?"
    )


@pytest.mark.parametrize(
    ("new", "problem"),
    [
        (
            "    pattern: .*[县区\n    pattern_hint: 写县名\n",
            "'pattern' is not a regular expression",
        ),
        ("    pattern: .*县\n", "a 'pattern' needs a 'pattern_hint'"),
        ("    pattern_hint: 写县名\n", "'pattern_hint' says what to write for a 'pattern'"),
    ],
)
def test_a_facts_pattern_must_be_usable(doctype_copy: Path, new: str, problem: str):
    spec = doctype_copy / "schemas/school-ideology-summary.yaml"
    text = spec.read_text(encoding="utf-8")
    start = text.index("    pattern: .*[县区市旗]")
    end = text.index("\n", text.index("    pattern_hint:", start)) + 1
    spec.write_text(text[:start] + new + text[end:], encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_spec_file(spec)
    assert str(spec) in str(err.value) and "facts.county" in str(err.value)
    assert problem in str(err.value)


def test_a_pattern_applies_to_text_only(doctype_copy: Path):
    spec = doctype_copy / "schemas/school-ideology-summary.yaml"
    _edit(
        spec,
        "    type: integer\n    label: 中心组学习次数",
        "    type: integer\n    pattern: '[0-9]+'\n    pattern_hint: 写数字\n    label: 中心组学习次数",
    )
    with pytest.raises(InputError) as err:
        load_spec_file(spec)
    assert "'pattern' applies to string and string-list, not integer" in str(err.value)


def test_unknown_spec_key_suggests_the_right_one(doctype_copy: Path):
    spec = doctype_copy / "schemas/school-ideology-summary.yaml"
    _edit(
        spec,
        "    min_points: 3\n    length: {min: 300, max: 1500}\n  - id: public_opinion",
        "    min_point: 3\n    length: {min: 300, max: 1500}\n  - id: public_opinion",
    )
    with pytest.raises(InputError, match=r"sections\[2\]\.min_point.*did you mean 'min_points'"):
        load_spec_file(spec)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("{major: 1}", "expected a version number or name"), ("1.5", "quoted, '1.5'")],
)
def test_a_wrong_version_is_one_message(doctype_copy: Path, value, expected):
    """It was two, one per form a version may take ('version.int', 'version.str')."""
    spec = doctype_copy / "schemas/school-ideology-summary.yaml"
    _edit(spec, "version: 1", f"version: {value}")
    with pytest.raises(InputError) as err:
        load_spec_file(spec)
    assert str(err.value).startswith(f"{spec}:{_line_of(spec, 'version:')}: field 'version': ")
    assert expected in str(err.value)


def test_an_empty_numbering_is_an_error(doctype_copy: Path):
    spec = doctype_copy / "schemas/school-ideology-summary.yaml"
    _edit(spec, '  numbering: ["一、", "（一）", "1.", "（1）"]', "  numbering: []")
    with pytest.raises(InputError, match=r"rules\.numbering.*at least one item"):
        load_spec_file(spec)


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ('title: "{{ school_name }}', 'title: "{{ school_name }', "title"),
        ("    heading: 存在的不足\n", "    heading: 存在的{{ 不足\n", "sections[5].heading"),
    ],
)
def test_a_broken_inline_template_names_its_field(doctype_copy: Path, old, new, field):
    """A title or heading template is a line of the spec, not a file: its field is named,
    at its line."""
    spec = doctype_copy / "schemas/school-ideology-summary.yaml"
    _edit(spec, old, new)
    line = _line_of(spec, new.strip())
    with pytest.raises(InputError) as err:
        load_spec_file(spec)
    assert str(err.value).startswith(f"{spec}:{line}: field '{field}': template syntax error")


@pytest.mark.parametrize(
    ("old", "new", "field", "suggestion"),
    [
        ('title: "{{ school_name }}', 'title: "{{ school_nam }}', "field 'title'", "school_name"),
        (
            '    heading: "{{ report_year + 1 }}年工作打算和工作措施"',
            '    heading: "{{ next_year }}年工作打算和工作措施"',
            "field 'sections[6].heading' ('plans')",
            "",
        ),
        (
            '    heading: "{{ report_year + 1 }}年工作打算和工作措施"',
            '    heading: "{{ qqq }}年工作打算和工作措施"',
            "field 'sections[6].heading' ('plans')",
            "",
        ),
    ],
)
def test_an_undeclared_name_in_a_title_or_heading_is_at_its_line(
    doctype_copy: Path, cli, old, new, field, suggestion
):
    """A heading naming a variable that is no fact was reported as "sections 'plans' heading
    uses 'next_year'" at no line: the maintainer had to search the spec for it."""
    spec = doctype_copy / "schemas/school-ideology-summary.yaml"
    _edit(spec, old, new)
    result = cli("doctypes", "--spec-dir", doctype_copy)
    assert result.returncode == 2, result.stderr
    name = re.search(r"\{\{ (\w+)", new)[1]  # type: ignore[index]
    assert (
        f"error: {spec}:{_line_of(spec, new.strip())}: {field} uses '{name}', which the spec "
        in (result.stderr)
    )
    assert (f"did you mean '{suggestion}'?" in result.stderr) == bool(suggestion)
    if "did you mean" not in result.stderr:  # how to declare it; no section lists a heading's
        assert result.stderr.endswith(
            "does not declare as facts: declare it under 'facts' in the spec (its type, label "
            "and example)\n"
        ), result.stderr


def test_a_section_id_given_twice_is_reported_at_the_second_entry(doctype_copy: Path, cli):
    """It was reported at the `sections:` line, quoting none of the entries: the maintainer
    had to search seven sections for the repeated one."""
    spec = doctype_copy / "schemas/school-ideology-summary.yaml"
    _edit(spec, "  - id: plans\n", "  - id: shortcomings\n")
    before = spec.read_text(encoding="utf-8")
    second = before.splitlines().index("  - id: shortcomings", _line_of(spec, "id: shortcomings"))
    result = cli("doctypes", "--spec-dir", doctype_copy)
    assert result.returncode == 2, result.stderr
    assert result.stderr == (
        f"error: {spec}:{second + 1}: field 'sections[6].id': section id 'shortcomings' is "
        "also the id of sections[5]: give each section its own id (its template is <id>.j2)\n"
    )
    assert spec.read_text(encoding="utf-8") == before


@pytest.mark.parametrize(
    ("fact", "example", "label", "write"),
    [
        ("central_group_sessions", "    example: 12\n", "中心组学习次数", "12"),
        ("school_name", "    example: 青山县红星中学\n", "学校名称", "<a real 学校名称>"),
        (
            "next_year_measures",
            "    example:\n      - title: 加强学习、提高素质\n        detail: 采取观看先进人物电教片、"
            "举办先进事迹报告会等办法，加强教职工理论学习\n      - title: 加强宣传思想工作自身建设\n"
            "        detail: 要求宣传思想工作者加强学习、练好本领，提高复杂形势下辨别是非的能力\n",
            "下一年度工作措施",
            "[{title: <a real 措施要点>, detail: <a real 具体做法>}]",
        ),
    ],
    ids=["integer", "string", "object-list"],
)
def test_a_fact_without_an_example_is_told_why_it_needs_one_and_what_to_write(
    doctype_copy: Path, cli, fact: str, example: str, label: str, write: str
):
    """It said only "is required but missing": nothing of what the example is for."""
    spec = doctype_copy / "schemas/school-ideology-summary.yaml"
    _edit(spec, example, "")
    before = spec.read_text(encoding="utf-8")
    result = cli("doctypes", "--spec-dir", doctype_copy)
    assert result.returncode == 2, result.stderr
    assert result.stderr == (
        f"error: {spec}:{_line_of(spec, f'  {fact}:')}: field 'facts.{fact}.example' is required "
        f"but missing: the example of {label} is the value `draft facts-template` shows for "
        "it, and the value the section templates are test-rendered with each time the spec "
        "loads; write one the fact accepts, as a filled-in facts file has it, such as "
        f"'example: {write}'\n"
    )
    assert spec.read_text(encoding="utf-8") == before


@pytest.mark.parametrize("empty", ["", " null", ' ""'], ids=["blank", "null", "empty string"])
def test_a_fact_with_an_empty_example_is_refused_as_a_missing_one(
    doctype_copy: Path, cli, empty: str
):
    """`example:` left empty loaded, and `draft facts-template` showed the fact's example as
    null."""
    spec = doctype_copy / "schemas/school-ideology-summary.yaml"
    _edit(spec, "    min: 0\n    example: 12\n", f"    min: 0\n    example:{empty}\n")
    before = spec.read_text(encoding="utf-8")
    for args in (("doctypes",), ("facts-template", "school-ideology-summary")):
        result = cli(*args, "--spec-dir", doctype_copy)
        assert result.returncode == 2, result.stderr
        assert result.stderr == (
            f"error: {spec}:{_line_of(spec, '    min: 0') + 1}: field "
            "'facts.central_group_sessions.example' is required but missing: the example of "
            "中心组学习次数 is the value `draft facts-template` shows for it, and the value the "
            "section templates are test-rendered with each time the spec loads; write one the "
            "fact accepts, as a filled-in facts file has it, such as 'example: 12'\n"
        )
        assert "null" not in result.stdout
    assert spec.read_text(encoding="utf-8") == before


def _line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text("utf-8").splitlines(), 1) if text in line)


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("facts: [leading_group_head]", "facts: [leading_group_heads]", "sections[1].facts[0]"),
        (
            "must_mention: [central_group_sessions, theory_sessions]",
            "must_mention: [central_group_sessions, theory_sesions]",
            "sections[2].must_mention[1]",
        ),
        ("  unit: school_name", "  unit: school_nam", "signature.unit"),
    ],
)
def test_naming_an_undeclared_fact_is_an_error_at_its_line(doctype_copy: Path, old, new, field):
    """It was reported at the spec's first line (a check across the whole spec has none)."""
    spec = doctype_copy / "schemas/school-ideology-summary.yaml"
    _edit(spec, old, new)
    with pytest.raises(InputError) as err:
        load_spec_file(spec)
    line = _line_of(spec, new.strip())
    assert str(err.value).startswith(f"{spec}:{line}: field '{field}'"), str(err.value)
    assert "undeclared fact" in str(err.value) and "did you mean" in str(err.value)


def test_template_using_an_undeclared_fact_fails_at_load_time(doctype_copy: Path):
    tmpl = doctype_copy / "prompts/school-ideology-summary/organization.j2"
    _edit(tmpl, "{{ leading_group_head }}", "{{ principal_name }}")
    with pytest.raises(InputError) as err:
        load_spec_file(doctype_copy / "schemas/school-ideology-summary.yaml")
    assert "principal_name" in str(err.value)
    assert str(tmpl) in str(err.value)


def test_a_misspelt_fact_in_a_template_is_located_and_corrected(doctype_copy: Path):
    """The message named neither the line nor the fact that was meant."""
    tmpl = doctype_copy / "prompts/school-ideology-summary/organization.j2"
    _edit(tmpl, "{{ leading_group_head }}", "{{ leading_group_haed }}")
    with pytest.raises(InputError) as err:
        load_spec_file(doctype_copy / "schemas/school-ideology-summary.yaml")
    assert str(err.value).startswith(f"{tmpl}:{_line_of(tmpl, 'leading_group_haed')}: ")
    assert str(err.value).endswith("did you mean 'leading_group_head'?")


def test_template_using_an_undeclared_field_of_a_list_item_fails_at_load_time(doctype_copy: Path):
    tmpl = doctype_copy / "prompts/school-ideology-summary/plans.j2"
    _edit(tmpl, "{{ m.detail | sentence }}", "{{ m.details | sentence }}")
    with pytest.raises(InputError, match="details"):
        load_spec_file(doctype_copy / "schemas/school-ideology-summary.yaml")


def test_template_syntax_error_names_file_and_line(doctype_copy: Path):
    tmpl = doctype_copy / "prompts/school-ideology-summary/civic_culture.j2"
    _edit(tmpl, "{{ facilities | series }}", "{{ facilities | series }")
    with pytest.raises(InputError, match=r"civic_culture\.j2:\d+: template syntax error"):
        load_spec_file(doctype_copy / "schemas/school-ideology-summary.yaml")


def test_missing_template_is_an_error(doctype_copy: Path):
    (doctype_copy / "prompts/school-ideology-summary/shortcomings.j2").unlink()
    with pytest.raises(InputError, match="template for section 'shortcomings' not found"):
        load_spec_file(doctype_copy / "schemas/school-ideology-summary.yaml")


@pytest.mark.parametrize(
    ("make", "says"),
    [
        ("directory", "expected a template, found a directory"),
        ("loop", "template is a symbolic link to nothing (or to itself)"),
        ("fifo", "expected a template, found a named pipe (FIFO)"),
    ],
)
def test_something_else_in_a_templates_place_is_named(doctype_copy: Path, cli, make, says):
    """A folder, a link to itself or a pipe where shortcomings.j2 belongs was "not found:
    write shortcomings.j2", which is there."""
    template = doctype_copy / "prompts/school-ideology-summary/shortcomings.j2"
    template.unlink()
    if make == "directory":
        template.mkdir()
    elif make == "loop":
        template.symlink_to(template)
    else:
        os.mkfifo(template)
    result = cli("doctypes", "--spec-dir", doctype_copy)
    assert result.returncode == 2, result.stderr
    assert result.stderr == f"error: {template}: {says}" + (
        " that nothing writes to\n" if make == "fifo" else "\n"
    )


@pytest.mark.parametrize("target", ["itself", "nowhere"])
def test_a_spec_that_is_a_broken_link_is_named_not_unknown(doctype_copy: Path, cli, target):
    """It was "unknown document type 'school-ideology-summary'; did you mean
    'school-ideology-summary'?", the listing having shown the link's name."""
    spec = doctype_copy / "schemas/school-ideology-summary.yaml"
    spec.unlink()
    spec.symlink_to(spec if target == "itself" else doctype_copy / "gone.yaml")
    facts = EXAMPLES / "school-ideology-summary.yaml"
    for args in (["run", facts], ["facts-template", "school-ideology-summary"]):
        result = cli(*args, "--spec-dir", doctype_copy)
        assert result.returncode == 2, result.stderr
        assert result.stderr == (
            f"error: {spec}: document-type spec is a symbolic link to nothing (or to itself)\n"
        )


@pytest.mark.parametrize("given", ["../theory_study.j2", "sub/shortcomings.j2", "shortcomings"])
def test_a_template_that_is_not_a_file_name_is_named_as_such(doctype_copy: Path, given: str):
    spec = doctype_copy / "schemas/school-ideology-summary.yaml"
    _edit(spec, "  - id: shortcomings\n", f"  - id: shortcomings\n    template: {given}\n")
    with pytest.raises(InputError) as err:
        load_spec_file(spec)
    assert str(err.value).endswith(
        "field 'sections[5].template': must be a file name in prompts/<doctype>/ ending in .j2, "
        f"such as opening.j2, got '{given}'"
    )


def test_yaml_syntax_error_in_spec(doctype_copy: Path):
    spec = doctype_copy / "schemas/school-ideology-summary.yaml"
    _edit(spec, "version: 1", "version: [1")
    with pytest.raises(InputError, match="invalid YAML"):
        load_spec_file(spec)


def test_unknown_doctype_suggests_a_known_one():
    with pytest.raises(InputError, match="did you mean 'annual-work-summary'"):
        load_spec("annual-work-sumary")


def test_broken_spec_through_the_cli_exits_2_without_traceback(doctype_copy: Path, cli, tmp_path):
    spec = doctype_copy / "schemas/school-ideology-summary.yaml"
    _edit(spec, "sections:\n", "sections: 3\nsectons:\n")
    out = tmp_path / "draft.md"
    out.write_text("keep me", encoding="utf-8")
    result = cli(
        "run", EXAMPLES / "school-ideology-summary.yaml", "--spec-dir", doctype_copy, "-o", out
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert str(spec) in result.stderr
    assert out.read_text(encoding="utf-8") == "keep me"


@pytest.mark.parametrize(
    ("old", "field", "limit"),
    [
        ("name: 学校意识形态工作总结", "name", 200),
        ("description: 中小学校党组织", "description", 2000),
        ("    label: 学校名称", "facts.school_name.label", 60),
    ],
)
def test_a_spec_text_of_100000_characters_is_refused_naming_the_field(
    doctype_copy: Path, cli, tmp_path, old, field, limit
):
    """A 100,000-character name, description or label was accepted: it would be every
    marker's, message's and `draft doctypes` line's."""
    spec = doctype_copy / "schemas/school-ideology-summary.yaml"
    _edit(spec, old, old + "长" * 100_000)
    line = _line_of(spec, old)
    out = tmp_path / "draft.md"
    out.write_text("keep me", encoding="utf-8")
    result = cli(
        "run", EXAMPLES / "school-ideology-summary.yaml", "--spec-dir", doctype_copy, "-o", out
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(
        f"error: {spec}:{line}: field '{field}': expected at most {limit} characters, got '"
    )
    assert len(result.stderr) < 500 and "Traceback" not in result.stderr
    assert out.read_text(encoding="utf-8") == "keep me"


def test_a_chinese_fact_id_is_told_what_an_id_looks_like(doctype_copy: Path, cli):
    spec = doctype_copy / "schemas/school-ideology-summary.yaml"
    _edit(spec, "\n  school_name:\n", "\n  学校名称:\n")
    result = cli("doctypes", "--spec-dir", doctype_copy)
    assert result.returncode == 2, result.stderr
    assert "key 'facts.学校名称': expected an id of lowercase ASCII letters" in result.stderr
    assert "a Chinese name goes in its label" in result.stderr
    assert "pattern" not in result.stderr and "[key]" not in result.stderr


def _skeleton(body: str) -> str:
    return '{% extends "section.j2" %}{% block skeleton %}' + body + "{% endblock %}\n"


BROKEN_TEMPLATES = {
    "not text": ("binary", ":1: not UTF-8 text, nor GB18030"),
    "unknown filter": (
        _skeleton("{{ school_name | nosuch }}"),
        ":1: template syntax error: No filter named 'nosuch'",
    ),
    "error while rendering": (
        _skeleton("{{ 1 / 0 }}"),
        ":1: template for section 'opening' fails with the spec's examples: ZeroDivisionError",
    ),
    "recursive macro": (
        _skeleton("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}"),
        ":1: template for section 'opening' fails with the spec's examples: RecursionError",
    ),
    "nested too deeply to compile": (
        _skeleton("{{ school_name }}{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}"),
        ": the template is nested too deeply to compile (RecursionError)",
    ),
    "missing include": (
        _skeleton('{% include "nosuch.j2" %}'),
        ":1: template for section 'opening' fails with the spec's examples: TemplateNotFound",
    ),
    "a sandbox escape, at its line": (
        _skeleton("{{ school_name }}\n认真贯彻落实\n{{ ''.__class__.__mro__ }}"),
        ":3: template for section 'opening' fails with the spec's examples: SecurityError: "
        "access to attribute '__class__' of 'str' object is unsafe",
    ),
    "a misspelt field of a list item": (
        _skeleton("{{ school_name }}{% for m in next_year_measures %}{{ m.detial }}{% endfor %}"),
        ":1: template for section 'opening' fails with the spec's examples: 'detial' is not a "
        "field of the items of 'next_year_measures' (下一年度工作措施); did you mean 'detail'?",
    ),
    "a list item's field that no item has": (
        _skeleton("{{ school_name }}{% for m in next_year_measures %}{{ m['x'] }}{% endfor %}"),
        ":1: template for section 'opening' fails with the spec's examples: 'x' is not a "
        "field of the items of 'next_year_measures' (下一年度工作措施); its fields are: "
        "title, detail",
    ),
    "Jinja's lorem ipsum": (
        _skeleton("{{ school_name }}{{ lipsum(2) }}"),
        ":1: template uses 'lipsum', which the spec ",
    ),
    "no skeleton block": (
        '{% extends "section.j2" %}{% block guidance %}写开头。{% endblock %}\n',
        ": template for section 'opening' has no skeleton block: start it with "
        '{% extends "section.j2" %} and write the section from the facts inside '
        "{% block skeleton %}…{% endblock %}",
    ),
    "not extending the layout": (
        "{{ school_name }}认真贯彻落实意识形态工作责任制。\n",
        ": template for section 'opening' does not extend the layout, so a model would be "
        "sent its text alone, without the instructions and the facts: start it with "
        '{% extends "section.j2" %}',
    ),
    # its skeleton drafted offline, and a real model was sent the skeleton as the whole prompt
    "a skeleton block without the layout": (
        "{% block skeleton %}{{ school_name }}认真贯彻落实意识形态工作责任制。{% endblock %}\n",
        ": template for section 'opening' does not extend the layout, so a model would be "
        "sent its text alone, without the instructions and the facts: start it with "
        '{% extends "section.j2" %} and write the section from the facts inside '
        "{% block skeleton %}…{% endblock %}",
    ),
    "an empty skeleton": (
        _skeleton("\n"),
        ": template for section 'opening' fails with the spec's examples: its skeleton block "
        "writes nothing, so the offline draft of the section would be empty",
    ),
}


@pytest.mark.parametrize("case", BROKEN_TEMPLATES, ids=list(BROKEN_TEMPLATES))
@pytest.mark.parametrize("command", ["run", "doctypes"])
def test_broken_template_through_the_cli_names_the_template(
    doctype_copy: Path, cli, tmp_path, case, command
):
    """Whatever a template does wrong — bytes, a filter, an error while it renders — is bad
    input naming the template, for every command that loads the type."""
    body, message = BROKEN_TEMPLATES[case]
    template = doctype_copy / "prompts/school-ideology-summary/opening.j2"
    if body == "binary":
        template.write_bytes("{# 开头段 #}\n".encode("gb18030") + b"\xff")
    else:
        template.write_text(body, encoding="utf-8")
    out = tmp_path / "draft.md"
    out.write_text("keep me", encoding="utf-8")
    args = [EXAMPLES / "school-ideology-summary.yaml", "-o", out] if command == "run" else []
    result = cli(command, *args, "--spec-dir", doctype_copy)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"error: {template}{message}"), result.stderr
    assert "Traceback" not in result.stderr
    assert out.read_text(encoding="utf-8") == "keep me"
    if command == "doctypes":  # the broken type hid every other one
        assert "annual-work-summary  单位年度工作总结" in result.stdout


_SKELETON = "{{ skeleton }} (the section written from the facts, which the model is to write up)"
_FACTS = (
    "{{ section_facts }} (the facts the section uses, with their labels and the markers of "
    "those missing)"
)


@pytest.mark.parametrize(
    ("left_out", "missing", "them"),
    [
        (["{{ skeleton }}"], _SKELETON, "it"),
        (["{{ section_facts }}"], _FACTS, "it"),
        (["{{ skeleton }}", "{{ section_facts }}"], f"{_SKELETON} or {_FACTS}", "them"),
    ],
    ids=["skeleton", "facts", "both"],
)
def test_a_layout_of_its_own_must_write_the_skeleton_and_the_facts(
    doctype_copy: Path, cli, tmp_path: Path, left_out: list[str], missing: str, them: str
):
    """A type's own section.j2 that left them out loaded, and a model was asked to write
    every section without its skeleton or its facts."""
    layout = doctype_copy / "prompts/school-ideology-summary/section.j2"
    text = (REPO / "prompts/_shared/section.j2").read_text(encoding="utf-8")
    for name in left_out:
        assert name in text
        text = text.replace(name, "")
    layout.write_text(text, encoding="utf-8")
    out = tmp_path / "draft.md"
    out.write_text("keep me", encoding="utf-8")
    result = cli(
        "run", EXAMPLES / "school-ideology-summary.yaml", "-o", out, "--spec-dir", doctype_copy
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr == (
        f"error: {layout}: the section layout does not write {missing}, so a model would be "
        f"asked to write every section without {them}: write {them} into the prompt, as "
        "prompts/_shared/section.j2 does\n"
    )
    assert out.read_text(encoding="utf-8") == "keep me"


def test_a_layout_of_its_own_that_writes_the_skeleton_and_the_facts_drafts(doctype_copy: Path, cli):
    layout = doctype_copy / "prompts/school-ideology-summary/section.j2"
    layout.write_text(
        "{% if false %}{% block skeleton %}{% endblock %}{% endif -%}\n"
        "请撰写{{ section.heading }}。\n事实：\n{{ section_facts }}\n骨架：\n"
        "{{ skeleton | trim }}\n{% block guidance %}{% endblock %}\n",
        encoding="utf-8",
    )
    facts = EXAMPLES / "school-ideology-summary.yaml"
    result = cli("run", facts, "--spec-dir", doctype_copy)
    assert result.returncode == 0, result.stderr
    assert result.stdout == cli("run", facts).stdout  # the offline model drafts the skeleton


@pytest.mark.parametrize("encoding", ["gb18030", "utf-16"])
def test_a_template_saved_by_a_windows_editor_is_drafted(doctype_copy: Path, cli, encoding):
    """A template saved as GBK by Notepad or WPS (or as UTF-16) is read as every file is:
    it passed the load-time check, then Jinja read it as UTF-8 and failed with a traceback."""
    template = doctype_copy / "prompts/school-ideology-summary/opening.j2"
    template.write_bytes(template.read_text(encoding="utf-8").encode(encoding))
    facts = EXAMPLES / "school-ideology-summary.yaml"
    result = cli("run", facts, "--spec-dir", doctype_copy)
    assert result.returncode == 0, result.stderr
    assert result.stdout == cli("run", facts).stdout  # as drafted from the UTF-8 original


def _doctypes_with_opening(
    doctype_copy: Path, line: str
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """`draft doctypes --spec-dir` on the copy whose opening template's second line is `line`,
    in a child whose address space is capped at 1 GB and its time at 60 s (a template that
    takes the memory or loops without end fails the test instead of hanging it)."""
    import resource

    def cap_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    template = doctype_copy / "prompts/school-ideology-summary/opening.j2"
    template.write_text(_skeleton("{{ school_name }}\n" + line), "utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "doctypes", "--spec-dir", str(doctype_copy)],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=cap_memory,
    )
    return template, result


@pytest.mark.parametrize(
    "expression, operator",
    [("'好' * 300000000", "*"), ("'%0300000000d' % 1", "%"), ("7 ** 3000000", "**")],
)
def test_a_template_making_a_huge_value_is_refused_without_using_the_memory(
    doctype_copy: Path, tmp_path, expression, operator
):
    """A type shared by another office whose template writes `{{ '好' * 300000000 }}`: Jinja
    folded it into a constant as it compiled, so loading the type took gigabytes and ended
    in a MemoryError traceback. (The child's address space is capped, so a regression fails
    instead of swapping.)"""
    template, result = _doctypes_with_opening(doctype_copy, "{{ " + expression + " }}")
    assert result.returncode == 2, result.stderr[-800:]
    assert result.stderr.startswith(
        f"error: {template}:2: template for section 'opening' fails with the spec's examples: "
        f"SecurityError: '{operator}' would make a value of about "
    ), result.stderr[-800:]
    assert "a template may make at most 100,000" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "body, line, problem",
    [
        (
            "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
            ":2:",
            "the template's loops take more than 100,000 steps in one rendering",
        ),
        (
            "{% for i in range(99999) %}{% for j in range(99999) %}好{% endfor %}{% endfor %}",
            ":2:",
            "the template's loops take more than 100,000 steps in one rendering",
        ),
        (
            "{% set s %}{% for i in range(50) %}{{ '好' * 100000 }}{% endfor %}{% endset %}",
            ":2:",
            "the template writes more than 1,000,000 characters in one rendering",
        ),
        (
            "{% for i in range(50) %}{{ '好' * 100000 }}{% endfor %}",
            ":2:",
            "the template writes more than 1,000,000 characters in one rendering",
        ),
    ],
)
def test_a_template_looping_or_writing_without_end_is_refused_promptly(
    doctype_copy: Path, tmp_path, body, line, problem
):
    """A type from --spec-dir whose template nests two range() loops (each within the
    sandbox's own limit) made `draft doctypes` and `draft run` hang for hours; one writing
    millions of characters took the memory. (The child's time and address space are capped,
    so a regression fails instead of hanging.)"""
    template, result = _doctypes_with_opening(doctype_copy, body)
    assert result.returncode == 2, result.stderr[-800:]
    assert result.stderr.startswith(
        f"error: {template}{line} template for section 'opening' fails with the spec's "
        f"examples: SecurityError: {problem}"
    ), result.stderr[-800:]
    assert "Traceback" not in result.stderr


GROWING = (
    "{% set ns = namespace(v=START) %}{% for i in range(40) %}{% set ns.v = STEP %}{% endfor %}"
)
"""A value doubled 40 times within 40 loop steps (a namespace carries it from step to step)."""
BIG = "{% set s = 'x' * 50000 %}{% set l = ['x'] * 50000 %}"
"""A string and a list each within the bound, for an operation that multiplies them."""


@pytest.mark.parametrize(
    "body, problem",
    [
        (GROWING.replace("START", "'x'").replace("STEP", "ns.v ~ ns.v"), "'~' would make"),
        (GROWING.replace("START", "'x'").replace("STEP", "ns.v + ns.v"), "'+' would make"),
        (GROWING.replace("START", "['x']").replace("STEP", "ns.v + ns.v"), "'+' would make"),
        (GROWING.replace("START", "7").replace("STEP", "ns.v * ns.v"), "'*' would make"),
        (
            "{% macro d(s, n) %}{{ d(s ~ s, n - 1) if n else s | length }}{% endmacro %}"
            "{{ d('x', 40) }}",
            "'~' would make",
        ),
        (
            "{% set l = ['x'] %}{% for i in range(40) %}{% set _ = l.extend(l) %}{% endfor %}",
            "the method 'extend' made",
        ),
        (BIG + "{{ s | replace('x', s) }}", "the filter 'replace' would make"),
        (BIG + "{{ s.replace('x', s) }}", "the method 'replace' would make"),
        (BIG + "{{ s | center(10 ** 9) }}", "the filter 'center' would make"),
        (BIG + "{{ s.center(10 ** 9) }}", "the method 'center' would make"),
        (BIG + "{{ l | join(s) }}", "the filter 'join' would make"),
        (BIG + "{{ s.join(l) }}", "the method 'join' would make"),
        (BIG + "{{ '%s%s%s' | format(s, s, s) }}", "the filter 'format' would make"),
        (BIG + "{{ '%s%s%s' % (s, s, s) }}", "'%' would make"),
        ("{{ '{:>1000000000}'.format(1) }}", "the method 'format' would make"),
        ("{{ [1] | batch(10 ** 9, 'x') | list }}", "the filter 'batch' would make"),
        (BIG + "{{ l | map('center', 99999) | list }}", "the filter 'list' would make"),
    ],
)
def test_a_template_growing_a_value_without_bound_is_refused_promptly(
    doctype_copy: Path, body, problem
):
    """A type from --spec-dir whose template doubled a string forty times (`~`, `+`), or
    multiplied one by a filter or method (`replace`, `center`, `join`, `format`…), took all
    the memory of `draft doctypes` and `draft run`: only `*`, `**` and `%` were bounded,
    and only against their own operands. (The child's time and address space are capped, so
    a regression fails instead of swapping.)"""
    template, result = _doctypes_with_opening(doctype_copy, body)
    assert result.returncode == 2, result.stderr[-800:]
    assert result.stderr.startswith(
        f"error: {template}:2: template for section 'opening' fails with the spec's "
        f"examples: SecurityError: {problem} a value of about "
    ), result.stderr[-800:]
    assert "characters, items or digits; a template may make at most 100,000" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_template_measuring_a_large_list_over_and_over_is_refused_promptly(
    doctype_copy: Path,
):
    """Each `+` measures its list: doing it in every step of a long loop would take hours."""
    body = "{% set l = ['x'] * 40000 %}{% for i in range(100000) %}{% set m = l + [] %}{% endfor %}"
    template, result = _doctypes_with_opening(doctype_copy, body)
    assert result.returncode == 2, result.stderr[-800:]
    assert result.stderr.startswith(
        f"error: {template}:2: template for section 'opening' fails with the spec's "
        "examples: SecurityError: the template measures lists of more than 10,000,000 items"
    ), result.stderr[-800:]


def test_a_template_building_text_within_the_bounds_drafts_as_before(doctype_copy: Path, cli):
    """`~`, `+`, filters and methods that make text are bounded, not changed."""
    template = doctype_copy / "prompts/school-ideology-summary/opening.j2"
    _edit(template, "{{ supervising_body }}", "{{ '%s' | format(supervising_body) }}")
    _edit(template, "{{ county }}委", "{{ county ~ '委' }}")
    _edit(template, "{{ report_year }}年以来", "{{ '{}年'.format(report_year) + '以来' }}")
    _edit(template, "和省、市", "{{ '、'.join(['和省', '市']) | replace('x', 'y') | center(3) }}")
    facts = EXAMPLES / "school-ideology-summary.yaml"
    result = cli("run", facts, "--spec-dir", doctype_copy)
    assert result.returncode == 0, result.stderr
    assert result.stdout == cli("run", facts).stdout  # as drafted from the original


def test_a_template_failing_only_with_the_users_facts_is_bad_input(
    doctype_copy: Path, cli, tmp_path
):
    template = doctype_copy / "prompts/school-ideology-summary/opening.j2"
    template.write_text(
        _skeleton(
            "{{ county }}{% if party_congress %}{{ 10 // (party_congress - 7) }}"
            "{% else %}{{ party_congress }}{% endif %}"
        ),
        encoding="utf-8",
    )
    facts = tmp_path / "facts.yaml"
    facts.write_text(
        (EXAMPLES / "school-ideology-summary.yaml")
        .read_text(encoding="utf-8")
        .replace("party_congress: 19", "party_congress: 7"),
        encoding="utf-8",
    )
    result = cli("run", facts, "--spec-dir", doctype_copy)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(
        f"error: {template}:1: template for section 'opening' fails with the facts given: "
        "ZeroDivisionError"
    ), result.stderr


SPEC_DIR_COMMANDS = {
    "run": ("run", EXAMPLES / "school-ideology-summary.yaml"),
    "check": ("check", EXAMPLES / "school-ideology-summary.yaml"),
    "doctypes": ("doctypes",),
    "facts-template": ("facts-template", "school-ideology-summary"),
}


@pytest.mark.parametrize("command", SPEC_DIR_COMMANDS)
@pytest.mark.parametrize("given", ["missing", "a file", "no schemas/"])
def test_a_spec_dir_that_cannot_hold_types_is_refused(cli, tmp_path, command, given):
    """A mistyped --spec-dir is bad input, not a silent fall-back to the built-in types."""
    folder = tmp_path / "types"
    if given == "a file":
        folder.write_text("x", encoding="utf-8")
    elif given == "no schemas/":
        (folder / "prompts").mkdir(parents=True)
    result = cli(*SPEC_DIR_COMMANDS[command], "--spec-dir", folder)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"error: {folder}: --spec-dir: "), result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ("link loop", "--spec-dir: a symbolic link to nothing (or to itself), not a folder"),
        ("schemas file", "found a file named schemas in it"),
        ("missing", "--spec-dir: folder not found"),
        ("no schemas/", "found no schemas/ in it"),
    ],
)
def test_what_is_wrong_with_a_spec_dir_is_said(cli, tmp_path, given, says):
    """A link to itself was "folder not found"; a file named schemas, "no schemas/ in it"."""
    folder = tmp_path / "types"
    if given == "link loop":
        folder.symlink_to(folder)
    elif given != "missing":
        (folder / "prompts").mkdir(parents=True)
        if given == "schemas file":
            (folder / "schemas").write_text("x", encoding="utf-8")
    result = cli("doctypes", "--spec-dir", folder)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"error: {folder}: "), result.stderr
    assert says in result.stderr, result.stderr


def test_a_folder_in_place_of_a_spec_file_is_named(doctype_copy: Path, cli):
    spec = doctype_copy / "schemas/school-ideology-summary.yaml"
    spec.unlink()
    spec.mkdir()
    result = cli("run", EXAMPLES / "school-ideology-summary.yaml", "--spec-dir", doctype_copy)
    assert result.returncode == 2, result.stderr
    assert result.stderr == (f"error: {spec}: expected a document-type spec, found a directory\n")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "    example: 12\n",
            "    example: 十几\n",
            ":69: field 'facts.central_group_sessions.example' (中心组学习次数): "
            "expected an integer",
        ),
        (
            "    example: 2020\n",
            "    example: 1800\n",
            ":29: field 'facts.report_year.example' (总结年度): expected a value ≥ 1949",
        ),
    ],
    ids=["wrong type", "out of range"],
)
def test_an_example_its_fact_would_refuse_is_a_spec_error(
    doctype_copy: Path, cli, old, new, message
):
    """Examples feed the load-time render and facts-template: one the fact refuses would
    teach the user a value that draft run then rejects."""
    spec = doctype_copy / "schemas/school-ideology-summary.yaml"
    _edit(spec, old, new)
    for args in (("doctypes",), ("facts-template", "school-ideology-summary")):
        result = cli(*args, "--spec-dir", doctype_copy)
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith(f"error: {spec}{message}"), result.stderr
        assert "school-ideology-summary" not in result.stdout  # doctypes lists the others


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "    heading: 存在的不足\n",
            "    heading: 五、存在的不足\n",
            "field 'sections[5].heading' ('shortcomings'): '五、存在的不足' starts with a "
            "heading number; the draft numbers its headings (一、二、…) in order: write '存在的不足'",
        ),
        (
            "    aliases: [存在问题, 存在的问题",
            "    aliases: [（五）存在问题, 存在的问题",
            "field 'sections[5].aliases[0]' ('shortcomings'): '（五）存在问题' starts with a "
            "heading number",
        ),
        (
            "    heading: 存在的不足\n",
            "    heading: 弘扬社会文明，践行核心价值观\n",
            "field 'sections[5].heading' ('shortcomings'): '弘扬社会文明，践行核心价值观' is also "
            "a heading of section 'civic_culture'",
        ),
        (
            "    aliases: [存在问题, 存在的问题",
            "    aliases: [下一步工作打算, 存在的问题",
            "field 'sections[6].aliases[2]' ('plans'): '下一步工作打算' is also a heading of "
            "section 'shortcomings'",
        ),
    ],
)
def test_a_heading_the_checker_would_misread_is_a_spec_error(
    doctype_copy: Path, old, new, expected
):
    """A heading typed with its number was drafted as “五、五、存在的不足” and passed `draft
    check`; two sections under one heading were drafted, and the checker took one for the
    other. Both loaded without a word."""
    spec = doctype_copy / "schemas/school-ideology-summary.yaml"
    _edit(spec, old, new)
    with pytest.raises(InputError) as err:
        load_spec_file(spec)
    assert expected in str(err.value)
    assert str(err.value).startswith(f"{spec}:"), str(err.value)


@pytest.mark.parametrize(
    ("numbering", "expected"),
    [
        (
            '["一，", "（一）", "1.", "（1）"]',
            "field 'rules.numbering[0]': level 1 headings are numbered '一、', got '一，'",
        ),
        (
            '["一、", "（一）", "1．", "（1）"]',
            "field 'rules.numbering[2]': level 3 headings are numbered '1.' or '1、', got '1．'",
        ),
        (
            '["一、", "①"]',
            "field 'rules.numbering[1]': level 2 headings are numbered '（一）' or '(一)', got '①'",
        ),
        (
            '["一、", "（一）", "1.", "（1）", "①"]',
            "field 'rules.numbering[4]': headings have at most 4 levels",
        ),
    ],
)
def test_a_numbering_form_the_checker_cannot_read_is_a_spec_error(
    doctype_copy: Path, numbering: str, expected: str
):
    """Any string was accepted: a form the checker does not read held no heading to it, and
    with '一，' every correct draft's 一、 headings were warned about."""
    spec = doctype_copy / "schemas/school-ideology-summary.yaml"
    _edit(spec, '  numbering: ["一、", "（一）", "1.", "（1）"]', f"  numbering: {numbering}")
    with pytest.raises(InputError) as err:
        load_spec_file(spec)
    assert str(err.value).startswith(f"{spec}:{_line_of(spec, 'numbering:')}: {expected}")


def test_the_other_forms_of_each_level_are_accepted(doctype_copy: Path):
    spec = doctype_copy / "schemas/school-ideology-summary.yaml"
    _edit(
        spec,
        '  numbering: ["一、", "（一）", "1.", "（1）"]',
        '  numbering: ["一、", "(一)", "1、"]',
    )
    assert load_spec_file(spec).rules.numbering == ["一、", "(一)", "1、"]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # a fact no section lists and no template writes
        (
            "facts: [facilities, culture_activities, selections]",
            "facts: [facilities, culture_activities]",
        ),
        # the signature's date fact, with the signature gone
        ("signature:\n  unit: school_name\n  date: report_date\n", ""),
    ],
)
def test_a_fact_nothing_uses_is_a_spec_error(doctype_copy: Path, old, new):
    """The facts template asked the user for it and no draft ever showed it."""
    spec = doctype_copy / "schemas/school-ideology-summary.yaml"
    _edit(spec, old, new)
    if "selections" in old:
        template = doctype_copy / "prompts/school-ideology-summary/civic_culture.j2"
        _edit(template, "开展{{ selections | quoted }}等评选活动，", "")
        name, label = "selections", "评选活动"
    else:
        name, label = "report_date", "成文日期"
    with pytest.raises(InputError) as err:
        load_spec_file(spec)
    assert str(err.value) == (
        f"{spec}:{_line_of(spec, f'  {name}:')}: field 'facts.{name}' ({label}): no template, "
        "section or signature uses this fact, so the draft never shows it: write it in a "
        "section's template and list it in that section's 'facts', or remove it"
    )


def test_a_spec_without_its_prompt_folder_says_where_the_templates_go(tmp_path: Path, cli):
    """A spec file kept outside a schemas/ folder (with its templates beside it) got only
    "prompts/x: prompt folder for 'x' not found", a relative path with no reason."""
    folder = tmp_path / "mytype"
    shutil.copytree(
        REPO / "prompts/school-ideology-summary", folder / "prompts/school-ideology-summary"
    )
    shutil.copy(REPO / "schemas/school-ideology-summary.yaml", folder)
    facts = tmp_path / "facts.yaml"
    facts.write_text(
        (EXAMPLES / "school-ideology-summary.yaml")
        .read_text(encoding="utf-8")
        .replace(
            "doctype: school-ideology-summary", "doctype: mytype/school-ideology-summary.yaml"
        ),
        encoding="utf-8",
    )
    result = cli("run", facts, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(
        f"error: {tmp_path}/prompts/school-ideology-summary: prompt folder for "
        "'school-ideology-summary' not found: the section templates of "
    ), result.stderr
    assert "go in prompts/school-ideology-summary/ beside the folder holding the spec" in (
        result.stderr
    )


def test_a_file_where_the_prompt_folder_belongs_is_named(doctype_copy: Path, cli):
    """It was "prompt folder … not found", which was there, as a file."""
    pdir = doctype_copy / "prompts/school-ideology-summary"
    shutil.rmtree(pdir)
    pdir.write_text("x", encoding="utf-8")
    result = cli("doctypes", "--spec-dir", doctype_copy)
    assert result.returncode == 2, result.stderr
    assert result.stderr == (
        f"error: {pdir}: expected the prompt folder for 'school-ideology-summary' (its section "
        "templates), found a file: make it a folder holding <section id>.j2\n"
    )


@pytest.mark.parametrize("name", ["../../../outside", "/tmp/outside", "lexicon/../../outside"])
def test_a_lexicon_named_by_a_path_is_refused_not_read_from_outside_the_type(
    doctype_copy: Path, cli, tmp_path, name
):
    """`rules.lexicon` of a type shared by another office is a name: one written as a path
    loaded any .yaml file on the machine as the type's set phrases."""
    outside = tmp_path / "outside.yaml"
    outside.write_text((REPO / "schemas/lexicon/set-phrases.yaml").read_text("utf-8"), "utf-8")
    spec = doctype_copy / "schemas/school-ideology-summary.yaml"
    name = name.replace("/tmp/outside", str(tmp_path / "outside"))
    if name.startswith(".."):
        (spec.parent / "lexicon").mkdir(exist_ok=True)
        name = os.path.relpath(tmp_path / "outside", spec.parent / "lexicon")
    _edit(spec, "  lexicon: set-phrases", f"  lexicon: {name}")
    result = cli("doctypes", "--spec-dir", doctype_copy)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(
        f"error: {spec}:{_line_of(spec, 'lexicon: ')}: field 'rules.lexicon': must be the name "
        "of a lexicon file in lexicon/ beside the spec or built in"
    ), result.stderr
    assert "Traceback" not in result.stderr


def test_a_lexicon_not_found_is_a_spec_error_before_any_model_call(
    doctype_copy: Path, cli, tmp_path, openai_server
):
    """A misspelt `rules.lexicon` loaded fine; it was found missing only when the first model
    answer was checked, after every section had been requested, and the message named neither
    the spec nor the field."""
    spec = doctype_copy / "schemas/school-ideology-summary.yaml"
    _edit(spec, "  lexicon: set-phrases", "  lexicon: set-phrase")
    result = cli(
        "run", EXAMPLES / "school-ideology-summary.yaml", "--spec-dir", doctype_copy,
        "--model", "openai:good", "--base-url", openai_server.base_url, "--no-cache",
        env={"OPENAI_API_KEY": "sk-test"},
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(
        f"error: {spec}:{_line_of(spec, 'lexicon: set-phrase')}: field 'rules.lexicon': "
        "lexicon 'set-phrase' not found"
    ), result.stderr
    assert "did you mean 'set-phrases'?" in result.stderr
    assert openai_server.count() == 0


def test_a_fact_a_template_writes_but_its_section_does_not_list_is_a_spec_error(
    doctype_copy: Path,
):
    """A maintainer's template wrote a fact the section's `facts` left out: a model drafting
    the section was not given it, and `draft eval` counted its marker as one in the wrong
    section (marker_precision below 1 on a correct offline draft)."""
    spec = doctype_copy / "schemas/school-ideology-summary.yaml"
    _edit(
        spec,
        "facts: [facilities, culture_activities, selections]",
        "facts: [facilities, culture_activities]",
    )
    with pytest.raises(InputError) as err:
        load_spec_file(spec)
    line = _line_of(spec, "facts: [facilities, culture_activities]")
    assert str(err.value) == (
        f"{spec}:{line}: field 'sections[4].facts' ('civic_culture'): the section's skeleton "
        "writes 'selections' (评选活动), which this list lacks: add it (a model drafting the "
        "section is given only the facts listed here)"
    )


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "  date: report_date\n",
            "  date: report_year\n",
            "field 'signature.date': 'report_year' (总结年度) has type 'year'; the 落款's date "
            "is written from a fact of type 'date'",
        ),
        (
            "  unit: school_name\n",
            "  unit: campaigns\n",
            "field 'signature.unit': 'campaigns' (主题宣传活动) has type 'string-list'; the "
            "落款's unit is written from a fact of type 'string' or 'enum'",
        ),
    ],
)
def test_a_signature_fact_of_the_wrong_type_is_a_spec_error(
    doctype_copy: Path, cli, old, new, expected
):
    """A year as the 落款's date stopped `draft run` with a traceback after every section
    was drafted; a list as its unit was printed as Python's text of the list."""
    spec = doctype_copy / "schemas/school-ideology-summary.yaml"
    _edit(spec, old, new)
    result = cli("run", EXAMPLES / "school-ideology-summary.yaml", "--spec-dir", doctype_copy)
    assert result.returncode == 2, result.stderr
    assert result.stderr == f"error: {spec}:{_line_of(spec, new.strip())}: {expected}\n"


@pytest.mark.parametrize(
    ("second", "expected"),
    [
        (
            "school_nam",
            "field 'signature.second': names undeclared fact 'school_nam'; did you mean "
            "'school_name'?",
        ),
        (
            "campaigns",
            "field 'signature.second': 'campaigns' (主题宣传活动) has type 'string-list'; the "
            "落款's second name is written from a fact of type 'string' or 'enum'",
        ),
    ],
)
def test_a_signatures_second_name_line_is_checked_like_its_unit(
    doctype_copy: Path, cli, second, expected
):
    """`signature.second` (办公室 under the unit) names a declared name fact, or the spec
    is refused at that line before anything is drafted."""
    spec = doctype_copy / "schemas/school-ideology-summary.yaml"
    _edit(spec, "  date: report_date\n", f"  second: {second}\n  date: report_date\n")
    result = cli("run", EXAMPLES / "school-ideology-summary.yaml", "--spec-dir", doctype_copy)
    assert result.returncode == 2, result.stderr
    assert result.stderr == f"error: {spec}:{_line_of(spec, f'second: {second}')}: {expected}\n"


MYTYPES = Path(__file__).parent / "data" / "mytypes"
"""Two document types written from the README alone: a 述职报告 and a 工作计划."""


def _facts_for_copy(mytypes: Path, doctype: str, tmp_path: Path) -> Path:
    """The example facts of `doctype`, pointing at its copy in `mytypes` (which a test edits)."""
    text = (MYTYPES / f"facts/{doctype}.yaml").read_text(encoding="utf-8")
    facts = tmp_path / "facts.yaml"
    facts.write_text(text.replace("../schemas/", f"{mytypes}/schemas/"), encoding="utf-8")
    return facts


@pytest.fixture
def mytypes(tmp_path: Path) -> Path:
    """A writable copy of tests/data/mytypes as a --spec-dir root."""
    shutil.copytree(MYTYPES / "schemas", tmp_path / "mytypes/schemas")
    shutil.copytree(MYTYPES / "prompts", tmp_path / "mytypes/prompts")
    return tmp_path / "mytypes"


def test_a_title_that_does_not_name_the_types_type_is_a_spec_error(mytypes: Path, cli):
    """A 个人年度述职报告 titled “…年度工作报告” loaded, and every draft of it failed the
    checker's title rule (“the title does not name the type 述职报告”)."""
    spec = mytypes / "schemas/personal-duty-report.yaml"
    new = 'title: "{{ person_name }}{{ report_year }}年度工作报告"'
    _edit(spec, 'title: "{{ person_name }}{{ report_year }}年度述职报告"', new)
    result = cli("doctypes", "--spec-dir", mytypes)
    assert result.returncode == 2, result.stderr
    assert result.stderr == (
        f"error: {spec}:{_line_of(spec, new)}: field 'title': renders as “张明2023年度工作报告”, "
        "which does not name the type “述职报告” that the name “个人年度述职报告” ends in, so "
        "every draft would fail the title check: end the title with 述职报告, or the name "
        "with the type the title names\n"
    )


@pytest.mark.parametrize("heading", ["\"{{ '' }}\"", '"{% if false %}德{% endif %}"'])
def test_a_heading_that_renders_empty_is_a_spec_error(mytypes: Path, cli, heading):
    """A heading template writing nothing loaded, and every draft had a bare “一、” line."""
    spec = mytypes / "schemas/personal-duty-report.yaml"
    _edit(spec, "heading: 坚定理想信念，政治素质不断提高", f"heading: {heading}")
    result = cli("doctypes", "--spec-dir", mytypes)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(
        f"error: {spec}:{_line_of(spec, heading)}: field 'sections[1].heading' ('virtue'): "
        "the heading renders empty with the spec's examples"
    ), result.stderr
    assert "Traceback" not in result.stderr


def test_learn_refuses_a_name_whose_type_the_samples_title_does_not_name(cli, tmp_path):
    """`draft learn 述职报告.txt --name 个人工作总结` learned a type whose every draft
    failed the title check (its title, from the sample, says 述职报告)."""
    sample = tmp_path / "sample.txt"
    sample.write_text(
        "王芳2022年度述职报告\n\n2022年，本人担任青山县教育局副局长。现报告如下：\n\n"
        "一、坚定理想信念\n\n本人全年参加集中学习28次。\n\n二、履职尽责\n\n"
        "一是新建校舍12所；二是新招聘教师156名。\n\n王芳\n2023年1月12日\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = cli("learn", sample, "--id", "duty", "--name", "个人工作总结", "--out", out)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("error: --name: “个人工作总结” ends in the type “工作总结”")
    assert not (out / "schemas/duty.yaml").exists()
    assert cli("learn", sample, "--id", "duty", "--out", out).returncode == 0


@pytest.mark.parametrize(
    ("fact", "old", "new", "expected"),
    [
        (
            "study_sessions",
            "    max: 200\n",
            "    max: -5\n",
            "'min' (0) is above 'max' (-5), so no value would be accepted",
        ),
        (
            "achievements.fields.amount",
            "        min: 0\n",
            "        min: 10\n        max: 5\n",
            "'min' (10) is above 'max' (5), so no value would be accepted",
        ),
        (
            "duties",
            "    label: 分管工作\n",
            "    label: 分管工作\n    max: 3\n",
            "'min' and 'max' bound an integer, number or year, not string-list",
        ),
        (
            "person_name",
            "    label: 姓名\n",
            "    label: 姓名\n    choices: [张三, 李四]\n",
            "'choices' are the values of an enum, not of string",
        ),
    ],
)
def test_bounds_and_choices_that_cannot_apply_are_spec_errors(
    mytypes: Path, cli, fact, old, new, expected
):
    """`min` above `max` was reported as the example breaking the bound (“expected a value
    ≤ -5, got 24”), or not at all without an example; `max: 3` on a list and `choices` on a
    text were ignored, so any number of items and any text were accepted."""
    spec = mytypes / "schemas/personal-duty-report.yaml"
    _edit(spec, old, new)
    result = cli("doctypes", "--spec-dir", mytypes)
    assert result.returncode == 2, result.stderr
    assert f": field 'facts.{fact}': {expected}" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_a_template_that_belongs_to_no_section_is_a_spec_error(mytypes: Path, cli):
    """virtu.j2 beside virtue.j2 (or a renamed section's old template) loaded and was never
    used: edits to it changed nothing. An included helper template is not such a file."""
    folder = mytypes / "prompts/personal-duty-report"
    (folder / "_me.j2").write_text("本人", encoding="utf-8")
    _edit(folder / "diligence.j2", "本人严格", '{% include "_me.j2" %}严格')
    assert cli("doctypes", "--spec-dir", mytypes).returncode == 0
    shutil.copy(folder / "virtue.j2", folder / "virtu.j2")
    result = cli("doctypes", "--spec-dir", mytypes)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(
        f"error: {folder / 'virtu.j2'}: template virtu.j2 belongs to no section of "
    ), result.stderr
    assert result.stderr.endswith("or delete it; did you mean 'virtue.j2'?\n"), result.stderr


def test_a_must_mention_fact_the_section_is_not_given_is_a_spec_error(mytypes: Path, cli):
    """`must_mention: [achievements, integrity]` in a section whose `facts` lack integrity
    loaded, and every draft — the offline one too — failed facts.must-mention there."""
    spec = mytypes / "schemas/personal-duty-report.yaml"
    new = "must_mention: [achievements, integrity]"
    _edit(spec, "must_mention: [achievements]", new)
    result = cli("doctypes", "--spec-dir", mytypes)
    assert result.returncode == 2, result.stderr
    assert result.stderr == (
        f"error: {spec}:{_line_of(spec, new)}: field 'sections[4].must_mention[1]' "
        "('performance'): 'integrity' (廉洁自律情况) is not in this section's 'facts', so a "
        "model drafting the section is not given it and every draft would miss it: add it "
        "to 'facts'\n"
    )


def test_a_must_mention_fact_the_skeleton_does_not_write_is_a_spec_error(mytypes: Path, cli):
    """A section listing study_sessions in `facts` and `must_mention` whose template never
    writes it loaded, and its own offline draft failed facts.must-mention (exit 1)."""
    spec = mytypes / "schemas/personal-duty-report.yaml"
    new = "must_mention: [achievements, study_sessions]"
    _edit(spec, "must_mention: [achievements]", new)
    _edit(spec, "facts: [achievements]", "facts: [achievements, study_sessions]")
    result = cli("doctypes", "--spec-dir", mytypes)
    assert result.returncode == 2, result.stderr
    assert result.stderr == (
        f"error: {spec}:{_line_of(spec, new)}: field 'sections[4].must_mention[1]' "
        "('performance'): the section must mention 'study_sessions' (参加集中学习次数), which "
        "its template's skeleton does not write, so its offline draft would miss it: write "
        "it in the skeleton, or remove it here\n"
    )


def test_an_example_item_missing_a_required_field_is_a_spec_error(mytypes: Path, cli):
    """An object-list example whose item lacks a required field loaded: the facts skeleton
    taught a value `draft run` then refused (“field 'achievements[0].detail' … is
    required”)."""
    spec = mytypes / "schemas/personal-duty-report.yaml"
    _edit(spec, "        detail: 牵头开展耕地“非农化”专项整治\n", "")
    result = cli("doctypes", "--spec-dir", mytypes)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(
        f"error: {spec}:{_line_of(spec, '- title: 耕地保护')}: "
        "field 'facts.achievements.example[0].detail' (主要工作业绩): expected a value"
    ), result.stderr


@pytest.mark.parametrize("field", ["items", "values", "get", "pop"])
def test_a_list_item_field_named_like_a_dict_method_writes_its_value(mytypes: Path, cli, field):
    """An achievement field named `items` (or `values`, `get`…): `{{ item.items }}` wrote
    `<built-in method items of Item object …>` into every draft, the sandbox preferring the
    dict's method to the field."""
    spec = mytypes / "schemas/personal-duty-report.yaml"
    text = spec.read_text(encoding="utf-8")
    spec.write_text(re.sub(r"(?m)^(\s+)detail:", rf"\1{field}:", text), encoding="utf-8")
    _edit(
        mytypes / "prompts/personal-duty-report/performance.j2",
        "{{ item.detail | clause }}",
        f"{{{{ item.{field} | clause }}}}",
    )
    facts = mytypes / "facts/personal-duty-report.yaml"
    facts.parent.mkdir()
    text = (MYTYPES / "facts/personal-duty-report.yaml").read_text(encoding="utf-8")
    facts.write_text(text.replace("    detail:", f"    {field}:"), encoding="utf-8")
    result = cli("run", facts, "--spec-dir", mytypes, "--format", "txt")
    assert result.returncode == 0, result.stderr
    assert "一是高标准农田建设。牵头推进高标准农田建设项目，全年完成8000亩。" in result.stdout
    assert "二是乡村产业发展。培育农业产业化龙头企业，全年完成5个。" in result.stdout
    assert "built-in" not in result.stdout


def test_a_spec_saved_as_yml_is_named_with_the_name_to_give_it(mytypes: Path, cli, tmp_path):
    """schemas/personal-duty-report.yml was silently left out of `draft doctypes` (exit 0),
    and `draft run` called the type unknown without saying the file was there."""
    spec = mytypes / "schemas/personal-duty-report.yaml"
    yml = spec.rename(spec.with_suffix(".yml"))
    expected = (
        f"{yml} is not read, as a spec file's name is <id>.yaml: rename it "
        "personal-duty-report.yaml"
    )
    listed = cli("doctypes", "--spec-dir", mytypes)
    assert listed.returncode == 2, listed.stderr
    assert f"error: {expected}\n" in listed.stderr
    assert "unit-work-plan  " in listed.stdout  # the other types are still listed
    facts = tmp_path / "facts.yaml"
    text = (MYTYPES / "facts/personal-duty-report.yaml").read_text(encoding="utf-8")
    facts.write_text(
        text.replace("../schemas/personal-duty-report.yaml", "personal-duty-report"),
        encoding="utf-8",
    )
    out = tmp_path / "draft.md"
    out.write_text("keep me", encoding="utf-8")
    result = cli("run", facts, "--spec-dir", mytypes, "-o", out)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(
        f"error: {facts}:1: field 'doctype': unknown document type 'personal-duty-report': "
        f"{expected}; "
    ), result.stderr
    assert "Traceback" not in result.stderr
    assert out.read_text(encoding="utf-8") == "keep me"


def test_the_same_type_in_two_folders_says_which_file_is_not_used(mytypes: Path, cli, tmp_path):
    """Two --spec-dirs both holding personal-duty-report: the first was used and the other
    never named, so edits to it changed nothing without a word."""
    other = tmp_path / "other"
    shutil.copytree(mytypes, other)
    _edit(other / "schemas/personal-duty-report.yaml", "name: 个人年度述职报告", "name: 述职报告")
    result = cli("doctypes", "--spec-dir", mytypes, "--spec-dir", other)
    assert result.returncode == 0, result.stderr
    used = mytypes / "schemas/personal-duty-report.yaml"
    assert f"personal-duty-report  个人年度述职报告  (v1, {used})\n" in result.stdout
    hidden = other / "schemas/personal-duty-report.yaml"
    note = f"  also in {hidden}, not used: the folder searched first wins\n"
    assert result.stdout.count(note) == 1, result.stdout
    assert f"  also in {other / 'schemas/unit-work-plan.yaml'}, not used" in result.stdout
    alone = cli("doctypes", "--spec-dir", mytypes)
    assert "also in" not in alone.stdout


def test_a_required_that_is_not_true_or_false_says_what_to_write(mytypes: Path, cli):
    """`required: 是` was refused in pydantic's words: “Input should be a valid boolean,
    unable to interpret input”."""
    spec = mytypes / "schemas/personal-duty-report.yaml"
    _edit(spec, "    label: 姓名\n    required: true\n", "    label: 姓名\n    required: 是\n")
    result = cli("doctypes", "--spec-dir", mytypes)
    assert result.returncode == 2, result.stderr
    assert (
        f"error: {spec}:{_line_of(spec, 'required: 是')}: field 'facts.person_name.required': "
        "expected true or false, got '是'\n"
    ) in result.stderr, result.stderr


@pytest.mark.parametrize("saved_as", [None, "measures.jinja"])
def test_a_missing_template_says_what_to_write_where(mytypes: Path, cli, tmp_path, saved_as):
    """“template for section 'measures' not found (expected measures.j2)” said neither
    where it goes nor that measures.jinja, beside it, was the file meant."""
    folder = mytypes / "prompts/unit-work-plan"
    template = folder / "measures.j2"
    if saved_as:
        template.rename(folder / saved_as)
    else:
        template.unlink()
    out = tmp_path / "plan.md"
    out.write_text("keep me", encoding="utf-8")
    facts = _facts_for_copy(mytypes, "unit-work-plan", tmp_path)
    result = cli("run", facts, "-o", out)
    assert result.returncode == 2, result.stderr
    hint = f"; did you mean '{saved_as}'?" if saved_as else ""
    assert result.stderr == (
        f"error: {template}: template for section 'measures' not found: write measures.j2 in "
        f"{folder} (each section has one, <section id>.j2 or the file its 'template' names)"
        f"{hint}\n"
    )
    assert out.read_text(encoding="utf-8") == "keep me"


def test_a_fact_a_template_writes_but_the_spec_lacks_says_how_to_declare_it(
    mytypes: Path, cli, tmp_path
):
    """A template writing {{ department }}, a fact the spec never declared, was refused
    without saying what to do about it."""
    template = mytypes / "prompts/unit-work-plan/opening.j2"
    text = template.read_text(encoding="utf-8")
    template.write_text(
        text.replace("{% block skeleton %}\n", "{% block skeleton %}\n{{ department }}", 1),
        encoding="utf-8",
    )
    facts = _facts_for_copy(mytypes, "unit-work-plan", tmp_path)
    out = tmp_path / "plan.md"
    out.write_text("keep me", encoding="utf-8")
    result = cli("run", facts, "-o", out)
    assert result.returncode == 2, result.stderr
    spec = mytypes / "schemas/unit-work-plan.yaml"
    assert result.stderr == (
        f"error: {template}:{_line_of(template, '{{ department }}')}: template uses "
        f"'department', which the spec {spec} does not declare as facts: declare it under "
        "'facts' in the spec (its type, label and example) and list it in the 'facts' of the "
        "section that writes it\n"
    )
    assert out.read_text(encoding="utf-8") == "keep me"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "# 个人年度述职报告：待写\n",
            ": document-type spec holds only comments: write its keys (id, name, description, "
            "title, facts, sections), starting from a copy of a shipped type's spec\n",
        ),
        (
            None,
            ": field 'sections[3].id': section id 'virtue' is also the id of sections[1]: "
            "give each section its own id (its template is <id>.j2)\n",
        ),
    ],
    ids=["only comments", "a section id twice"],
)
def test_a_spec_without_keys_or_with_a_section_twice_says_what_to_write(
    mytypes: Path, cli, text, expected
):
    """A spec of comments only was “a document-type spec must be a mapping of keys to
    values”; a section id given twice was named without saying what to do."""
    spec = mytypes / "schemas/personal-duty-report.yaml"
    if text is None:
        _edit(spec, "  - id: diligence\n", "  - id: virtue\n")
    else:
        spec.write_text(text, encoding="utf-8")
    result = cli("doctypes", "--spec-dir", mytypes)
    assert result.returncode == 2, result.stderr
    assert expected in result.stderr, result.stderr
    assert result.stderr.startswith(f"error: {spec}"), result.stderr
    assert "Traceback" not in result.stderr


def test_allowed_numbers_written_unquoted_are_allowed(mytypes: Path, cli, tmp_path):
    """`allowed_numbers: [4729]`, as anyone writes a number in YAML, was refused: “expected
    text, got 4729”; only '4729' quoted was taken."""
    _edit(
        mytypes / "prompts/unit-work-plan/opening.j2",
        "制定{{ plan_year }}年工作计划如下：",
        "全年巡查4729次，制定{{ plan_year }}年工作计划如下：",
    )
    facts = _facts_for_copy(mytypes, "unit-work-plan", tmp_path)
    unbacked = cli("run", facts, "--format", "txt")
    assert unbacked.returncode == 1, unbacked.stderr
    assert "facts.unsupported-number the number “4729次” is not in the facts" in unbacked.stderr
    spec = mytypes / "schemas/unit-work-plan.yaml"
    _edit(spec, "  lexicon: set-phrases\n", "  lexicon: set-phrases\n  allowed_numbers: [4729]\n")
    result = cli("run", facts, "--format", "txt")
    assert result.returncode == 0, result.stderr
    assert "全年巡查4729次，" in result.stdout
    assert "4729" not in result.stderr


def test_a_skeleton_that_drops_a_missing_facts_marker_is_a_spec_error(mytypes: Path, cli, tmp_path):
    """{% for item in shortcomings %} with no {% else %}{{ shortcomings }}: a facts file
    leaving the optional list out was drafted with “no markers” and the section ended
    after its colon, the gap unseen."""
    template = mytypes / "prompts/personal-duty-report/shortcomings.j2"
    _edit(template, "{% else %}{{ shortcomings }}。{% endif %}", "{% endif %}")
    facts = _facts_for_copy(mytypes, "personal-duty-report", tmp_path)
    out = tmp_path / "draft.md"
    out.write_text("keep me", encoding="utf-8")
    result = cli("run", facts, "-o", out)
    assert result.returncode == 2, result.stderr
    assert result.stderr == (
        f"error: {template}: template for section 'shortcomings': with the optional fact "
        "'shortcomings' (存在的不足) missing, the skeleton does not write its marker "
        "【待补充：存在的不足】, so the draft would not show the gap: write {{ shortcomings }} "
        "where it is missing, such as {% if shortcomings %}…{% else %}{{ shortcomings }}。"
        "{% endif %}\n"
    )
    assert out.read_text(encoding="utf-8") == "keep me"


@pytest.mark.parametrize(
    ("listed", "fix"),
    [("[achievements, detail]", "remove it here"), ("[detail]", "name 'achievements' instead")],
)
def test_a_section_listing_a_list_items_field_is_told_to_name_the_list(
    mytypes: Path, cli, listed, fix
):
    """`facts: [achievements, detail]` was “names undeclared fact 'detail'” and no more,
    though detail is declared, as a field of achievements' items."""
    spec = mytypes / "schemas/personal-duty-report.yaml"
    _edit(spec, "facts: [achievements]", f"facts: {listed}")
    result = cli("doctypes", "--spec-dir", mytypes)
    assert result.returncode == 2, result.stderr
    index = listed.strip("[]").split(", ").index("detail")
    assert result.stderr == (
        f"error: {spec}:{_line_of(spec, f'facts: {listed}')}: field "
        f"'sections[4].facts[{index}]' ('performance'): names undeclared fact 'detail'; "
        f"'detail' is a field of the items of 'achievements' (主要工作业绩), which gives it: "
        f"{fix}\n"
    )


def test_a_signer_word_the_checker_does_not_read_is_refused(cli, tmp_path: Path):
    """`signature.role` is written before the name (述职人：王建国); a word the checker would
    not take for a 落款 (签字人) is refused, naming the file, the key and the words it takes."""
    (tmp_path / "schemas").mkdir()
    spec = tmp_path / "schemas/annual-duty-report.yaml"
    shutil.copy(REPO / "schemas/annual-duty-report.yaml", spec)
    shutil.copytree(REPO / "prompts/annual-duty-report", tmp_path / "prompts/annual-duty-report")
    _edit(spec, "  role: 述职人", "  role: 签字人")
    before = spec.read_bytes()
    done = cli("doctypes", "--spec-dir", tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert str(spec) in done.stderr and "signature.role" in done.stderr
    assert "述职人、报告人、汇报人" in done.stderr and "Traceback" not in done.stderr
    assert spec.read_bytes() == before


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "school_nam",
            "field 'addressee': names undeclared fact 'school_nam'; did you mean 'school_name'?",
        ),
        (
            "campaigns",
            "field 'addressee': 'campaigns' (主题宣传活动) has type 'string-list'; the 主送机关 "
            "is written from a fact of type 'string' or 'enum'",
        ),
    ],
)
def test_an_addressee_names_a_declared_string_fact(doctype_copy: Path, cli, name, expected):
    """`addressee` (the 主送机关 under the title) is checked like the 落款's names: the spec
    is refused at its line before anything is drafted."""
    spec = doctype_copy / "schemas/school-ideology-summary.yaml"
    _edit(spec, "\nsignature:\n", f"\naddressee: {name}\n\nsignature:\n")
    result = cli("run", EXAMPLES / "school-ideology-summary.yaml", "--spec-dir", doctype_copy)
    assert result.returncode == 2, result.stderr
    assert result.stderr == f"error: {spec}:{_line_of(spec, f'addressee: {name}')}: {expected}\n"


@pytest.fixture
def plan_copy(tmp_path: Path) -> Path:
    """A writable copy of the built-in annual-work-plan, whose last section has `when`."""
    (tmp_path / "schemas").mkdir()
    shutil.copy(REPO / "schemas/annual-work-plan.yaml", tmp_path / "schemas")
    shutil.copytree(REPO / "prompts/annual-work-plan", tmp_path / "prompts/annual-work-plan")
    return tmp_path


@pytest.mark.parametrize(
    ("new", "field", "problem"),
    [
        (
            "    when: monthly_schedul\n",
            "sections[4].when",
            "names undeclared fact 'monthly_schedul'; did you mean 'monthly_schedule'?",
        ),
        (
            "    when: unit_name\n",
            "sections[4].when",
            "'unit_name' (单位名称) is a required fact, always given",
        ),
        (
            "    when: monthly_schedule\n    required: true\n",
            "sections[4]",
            "cannot be 'required: true': remove 'required'",
        ),
    ],
)
def test_a_when_that_could_not_leave_its_section_out_is_a_spec_error(
    plan_copy: Path, cli, new: str, field: str, problem: str
):
    """`when` names a declared optional fact, and its section is not `required: true`."""
    spec = plan_copy / "schemas/annual-work-plan.yaml"
    _edit(spec, "    when: monthly_schedule\n", new)
    before = spec.read_bytes()
    result = cli("doctypes", "--spec-dir", plan_copy)
    assert result.returncode == 2, result.stderr
    line = _line_of(spec, new.splitlines()[0].strip())
    if field == "sections[4]":  # the entry's own line, where the section begins
        line = _line_of(spec, "- id: monthly")
    assert result.stderr.startswith(f"error: {spec}:{line}: field '{field}'"), result.stderr
    assert problem in result.stderr and "Traceback" not in result.stderr
    assert spec.read_bytes() == before


def test_a_section_with_when_need_not_write_the_marker_of_its_own_fact(plan_copy: Path, cli):
    """Without its fact the section is left out, so its skeleton has no gap to show; the
    same template in a section without `when` is refused for dropping the marker."""
    assert cli("doctypes", "--spec-dir", plan_copy).returncode == 0
    spec = plan_copy / "schemas/annual-work-plan.yaml"
    _edit(spec, "    when: monthly_schedule\n", "")
    result = cli("doctypes", "--spec-dir", plan_copy)
    assert result.returncode == 2, result.stderr
    assert (
        "template for section 'monthly': with the optional fact 'monthly_schedule' (月度工作安排) "
        "missing, the skeleton does not write its marker 【待补充：月度工作安排】"
    ) in result.stderr


@pytest.fixture
def notice_copy(tmp_path: Path) -> Path:
    """A writable copy of the built-in work-notice, whose 附件 is `absent: omit`."""
    (tmp_path / "schemas").mkdir()
    shutil.copy(REPO / "schemas/work-notice.yaml", tmp_path / "schemas")
    shutil.copytree(REPO / "prompts/work-notice", tmp_path / "prompts/work-notice")
    return tmp_path


@pytest.mark.parametrize(
    ("fact", "edit", "field", "problem"),
    [
        (
            "attachments",
            "    absent: omit\n    required: true\n",
            "facts.attachments",
            "'absent: omit' is for an optional fact the draft leaves out when it is not given",
        ),
        (
            "addressee",
            "    absent: omit\n",
            "facts.addressee.absent",
            "'addressee' (主送机关) is written by the 主送机关 or 落款 line, which shows its "
            "marker when the fact is missing: remove 'absent: omit'",
        ),
        (
            "attachments",
            "    absent: never\n",
            "facts.attachments.absent",
            "expected one of 'marker', 'omit', got 'never'",
        ),
    ],
)
def test_an_absent_omit_that_cannot_hold_is_a_spec_error(
    notice_copy: Path, cli, fact: str, edit: str, field: str, problem: str
):
    spec = notice_copy / "schemas/work-notice.yaml"
    if fact == "attachments":
        _edit(spec, "    absent: omit\n", edit)
    else:
        _edit(spec, "    label: 主送机关\n", "    label: 主送机关\n" + edit)
    before = spec.read_bytes()
    result = cli("doctypes", "--spec-dir", notice_copy)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"error: {spec}:"), result.stderr
    assert f"field '{field}'" in result.stderr and problem in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert spec.read_bytes() == before


def test_a_template_marking_a_fact_the_spec_omits_is_a_spec_error(notice_copy: Path, cli):
    """`absent: omit` says the draft leaves the fact out: a skeleton still writing its
    marker would show a gap that is not one."""
    assert cli("doctypes", "--spec-dir", notice_copy).returncode == 0
    template = notice_copy / "prompts/work-notice/requirements.j2"
    _edit(
        template,
        "{% endfor %}{% endif %}",
        "{% endfor %}{% else %}附件：{{ attachments }}{% endif %}",
    )
    result = cli("doctypes", "--spec-dir", notice_copy)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"error: {template}"), result.stderr
    assert (
        "template for section 'requirements': the optional fact 'attachments' (附件) is "
        "'absent: omit', yet with it missing the skeleton writes its marker 【待补充：附件】"
    ) in result.stderr


@pytest.mark.parametrize(
    ("new", "field", "problem"),
    [
        (
            "title_types: [工作要点, 工作规划]",
            "title_types[1]",
            "expected a type (文种) a title ends with, one of 工作总结、工作报告、",
        ),
        (
            "title_types: [工作计划, 工作要点]",
            "title_types[0]",
            "the title renders as “青山县自然资源局2024年工作要点”, which does not end with "
            "“工作计划”: list first the type the title ends with",
        ),
        (
            "title_types: [工作计划]",
            "title_types",
            "the name “单位年度工作要点” ends in the type “工作要点”, which is not listed",
        ),
        ("title_types: [工作要点, 工作要点]", "title_types", "'工作要点' is listed twice"),
        ("title_types: []", "title_types", "expected at least one item"),
        ("title_types: 工作要点", "title_types", "expected a list"),
    ],
)
def test_title_types_that_the_checker_could_not_hold_a_title_to_are_a_spec_error(
    plan_copy: Path, cli, new: str, field: str, problem: str
):
    """Each is a 文种 word, once; the first is the one the title ends with, and the name's is
    among them."""
    spec = plan_copy / "schemas/annual-work-plan.yaml"
    _edit(spec, "title_types: [工作要点, 工作计划]", new)
    result = cli("doctypes", "--spec-dir", plan_copy)
    assert result.returncode == 2, result.stderr
    line = _line_of(spec, new)
    assert result.stderr.startswith(f"error: {spec}:{line}: field '{field}': "), result.stderr
    assert problem in result.stderr and "Traceback" not in result.stderr


def test_doctypes_shows_the_types_a_title_may_name(cli):
    listing = cli("doctypes")
    assert listing.returncode == 0, listing.stderr
    plan = listing.stdout.split("annual-work-plan  ", 1)[1].split("\n\n", 1)[0]
    assert "\n  a title names 工作要点 or 工作计划 (title_types)\n" in plan
    assert "title_types" not in listing.stdout.replace(plan, "")


@pytest.mark.parametrize(
    "written", ["{{ item.title | sentence }}", "（{{ loop.index }}）{{ item.title | sentence }}"]
)
def test_an_example_too_long_for_the_subheading_its_template_writes_is_a_spec_error(
    plan_copy: Path, cli, written: str
):
    """The template writes each 重点工作's title as （一）…: the spec's example is held to a
    subheading's length as a facts file is, and the templates decide which fields are."""
    spec = plan_copy / "schemas/annual-work-plan.yaml"
    long = "从严从紧抓好耕地保护" * 4
    _edit(spec, "      - title: 从严从紧抓好耕地保护", f"      - title: {long}")
    result = cli("doctypes", "--spec-dir", plan_copy)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(
        f"error: {spec}:{_line_of(spec, long)}: field 'facts.work_items.example[0].title' "
        "(重点工作): is written as a subheading of its own (（一）…), so it may have at most "
        "30 characters (this one has 40)"
    ), result.stderr
    # written as a sentence of the text, or a numbered list's whole sentence, the title is
    # no subheading and may be longer
    template = plan_copy / "prompts/annual-work-plan/key_work.j2"
    _edit(template, "（{{ loop.index | cn }}）{{ item.title | clause }}\n", written + "\n")
    assert cli("doctypes", "--spec-dir", plan_copy).returncode == 0


def test_facts_template_names_a_when_sections_heading_as_drafted_not_as_its_template(
    cli, tmp_path: Path
):
    """The note on a `when` fact printed “缺少时不写“{{ report_year + 1 }}年工作打算”一节”: the
    heading is rendered with the examples, as `draft doctypes` shows it."""
    (tmp_path / "schemas").mkdir()
    (tmp_path / "prompts/tiny-summary").mkdir(parents=True)
    (tmp_path / "schemas/tiny-summary.yaml").write_text(
        "id: tiny-summary\nname: 单位工作总结\ndescription: 一个小的工作总结。\n"
        'title: "{{ unit_name }}{{ report_year }}年工作总结"\n'
        "facts:\n"
        "  unit_name: {type: string, label: 单位名称, required: true, example: 青山县林业局}\n"
        "  report_year: {type: year, label: 总结年度, required: true, example: 2023}\n"
        "  plans: {type: string, label: 下一年度打算, example: 加快国土绿化}\n"
        "sections:\n"
        "  - id: opening\n    facts: [unit_name, report_year]\n"
        '  - id: plans\n    heading: "{{ report_year + 1 }}年工作打算"\n'
        "    when: plans\n    facts: [plans]\n",
        encoding="utf-8",
    )
    (tmp_path / "prompts/tiny-summary/opening.j2").write_text(
        _skeleton("{{ report_year }}年，{{ unit_name }}全面完成各项工作。"), encoding="utf-8"
    )
    (tmp_path / "prompts/tiny-summary/plans.j2").write_text(
        _skeleton("{{ plans | sentence }}"), encoding="utf-8"
    )
    done = cli("facts-template", "tiny-summary", "--spec-dir", tmp_path)
    assert done.returncode == 0, done.stderr
    assert "# 下一年度打算（文字，选填，缺少时不写“2024年工作打算”一节）\n" in done.stdout
    assert "{{" not in done.stdout and "}}" not in done.stdout
    listed = cli("doctypes", "--spec-dir", tmp_path)
    assert "  - plans: 一、2024年工作打算  [only with plans]\n" in listed.stdout


@pytest.mark.parametrize("blank", ['""', "' '", "'　'"], ids=["empty", "space", "full-width"])
@pytest.mark.parametrize(
    ("old", "field"),
    [
        ("    label: 中心组学习次数\n", "facts.central_group_sessions.label"),
        ("        label: 措施要点\n", "facts.next_year_measures.fields.title.label"),
    ],
)
def test_a_blank_label_is_refused_at_its_line(doctype_copy: Path, cli, blank, old, field):
    """It loaded: a missing fact's marker read 【待补充：】, which the checker then reported in
    the draft as a placeholder word, and messages named the fact "(, an integer)"."""
    spec = doctype_copy / "schemas/school-ideology-summary.yaml"
    line = _line_of(spec, old.rstrip("\n"))
    _edit(spec, old, old.split(":")[0] + f": {blank}\n")
    result = cli("doctypes", "--spec-dir", doctype_copy)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"error: {spec}:{line}: field '{field}': expected the fact's")
    assert "Traceback" not in result.stderr
