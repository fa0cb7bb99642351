"""The text of a Word .docx as Word shows it: its paragraphs in order, the cells of its tables
where they stand, its text boxes after their paragraphs, tracked changes accepted, hidden text
left out, and the list numbers Word's numbering shows (一、（一）1., from
`pipeline.list_numbers`) written in before their paragraphs."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pipeline.errors import InputError
from pipeline.textio import document_kind, readable_file

MAX_DOCX_BYTES = 100 * 1024 * 1024
"""Largest .docx read: a report with the photos of its activities runs to tens of MB."""
MAX_DOCX_UNPACKED_BYTES = 64 * 1024 * 1024
"""Largest a .docx's XML parts may be once unpacked (a report's text is a few hundred KB).
Its pictures and embedded files are never unpacked."""
_CHUNK = 1024 * 1024


TableRows = Callable[[list[list[str]]], list[str]]
"""Turns a table's rows (each a list of its cells' texts) into the lines that stand for it."""


def read_docx(path: str | Path, *, what: str = "file", rows: TableRows | None = None) -> str:
    """The paragraphs of a Word .docx, one per line, and the cells of its tables where the
    tables stand (or, with `rows`, the lines it makes of each table's rows); refusing
    missing, huge, damaged and empty documents."""
    p = readable_file(path, what, MAX_DOCX_BYTES)
    import zipfile

    if not p.is_file():  # a named pipe or a device: a zip package must be read back and forth
        raise InputError("not a Word .docx file but a pipe or a device", path=str(p))
    if not zipfile.is_zipfile(p):
        kind = document_kind(p)
        with p.open("rb") as head:
            cut_short = head.read(4) == b"PK\x03\x04"  # a zip without its directory at the end
        if cut_short:
            raise InputError(
                "cannot read this .docx: it is cut short or damaged (a download or copy "
                "that did not finish): copy or download it again",
                path=str(p),
            )
        raise InputError(
            f"cannot read it: this is {kind}"
            if kind
            else "not a Word .docx file (expected a zip package)",
            path=str(p),
        )
    package = _xml_parts(p, what)
    import docx  # python-docx: only when a .docx is read
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    from pipeline.list_numbers import ListNumbers

    try:
        document = docx.Document(package)
        body = document.element.body
        numbers = ListNumbers.of(document)
        labels = {  # counted in document order, table cells included, as Word counts
            para: numbers.label(para)
            for para in body.iter(qn("w:p"))
            if not _deleted(para)
            and not any(a.tag == qn("w:txbxContent") for a in para.iterancestors())
        }

        def shown(para: Any) -> str:
            return (labels.get(para) or "") + _shown_text(para)

        blocks = list(_docx_blocks(body))  # paragraphs and tables, in order
        paragraphs = [b for b in blocks if b.tag == qn("w:p")]
        numbered = iter(
            _numbered_headings(
                [Paragraph(b, document._body) for b in paragraphs],
                [shown(b) for b in paragraphs],
                [labels.get(b) for b in paragraphs],
            )
        )
        lines: list[str] = []
        for block in blocks:
            if block.tag == qn("w:tbl"):
                lines.extend(
                    rows(_table_rows(block, shown)) if rows else _table_lines(block, shown)
                )
            else:
                lines.append(next(numbered))
                lines.extend(_text_box_lines(block, shown))
    except Exception as exc:  # a damaged package fails anywhere in python-docx and lxml
        raise InputError(
            f"cannot read this .docx (damaged, or not a Word document): {exc}", path=str(p)
        ) from None
    text = "\n".join(lines)
    if not text.strip():
        raise InputError(f"{what} is empty (the document has no text)", path=str(p))
    return text


def _is_xml(name: str) -> bool:
    """Whether a part of a package is XML that is parsed (not a picture or embedded file)."""
    return name.endswith((".xml", ".rels"))


def _xml_parts(path: Path, what: str) -> io.BytesIO:
    """The package at `path` copied with its XML parts and its other parts (pictures,
    embedded files: never read) left empty, for python-docx to open.

    Each part is unpacked a chunk at a time and no further than the size the package
    declares for it: zipfile's own whole-part read inflates as much as a lying entry holds
    (a 1 MB file took 2 GB and 12 s to refuse). Refused: XML that unpacks past
    MAX_DOCX_UNPACKED_BYTES, a damaged part, and a part that declares a DTD."""
    import zipfile

    copy = io.BytesIO()
    try:
        with zipfile.ZipFile(path) as package, zipfile.ZipFile(copy, "w") as out:
            _refuse_other_packages(package, path)
            parts = {part for part in package.infolist() if _is_xml(part.filename)}
            unpacked = sum(part.file_size for part in parts)
            if unpacked > MAX_DOCX_UNPACKED_BYTES:
                raise InputError(
                    f"{what} unpacks to {unpacked:,} bytes; the limit is "
                    f"{MAX_DOCX_UNPACKED_BYTES:,}",
                    path=str(path),
                )
            for part in package.infolist():
                data = _read_part(package, part) if part in parts else b""
                _refuse_dtd(part.filename, data, path)
                out.writestr(part.filename, data)
    except InputError:
        raise
    except Exception as exc:  # a damaged package: a bad CRC, inflate error, encrypted part…
        raise InputError(
            f"cannot read this .docx (damaged, or not a Word document): {exc}", path=str(path)
        ) from None
    copy.seek(0)
    return copy


_OPEN_DOCUMENT = b"application/vnd.oasis.opendocument.text"


def _refuse_other_packages(package: Any, path: Path) -> None:
    """Refuse a zip that is no Office Open XML package (an .odt renamed .docx, any zip),
    by name, rather than with python-docx's "no item named '[Content_Types].xml'"."""
    names = set(package.namelist())
    if "[Content_Types].xml" in names:
        return
    if "mimetype" in names:
        with package.open("mimetype") as stream:
            if stream.read(100).strip() == _OPEN_DOCUMENT:
                raise InputError(
                    "cannot read it: this is an OpenDocument text (.odt, as LibreOffice and "
                    "WPS save it); open it there and save it as Word 文档 (.docx)",
                    path=str(path),
                )
    raise InputError(
        "cannot read it: this is a zip archive that holds no Word document (a .docx holds "
        "[Content_Types].xml and word/document.xml)",
        path=str(path),
    )


def _read_part(package: Any, part: Any) -> bytes:
    """A part of a zip, unpacked a chunk at a time (to its declared size, CRC checked)."""
    chunks = []
    with package.open(part) as stream:
        while chunk := stream.read(_CHUNK):
            chunks.append(chunk)
    return b"".join(chunks)


def _refuse_dtd(name: str, data: bytes, path: Path) -> None:
    """Refuse an XML part that declares a DTD (`<!DOCTYPE …>`, entities): Word never writes
    one and will not open such a file, and the XML reader leaves its entity references
    unexpanded, so the text after one would silently go missing."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise InputError(
            f"not a document Word writes: its part {name} declares a DTD "
            "(<!DOCTYPE>), which Word refuses to open and whose entities would "
            "drop text unread; bring a .docx saved by Word or WPS",
            path=str(path),
        )


_HEADING_STYLE = re.compile(r"(?:heading|标题)\s*([1-9])", re.IGNORECASE)
_CONTENTS_STYLE = re.compile(r"(?:toc|目录)\s*(?:[1-9]|heading|标题)", re.IGNORECASE)
"""Word's and WPS's styles of a table of contents' entries (toc 1…) and its title."""
_TYPED_NUMBER = re.compile(
    r"\s*(?:[一二三四五六七八九十]+[、．.]|[（(][一二三四五六七八九十\d]+[）)]|\d+[.．、])"
)


def _style_names(paragraphs: list[Any]) -> list[str]:
    """The name of each paragraph's style (标题 1, toc 2…; "" for none).

    Each style is looked up once: python-docx finds a paragraph's style by going through all
    the document's styles, a few milliseconds per paragraph (minutes for a long document)."""
    names: dict[str | None, str] = {}
    for paragraph in paragraphs:
        style_id = paragraph._p.style  # the style's id as the paragraph names it, or None
        if style_id not in names:
            style = paragraph.style
            names[style_id] = style.name.strip() if style is not None and style.name else ""
    return [names[paragraph._p.style] for paragraph in paragraphs]


def _heading_levels(names: list[str], texts: list[str]) -> list[int | None]:
    """The level of each paragraph in a Word heading style (标题 1, Heading 2…), else None."""
    levels: list[int | None] = []
    for name, text in zip(names, texts, strict=True):
        found = _HEADING_STYLE.fullmatch(name)
        levels.append(int(found.group(1)) if found and text.strip() else None)
    return levels


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_NOT_SHOWN = {
    _W + "del",
    _W + "moveFrom",
    _W + "p",
    _W + "txbxContent",
    _W + "rt",
    "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback",
}
"""Where a run inside a paragraph is not part of its text: a tracked deletion or move away,
a text box (a story of its own) anchored in the paragraph, the pinyin over a ruby, or the
copy of a content kept for older readers (`mc:Fallback`)."""


def _docx_blocks(container: Any) -> Iterator[Any]:
    """The `w:p` and `w:tbl` elements of a document body in order, including those inside a
    block content control (`w:sdt`, as templates hold the 标题 or the 落款) or custom XML,
    which python-docx's own iteration skips."""
    for child in container:
        if child.tag == _W + "tbl" or (child.tag == _W + "p" and not _deleted(child)):
            yield child
        elif child.tag == _W + "sdt":
            content = child.find(_W + "sdtContent")
            if content is not None:
                yield from _docx_blocks(content)
        elif child.tag == _W + "customXml":
            yield from _docx_blocks(child)


def _table_lines(table: Any, shown: Callable[[Any], str]) -> Iterator[str]:
    """The paragraphs of a `w:tbl`'s cells, cell by cell, row by row: also those of a table
    nested in a cell (a 名单 inside a form) and of rows and cells in content controls, as
    templates repeat them; a cell merged into the one above is read once, there."""
    for cell in table.iter(_W + "tc"):
        owner = cell.getparent()
        while owner.tag != _W + "tbl":
            owner = owner.getparent()
        if owner is not table or _merged_into_the_cell_above(cell):
            continue
        yield from _container_lines(cell, shown)


def _table_rows(table: Any, shown: Callable[[Any], str]) -> list[list[str]]:
    """The texts of a `w:tbl`'s cells, row by row (a cell's paragraphs joined; a cell merged
    into the one above is empty, its text read there; a nested table's text is its cell's)."""
    return [
        [
            "" if _merged_into_the_cell_above(cell) else "".join(_container_lines(cell, shown))
            for cell in row.iterchildren(_W + "tc")
        ]
        for row in table.iterchildren(_W + "tr")
    ]


def _text_box_lines(paragraph: Any, shown: Callable[[Any], str]) -> Iterator[str]:
    """The paragraphs of the text boxes anchored in a `w:p` (a 落款 or a note beside the
    stamp, as WPS lays them out), read after it: each box once, not its `mc:Fallback`
    copy for older readers; a box inside a box after the box's own paragraphs."""
    for box in paragraph.iter(_W + "txbxContent"):
        ancestor = box.getparent()
        while ancestor is not paragraph and ancestor.tag not in _NOT_SHOWN:
            ancestor = ancestor.getparent()
        if ancestor is not paragraph:
            continue  # a copy for older readers, a deleted one, or one inside another box
        yield from _container_lines(box, shown)


def _container_lines(container: Any, shown: Callable[[Any], str]) -> Iterator[str]:
    """The lines of a cell's or a text box's blocks: each paragraph followed by its text
    boxes, each table by its cells."""
    for block in _docx_blocks(container):
        if block.tag == _W + "tbl":
            yield from _table_lines(block, shown)
        else:
            yield shown(block)
            yield from _text_box_lines(block, shown)


def _merged_into_the_cell_above(cell: Any) -> bool:
    """Whether a `w:tc` continues a vertically merged cell (its text is the first one's).
    A cell merged across columns is one `w:tc`; python-docx gives it once per column, and
    both kinds of merge read the same text two or three times."""
    merge = cell.find(f"{_W}tcPr/{_W}vMerge")
    return merge is not None and merge.get(_W + "val", "continue") == "continue"


def _deleted(paragraph: Any) -> bool:
    """Whether a `w:p` is gone once its tracked changes are accepted: its paragraph mark
    and all its text deleted (a paragraph, say a numbered heading, deleted whole)."""
    mark = paragraph.find(f"{_W}pPr/{_W}rPr/{_W}del")
    return mark is not None and not _shown_text(paragraph)


def _hidden(run: Any) -> bool:
    """Whether a `w:r` is hidden text (Font → Hidden, `w:vanish`): Word neither shows nor
    prints it, as a writer's note to herself (“此处XX待核实”) often is."""
    vanish = run.find(f"{_W}rPr/{_W}vanish")
    return vanish is not None and vanish.get(_W + "val", "true") not in {"0", "false", "off"}


def _shown_text(paragraph: Any) -> str:
    """A `w:p`'s text as Word shows it with its tracked changes accepted: every run, also
    those in a tracked insertion, an inline content control, a smart tag, a simple field or
    a hyperlink (python-docx reads only the runs directly in the paragraph, and a number
    typed in with track changes on was lost); not deleted ones, nor hidden ones."""
    out = []
    for run in paragraph.iter(_W + "r"):
        if _hidden(run):
            continue
        ancestor = run.getparent()
        while ancestor is not paragraph and ancestor.tag not in _NOT_SHOWN:
            ancestor = ancestor.getparent()
        if ancestor is paragraph:
            out.append(run.text)
    return "".join(out)


def _numbered_headings(
    paragraphs: list[Any], texts: list[str], labels: list[str | None]
) -> list[str]:
    """The paragraphs' `texts` (each after the list number Word shows before it, `labels`
    from word/numbering.xml: None where no numbering applies). A heading in a Word heading
    style that Word does not number gets the number the writer left to the style where its
    text lacks one: 一、 (一) 1. (1) by level, as a 公文 numbers them. A first heading alone
    at its level is the title, and is not numbered. The entries of a table of contents
    (目录, in the toc styles) are blank lines: they repeat the headings with page numbers,
    and read as headings they made every section look empty."""
    from pipeline.numerals import to_chinese

    names = _style_names(paragraphs)
    texts = [
        "" if _CONTENTS_STYLE.fullmatch(name) else text
        for name, text in zip(names, texts, strict=True)
    ]
    levels = _heading_levels(names, texts)
    used = sorted({level for level in levels if level})
    first = next((i for i, text in enumerate(texts) if text.strip()), None)
    title_level = levels[first] if first is not None else None
    if first is not None and title_level and levels.count(title_level) == 1 and used[1:]:
        used.remove(title_level)
        levels[first] = None
    counts = [0, 0, 0, 0]
    lines = []
    for text, level, label in zip(texts, levels, labels, strict=True):
        depth = used.index(level) if level in used[:4] else None
        if depth is not None:
            counts[depth] += 1
            counts[depth + 1 :] = [0] * (3 - depth)
            n = counts[depth]
            if label is None and not _TYPED_NUMBER.match(text):
                number = (f"{to_chinese(n)}、", f"（{to_chinese(n)}）", f"{n}.", f"（{n}）")[depth]
                text = number + text.strip()
        lines.append(text)
    return lines
