"""Reading user files safely and writing outputs atomically.

Every read names the file in its error; every write goes to a temporary file in the same
folder and is renamed over the target, so an existing file is never left half-written. Text is
read as UTF-8, as UTF-16 with a byte-order mark, or as GB18030 (GBK): what Chinese Windows,
Word and WPS save (`decode_text`).
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import json
import os
import re
import stat
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from pipeline.errors import InputError

if TYPE_CHECKING:
    import sqlite3

MAX_INPUT_BYTES = 8 * 1024 * 1024
"""Largest facts, spec or draft file accepted; larger ones are almost certainly a mistake."""


def decode_text(raw: bytes) -> tuple[str, str]:
    """`raw` as text, and the codec that reads it: UTF-8 (`utf-8-sig` with a BOM), UTF-16
    with a BOM (Word's and Notepad's "Unicode text"), or else GB18030, the superset of GBK
    and GB2312 in which Chinese Windows, Word and WPS save plain text. A file that is none
    of them raises the UTF-8 attempt's UnicodeDecodeError."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16"), "utf-16"
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as not_utf8:
        try:
            return raw.decode("gb18030"), "gb18030"
        except UnicodeDecodeError:
            raise not_utf8 from None
    return text, "utf-8-sig" if raw.startswith(codecs.BOM_UTF8) else "utf-8"


def path_text(path: str | os.PathLike[str]) -> str:
    """`path` as text that UTF-8 can hold (a run log, a JSON record): a byte of the file
    name that is not UTF-8, which Python keeps as a lone surrogate, is written as \\xff."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def a_or_an(noun: str) -> str:
    """`noun` after the article its sound takes: "an evaluation suite", "a facts file"."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def readable_file(path: str | Path, what: str, max_bytes: int) -> Path:
    """`path`, refused (naming it) when missing, a directory, or over `max_bytes` by its size."""
    p = Path(path)
    if not p.exists():
        if p.is_symlink():
            raise InputError(f"{what} is a symbolic link to nothing (or to itself)", path=str(p))
        raise InputError(f"{what} not found", path=str(p))
    if p.is_dir():
        raise InputError(f"expected {a_or_an(what)}, found a directory", path=str(p))
    size = p.stat().st_size
    if size > max_bytes:
        raise InputError(f"{what} is {size:,} bytes; the limit is {max_bytes:,} bytes", path=str(p))
    return p


_DOCUMENT_SIGNATURES = (
    (b"PK\x03\x04", "a Word .docx file (or another zip package): name it .docx"),
    (b"\xd0\xcf\x11\xe0", "an old Word .doc (or WPS) file: save it as .docx or .txt"),
    (b"%PDF", "a PDF file: save it as .docx or .txt, or copy its text into a .txt file"),
    (b"{\\rtf", "an RTF file: save it as .docx or .txt"),
)
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
"""The stream in which Word and WPS keep a password-protected .docx (in an OLE container)."""


def document_kind(path: Path) -> str | None:
    """What a file is by its first bytes when it is a document, not text (a .docx renamed
    .txt, a .doc renamed .docx, a password-protected .docx), with what to do; else None."""
    try:
        if not path.is_file():
            return None  # missing, a directory, a device: the reader says which
        with path.open("rb") as fh:
            head = fh.read(8)
            if head.startswith(b"\xd0\xcf\x11\xe0"):  # an OLE container: is it encrypted?
                tail = b""
                while chunk := fh.read(1024 * 1024):
                    if _ENCRYPTED_PACKAGE in tail[-len(_ENCRYPTED_PACKAGE) :] + chunk:
                        return (
                            "a password-protected Word file: remove its password in Word or "
                            "WPS (文件 → 信息 → 保护文档 → 用密码进行加密, clear it) and save it again"
                        )
                    tail = chunk
    except OSError:
        return None
    return next((kind for magic, kind in _DOCUMENT_SIGNATURES if head.startswith(magic)), None)


