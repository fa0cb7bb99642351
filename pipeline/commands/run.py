"""`draft run`: draft a report from a facts file."""

from __future__ import annotations

import signal
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from pipeline.commands.options import Outputs, SpecDirs, output_targets
from pipeline.errors import DraftsmithError, ExitCode, InputError

if TYPE_CHECKING:
    import asyncio

    from pipeline.document import Draft
    from pipeline.facts import Facts
    from pipeline.models.base import Model
    from pipeline.models.registry import ModelOptions
    from pipeline.spec import DocSpec

T = TypeVar("T")

CACHED_HINT = "the model's answers are cached and are not asked for again"
"""Why a run whose output could not be written costs nothing to run again."""


def run(
    facts_file: Annotated[
        Path, typer.Argument(metavar="FACTS_FILE", help="The facts file (YAML or JSON).")
    ],
    doctype: Annotated[
        str | None, typer.Option(help="Document type; defaults to the file's 'doctype:'.")
    ] = None,
    model: Annotated[
        str, typer.Option(help="offline (default), openai:<model>, or a profile name.")
    ] = "offline",
    outputs: Outputs = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format", help="md, txt, json or docx; defaults to the output's extension, else md."
        ),
    ] = None,
    concurrency: Annotated[int, typer.Option(min=1, help="Sections requested at once.")] = 4,
    repairs: Annotated[
        int, typer.Option(min=0, help="Re-asks per section while errors remain.")
    ] = 2,
    spec_dir: SpecDirs = None,
    base_url: Annotated[
        str | None,
        typer.Option(help="OpenAI-compatible endpoint (else the profile's, else OPENAI_BASE_URL)."),
    ] = None,
    api_key_env: Annotated[
        str | None,
        typer.Option(help="Environment variable holding the API key (else OPENAI_API_KEY)."),
    ] = None,
    temperature: Annotated[
        float | None, typer.Option(min=0.0, max=2.0, help="Sampling temperature.")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Sampling seed, where supported.")] = None,
    max_tokens: Annotated[
        int | None, typer.Option(min=1, help="Longest answer per request, in tokens.")
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option(min=0.01, help="Seconds to wait for an answer (read timeout; default 120)."),
    ] = None,
    connect_timeout: Annotated[
        float | None, typer.Option(min=0.01, help="Seconds to wait for a connection (default 10).")
    ] = None,
    max_attempts: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=50,
            help="Requests per call, retries of transient failures included (default 5).",
        ),
    ] = None,
    deadline: Annotated[
        float | None,
        typer.Option(
            min=0.01,
            help="Seconds one section may take, retries and repairs included (default 300).",
        ),
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Ask the model even when the answer is cached.")
    ] = False,
    no_log: Annotated[
        bool, typer.Option("--no-log", help="Do not record this run in the run log.")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("-q", "--quiet", help="No per-section progress display.")
    ] = False,
    clean: Annotated[
        bool,
        typer.Option(
            "--clean", help="Word: no comments; only the 【待补充：…】 markers stay highlighted."
        ),
    ] = False,
) -> None:
    """Draft every section of a report from FACTS_FILE and write the assembled draft."""
    from pipeline.facts import load_facts
    from pipeline.models import get_model
    from pipeline.models.base import asked_model
    from pipeline.render import render, word_options
    from pipeline.summary import print_run_summary
    from pipeline.written import (
        nothing_written,
        print_kept_copies,
        print_unwritten,
        write_output,
    )

    targets = output_targets(outputs, fmt, source=facts_file)  # before any model is asked
    files = [out for out, _ in targets if out is not None]
    spec, facts = load_facts(facts_file, doctype=doctype, spec_dirs=spec_dir)
    options = _model_options(
        base_url=base_url,
        api_key_env=api_key_env,
        temperature=temperature,
        seed=seed,
        max_tokens=max_tokens,
        read_timeout=timeout,
        connect_timeout=connect_timeout,
        max_attempts=max_attempts,
        deadline=deadline,
    )
    chosen = get_model(model, options=options, use_cache=not no_cache, key_flag="--api-key-env")
    asked = asked_model(chosen)

    # A SIGTERM (a CI job cancelled, `timeout`, a service stopped) is an interruption like
    # Ctrl-C: the run is logged as such and no half-written output is left.
    interruptions = _Interruptions()
    log, run_id = None, 0
    if not no_log:
        from pipeline.runlog import RecordingModel, RunLog, finish_logged_run

        try:  # before any model is asked: nothing is paid for yet
            log = RunLog()
            run_id = log.start_run(
                doctype=spec.id,
                model=model,
                asked_model=asked,
                # absolute: the log is read later, from any folder
                facts_source=str(facts_file.absolute()),
                output=", ".join(str(f.absolute()) for f in files) or None,
                options={
                    **options.model_dump(exclude_none=True),
                    "concurrency": concurrency,
                    "repairs": repairs,
                    "cache": not no_cache,
                },
            )
        except InputError as exc:
            raise InputError(f"{exc}; or draft without the log: --no-log") from None
        chosen = RecordingModel(chosen, log, run_id)

    draft: Draft | None = None
    written: list[Path] = []
    kept_copies: list[tuple[Path, Path]] = []
    drafted: set[str] = set()  # sections done, for the message of an interruption
    try:
        draft = interruptions.run(
            _draft(
                spec,
                facts,
                chosen,
                concurrency,
                repairs,
                progress=not quiet and model != "offline",
                drafted=drafted,
            )
        )
        kept = [f for f in files if f.exists()] if _nothing_drafted(draft) else []
        unwritten: list[InputError] = []
        for output, out_format in targets:
            rendered = render(
                draft, out_format, **word_options(out_format, clean=clean, spec_style=spec.style)
            )
            if output is None:
                sys.stdout.write(rendered if isinstance(rendered, str) else rendered.decode())
                sys.stdout.flush()
            elif output not in kept:
                try:
                    copy = write_output(output, rendered)
                except InputError as exc:  # the others are still written, and all reported
                    unwritten.append(exc)
                    continue
                if copy is not None:
                    kept_copies.append((output, copy))
                written.append(output)
        to_stdout = any(output is None for output, _ in targets)
        if unwritten and not written and not to_stdout:
            raise nothing_written(unwritten)  # the reasons are all there is to say
        code = print_run_summary(
            draft,
            written,
            first=targets[0],
            shown=bool(written) or to_stdout or not kept,
            asked_model=asked,
        )
        print_kept_copies(kept_copies)
        if kept:
            print(
                f"  every section failed: {', '.join(map(str, kept))} kept as it was, not "
                "replaced by a draft of failure markers",
                file=sys.stderr,
            )
        if unwritten:
            print_unwritten(unwritten, hint=CACHED_HINT if not no_cache else "")
            code = ExitCode.BAD_INPUT
    except DraftsmithError as exc:
        if log is not None:  # the calls made before the failure were still paid for
            finish_logged_run(log, run_id, int(exc.exit_code), draft)
        raise
    except KeyboardInterrupt:
        interruptions.stopping = True  # another Ctrl-C must not cut the wrap-up short
        note = _resume_note(
            len(drafted), len(spec.drafted_sections(facts.values)), cached=not no_cache
        )
        if log is not None:
            note += "; " + finish_logged_run(log, run_id, 130, draft)
        done = f"wrote {', '.join(map(str, written))}" if written else "nothing was written"
        print(f"interrupted: {done}{note}", file=sys.stderr)
        print_kept_copies(kept_copies)
        raise typer.Exit(130) from None
    if log is not None:
        print(f"  {finish_logged_run(log, run_id, int(code), draft)}", file=sys.stderr)
    raise typer.Exit(code)


