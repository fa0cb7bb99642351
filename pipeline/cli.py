"""The `draft` command: one sub-command per module in `pipeline/commands/`.

Sub-commands are lazy: `draft check …` imports `pipeline.commands.check` and builds only its
click command, and `draft --help` lists every command from `COMMANDS` without importing any
of them (start-up time is an issue #4 target).

Every command shares the exit codes in `pipeline.errors.ExitCode`, and every error the
pipeline knows about is printed as one clear message, never as a traceback.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterator, MutableMapping
from typing import Annotated, Any

import typer
import typer.main
from typer._click import Command, Context, HelpFormatter
from typer._click.utils import make_default_short_help
from typer.core import TyperGroup
from typer.models import CommandInfo, TyperInfo

from pipeline.errors import DraftsmithError, ExitCode

COMMANDS: dict[str, tuple[str, str]] = {
    "run": (
        "pipeline.commands.run:run",
        "Draft every section of a report from FACTS_FILE and write the assembled draft.",
    ),
    "check": (
        "pipeline.commands.check:check",
        "Check FILE for missing parts, placeholder and silent gaps, broken set phrases, site "
        "residue, and (with --facts) numbers the facts cannot back.",
    ),
    "doctypes": (
        "pipeline.commands.doctypes:doctypes",
        "List every document type (built-in, --spec-dir and learned) with its sections.",
    ),
    "facts-template": (
        "pipeline.commands.facts_template:facts_template",
        "Print an annotated YAML facts skeleton for DOCTYPE (labels, descriptions, examples).",
    ),
    "learn": (
        "pipeline.commands.learn:learn",
        "Learn a new document type from SAMPLE: its sections, templates and facts.",
    ),
    "serve": (
        "pipeline.commands.serve:serve",
        "Start the local web app: fill in the facts, generate, review and download the report.",
    ),
    "export": (
        "pipeline.commands.export:export",
        "Render DRAFT_FILE again in another format, without calling a model.",
    ),
    "eval": (
        "pipeline.commands.eval:eval_app",
        "Evaluate drafts, prompts and models on a suite of cases (draft eval SUITE).",
    ),
    "cache": (
        "pipeline.commands.cache:cache_app",
        "The cache of model answers (re-runs with the same prompts cost nothing).",
    ),
    "logs": (
        "pipeline.commands.logs:logs_app",
        "The run log: every draft run with its prompts, responses and usage.",
    ),
}
"""Sub-command name → ("module:attribute" of its function or Typer sub-app, the first
paragraph of its help). `draft --help` shows the help from here; a test keeps it equal to
the command's own docstring or help."""


def load_command(name: str) -> Any:
    """The function or Typer sub-app behind sub-command `name` (imports its module)."""
    module, attribute = COMMANDS[name][0].split(":")
    return getattr(importlib.import_module(module), attribute)


class _LazyCommands(MutableMapping[str, Command]):
    """The group's commands: each click command is built on first access, so that `name in`,
    iteration and typo suggestions cost nothing."""

    def __init__(self, group: _LazyGroup) -> None:
        self._group = group
        self._built: dict[str, Command] = {}

    def __getitem__(self, name: str) -> Command:
        if name not in self._built:
            if name not in COMMANDS:
                raise KeyError(name)
            self._built[name] = self._group.build(name)
        return self._built[name]

    def __setitem__(self, name: str, command: Command) -> None:
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        del self._built[name]

    def __iter__(self) -> Iterator[str]:
        yield from COMMANDS
        yield from (name for name in self._built if name not in COMMANDS)

    def __len__(self) -> int:
        return len(COMMANDS.keys() | self._built.keys())

    def __contains__(self, name: object) -> bool:
        return name in COMMANDS or name in self._built


class _LazyGroup(TyperGroup):
    """The `draft` group, building a sub-command's click command only when it is used."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = _LazyCommands(self)

    def build(self, name: str) -> Command:
        """Sub-command `name` as click would have it had it been registered on `app`."""
        target = load_command(name)
        if isinstance(target, typer.Typer):
            return typer.main.get_group_from_info(
                TyperInfo(target, name=name),
                pretty_exceptions_short=app.pretty_exceptions_short,
                rich_markup_mode=self.rich_markup_mode,
                suggest_commands=self.suggest_commands,
            )
        return typer.main.get_command_from_info(
            CommandInfo(name=name, callback=target),
            pretty_exceptions_short=app.pretty_exceptions_short,
            rich_markup_mode=self.rich_markup_mode,
        )

    def list_commands(self, ctx: Context) -> list[str]:
        return list(self.commands)

    def format_commands(self, ctx: Context, formatter: HelpFormatter) -> None:
        # The short help comes from COMMANDS: building every command would import them all.
        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        rows = [
            (name, make_default_short_help(help, limit)) for name, (_, help) in COMMANDS.items()
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


app = typer.Typer(
    name="draft",
    cls=_LazyGroup,
    help="Draft formal Chinese reports (工作总结) from facts, and check them for gaps.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)


def _show_version(shown: bool) -> None:
    if shown:
        from pipeline import __version__

        typer.echo(f"draft (Draftsmith) {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Show the version and exit.", callback=_show_version, is_eager=True
        ),
    ] = False,
) -> None:
    # Without a callback or registered commands Typer would not make `app` a group.
    pass


def main() -> None:
    """Entry point of the `draft` console script."""
    # pydantic looks for plugins in every installed distribution's metadata when it builds
    # its first model (typer switches that off while it builds its own validators); the CLI
    # uses none, and the scan costs every command's start. A user's own setting wins.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "1")
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
