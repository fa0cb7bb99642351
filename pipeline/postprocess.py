"""Turning a model's answer into a section body, and telling a usable answer from a failed one.

Models wrap what they write: code fences, a chatty preamble (好的，以下是……：), the heading
repeated (with or without its number, in Markdown, or reworded), bold and italic marks, a
closing offer of help, and the document's own ending written into a section (特此报告。, the
落款's unit and date, the next section's heading). `clean_section_text` removes all of that and leaves paragraphs, one per line, with
half-width punctuation and traditional characters written as a 公文 writes them; the drafter
puts the spec's own heading back. `completion_failure` names what makes an answer unusable
(empty, a refusal, a content filter). An answer cut off by the token limit is continued
once (`continuation_messages`, `join_continuation`). A thinking model's reasoning before its
answer (`<think>…</think>`) is never part of the section (`without_reasoning`).
"""

from __future__ import annotations

import re

from pipeline.checker.fix import style_fixed
from pipeline.checker.text import DATE_LINE
from pipeline.models.base import Completion
from pipeline.prompts import Message
from pipeline.textio import without_control_characters

_FENCE = re.compile(r"^\s*(```|~~~)[\w-]*\s*$")
_RULE = re.compile(r"^\s*([-*_]\s*){3,}$")
_HEADING_NUMBER = re.compile(
    r"^(?:第[一二三四五六七八九十]+(?:部分|章|节)[、：:\s]*|[一二三四五六七八九十]+[、.．]\s*)"
)
_TOP_HEADING = re.compile(r"^[一二三四五六七八九十]+、[^。！？；]{1,40}$")
_MARKDOWN_LEAD = re.compile(r"^(?:#{1,6}\s*|>\s*|[-*+]\s+(?=\S))")
_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__|(?<![*A-Za-z0-9])\*(?![\s*])([^*\n]+?)(?<!\s)\*(?!\*)")
_PUNCT = re.compile(r"[\s，,。.、：:；;！!？?“”\"'‘’（）()《》【】\[\]]")

_PREAMBLE = re.compile(
    r"^(?:好的|好(?=[，,！!。])|当然(?:可以)?|没问题|明白了?|收到|以下是|下面是|这是|根据您|按照您|"
    r"根据(?:您|你)?(?:提供|给出)的|遵照|(?:Sure|Certainly|Of course|OK|Okay|Here\b|Below\b))",
    re.IGNORECASE,
)
_CLOSING = re.compile(
    r"^(?:希望|如需|如有需要|如果(?:您|你)|以上(?:是|为|内容)|注[：:]|说明[：:]|备注[：:]|"
    r"[（(]注|[（(]说明|[（(]以上|(?:Hope|Let me know|Feel free))",
    re.IGNORECASE,
)
_CLOSING_ANYWHERE = re.compile(r"对(?:您|你)有(?:所)?帮助|请(?:告诉|告知)我|随时(?:告诉|联系)我")
_REFUSAL = re.compile(
    r"^(?:(?:很|非常)?(?:抱歉|对不起)[，,。！!]?\s*(?:我|本模型|作为)?|我(?:无法|不能|没办法)"
    r"(?:协助|完成|提供|回答|帮助|满足|处理|生成|撰写)|作为(?:一个|一名)?(?:AI|人工智能|语言模型)|"
    r"I(?:'m| am) sorry|I can(?:no|')t (?:help|assist|comply|do)|As an AI)",
    re.IGNORECASE,
)

_REASONING_BLOCK = re.compile(
    r"\A\s*<(think|thinking|reasoning)>.*?(?:</\1>|\Z)", re.DOTALL | re.IGNORECASE
)
_REASONING_OPEN = re.compile(r"<(?:think|thinking|reasoning)>", re.IGNORECASE)
_REASONING_CLOSE = re.compile(r"</(?:think|thinking|reasoning)>", re.IGNORECASE)

_SIGN_OFF = re.compile(r"^特此(?:报告|总结|汇报|说明)[。！!]?$")
_SENTENCE_MARK = re.compile(r"[。，,；;：:！!？?]")
_SUBHEADING = re.compile(r"^[（(][一二三四五六七八九十\d]{1,3}[）)]|^\d{1,2}[.．、]")
"""A subheading of the section's own ((一)…, 1.…), which a reworded heading never is."""

_OPENING_LABELS = frozenset({"开头段", "开头", "开头部分", "引言", "前言", "导语"})
"""What a model may write above the unheaded opening paragraph (the prompt calls it 开头段)."""

CONTINUE_REQUEST = "你的输出在中途被截断了。请从中断处继续输出本节剩余的正文，不要重复已经输出的内容，不要加任何说明。"
"""The user message that asks for the rest of an answer cut off by the token limit."""


def without_reasoning(text: str) -> str:
    """The answer without the reasoning a thinking model writes before it.

    DeepSeek-R1, Qwen3 and QwQ served by vLLM or Ollama without a reasoning parser put it in
    the content: a leading `<think>…</think>` block, or, where the chat template opened the
    block in the prompt, everything up to a lone `</think>`. An unclosed block leaves
    nothing: the answer proper never began.
    """
    block = _REASONING_BLOCK.match(text)
    if block:
        return text[block.end() :]
    close = _REASONING_CLOSE.search(text)
    if close and not _REASONING_OPEN.search(text, 0, close.start()):
        return text[close.end() :]
    return text


def _norm(text: str) -> str:
    return _PUNCT.sub("", _HEADING_NUMBER.sub("", text.strip()))


