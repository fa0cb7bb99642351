"""`draft cache`: where the response cache is, how big it is, and emptying it.

draft cache info
draft cache clear
"""

from __future__ import annotations

import typer

cache_app = typer.Typer(
    name="cache",
    help="The cache of model answers (re-runs with the same prompts cost nothing).",
    no_args_is_help=True,
)


@cache_app.command("info")
def info() -> None:
    """Print the cache file, its entries, hits and size."""
    from pipeline.cache import ResponseCache

    stats = ResponseCache().stats()
    print(f"cache: {stats['path']}")
    print(f"  {stats['entries']} answer(s), {stats['hits']} hit(s), {stats['bytes']:,} bytes")


@cache_app.command("clear")
def clear() -> None:
    """Delete every cached answer and judge's verdict, and the checked and compiled prompt
    templates."""
    import shutil

    from pipeline.cache import ResponseCache
    from pipeline.paths import judge_cache_dir, templates_cache_dir

    cache = ResponseCache()
    removed = cache.clear()
    cache.close()
    print(f"removed {removed} cached answer(s) from {cache.path}")
    verdicts = judge_cache_dir()
    if verdicts.exists():
        count = sum(1 for _ in verdicts.glob("*.json"))
        shutil.rmtree(verdicts)
        print(f"removed {count} cached judge verdict(s) from {verdicts}")
    templates = templates_cache_dir()
    if templates.exists():
        shutil.rmtree(templates)
        print(f"removed the checked and compiled templates in {templates}")