def read_text(
    path: str | Path,
    *,
    what: str = "file",
    max_bytes: int = MAX_INPUT_BYTES,
    allow_empty: bool = False,
) -> str:
    """Read a text file (`decode_text`), refusing missing, huge, undecodable and (unless
    `allow_empty`) empty files."""
    return read_encoded_text(path, what=what, max_bytes=max_bytes, allow_empty=allow_empty)[0]


def read_encoded_text(
    path: str | Path,
    *,
    what: str = "file",
    max_bytes: int = MAX_INPUT_BYTES,
    allow_empty: bool = False,
) -> tuple[str, str]:
    """`read_text`, and the codec the file was in (to write a changed copy in it)."""
    p = readable_file(path, what, max_bytes)
    raw = _read_bounded(p, max_bytes)
    if not raw and stat.S_ISFIFO(p.stat().st_mode):
        raise InputError(
            f"expected {a_or_an(what)}, found a named pipe (FIFO) that nothing writes to",
            path=str(p),
        )
    if len(raw) > max_bytes:
        raise InputError(f"{what} is over the limit of {max_bytes:,} bytes", path=str(p))
    try:
        text, encoding = decode_text(raw)
    except UnicodeDecodeError as exc:
        if _utf16_without_bom(raw):
            raise InputError(
                "UTF-16 text without a byte-order mark; save it as UTF-8", path=str(p)
            ) from None
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            f"not UTF-8 text, nor GB18030 (GBK) (invalid byte 0x{raw[exc.start]:02x} at byte "
            f"{exc.start}); save the file as UTF-8",
            path=str(p),
            line=line,
        ) from None
    if "\0" in text:
        raise InputError(
            "holds NUL characters: not a text file, or UTF-16 text without a byte-order mark; "
            "save it as UTF-8",
            path=str(p),
            line=text.count("\n", 0, text.index("\0")) + 1,
        )
    if not allow_empty and not text.strip():
        raise InputError(f"{what} is empty", path=str(p))
    return text, encoding


def _utf16_without_bom(raw: bytes) -> bool:
    """Whether undecodable `raw` reads as UTF-16 text (its ASCII characters give it NULs,
    which no UTF-8 or GB18030 text holds) with no control character."""
    if b"\0" not in raw or len(raw) % 2:
        return False
    for codec in ("utf-16-le", "utf-16-be"):
        try:
            if not control_character(raw.decode(codec)):
                return True
        except UnicodeDecodeError:
            pass
    return False


def _read_bounded(p: Path, max_bytes: int) -> bytes:
    """At most `max_bytes + 1` bytes of `p` (a device such as /dev/zero reports size 0 and
    never ends). Opened without waiting: a plain open of a named pipe (FIFO) waits forever for
    a writer; opened so, one that nothing writes to reads as empty, and `<(command)` still
    reads whole."""
    fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    os.set_blocking(fd, True)
    with os.fdopen(fd, "rb") as fh:
        return fh.read(max_bytes + 1)


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


def _construct_timestamp(loader: _LineLoader, node: yaml.ScalarNode) -> Any:
    """A date or time, or a YAML error at its line when it looks like one but is not
    (2021-13-45 would otherwise escape as a bare ValueError)."""
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError as exc:
        raise yaml.constructor.ConstructorError(
            None, None, f"'{node.value}' is not a valid date ({exc})", node.start_mark
        ) from None


_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


_OCTAL_LOOKING = re.compile(r"[-+]?0[0-7_]+")


def _construct_int(loader: _LineLoader, node: yaml.ScalarNode) -> Any:
    """An integer; one written with a leading zero (010) in decimal, as people mean it and
    YAML 1.2 reads it, not as YAML 1.1's octal 8 (09 was read as 9 already). One of more
    digits than Python converts (4,300: a pasting mistake) is a YAML error at its line, not
    a bare ValueError."""
    try:
        if _OCTAL_LOOKING.fullmatch(node.value):
            return int(node.value.replace("_", ""), 10)
        return yaml.constructor.SafeConstructor.construct_yaml_int(loader, node)
    except ValueError:
        raise yaml.constructor.ConstructorError(
            None, None, f"a number of {len(node.value):,} digits is too long", node.start_mark
        ) from None


_LineLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)