def _strip_markup(line: str) -> str:
    line = line.strip()
    line = _MARKDOWN_LEAD.sub("", line).strip()
    line = _BOLD.sub(lambda m: m.group(1) or m.group(2) or m.group(3), line)
    return line.strip()


def _is_preamble(line: str) -> bool:
    """A line that talks to the user rather than being part of the report."""
    if len(line) > 120:
        return False
    if not _PREAMBLE.match(line):
        return False
    return bool(re.search(r"[：:]\s*$", line)) or len(line) <= 40


def _is_closing(line: str) -> bool:
    return len(line) <= 160 and bool(_CLOSING.match(line) or _CLOSING_ANYWHERE.search(line))


def _is_heading(line: str, heading: str | None, title: str | None) -> bool:
    """The section's heading or the document title, however numbered or marked up."""
    norm = _norm(line)
    if not norm:
        return True
    if heading and norm == _norm(heading):
        return True
    if heading is None and norm in _OPENING_LABELS:
        return True
    if title and norm == _norm(title):
        return True
    if heading and _reworded(line, norm, _norm(heading)):
        return True
    return bool(_TOP_HEADING.match(line))


def _reworded(line: str, norm: str, heading: str) -> bool:
    """A short line with no sentence in it, made mostly of the heading's characters: the
    heading in the model's words (存在的主要问题和不足 for 存在的问题)."""
    if _SENTENCE_MARK.search(line) or _SUBHEADING.match(line) or len(norm) > 2 * len(heading) + 4:
        return False
    return len(set(heading) & set(norm)) >= 0.6 * len(set(heading))


def _is_ending(line: str, signer: str | None) -> bool:
    """The document's ending, which the drafter writes itself: 特此报告。, the 落款's unit or
    date, or the next section's heading."""
    if (
        _SIGN_OFF.match(line)
        or DATE_LINE.fullmatch("".join(line.split()))
        or _TOP_HEADING.match(line)
    ):
        return True
    return bool(signer) and _norm(line) == _norm(signer or "")


def clean_section_text(
    text: str,
    heading: str | None,
    *,
    title: str | None = None,
    signer: str | None = None,
    addressee: str | None = None,
) -> str:
    """The section body as paragraphs, one per line, with the model's wrapping removed.

    Drops a thinking model's reasoning, control characters, code fences and rules, Markdown
    marks, a chatty first or last line, and a repeated heading (the spec's heading, any
    top-level 一、… heading, or the title) and the 主送机关 (`addressee`, which the drafter
    writes under the title) at the top, and the document's ending at the bottom
    (`signer`: the unit the 落款 names). Subheadings such as （一）… inside the section are
    kept. Half-width punctuation in Chinese text is written full-width and traditional
    characters simplified, as `draft check --fix` writes them (a fact typed 象棋比赛,演讲会
    included).
    """
    text = without_control_characters(without_reasoning(text))  # no document can hold one
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept = [ln for ln in lines if not _FENCE.match(ln) and not _RULE.match(ln)]
    paragraphs = [p for p in (_strip_markup(ln) for ln in kept) if p]
    while paragraphs and _is_preamble(paragraphs[0]):
        paragraphs.pop(0)
    while paragraphs and (
        _is_heading(paragraphs[0], heading, title)
        or (addressee and _norm(paragraphs[0]).rstrip("：:") == _norm(addressee))
    ):
        paragraphs.pop(0)
    while paragraphs and (_is_closing(paragraphs[-1]) or _is_ending(paragraphs[-1], signer)):
        paragraphs.pop()
    return style_fixed("\n".join(paragraphs))


def refusal_reason(text: str) -> str | None:
    """`the model refused: …` when the answer opens with a refusal, else None."""
    start = text.strip()[:200]
    if start and _REFUSAL.match(start):
        first = re.split(r"(?<=[。！？!?.])", start, maxsplit=1)[0]
        return f"the model refused: “{first[:80]}”"
    return None


def completion_failure(completion: Completion) -> str | None:
    """Why an answer cannot be used (empty, refused, filtered), or None when it can."""
    if completion.refusal:
        return f"the model refused: “{completion.refusal.strip()[:80]}”"
    if completion.finish_reason == "content_filter":
        return "the endpoint's content filter stopped the answer"
    if not completion.text.strip():
        reason = (
            # DeepSeek-reasoner, o-series, vLLM with a reasoning parser: the reasoning, sent
            # apart from the content, counts against the limit and can use all of it
            " (cut off at the token limit before any text: a model that reasons first spends "
            "tokens on it; raise --max-tokens, or max_tokens in its draft.toml profile)"
            if (completion.finish_reason == "length")
            else ""
        )
        return f"the model returned empty content{reason}"
    answer = without_reasoning(completion.text)
    if not answer.strip():
        if completion.finish_reason == "length":
            return (
                "the answer was cut off at the token limit while the model was still "
                "reasoning (<think>…); raise --max-tokens"
            )
        return "the answer held only the model's reasoning (<think>…), no section text"
    return refusal_reason(answer)


def continuation_messages(messages: list[Message], partial: str) -> list[Message]:
    """The conversation that asks for the rest of `partial`, an answer cut off at the limit."""
    return [
        *messages,
        Message(role="assistant", content=partial),
        Message(role="user", content=CONTINUE_REQUEST),
    ]


def join_continuation(partial: str, rest: str) -> str:
    """`partial` followed by `rest`, without repeating an overlap the model re-sent."""
    rest = rest.lstrip("\n")
    for size in range(min(len(partial), len(rest), 200), 4, -1):
        if partial.endswith(rest[:size]):
            rest = rest[size:]
            break
    return partial + rest
