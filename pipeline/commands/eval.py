"""`draft eval`: run an evaluation suite, resume it, compare runs, list suites and runs.

    draft eval SUITE [--model M ...] [--output PATH ...] [--repeat N] [--case ID ...] [--tag T ...]
                     [--concurrency N] [--workers N]
    draft eval --resume RUN [--retry-errors] [--output PATH ...]
    draft eval compare RUN_A RUN_B [--format text|md|json] [--fail-on-regression]
    draft eval report RUN --output PATH ...
    draft eval list

SUITE is a suite file or the name of a built-in suite (`draft eval school-ideology-summary`).
Runs are kept in `<user data>/runs/<RUN_ID>/`. Exit 0 when every threshold holds, 1 when one
fails (or the run is incomplete), 2 on a bad suite or option.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from typer.core import TyperGroup

from pipeline.errors import ExitCode, InputError

if TYPE_CHECKING:  # imported when the command runs: the CLI starts without them
    from rich.progress import Progress
    from typer._click import Context

    from pipeline.evals.compare import Comparison
    from pipeline.evals.journal import SampleResult
    from pipeline.evals.runner import ProgressSink


class _SuiteFirstGroup(TyperGroup):
    """`draft eval SUITE …` runs a suite; `draft eval compare|report|list …` are sub-commands."""

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


eval_app = typer.Typer(
    cls=_SuiteFirstGroup,
    name="eval",
    help="Evaluate drafts, prompts and models on a suite of cases (draft eval SUITE).",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def _progress(quiet: bool) -> tuple[ProgressSink | None, Progress | None]:
    """A per-sample progress sink: a rich bar on a terminal, plain lines otherwise."""
    if quiet:
        return None, None
    if sys.stderr.isatty():
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        bar = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
            # Redrawn on each finished sample, not by a thread: a run may fork workers, and
            # forking with a thread running is unsafe.
            auto_refresh=False,
        )
        task = bar.add_task("samples", total=None)

        def on_bar(result: SampleResult, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, description=result.case[:30])
            bar.refresh()

        return on_bar, bar

    def on_line(result: SampleResult, done: int, total: int) -> None:
        state = "ERROR" if result.status == "error" else ("pass" if result.passed else "FAIL")
        print(
            f"[{done}/{total}] {result.case} · {result.model} · {result.variant} "
            f"#{result.repeat}: {state} ({result.duration_s:.2f}s)",
            file=sys.stderr,
            flush=True,
        )

    return on_line, None


def _not_a_run_file(out: Path) -> None:
    """Refuse an output that would replace a file of a stored run (its record, its journal):
    the run could no longer be resumed, reported or compared."""
    from pipeline.evals.journal import RUN_FILE

    folder = out.resolve().parent
    if out.exists() and (folder / RUN_FILE).is_file():
        raise InputError(
            f"the output would replace {out.name}, a file of the evaluation run {folder.name}; "
            "give another file name",
            path=str(out),
        )


def _finish(run_dir: Path, outputs: list[Path]) -> int:
    """Print the terminal report, write the report files, return the exit code."""
    from pipeline.evals.compare import run_summary
    from pipeline.evals.report import write_report
    from pipeline.evals.report.common import unfinished_note
    from pipeline.evals.report.terminal import print_summary

    meta, samples, summary = run_summary(run_dir)
    print_summary(summary, samples)
    for out in outputs:
        write_report(out, meta, summary, samples)
        print(f"wrote {out}", file=sys.stderr)
    if not summary.complete:
        print(unfinished_note(summary), file=sys.stderr)
    errored = sum(g.errors for g in summary.groups)
    if errored:  # `--resume` alone would leave them as they are
        print(
            f"{errored} sample(s) ended in an error; once its cause is fixed, run them again "
            f"with `draft eval --resume {meta.run_id} --retry-errors`",
            file=sys.stderr,
        )
    print(f"run {meta.run_id} ({run_dir})", file=sys.stderr)
    return ExitCode.OK if summary.passed else ExitCode.FINDINGS


@eval_app.command("run")
def run(
    suite: Annotated[
        str | None,
        typer.Argument(metavar="SUITE", help="A suite file, or a built-in suite's name."),
    ] = None,
    model: Annotated[
        list[str] | None,
        typer.Option(
            "--model",
            "-m",
            metavar="<model>",
            help="Use these models instead of the suite's (repeatable).",
        ),
    ] = None,
    output: Annotated[
        list[Path] | None,
        typer.Option(
            "--output",
            "-o",
            metavar="<path>",
            help="Write a report: .json, .md, .xml (JUnit) or .html (repeatable).",
        ),
    ] = None,
    resume: Annotated[
        str | None, typer.Option(help="Finish an interrupted run (its id or folder).")
    ] = None,
    retry_errors: Annotated[
        bool, typer.Option("--retry-errors", help="With --resume: run failed samples again.")
    ] = False,
    repeat: Annotated[
        int | None, typer.Option(min=1, max=100, help="Drafts per case and model.")
    ] = None,
    case: Annotated[
        list[str] | None,
        typer.Option("--case", metavar="<id>", help="Run only this case (repeatable)."),
    ] = None,
    tag: Annotated[
        list[str] | None,
        typer.Option(
            "--tag",
            metavar="<tag>",
            help="Run only the cases with this tag (repeatable: any of them).",
        ),
    ] = None,
    concurrency: Annotated[
        int | None, typer.Option(min=1, help="Model calls in flight for the whole run.")
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Ask the models even when an answer is cached.")
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Processes to spread the run over (default: one per core for a large run, "
            "on Linux).",
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No per-sample progress.")] = False,
) -> None:
    """Run SUITE: every case × model × prompt variant × repeat, scored and journaled."""
    from pipeline.evals.journal import RunOptions
    from pipeline.evals.report import report_format
    from pipeline.evals.runner import resume_run, start_run
    from pipeline.textio import check_output_path

    outputs = list(output or [])
    for out in outputs:
        check_output_path(out, source=suite)  # before the run, not after it
        report_format(out)
        _not_a_run_file(out)
    if resume and suite:
        raise InputError("give a SUITE or --resume RUN, not both")
    if not resume and not suite:
        raise InputError("missing SUITE: give a suite file or name, or --resume RUN")
    if resume and (model or case or tag or repeat):
        raise InputError(
            "--resume keeps the run's models, cases and repeats: drop --model/--case/--tag/--repeat"
        )
    if retry_errors and not resume:
        raise InputError("--retry-errors needs --resume RUN")
    sink, bar = _progress(quiet)
    started = time.perf_counter()
    run_dir: Path | None = None

    def on_start(path: Path) -> None:
        nonlocal run_dir
        run_dir = path
        print(f"run {path.name}", file=sys.stderr, flush=True)

    try:
        if bar is not None:
            bar.start()
        if resume:
            result = resume_run(
                resume,
                retry_errors=retry_errors,
                concurrency=concurrency,
                workers=workers,
                no_cache=no_cache,
                progress=sink,
                on_start=on_start,
            )
        else:
            options = RunOptions(
                models=model,
                cases=case,
                tags=tag,
                repeat=repeat,
                concurrency=concurrency,
                no_cache=no_cache,
                workers=workers,
            )
            result = start_run(suite or "", options, progress=sink, on_start=on_start)
    except KeyboardInterrupt:
        if bar is not None:
            bar.stop()
        if run_dir is not None:
            print(
                f"interrupted: finished samples are journaled; resume with "
                f"`draft eval --resume {run_dir.name}`",
                file=sys.stderr,
            )
        raise typer.Exit(130) from None
    finally:
        if bar is not None:
            bar.stop()
    elapsed = time.perf_counter() - started
    print(
        f"{result.model_calls} answer(s) from the model, {result.cached_calls} from the cache, "
        f"peak {result.peak_in_flight} in flight, "
        + (f"{result.workers} processes, " if result.workers > 1 else "")
        + f"{elapsed:.1f}s",
        file=sys.stderr,
    )
    raise typer.Exit(_finish(result.run_dir, outputs))


@eval_app.command("report")
def report(
    run_id: Annotated[str, typer.Argument(metavar="RUN", help="A run id or folder.")],
    output: Annotated[
        list[Path] | None,
        typer.Option(
            "--output", "-o", metavar="<path>", help="Write a report: .json, .md, .xml or .html."
        ),
    ] = None,
) -> None:
    """Show a stored run's report again, and write report files from it."""
    from pipeline.evals.journal import find_run
    from pipeline.evals.report import report_format
    from pipeline.textio import check_output_path

    run_dir = find_run(run_id)
    for out in output or []:
        check_output_path(out)
        report_format(out)
        _not_a_run_file(out)
    raise typer.Exit(_finish(run_dir, list(output or [])))


