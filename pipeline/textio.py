"""Reading user files safely and writing outputs atomically.

Every read names the file in its error; every write goes to a temporary file in the same
folder and is renamed over the target, so an existing file is never left half-written.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from pipeline.errors import InputError

MAX_INPUT_BYTES = 8 * 1024 * 1024
"""Largest facts, spec or draft file accepted; larger ones are almost certainly a mistake."""


def read_text(path: str | Path, *, what: str = "file", max_bytes: int = MAX_INPUT_BYTES) -> str:
    """Read a UTF-8 text file (a BOM is allowed), refusing missing, huge, empty or non-UTF-8 files."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"{what} not found", path=str(p))
    if p.is_dir():
        raise InputError(f"expected a {what}, found a directory", path=str(p))
    size = p.stat().st_size
    if size > max_bytes:
        raise InputError(f"{what} is {size:,} bytes; the limit is {max_bytes:,} bytes", path=str(p))
    raw = p.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            f"not UTF-8 text (invalid byte 0x{raw[exc.start]:02x} at byte {exc.start}); "
            "save the file as UTF-8",
            path=str(p),
            line=line,
        ) from None
    if not text.strip():
        raise InputError(f"{what} is empty", path=str(p))
    return text


class LineMap:
    """Maps a key path such as ("activities", 2, "name") to its line in the YAML source."""

    def __init__(self, lines: dict[tuple[Any, ...], int] | None = None):
        self._lines = lines or {}

    def line(self, path: tuple[Any, ...]) -> int | None:
        """The line of the deepest known prefix of `path`."""
        for n in range(len(path), -1, -1):
            found = self._lines.get(tuple(path[:n]))
            if found:
                return found
        return None


_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml is ~10x faster


class _LineLoader(_SafeLoader):  # type: ignore[misc,valid-type]
    """A safe loader that refuses duplicate keys and keeps where each node starts."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _index_lines(node: yaml.Node, path: tuple[Any, ...], out: dict[tuple[Any, ...], int]) -> None:
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            out[(*path, key)] = key_node.start_mark.line + 1
            _index_lines(value_node, (*path, key), out)
            out[(*path, key)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index_lines(item, (*path, i), out)


def load_structured(path: str | Path, *, what: str = "file") -> tuple[Any, LineMap]:
    """Load a YAML or JSON file into plain data, with a map from key paths to lines."""
    text = read_text(path, what=what)
    p = str(path)
    if p.endswith(".json"):
        try:
            return json.loads(text), LineMap()
        except json.JSONDecodeError as exc:
            raise InputError(f"invalid JSON: {exc.msg}", path=p, line=exc.lineno) from None
    loader = _LineLoader(text)
    try:
        node = loader.get_single_node()  # parsed once: lines from the nodes, data from the same
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or str(exc)
        raise InputError(f"invalid YAML: {problem}", path=p, line=line) from None
    except yaml.YAMLError as exc:
        raise InputError(f"invalid YAML: {exc}", path=p) from None
    finally:
        loader.dispose()
    lines: dict[tuple[Any, ...], int] = {}
    if node is not None:
        _index_lines(node, (), lines)
    return data, LineMap(lines)


def check_output_path(path: str | Path) -> Path:
    """Refuse an output path that cannot be a file (a directory); call before the work starts."""
    target = Path(path)
    if target.is_dir():
        raise InputError("the output is a directory; give a file name", path=str(target))
    return target


@contextmanager
def atomic_writer(path: str | Path, mode: str = "w") -> Iterator[Any]:
    """Open a temporary file beside `path`; rename it over `path` only if the block succeeds."""
    target = check_output_path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise InputError(f"cannot write the output: {exc.strerror}", path=str(target)) from None
    try:
        encoding = None if "b" in mode else "utf-8"
        with os.fdopen(fd, mode, encoding=encoding) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(path: str | Path, data: str | bytes) -> None:
    """Write text or bytes to `path` atomically."""
    with atomic_writer(path, "wb" if isinstance(data, bytes) else "w") as fh:
        fh.write(data)