MAX_DEPTH = 100
"""Deepest nesting of lists and mappings accepted; no facts file, spec, suite or draft comes
near it, and much deeper data exhausts Python's stack in the code that reads it."""

MAX_ALIAS_EXPANSION = 100_000
"""Most values YAML aliases (`*name`) may add beyond the file's own: more is an alias bomb,
which would take hours to read."""


def _index_lines(root: yaml.Node, out: dict[tuple[Any, ...], int]) -> None:
    """Record the line of every key path; refuse keys that are not scalars, nesting deeper
    than MAX_DEPTH (an alias inside its own anchor included) and aliases that expand too far.

    Runs on the parsed nodes before any data is built, and without recursion.
    """
    seen: set[int] = set()
    repeats = 0
    stack: list[tuple[yaml.Node, tuple[Any, ...], int | None]] = [(root, (), None)]
    while stack:
        node, path, key_line = stack.pop()
        if len(path) > MAX_DEPTH:
            cause = " (an alias inside its own anchor?)" if repeats else ""
            raise _node_error(f"nested more than {MAX_DEPTH} levels deep{cause}", node)
        if id(node) in seen:
            repeats += 1
            if repeats > MAX_ALIAS_EXPANSION:
                raise _node_error(
                    f"aliases expand to more than {MAX_ALIAS_EXPANSION:,} values", node
                )
        seen.add(id(node))
        out[path] = key_line or node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in reversed(node.value):
                if not isinstance(key_node, yaml.ScalarNode):
                    raise _node_error(
                        "a key must be a name or a number, not a list or mapping", key_node
                    )
                stack.append((value_node, (*path, key_node.value), key_node.start_mark.line + 1))
        elif isinstance(node, yaml.SequenceNode):
            for i in range(len(node.value) - 1, -1, -1):
                stack.append((node.value[i], (*path, i), None))


def _node_error(problem: str, node: yaml.Node) -> yaml.MarkedYAMLError:
    return yaml.constructor.ConstructorError(None, None, problem, node.start_mark)


def _depth(data: Any) -> int:
    """How deeply lists and mappings nest in plain data (0 for a scalar), without recursion."""
    deepest = 0
    stack = [(data, 0)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, list):
            deepest = max(deepest, level + 1)
            if level + 1 > MAX_DEPTH:
                break
            stack.extend((item, level + 1) for item in value)
    return deepest


class _DuplicateKey(Exception):
    """A JSON object gives a key twice (json would keep the last in silence)."""


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data = dict(pairs)
    if len(data) != len(pairs):
        raise _DuplicateKey
    return data


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"\s*:?|[{}\[\]]')


def _first_duplicate_key(text: str) -> tuple[str, int]:
    """The first key given twice in one object of valid JSON `text`, and its offset (json
    reports no positions to its hook, so the text is scanned again, only when one is)."""
    objects: list[set[str] | None] = []  # a set of keys per open object, None per list
    for token in _JSON_TOKEN.finditer(text):
        t = token.group()
        if t in "{[":
            objects.append(set() if t == "{" else None)
        elif t in "}]":
            objects.pop()
        elif t.endswith(":") and objects and objects[-1] is not None:
            key = json.loads(t[:-1])
            if key in objects[-1]:
                return key, token.start()
            objects[-1].add(key)
    raise ValueError("no duplicate key")  # unreachable: json found one


def parse_json(text: str, *, path: str, expected: str = "") -> Any:
    """Parse JSON text, naming the file and line of a syntax error (and what was `expected`)."""
    hint = f" (expected {expected})" if expected else ""
    too_deep = InputError(
        f"invalid JSON: nested more than {MAX_DEPTH} levels deep{hint}", path=path
    )
    try:
        data = json.loads(text, object_pairs_hook=_refuse_duplicate_keys)
    except _DuplicateKey:
        key, at = _first_duplicate_key(text)
        raise InputError(
            f"invalid JSON: duplicate key {key!r}: each key may be given once in an object",
            path=path,
            line=text.count("\n", 0, at) + 1,
        ) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg}{hint}", path=path, line=exc.lineno) from None
    except ValueError:  # an integer of more digits than Python converts (4,300)
        long = re.search(r"\d{4000,}", text)
        line = text.count("\n", 0, long.start()) + 1 if long else None
        raise InputError(
            f"invalid JSON: a number is too long{hint}", path=path, line=line
        ) from None
    except RecursionError:
        raise too_deep from None
    if _depth(data) > MAX_DEPTH:
        raise too_deep
    return data