@eval_app.command("compare")
def compare(
    run_a: Annotated[str, typer.Argument(metavar="RUN_A", help="The baseline run.")],
    run_b: Annotated[str, typer.Argument(metavar="RUN_B", help="The run to compare with it.")],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format", help="text, md or json (default: from the -o file's extension, else text)."
        ),
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here.")] = None,
    fail_on_regression: Annotated[
        bool,
        typer.Option(
            "--fail-on-regression",
            help="Exit 1 when any sample regressed, or is in RUN_A but missing from RUN_B.",
        ),
    ] = False,
) -> None:
    """Metric deltas per model between two runs, and the cases that regressed."""
    from pipeline.evals.compare import compare_runs, comparison_json, comparison_markdown
    from pipeline.textio import check_output_path, write_atomic

    if fmt is None:
        fmt = "text" if output is None else _comparison_format(output)
    if fmt not in ("text", "md", "json"):
        raise InputError(f"--format {fmt}: expected text, md or json")
    if output is not None:
        check_output_path(output)
        _not_a_run_file(output)
    c = compare_runs(run_a, run_b)
    text = comparison_json(c) if fmt == "json" else comparison_markdown(c)
    if output is not None:
        write_atomic(output, text)
        print(f"wrote {output}", file=sys.stderr)
    elif fmt == "text":
        _print_comparison(c)
    else:
        sys.stdout.write(text)
    if fail_on_regression and c.only_in_a:
        # A gate must not pass on samples that were never run.
        print(
            f"{len(c.only_in_a)} sample(s) of RUN_A missing from RUN_B count as regressed",
            file=sys.stderr,
        )
    failed = fail_on_regression and (c.regressions or c.only_in_a)
    raise typer.Exit(ExitCode.FINDINGS if failed else ExitCode.OK)