def _nothing_drafted(draft: Draft) -> bool:
    """Every section failed (a wrong key, an unreachable endpoint): such a draft must not
    replace a draft already at the output path."""
    return bool(draft.sections) and len(draft.failed_sections) == len(draft.sections)


def _resume_note(done: int, total: int, *, cached: bool) -> str:
    """What an interrupted run tells the user of the sections already drafted: how many, and
    that the same command resumes without asking the model for them again (for all of them,
    once drafting was complete and the draft was being written)."""
    if done and done == total:
        note = f"; drafting was complete (all {total} section{'s' if total > 1 else ''})"
        if cached:
            return note + (
                "; their answers are cached: run the same command again to ask the model for "
                "nothing and write the draft"
            )
        return note + " (not cached: --no-cache)"
    note = f"; {done} of {total} section(s) had been drafted"
    if done and cached:
        note += (
            "; their answers are cached: run the same command again to finish the draft "
            "without asking the model for them again"
        )
    elif done:
        note += " (not cached: --no-cache)"
    return note


class _Interruptions:
    """SIGINT and SIGTERM during `draft run`, from the moment it is made.

    The first one cancels the drafting under way (its sections stop as a cancellation, not
    as an exception in the middle of one of them, which asyncio would print as a traceback)
    and raises KeyboardInterrupt once it has stopped, or at once outside the drafting. Any
    later one is ignored: the run is already stopping, and an impatient second Ctrl-C must
    not cut short the recording of the run and the message saying what was kept."""

    def __init__(self) -> None:
        self.stopping = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[Any] | None = None
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._on_signal)

    def _on_signal(self, signum: int, frame: object) -> None:
        if self.stopping:
            return
        self.stopping = True
        if self._loop is not None and self._task is not None and not self._task.done():
            self._loop.call_soon_threadsafe(self._task.cancel)
            return
        raise KeyboardInterrupt

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run `coro` in a new event loop; KeyboardInterrupt when a signal cancelled it."""
        import asyncio

        async def main() -> T:
            self._task = asyncio.current_task()
            return await coro

        # asyncio's own SIGINT handling stays out of it: the handler set above is not the
        # default one
        with asyncio.Runner() as runner:
            self._loop = runner.get_loop()
            try:
                return runner.run(main())
            except asyncio.CancelledError:
                if self.stopping:
                    raise KeyboardInterrupt from None
                raise
            finally:
                self._loop = self._task = None


def _model_options(**values: Any) -> ModelOptions:
    """The model flags as `ModelOptions`, a bad value reported as a flag error (exit 2)."""
    from pydantic import ValidationError

    from pipeline.models.registry import ModelOptions

    try:
        return ModelOptions(**values)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        flag = "--" + str(first["loc"][0]).replace("_", "-")
        raise InputError(f"{flag}: {first['msg']}") from None


async def _draft(
    spec: DocSpec,
    facts: Facts,
    model: Model,
    concurrency: int,
    repairs: int,
    *,
    progress: bool,
    drafted: set[str],
) -> Draft:
    """Draft with a progress display (or plain retry lines), then close the model; each
    section done is added to `drafted` as it is (an interruption reports how many were)."""
    from pipeline.drafting import SectionEvent, draft_document_async
    from pipeline.models.base import close_model
    from pipeline.progress import SectionProgress, log_to_stderr

    def count(event: SectionEvent) -> None:
        if event.state == "done":
            drafted.add(event.section)

    try:
        if progress:
            with SectionProgress([s.id for s in spec.drafted_sections(facts.values)]) as display:

                def show(event: SectionEvent) -> None:
                    count(event)
                    display(event)

                return await draft_document_async(
                    spec, facts, model, concurrency=concurrency, repairs=repairs, on_event=show
                )
        import logging

        handler = log_to_stderr()
        try:
            return await draft_document_async(
                spec, facts, model, concurrency=concurrency, repairs=repairs, on_event=count
            )
        finally:
            logging.getLogger("pipeline").removeHandler(handler)
    finally:
        await close_model(model)
