"""`draft logs`: the runs recorded in the run log, and every prompt and response of one.

draft logs [-n 20] [--model M] [--doctype D] [--json]
draft logs show ID [--json]
draft logs prune (--keep N | --older-than DAYS)
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from pipeline.errors import InputError

if TYPE_CHECKING:  # imported when the command runs: the CLI starts without them
    from pipeline.models.base import Usage
    from pipeline.runlog import RunRecord

logs_app = typer.Typer(
    name="logs",
    help="The run log: every draft run with its prompts, responses and usage.",
    invoke_without_command=True,
)


def _usage_line(usage: Usage | None) -> str:
    from pipeline.progress import describe_usage

    return describe_usage(usage) if usage is not None else ""


@logs_app.callback()
def logs(
    ctx: typer.Context,
    count: Annotated[int, typer.Option("-n", "--count", min=1, help="How many runs.")] = 20,
    model: Annotated[
        str | None, typer.Option("--model", help="Only the runs with this model.")
    ] = None,
    doctype: Annotated[
        str | None, typer.Option("--doctype", help="Only the runs of this document type.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the latest runs, newest first (`draft logs show ID` for one run)."""
    if ctx.invoked_subcommand is not None:
        return
    from pipeline.runlog import RunLog, log_exists

    if not log_exists():
        print("no runs logged yet" if not as_json else "[]")
        return
    log = RunLog()
    filters: list[tuple[Literal["model", "doctype"], str | None]] = [
        ("model", model),
        ("doctype", doctype),
    ]
    for column, wanted in filters:
        if wanted is None:
            continue
        known = log.distinct(column)
        if wanted not in known:
            from pipeline.validation import did_you_mean_or_list

            hint = did_you_mean_or_list(wanted, known, listed="logged")
            raise InputError(f"--{column} '{wanted}': no logged run has it{hint}")
    runs = log.runs(count, model=model, doctype=doctype)
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
            f"{r.id:>5}  {_local(r.started_at)}  {r.doctype or '-'}  model {_model(r)}"
            f"  {state}{extra}"
        )
        line = _usage_line(r.usage)
        if line:
            print(f"       {line}")


def _model(record: RunRecord) -> str:
    """The run's model, with the model id a profile asked for and the model behind it when
    the answers named another (`deepseek (deepseek-chat, served by deepseek-v3)`)."""
    from pipeline.models.base import model_text

    if record.model is None:
        return "-"
    return model_text(record.model, record.asked_model, record.usage)


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


@logs_app.command("prune")
def prune(
    keep: Annotated[
        int | None, typer.Option("--keep", min=0, help="Keep only the newest N runs.")
    ] = None,
    older_than: Annotated[
        float | None,
        typer.Option("--older-than", min=0, help="Delete the runs started more than DAYS ago."),
    ] = None,
) -> None:
    """Delete old runs and their prompts and responses, and give the space back to the disk."""
    import datetime as dt

    from pipeline.runlog import RunLog, default_log_path, log_exists

    if keep is None and older_than is None:
        raise InputError("say which runs to delete: --keep N, --older-than DAYS, or both")
    path = default_log_path()
    if not log_exists():
        print("no runs logged yet")
        return
    before = None
    if older_than is not None:
        before = dt.datetime.now(dt.UTC) - dt.timedelta(days=older_than)
    done = RunLog().prune(keep=keep, before=before)
    size = f"{_mb(done.bytes_before)} → {_mb(done.bytes_after)}"
    print(f"deleted {done.runs} run(s) with {done.calls} call(s) from {path} ({size})")
    if not done.reclaimed:
        print("the space is given back once no other draft process has the log open")


def _mb(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 100_000 else f"{size / 1e3:.0f} kB"


@logs_app.command("show")
def show(
    run_id: Annotated[
        int, typer.Argument(metavar="RUN", help="The run's id, as `draft logs` lists it.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Print one run: options, per-section results, and every prompt and response."""
    from pipeline.runlog import RunLog, default_log_path, log_exists

    record = RunLog().run(run_id) if log_exists() else None
    if record is None:
        raise InputError(f"no run {run_id} in the run log ({default_log_path()}); see `draft logs`")
    if as_json:
        print(record.model_dump_json(indent=2))
        return
    print(
        f"run {record.id}: {record.doctype} with {_model(record)}, "
        f"started {_local(record.started_at)}"
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