def _comparison_format(output: Path) -> str:
    """The comparison's format as the name of its output file tells it."""
    suffix = output.suffix.lower()
    by_suffix = {".json": "json", ".md": "md", ".markdown": "md", ".txt": "text", "": "text"}
    if suffix not in by_suffix:  # a Markdown table in report.html would not open as one
        raise InputError(
            f"cannot tell the comparison's format from '{output.name}': name it .md, .txt "
            "or .json, or add --format text|md|json"
        )
    return by_suffix[suffix]


def _print_comparison(c: Comparison) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from pipeline.evals.compare import one_run_lines, served_lines

    console = Console()
    table = Table(title=f"{c.run_a} → {c.run_b}", title_justify="left")
    for header in ("model", "metric", "A", "B", "Δ", ""):
        table.add_column(header, justify="left" if header in ("model", "metric", "") else "right")
    colour = {"better": "green", "worse": "red"}
    for d in c.deltas:
        delta = "–" if d.delta is None else f"{d.delta:+.4g}"
        a = "–" if d.a is None else f"{d.a:.4g}"
        b = "–" if d.b is None else f"{d.b:.4g}"
        style = colour.get(d.verdict)
        table.add_row(
            escape(d.group),
            d.metric,
            a,
            b,
            delta,
            f"[{style}]{d.verdict}[/]" if style else d.verdict,
        )
    console.print(table)
    for line in served_lines(c):
        console.print(f"[yellow]{escape(line)}[/]", highlight=False)
    console.print(f"regressed samples: {len(c.regressions)}", highlight=False)
    for r in c.regressions:
        console.print(
            f"  [red]✗[/] {escape(r.case)} · {escape(r.group)} #{r.repeat}: "
            f"{escape('; '.join(r.reasons))}"
        )
    console.print(f"improved samples: {len(c.improvements)}", highlight=False)
    for r in c.improvements:
        console.print(
            f"  [green]✓[/] {escape(r.case)} · {escape(r.group)} #{r.repeat}: "
            f"{escape('; '.join(r.reasons))}"
        )
    if c.only_in_a or c.only_in_b:
        console.print(
            f"only in A: {len(c.only_in_a)} sample(s); only in B: {len(c.only_in_b)}; "
            f"the metrics compare the {c.matched} sample(s) in both runs",
            highlight=False,
        )
        for run, keys in (("A", c.only_in_a), ("B", c.only_in_b)):
            for line in one_run_lines(keys):
                console.print(f"  only in {run}: {escape(line)}", highlight=False)


@eval_app.command("list")
def list_() -> None:
    """List the built-in suites and the stored runs."""
    from pipeline.evals.journal import RUN_FILE, read_meta, runs_dir
    from pipeline.evals.suite import builtin_suites, load_suite

    print("built-in suites:")
    for path in builtin_suites():
        suite, _ = load_suite(path)
        print(f"  {path.stem}  ({suite.kind}, {len(suite.cases)} cases)  {suite.description[:60]}")
    runs = sorted(d for d in runs_dir().glob("*") if (d / RUN_FILE).is_file())
    print(f"runs ({runs_dir()}):")
    for d in runs[-20:]:
        try:
            meta = read_meta(d)
        except InputError as exc:  # one damaged record must not hide the other runs
            print(f"  {d.name}  damaged: {exc}")
            continue
        state = "finished" if meta.finished_at else "interrupted"
        print(f"  {meta.run_id}  {meta.suite_name}  {meta.planned} samples  {state}")
    if not runs:
        print("  none")
