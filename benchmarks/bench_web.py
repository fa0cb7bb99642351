"""The web app's responsiveness: `draft serve` as a real process, measured over real HTTP.

    python benchmarks/bench_web.py [--repeat 20] [--latency 0.5]

Prints, for each step a clerk waits on, the median time, a target, and their ratio (under
1.0 is within target):

- start:     `draft serve` started until it prints its address;
- autosave:  posting the whole facts form as one types (saved, validated, errors by field);
- generate:  offline, from pressing 生成草稿 until the last server-sent event, against the
             same draft made in-process (the ratio is the web app's overhead);
- review:    rendering the review page (all sections, markers and findings in place);
- edit:      saving one edited section and re-checking the whole draft (the edit → re-check
             round trip the page makes as one types);
- live/run:  the same, against the same draft made in-process with the same model;
- live:      with a model answering each section in `--latency` s (the scripted server) and
             4 sections in flight, from 生成草稿 until done, against the ideal ⌈7/4⌉ × latency
             (after one untimed run: a real model's first use imports its client libraries,
             which the server starts doing in the background when a profile is configured).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from webapp import csrf_of, example_facts, fields_for, start_serve, stop_serve  # noqa: E402


def _median(samples: list[float]) -> float:
    return statistics.median(samples)


def _generate(client, token: str, doc: str, model: str, **changes: str) -> float:
    """Seconds from the generate POST to the `done` event."""
    started = time.perf_counter()
    r = client.post(
        f"{doc}/save",
        data={"csrf_token": token, "action": "generate", "model": model, **FIELDS, **changes},
    )
    job = r.headers["location"]
    with client.stream("GET", f"{job}/events") as stream:
        for line in stream.iter_lines():
            if line.startswith("event: done") or line.startswith("event: failed"):
                break
    return time.perf_counter() - started


FIELDS = fields_for(example_facts())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.5)
    args = parser.parse_args()

    from pipeline.drafting import draft_document
    from pipeline.facts import load_facts
    from pipeline.models import get_model
    from pipeline.testing.openai_server import ScriptedOpenAIServer

    rows: list[tuple[str, float, float]] = []
    requests: list[int] = []
    with tempfile.TemporaryDirectory() as tmp, ScriptedOpenAIServer() as model_server:
        home = Path(tmp)
        (home / "config").mkdir()

        def profile(seed: int) -> None:
            """The scripted model's profile; a new seed makes every call a cache miss."""
            (home / "config" / "draft.toml").write_text(
                f'[profiles.scripted]\nmodel = "good"\nbase_url = "{model_server.base_url}"\n'
                f'key_env = "BENCH_WEB_KEY"\nseed = {seed}\n',
                encoding="utf-8",
            )

        profile(0)
        os.environ["DRAFTSMITH_HOME"] = str(home)
        started = time.perf_counter()
        served = start_serve(home, env={"BENCH_WEB_KEY": "sk-bench"}, cwd=home)
        rows.append(("start", time.perf_counter() - started, 2.0))
        try:
            with served.client() as client:
                token = csrf_of(client.get("/").text)
                doc = client.post(
                    "/docs",
                    data={"csrf_token": token, "doctype": "school-ideology-summary"},
                ).headers["location"]

                times = []
                for n in range(args.repeat):
                    form = {**FIELDS, "fact.central_group_sessions": str(10 + n), "tab": "b"}
                    t = time.perf_counter()
                    r = client.post(f"{doc}/autosave", data={"csrf_token": token, **form})
                    times.append(time.perf_counter() - t)
                    assert r.status_code == 200, r.text
                rows.append(("autosave", _median(times), 0.10))

                spec, facts = load_facts(ROOT / "examples" / "school-ideology-summary.yaml")
                offline = get_model("offline")
                inproc = []
                for _ in range(5):
                    t = time.perf_counter()
                    draft_document(spec, facts, offline)
                    inproc.append(time.perf_counter() - t)
                web = [_generate(client, token, doc, "offline") for _ in range(5)]
                rows.append(("generate", _median(web), max(_median(inproc), 0.001)))

                drafts = client.get(doc).text
                draft = "/drafts/" + drafts.split('href="/drafts/', 1)[1].split('"', 1)[0]
                times = []
                for _ in range(args.repeat):
                    t = time.perf_counter()
                    assert client.get(draft).status_code == 200
                    times.append(time.perf_counter() - t)
                rows.append(("review", _median(times), 0.20))

                times = []
                for n in range(args.repeat):
                    body = json.dumps({"text": f"第{n}次修改这一节。", "tab": "bench"})
                    t = time.perf_counter()
                    r = client.post(
                        f"{draft}/sections/shortcomings",
                        content=body,
                        headers={"X-CSRF-Token": token, "content-type": "application/json"},
                    )
                    times.append(time.perf_counter() - t)
                    assert r.status_code == 200, r.text
                rows.append(("edit", _median(times), 0.20))

                model_server.latency = args.latency
                _generate(client, token, doc, "scripted")  # the first use imports the client
                live, requests = [], []
                for seed in (1, 2, 3):
                    profile(seed)  # every section a real request, none from the cache
                    before = model_server.count()
                    live.append(_generate(client, token, doc, "scripted"))
                    requests.append(model_server.count() - before)

                ideal = math.ceil(7 / 4) * args.latency
                rows.append(("live", _median(live), ideal))
                direct = []
                for seed in (4, 5, 6):
                    profile(seed)
                    os.environ["BENCH_WEB_KEY"] = "sk-bench"
                    t = time.perf_counter()
                    draft_document(spec, facts, get_model("scripted"))
                    direct.append(time.perf_counter() - t)
                rows.append(("live/run", _median(live), _median(direct)))
        finally:
            stop_serve(served)

    print(f"{'step':<10}{'median s':>10}{'target s':>10}{'ratio':>8}")
    for name, value, target in rows:
        print(f"{name:<10}{value:>10.3f}{target:>10.3f}{value / target:>8.2f}")
    print(
        "generate: target = the same draft made in-process (ratio = the web app's overhead); "
        f"live: target = ⌈7/4⌉ × {args.latency} s; model requests per live run: {requests} "
        "(7 sections, plus any repair re-asks the drafter made); live/run: target = the same "
        "draft with the same model made in-process (ratio = the web app's overhead)"
    )


if __name__ == "__main__":
    main()
