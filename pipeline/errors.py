"""The exceptions the pipeline raises and the exit codes they map to.

    DraftsmithError
    ├── InputError      bad input or usage: a facts file, a spec, a template, a flag  → exit 2
    └── ModelError      the model failed and no complete draft could be made           → exit 3

Exit code 1 is not an exception: a draft was written but still has error-level findings.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes shared by every `draft` command."""

    OK = 0
    FINDINGS = 1
    BAD_INPUT = 2
    MODEL_FAILED = 3


class DraftsmithError(Exception):
    """Base of every error the pipeline reports to the user without a traceback."""

    exit_code: ExitCode = ExitCode.BAD_INPUT


class InputError(DraftsmithError):
    """Bad input: the message names the file, the field and what was expected."""

    exit_code = ExitCode.BAD_INPUT

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None):
        self.path = path
        self.line = line
        where = ""
        if path:
            where = f"{path}:{line}: " if line else f"{path}: "
        super().__init__(where + message)


class MissingKeyError(InputError):
    """A model that needs an API key, and the environment variable meant to hold it is unset."""

    def __init__(self, message: str, *, variable: str):
        self.variable = variable
        """The environment variable to set (by name only: a key is never in a message)."""
        super().__init__(message)


class ModelError(DraftsmithError):
    """The model could not produce a section, after retries."""

    exit_code = ExitCode.MODEL_FAILED
