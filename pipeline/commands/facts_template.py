"""`draft facts-template`: print an annotated YAML skeleton of a document type's facts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pipeline.commands.options import SpecDirs

if TYPE_CHECKING:  # the spec models cost ~0.2 s to build; `draft --help` must not pay for them
    from pipeline.spec import DocSpec, FactSpec


TYPE_ZH = {
    "string": "文字",
    "integer": "整数",
    "number": "数字",
    "year": "四位数年份",
    "date": "日期，写作 2021-01-15",
    "enum": "从可选值中选一项",
    "string-list": "文字列表，每行“- ”后写一项",
    "object-list": "条目列表，每条以“- ”开头",
}
"""How the template names each fact type to the office staff who fill it in."""


def _example(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _example_block(value: Any) -> list[str]:
    """An object-list's example as commented block YAML, an item's fields a line each: as
    one line of JSON it was hard to read, and could not be uncommented to edit."""
    import yaml  # only this command needs it here

    text = yaml.safe_dump(
        value, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1_000_000
    )
    return ["# 例：", *(f"#   {line}" for line in text.splitlines())]


def _comment_lines(fact: FactSpec, indent: str = "", *, section: str | None = None) -> list[str]:
    """The comment above a fact; `section`: the heading of the section drafted only when
    the fact is given (its `when`), which is left out, not marked, when it is missing."""
    if fact.required:
        need = "必填"
    elif section is not None:
        need = f"选填，缺少时不写“{section}”一节"
    elif fact.absent == "omit":
        need = "选填，没有时不写"
    else:
        need = "选填，缺少时写作【待补充：" + fact.label + "】"
    unit = f"，单位：{fact.unit}" if fact.unit else ""
    lines = [f"{indent}# {fact.label}（{TYPE_ZH[fact.type]}{unit}，{need}）"]
    if fact.description:
        lines.append(f"{indent}# {fact.description}")
    if fact.choices:
        lines.append(f"{indent}# 可选值：{' / '.join(fact.choices)}")
    return lines


def _conditional_headings(spec: DocSpec) -> dict[str, str]:
    """By `when` fact, the heading of the section it gives, rendered with the examples as
    `draft doctypes` shows it (a heading template such as {{ plan_year }}年月度工作安排 was
    printed raw)."""
    from pipeline.prompts import PromptSet  # checked and cached when the spec loaded

    prompts = PromptSet.load(spec)
    example = {k: f.example for k, f in spec.facts.items()}
    return {
        s.when: prompts.render_heading(s, example) or s.id
        for s in spec.sections
        if s.when is not None
    }


def render_facts_template(spec: DocSpec, doctype: str | None = None) -> str:
    """The annotated YAML skeleton: every fact with its label, description and an example.

    `doctype`: how the file names its type, when not by the spec's id (a spec file's path)."""
    out = [
        f"# {spec.name}（{spec.id}）事实文件模板",
        "# 填写每一项的值；选填项留空时，草稿在相应位置写出【待补充：…】标记。",
        f"doctype: {doctype or spec.id}",
        "",
    ]
    conditional = _conditional_headings(spec)
    for name, fact in spec.facts.items():
        out += _comment_lines(fact, section=conditional.get(name))
        if fact.type == "object-list" and fact.fields:
            out += _example_block(fact.example)
            out.append(f"{name}:")
            first = True
            for sub_name, sub in fact.fields.items():
                need = "必填" if sub.required else "选填"
                unit = f"，单位：{sub.unit}" if sub.unit else ""
                choices = f"，可选值：{' / '.join(sub.choices)}" if sub.choices else ""
                prefix = "  - " if first else "    "
                out.append(
                    f"{prefix}{sub_name}:   # {sub.label}（{TYPE_ZH[sub.type]}{unit}{choices}，"
                    f"{need}）{sub.description}"
                )
                first = False
        elif fact.type == "string-list":
            out.append(f"# 例：{_example(fact.example)}")
            out.append(f"{name}:")
            out.append("  - ")
        else:
            out.append(f"{name}:   # 例：{_example(fact.example)}")
        out.append("")
    return "\n".join(out)


def facts_template(
    doctype: Annotated[
        str, typer.Argument(metavar="DOCTYPE", help="The document type id, or its spec file.")
    ],
    spec_dir: SpecDirs = None,
) -> None:
    """Print an annotated YAML facts skeleton for DOCTYPE (labels, descriptions, examples)."""
    from pipeline.spec import is_spec_path, load_spec

    spec = load_spec(doctype, spec_dirs=spec_dir)
    # a spec file named by path is named so in the facts file too, wherever that is saved
    named = str(Path(doctype).resolve()) if is_spec_path(doctype) else None
    print(render_facts_template(spec, named))
