"""Where the built-in data lives, from a checkout or from an installed wheel, and the user's dirs.

platformdirs is imported only when a user folder is asked for without `DRAFTSMITH_HOME`:
`draft check` of a text without a type needs none (start-up time is an issue #4 target).
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from pipeline.errors import InputError

_PACKAGE_DIR = Path(__file__).resolve().parent
APP_NAME = "draftsmith"


@cache
def data_root() -> Path:
    """The folder holding `schemas/`, `prompts/`, `evals/` and `examples/`.

    An installed wheel carries them in `pipeline/_data`; a checkout (or an editable
    install) has them beside the package.
    """
    bundled = _PACKAGE_DIR / "_data"
    if (bundled / "schemas").is_dir():
        return bundled
    return _PACKAGE_DIR.parent


def builtin_schemas_dir() -> Path:
    """The built-in document-type specs."""
    return data_root() / "schemas"


def lexicon_candidates(name: str, spec_source: Path | None) -> list[Path]:
    """Where a spec's lexicon `name` may be, in order: `lexicon/` beside the spec, then the
    built-in one."""
    found = [Path(spec_source).parent / "lexicon"] if spec_source is not None else []
    return [folder / f"{name}.yaml" for folder in (*found, builtin_schemas_dir() / "lexicon")]


def builtin_prompts_dir() -> Path:
    """The built-in section prompt templates, one folder per document type."""
    return data_root() / "prompts"


def builtin_evals_dir() -> Path:
    """The built-in evaluation suites."""
    return data_root() / "evals"


def user_data_dir() -> Path:
    """Per-user data (learned document types, saved drafts); `DRAFTSMITH_HOME` overrides it."""
    home = os.environ.get("DRAFTSMITH_HOME")
    if home:
        return Path(home) / "data"
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME))


def user_cache_dir() -> Path:
    """Per-user cache (model responses); `DRAFTSMITH_HOME` overrides it."""
    home = os.environ.get("DRAFTSMITH_HOME")
    if home:
        return Path(home) / "cache"
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME))


def templates_cache_dir() -> Path:
    """Per-user cache of checked and compiled prompt templates (safe to delete any time)."""
    return user_cache_dir() / "templates"


def judge_cache_dir() -> Path:
    """Per-user cache of the LLM judge's verdicts (`draft cache clear` empties it)."""
    return user_cache_dir() / "judge"


def user_config_dir() -> Path:
    """Per-user configuration (`draft.toml`); `DRAFTSMITH_HOME` overrides it."""
    home = os.environ.get("DRAFTSMITH_HOME")
    if home:
        return Path(home) / "config"
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME))


def user_doctypes_dir() -> Path:
    """Where `draft learn` writes new document types; searched after the built-ins."""
    return user_data_dir() / "doctypes"


def check_spec_dir(folder: Path) -> Path:
    """A `--spec-dir` as given, refused when it cannot hold document types (a typo would
    otherwise fall back to the built-ins without a word)."""
    expected = "--spec-dir: expected a folder with schemas/ and prompts/"
    if not folder.exists():
        if folder.is_symlink():
            raise InputError(
                "--spec-dir: a symbolic link to nothing (or to itself), not a folder",
                path=str(folder),
            )
        raise InputError("--spec-dir: folder not found", path=str(folder))
    if not folder.is_dir():
        raise InputError(f"{expected}, found a file", path=str(folder))
    schemas = folder / "schemas"
    if schemas.exists() and not schemas.is_dir():
        raise InputError(f"{expected}, found a file named schemas in it", path=str(folder))
    if not schemas.is_dir():
        raise InputError(f"{expected}, found no schemas/ in it", path=str(folder))
    return folder
