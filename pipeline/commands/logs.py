"""`draft logs`: the runs recorded in the run log, and every prompt and response of one.

draft logs [-n 20] [--json]
draft logs show ID [--json]
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from pipeline.errors import InputError

logs_app = typer.Typer(
    name="logs",
    help="The run log: every draft run with its prompts, responses and usage.",
    invoke_without_command=True,
)


def _usage_line(usage) -> str:  # type: ignore[no-untyped-def]
    from pipeline.progress import describe_usage

    return describe_usage(usage) if usage is not None else ""


@logs_app.callback()
def logs(
    ctx: typer.Context,
    count: Annotated[int, typer.Option("-n", "--count", min=1, help="How many runs.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the latest runs, newest first (`draft logs show ID` for one run)."""
    if ctx.invoked_subcommand is not None:
        return
    from pipeline.runlog import RunLog, default_log_path

    if not default_log_path().exists():
        print("no runs logged yet" if not as_json else "[]")
        return
    runs = RunLog().runs(count)
    if as_json:
        print(
            json.dumps(
                [r.model_dump(exclude={"calls"}) for r in runs], ensure_ascii=False, indent=2
            )
        )
        return
    if not runs:
        print("no runs logged yet")
        return
    for r in runs:
        failed = sum(1 for s in r.sections if s.get("status") == "failed")
        state = "running/interrupted" if r.exit_code is None else f"exit {r.exit_code}"
        extra = f", {failed} section(s) failed" if failed else ""
        print(
            f"{r.id:>5}  {_local(r.started_at)}  {r.doctype or '-'}  model {r.model or '-'}  {state}{extra}"
        )
        line = _usage_line(r.usage)
        if line:
            print(f"       {line}")


def _local(stamp: str) -> str:
    """A stored UTC time as the user's clock shows it (`2026-11-30 17:59:22 +0800`); the JSON
    keeps the stored form."""
    import datetime as dt

    try:
        moment = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S %z")


@logs_app.command("show")
def show(
    run_id: Annotated[int, typer.Argument(help="The run's id, as `draft logs` lists it.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Print one run: options, per-section results, and every prompt and response."""
    from pipeline.runlog import RunLog, default_log_path

    record = RunLog().run(run_id) if default_log_path().exists() else None
    if record is None:
        raise InputError(f"no run {run_id} in the run log ({default_log_path()}); see `draft logs`")
    if as_json:
        print(record.model_dump_json(indent=2))
        return
    print(
        f"run {record.id}: {record.doctype} with {record.model}, started {_local(record.started_at)}"
    )
    print(f"  facts {record.facts_source}  output {record.output or '(stdout)'}")
    print(f"  exit code {record.exit_code}  {_usage_line(record.usage)}")
    if record.options:
        print("  options: " + ", ".join(f"{k}={v}" for k, v in record.options.items()))
    for s in record.sections:
        err = f" — {s['error']}" if s.get("error") else ""
        print(f"  [{s['id']}] {s['status']}, {s['attempts']} answer(s){err}")
    for call in record.calls:
        print()
        print(
            f"--- call {call.id}  [{call.section}]  {_local(call.created_at)}  {_usage_line(call.usage)}"
        )
        for m in call.messages:
            print(f"<{m.role}>")
            print(m.content)
        if call.error:
            print(f"<error> {call.error}")
        else:
            print(f"<response finish_reason={call.finish_reason}>")
            print(call.response or "")