def load_structured(path: str | Path, *, what: str = "file") -> tuple[Any, LineMap]:
    """Load a YAML or JSON file into plain data, with a map from key paths to lines."""
    text = read_text(path, what=what)
    p = str(path)
    if p.endswith(".json"):
        return parse_json(text, path=p), LineMap()
    loader = _LineLoader(text)
    lines: dict[tuple[Any, ...], int] = {}
    try:
        node = loader.get_single_node()  # parsed once: lines from the nodes, data from the same
        if node is not None:
            _index_lines(node, lines)  # first: it refuses an alias bomb before it is built
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or str(exc)
        if "tab" in problem or (mark is not None and text[mark.index : mark.index + 1] == "\t"):
            problem += ": a tab, where YAML indents with spaces only; replace it with spaces"
        raise InputError(f"invalid YAML: {problem}", path=p, line=line) from None
    except yaml.reader.ReaderError as exc:  # a control character: marked by offset, not line
        line = text.count("\n", 0, exc.position) + 1
        raise InputError(
            f"invalid YAML: a control character (U+{exc.character:04X}) that no text may hold; "
            "remove it",
            path=p,
            line=line,
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(f"invalid YAML: {exc}", path=p) from None
    finally:
        loader.dispose()
    return data, LineMap(lines)


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def control_character(text: str) -> re.Match[str] | None:
    """The first character no document can hold (a control character other than tab and line
    breaks; XML, and so Word, refuses them), or None."""
    return _CONTROL.search(text)


def without_control_characters(text: str) -> str:
    """`text` with every character `control_character` finds removed (a vertical tab or form
    feed, Word's manual breaks, becomes a line break)."""
    return _CONTROL.sub("", text.replace("\v", "\n").replace("\f", "\n"))


def folder_problem(folder: Path) -> str | None:
    """Why files cannot be written in `folder`, which may not exist yet (its nearest existing
    ancestor is a file, or read-only), or None."""
    while not folder.exists() and folder != folder.parent:
        if folder.is_symlink():  # no folder can be made where the link is
            return f"{folder} is a symbolic link to nothing (or to itself), not a folder"
        folder = folder.parent
    if not folder.is_dir():
        return f"{folder} is a file, not a folder"
    if not os.access(folder, os.W_OK):
        return f"the folder {folder} is read-only"
    return None


def check_output_path(path: str | Path, *, source: str | Path | None = None) -> Path:
    """Refuse an output path that cannot be a file (a directory) or that is the command's
    `source` file, which the output would replace; call before the work starts."""
    target = Path(path)
    if target.is_dir():
        raise InputError("the output is a directory; give a file name", path=str(target))
    if target.is_symlink() and _link_loop(target):
        # there is no file to write through to: the rename would put the output in the
        # link's place and the link would be lost
        raise InputError(
            "the output is a symbolic link that leads back to itself; remove it or give "
            "another file name",
            path=str(target),
        )
    # may not exist yet: it is made, but its nearest ancestor must do; a link's file is the
    # one written (its folder, not the link's), though messages name the path as given
    problem = folder_problem(_written_file(target).parent)
    if problem:
        raise InputError(f"cannot write the output: {problem}", path=str(target))
    if target.is_file() and not _writable(target):
        raise InputError(
            "the file is read-only (protected, or open in another program); make it writable "
            "or close it, or give another file name",
            path=str(target),
        )
    if source is not None and target.exists() and _same_file(target, Path(source)):
        raise InputError(
            f"the output would replace the input file {source}; give another file name",
            path=str(target),
        )
    return target


def _link_loop(path: Path) -> bool:
    """Whether `path` is a symbolic link that leads, through any number of links, back to
    itself (ELOOP), rather than to a file or to a file that does not exist yet."""
    try:
        path.stat()
    except OSError as exc:
        return exc.errno == errno.ELOOP
    return False


def _written_file(path: Path) -> Path:
    """The file a write of `path` replaces: the file a symbolic link points to, else `path`."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def _writable(path: Path) -> bool:
    """Whether the user may write `path`: its write permission (Windows' read-only attribute),
    also for root, whom the system would let replace a file its owner protected."""
    try:
        return os.access(path, os.W_OK) and bool(path.stat().st_mode & 0o222)
    except OSError:
        return False


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


@contextmanager
def atomic_writer(path: str | Path, mode: str = "w") -> Iterator[Any]:
    """Open a temporary file beside `path`; rename it over `path` only if the block succeeds.

    The file gets the permissions a plain `open` would give it: those of the file it replaces,
    else the user's umask (a temporary file is private, a report in a shared folder is not).
    A symbolic link is written through (its file is replaced, the link stays; a link that
    leads back to itself is refused); a device or a
    pipe (`/dev/null`, `/dev/stdout`, a FIFO) has no file to replace and is written into."""
    given = check_output_path(path)
    target = _written_file(given)
    encoding = None if "b" in mode else "utf-8"
    if target.exists() and not target.is_file():
        try:
            fh = open(target, mode, encoding=encoding)  # noqa: SIM115 (closed below)
        except OSError as exc:
            raise InputError(f"cannot write the output: {exc.strerror}", path=str(given)) from None
        try:
            with fh:
                yield fh
        except OSError as exc:  # /dev/full, a pipe whose reader left
            raise InputError(
                f"cannot write the output: {exc.strerror or exc}", path=str(given)
            ) from None
        return
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise InputError(f"cannot write the output: {exc.strerror}", path=str(given)) from None
    try:
        # a file system without permissions (FAT, some mounts) has nothing to keep
        with contextlib.suppress(OSError):
            os.fchmod(fd, _mode_for(target))
        with os.fdopen(fd, mode, encoding=encoding) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        _remove_stale_temporaries(target)
    except OSError as exc:  # a full disk, a quota: name the file (the error itself does not)
        Path(tmp).unlink(missing_ok=True)
        raise InputError(
            f"cannot write the output: {exc.strerror or exc}", path=str(given)
        ) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _mode_for(target: Path) -> int:
    """The permission bits of `target` if it exists, else what a new file gets (0o666 less
    the umask)."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    """The process's umask, read without changing it where the system allows (Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)  # elsewhere: the only way to read it is to set it and set it back
    os.umask(mask)
    return mask


STALE_TEMPORARY_S = 3600
"""A temporary file this old beside its output was left by a killed write (`kill -9`, a
power cut), not by one under way."""


def _remove_stale_temporaries(target: Path) -> None:
    """Delete the hidden temporary files earlier writes of `target` left behind when killed."""
    pattern = re.compile(rf"\.{re.escape(target.name)}\.[a-z0-9_]{{8}}\.tmp")
    now = time.time()
    with contextlib.suppress(OSError):
        for entry in os.scandir(target.parent):
            if pattern.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    if now - entry.stat(follow_symlinks=False).st_mtime > STALE_TEMPORARY_S:
                        os.unlink(entry.path)


def write_atomic(path: str | Path, data: str | bytes) -> None:
    """Write text or bytes to `path` atomically."""
    with atomic_writer(path, "wb" if isinstance(data, bytes) else "w") as fh:
        fh.write(data)


LOCK_WAIT_S = 30.0
"""How long a SQLite file (the cache, the run log, the web store) that another draft process
holds is waited for before giving up."""


def connect_database(path: Path) -> sqlite3.Connection:
    """A connection to the SQLite file at `path`, in autocommit mode, that waits up to
    LOCK_WAIT_S for a lock another process holds."""
    import sqlite3

    return sqlite3.connect(path, timeout=LOCK_WAIT_S, isolation_level=None)


def use_wal(db: sqlite3.Connection, *, timeout: float | None = None) -> None:
    """Put the SQLite connection `db` in WAL mode (kept in the file), waiting up to `timeout`
    seconds for another process that is creating the same file.

    SQLite does not apply its busy timeout to this switch: while another process's first
    transaction on a new file is under way (two runs started at once on a new machine), the
    pragma fails at once with "database is locked". It is tried again until it succeeds."""
    import sqlite3

    deadline = time.monotonic() + (LOCK_WAIT_S if timeout is None else timeout)
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if not database_busy(exc) or time.monotonic() >= deadline:
                raise
        time.sleep(0.05)


def reclaim_space(db: sqlite3.Connection) -> bool:
    """Give the space of deleted rows back to the disk (VACUUM, and the write-ahead log
    emptied); False when another process has the database open and it must wait for later.
    Waits a moment for that process, not LOCK_WAIT_S: nothing is lost by not waiting."""
    import sqlite3

    db.execute("PRAGMA busy_timeout = 2000")
    try:
        db.execute("VACUUM")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return True
    except sqlite3.Error:
        return False
    finally:
        db.execute(f"PRAGMA busy_timeout = {int(LOCK_WAIT_S * 1000)}")


def existing_database(path: Path, *, what: str) -> bool:
    """Whether a file is at `path` (False: none yet); InputError naming what is there instead
    of the `what` SQLite file (a directory, a named pipe, a device, a link that leads back
    to itself), which SQLite would report only as a folder that cannot be written."""
    return existing_file(path, what=what)


def existing_file(path: Path, *, what: str) -> bool:
    """Whether a regular file is at `path` (False: none yet, or a link to none); InputError
    naming what is there instead of the `what` (a directory, a named pipe, a device, a link
    that leads back to itself), which a reader would take for no file or hang on."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return False  # none yet (or a link to none, which SQLite makes)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputError(
                f"is a symbolic link that leads back to itself, not the {what}; remove it",
                path=str(path),
            ) from None
        raise InputError(f"cannot use the {what}: {exc.strerror or exc}", path=str(path)) from None
    if stat.S_ISDIR(mode):
        found = "a directory"
    elif stat.S_ISFIFO(mode):
        found = "a named pipe (FIFO)"
    elif not stat.S_ISREG(mode):
        found = "a device or socket"
    else:
        return True
    raise InputError(f"is {found}, not the {what}; remove or rename it", path=str(path))


@contextmanager
def database_errors(path: str | Path, *, what: str) -> Iterator[None]:
    """Report a SQLite file that cannot be opened, read or written (damaged, a folder, not a
    database, a full disk, a read-only folder) as bad input naming it, instead of a
    traceback."""
    import sqlite3  # only where a database is opened: its import costs start-up time

    try:
        yield
    except sqlite3.DatabaseError as exc:
        if database_busy(exc):  # not damaged: another process holds it (a long run's write)
            raise database_locked(path, what=what) from None
        cannot_write = (
            sqlite3.SQLITE_PERM,
            sqlite3.SQLITE_READONLY,
            sqlite3.SQLITE_IOERR,
            sqlite3.SQLITE_FULL,
            sqlite3.SQLITE_CANTOPEN,
        )
        if (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF in cannot_write:
            # a full disk or a read-only folder, not a damaged file: moving the file aside
            # (or deleting it, as the advice below says) would lose it for nothing
            raise InputError(
                f"cannot use the {what}: {exc}; check that {Path(path).parent} can be written "
                "and its disk has space left",
                path=str(path),
            ) from None
        raise InputError(
            f"cannot use the {what}: {exc}; move the file aside (or delete it) to start a new one",
            path=str(path),
        ) from None


def database_locked(path: str | Path, *, what: str) -> InputError:
    """The error for a SQLite file another draft process has held past LOCK_WAIT_S: no sign
    of damage, so nothing to move aside or delete."""
    return InputError(
        f"cannot use the {what}: another draft process has kept it locked for too long; "
        "try again when that process has finished",
        path=str(path),
    )


def database_busy(exc: BaseException) -> bool:
    """Whether a SQLite error says that another connection holds the database (locked or
    busy beyond the timeout), which is no sign of damage."""
    import sqlite3

    if not isinstance(exc, sqlite3.OperationalError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "locked" in str(exc) or "busy" in str(exc)
