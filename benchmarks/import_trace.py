"""What a `python -X importtime` trace says about a command (shared by the start-up and cache
benchmarks): which model libraries it loaded (neither `draft check` nor a cached re-run may
load any), and its dependency floor.

The floor is what loading the command's libraries costs with nothing of Draftsmith's done: a
bare interpreter imports every module of a third-party package that the trace names (these
bring the standard modules they need; standard modules that only Draftsmith imports count as
its own) and, if pydantic is among them, builds one model (pydantic's one-time schema
set-up, which any use of it pays; its plugin scan off, as `draft` has it). No command that uses
these libraries can start faster on this machine at this moment, so the command's time over
the floor is what Draftsmith's own code costs. It is a lower bound: typer's validators for
the command's options and the parsing of its files are library work too, and are left out.
"""

from __future__ import annotations

import sys

MODEL_LIBS = (
    "openai",
    "langchain_openai",
    "langchain_core",
    "langchain",
    "httpx2",
    "aiohttp",
    "tenacity",
)

OURS = ("pipeline",)

_FLOOR = """\
import importlib, os, sys
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "1")  # as `draft` sets it (pipeline/cli.py)
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except ImportError:  # a trace also names the imports that failed (msvcrt, nt…)
        pass
if "pydantic" in sys.modules:
    from pydantic import BaseModel
    class Floor(BaseModel):
        x: int = 0
    Floor(x=1)
"""


def imported_modules(trace: str) -> list[str]:
    """Every module named in the `-X importtime` lines of `trace`, in the order they ended."""
    names = []
    for line in trace.splitlines():
        if line.startswith("import time:"):
            name = line.split("|")[-1].strip()
            if name != "imported package":
                names.append(name)
    return names


def model_imports(trace: str) -> list[str]:
    """The modules of MODEL_LIBS named in `trace`."""
    return sorted({n for n in imported_modules(trace) if n.split(".")[0] in MODEL_LIBS})


def floor_argv(python: str, trace: str) -> list[str]:
    """A command line that loads the third-party modules the traced command loaded."""
    standard = sys.stdlib_module_names | {"__main__"}
    theirs = [n for n in imported_modules(trace) if n.split(".")[0] not in (*OURS, *standard)]
    return [python, "-c", _FLOOR, *dict.fromkeys(theirs)]
