"""`draft cache`: where the response cache is, how big it is, and emptying it.

draft cache info
draft cache clear [--model NAME] [--older-than DAYS]
"""

from __future__ import annotations

import errno
import os
from typing import TYPE_CHECKING, Annotated

import typer

from pipeline.errors import InputError

if TYPE_CHECKING:
    from pathlib import Path

    from pipeline.cache import ResponseCache

cache_app = typer.Typer(
    name="cache",
    help="The cache of model answers (re-runs with the same prompts cost nothing).",
    no_args_is_help=True,
)


@cache_app.command("info")
def info() -> None:
    """Print the cache file, its entries, hits and size."""
    from pipeline.cache import ResponseCache

    cache = ResponseCache()
    stats = cache.stats()
    print(f"cache: {stats['path']}")
    print(f"  {stats['entries']} answer(s), {stats['hits']} hit(s), {stats['bytes']:,} bytes")
    for model, count in cache.models():
        print(f"  {count:>6}  {model}")


def _remove_folder(folder: Path) -> None:
    """Delete `folder` while other processes may write into it (a run compiling its
    templates) or delete it too (another clear): it is first renamed aside, so that their new
    files go to a new folder instead of making the deletion fail with 'Directory not empty'."""
    import shutil

    aside = folder.with_name(f".{folder.name}.removing-{os.getpid()}")
    try:
        folder.rename(aside)
    except FileNotFoundError:  # another clear took it
        return
    if aside.is_symlink() or not aside.is_dir():  # a file (or link) where the folder belongs
        aside.unlink()
        return
    for _ in range(5):  # a file whose writer found the folder just before the rename
        try:
            shutil.rmtree(aside)
            return
        except OSError as exc:
            if exc.errno != errno.ENOTEMPTY:
                raise
    shutil.rmtree(aside)


@cache_app.command("clear")
def clear(
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            help="Only this model's answers: its name at the endpoint, as `info` lists "
            "it, or the --model of draft run (a draft.toml profile, openai:NAME).",
        ),
    ] = None,
    older_than: Annotated[
        float | None,
        typer.Option("--older-than", min=0, help="Only the answers stored more than DAYS ago."),
    ] = None,
) -> None:
    """Delete every cached answer and judge's verdict, and the checked and compiled prompt
    templates; or, with --model or --older-than, only those answers."""
    from pipeline.cache import ResponseCache
    from pipeline.paths import judge_cache_dir, templates_cache_dir

    cache = ResponseCache()
    if model is not None or older_than is not None:
        _prune(cache, model, older_than)
        return
    removed = cache.clear()
    cache.close()
    print(f"removed {removed} cached answer(s) from {cache.path}")
    verdicts = judge_cache_dir()
    if verdicts.exists():
        count = sum(1 for _ in verdicts.glob("*.json"))
        _remove_folder(verdicts)
        print(f"removed {count} cached judge verdict(s) from {verdicts}")
    templates = templates_cache_dir()
    if templates.exists():
        _remove_folder(templates)
        print(f"removed the checked and compiled templates in {templates}")


def _asked_model(name: str) -> str:
    """The model name at the endpoint that `--model NAME` of `draft run` asks for: a profile's
    `model`, or what follows `openai:`; `name` itself otherwise (or when draft.toml is bad)."""
    from pipeline.config import load_config
    from pipeline.errors import DraftsmithError
    from pipeline.models.registry import OPENAI_PREFIX

    if name.startswith(OPENAI_PREFIX):
        return name[len(OPENAI_PREFIX) :]
    try:
        profile = load_config().profiles.get(name)
    except DraftsmithError:
        return name
    return profile.model if profile is not None else name


def _prune(cache: ResponseCache, model: str | None, older_than: float | None) -> None:
    """`clear` with a filter: only the matching answers go."""
    import datetime as dt

    from pipeline.validation import did_you_mean_or_list

    known = [name for name, _ in cache.models()]
    named = model
    if model is not None and model not in known:
        asked = _asked_model(model)
        if asked not in known:
            hint = did_you_mean_or_list(model, known, listed="cached", empty="; the cache is empty")
            raise InputError(f"--model '{model}': no cached answer is from it{hint}")
        model = asked
    before = None
    if older_than is not None:
        before = dt.datetime.now(dt.UTC) - dt.timedelta(days=older_than)
    removed = cache.prune(model=model, before=before)
    cache.close()
    which = (
        f" of {model}" + (f" (what {named} asks for)" if named != model else "") if model else ""
    ) + (f" older than {older_than:g} day(s)" if older_than is not None else "")
    print(f"removed {removed} cached answer(s){which} from {cache.path}")
