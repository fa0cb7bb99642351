"""Which model libraries a `python -X importtime` trace shows imported (shared by the start-up
and cache benchmarks: neither `draft check` nor a cached re-run may load them)."""

from __future__ import annotations

MODEL_LIBS = (
    "openai",
    "langchain_openai",
    "langchain_core",
    "langchain",
    "httpx2",
    "aiohttp",
    "tenacity",
)


def model_imports(trace: str) -> list[str]:
    """The modules of MODEL_LIBS named in the `-X importtime` lines of `trace`."""
    found = set()
    for line in trace.splitlines():
        if line.startswith("import time:"):
            name = line.split("|")[-1].strip()
            if name.split(".")[0] in MODEL_LIBS:
                found.add(name)
    return sorted(found)
