"""The `draft` command: one sub-command per module in `pipeline/commands/`.

Every command shares the exit codes in `pipeline.errors.ExitCode`, and every error the
pipeline knows about is printed as one clear message, never as a traceback.
"""

from __future__ import annotations

import sys

import typer

from pipeline.errors import DraftsmithError, ExitCode

app = typer.Typer(
    name="draft",
    help="Draft formal Chinese reports (工作总结) from facts, and check them for gaps.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)


def _register() -> None:
    from pipeline.commands import doctypes, facts_template, run

    app.command("run")(run.run)

    from pipeline.commands import check

    app.command("check")(check.check)
    app.command("doctypes")(doctypes.doctypes)
    app.command("facts-template")(facts_template.facts_template)

    from pipeline.commands import learn

    app.command("learn")(learn.learn)

    from pipeline.commands import serve

    app.command("serve")(serve.serve)

    from pipeline.commands import export

    app.command("export")(export.export)

    from pipeline.commands.eval import eval_app

    app.add_typer(eval_app, name="eval")

    from pipeline.commands.cache import cache_app
    from pipeline.commands.logs import logs_app

    app.add_typer(cache_app, name="cache")
    app.add_typer(logs_app, name="logs")


_register()


def main() -> None:
    """Entry point of the `draft` console script."""
    try:
        app()
    except DraftsmithError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except BrokenPipeError:  # `draft run … | head`: the reader left, nothing to report
        sys.exit(ExitCode.OK)
    except OSError as exc:  # a path the user gave that the system refuses (permissions, full disk…)
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
        sys.exit(ExitCode.BAD_INPUT)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
