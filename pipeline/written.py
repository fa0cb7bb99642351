"""The outputs `draft run` and `draft export` wrote, so that a re-run does not lose a file the
user changed since (a clerk fills the markers in Word, then runs the same command again).

Each output's content hash is recorded in `written.json` in the user data folder. Before an
output is replaced, the file there is compared with the record: a file Draftsmith did not
write (edited since, or made by hand) is kept beside it as `<name>（已编辑）<ext>` first. The
record is an optimisation of that check only: when it cannot be read or written, the worst
outcome is one copy too many, never a lost file.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
from pathlib import Path

from pydantic import BaseModel, ValidationError

from pipeline.errors import InputError
from pipeline.paths import user_data_dir
from pipeline.textio import path_text, write_atomic

KEPT_LABEL = "已编辑"
"""What the copy of a changed output is called: 总结.docx → 总结（已编辑）.docx."""
MAX_RECORDED = 1000
"""Outputs remembered; the oldest are forgotten first."""


class WrittenRecord(BaseModel):
    """`written.json`: each output's absolute path → the SHA-256 of what was last written."""

    files: dict[str, str] = {}


def _record_path() -> Path:
    return user_data_dir() / "written.json"


def _load() -> WrittenRecord:
    try:
        return WrittenRecord.model_validate_json(_record_path().read_bytes())
    except (OSError, ValueError, ValidationError):  # none yet, or damaged: start afresh
        return WrittenRecord()


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def kept_name(target: Path) -> Path:
    """`总结（已编辑）.docx`, or `总结（已编辑2）.docx`… when that is taken: a copy kept
    earlier is never replaced (a folder's copy is named the same way)."""
    for n in range(1, 10_000):
        label = KEPT_LABEL if n == 1 else f"{KEPT_LABEL}{n}"
        candidate = target.with_name(f"{target.stem}（{label}）{target.suffix}")
        if not candidate.exists():
            return candidate
    raise InputError("too many kept copies beside it; move some away", path=str(target))


def write_output(path: Path, data: str | bytes) -> Path | None:
    """Write `data` to `path` atomically, first keeping the file already there as
    `<name>（已编辑）<ext>` when it is not what Draftsmith last wrote there; return that copy's
    path, or None (no file there, or the one Draftsmith wrote, replaced without a word)."""
    real = Path(os.path.realpath(path))
    record = _load()
    kept: Path | None = None
    if real.is_file():
        current = _digest(real)
        new = hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()
        if current is None or (record.files.get(_key(real)) != current and current != new):
            kept = kept_name(real)
            try:
                shutil.copy2(real, kept)
            except OSError as exc:
                with contextlib.suppress(OSError):
                    kept.unlink()
                raise InputError(
                    f"it is not the file Draftsmith last wrote there, and a copy cannot be kept as "
                    f"{kept.name} ({exc.strerror or exc}); nothing was replaced",
                    path=str(path),
                ) from None
    try:
        write_atomic(path, data)
    except BaseException:  # the file there is still the user's: no copy is needed
        if kept is not None:
            kept.unlink(missing_ok=True)
        raise
    if real.is_file():
        _remember(real)
    if kept is None or path.is_symlink():
        return kept
    return path.with_name(kept.name)  # as the user named the folder


def as_written(path: Path) -> bool:
    """Whether the file at `path` is what Draftsmith last recorded writing there (False for
    one edited since, or written before it was recorded: a copy too many, never a loss)."""
    real = Path(os.path.realpath(path))
    recorded = _load().files.get(_key(real))
    return recorded is not None and recorded == _digest(real)


def remember_written(paths: list[Path]) -> None:
    """Record the files at `paths` as Draftsmith's own, as written (for files it put in place
    without `write_output`, such as a learned type's spec and templates)."""
    for path in paths:
        _remember(Path(os.path.realpath(path)))


def _key(real: Path) -> str:
    """The record's key for a file: its path as text UTF-8 can hold (a file name with a byte
    that is not UTF-8 made writing the record a traceback, after the output was written)."""
    return path_text(real)


def _remember(real: Path) -> None:
    """Record what was just written at `real` (re-read, to hash exactly the bytes on disk)."""
    digest = _digest(real)
    if digest is None:
        return
    record = _load()  # afresh: another run may have written its outputs meanwhile
    record.files.pop(_key(real), None)
    record.files[_key(real)] = digest
    while len(record.files) > MAX_RECORDED:
        record.files.pop(next(iter(record.files)))
    with contextlib.suppress(OSError, InputError):  # an unwritable home: a copy too many later
        write_atomic(_record_path(), json.dumps(record.model_dump(), ensure_ascii=False))


def print_kept_copies(copies: list[tuple[Path, Path]]) -> None:
    """Tell the user where each changed output went (on stderr, with the run's summary)."""
    for output, copy in copies:
        print(
            f"  {output} was not the file Draftsmith last wrote there (edited since?): "
            f"that file is kept as {copy}",
            file=sys.stderr,
        )


def print_unwritten(errors: list[InputError], *, hint: str = "") -> None:
    """Say which outputs could not be written and why (after the summary of those that
    were), and that the same command writes them once they can be; `hint` adds what that
    costs (nothing asked of the model again, for `draft run`)."""
    for exc in errors:
        print(f"error: {exc}", file=sys.stderr)
    it = "it" if len(errors) == 1 else "they"
    names = ", ".join(exc.path or "?" for exc in errors)
    again = f"run the same command again once {it} can be written" + (f": {hint}" if hint else "")
    print(f"  not written: {names}; {again}", file=sys.stderr)


def nothing_written(errors: list[InputError]) -> InputError:
    """The error to end with when no output could be written: the one reason, or each of
    them (one folder missing and another read-only are two things to fix)."""
    if len(errors) == 1:
        return errors[0]
    reasons = "\n".join(f"  {exc}" for exc in errors)
    return InputError(f"none of the {len(errors)} outputs could be written:\n{reasons}")
