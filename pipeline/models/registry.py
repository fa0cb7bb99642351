"""Turning a `--model` value into a model.

- `offline`: the deterministic skeleton, no network;
- `openai:<model>`: any OpenAI-compatible endpoint — base URL from `--base-url` or
  `OPENAI_BASE_URL`, key from the variable `--api-key-env` names or `OPENAI_API_KEY`;
- a profile name from `draft.toml` (see `pipeline.config`): base URL, model, key variable,
  temperature, seed, max tokens, provider-specific request fields and prices; flags override
  the profile's values.

Real models are wrapped in the response cache unless `use_cache=False`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from pipeline.config import KeyEnv, ModelProfile, config_paths, load_config
from pipeline.errors import InputError, MissingKeyError
from pipeline.models.base import Model
from pipeline.models.redact import redact

OPENAI_PREFIX = "openai:"
REASONING_MODEL = re.compile(r"(?i)^(?:o\d|gpt-5)")
"""OpenAI's reasoning models (o1, o3-mini, o4-mini, gpt-5…): they take max_completion_tokens."""


class ModelOptions(BaseModel):
    """Per-run overrides of a model's settings (the `draft run` flags)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: str | None = None
    api_key_env: KeyEnv | None = None
    temperature: float | None = Field(None, ge=0, le=2)
    seed: int | None = None
    max_tokens: int | None = Field(None, gt=0)
    connect_timeout: float | None = Field(None, gt=0)
    read_timeout: float | None = Field(None, gt=0)
    max_attempts: int | None = Field(None, ge=1, le=50)
    deadline: float | None = Field(None, gt=0)


def _profile_for(name: str, cwd: Path | None) -> tuple[ModelProfile, dict[str, object], str | None]:
    """The profile `name` chooses, the retry settings, and the draft.toml the profile is
    from (None for `openai:<model>`)."""
    config = load_config(cwd)
    if name.startswith(OPENAI_PREFIX):
        model = name[len(OPENAI_PREFIX) :].strip()
        if not model:
            raise InputError("--model openai: needs a model name, e.g. openai:gpt-4o-mini")
        return ModelProfile(model=model), config.retry, None
    if name in config.profiles:
        return config.profiles[name], config.retry, config.profile_files.get(name)
    where = " or ".join(str(p) for p in config_paths(cwd))
    known = ", ".join(sorted(config.profiles)) or "none"
    raise InputError(
        f"unknown model '{name}': use 'offline', 'openai:<model>', or a profile defined in "
        f"{where} (profiles found: {known})"
    )


def _check_url(url: str, source: str, path: str | None = None) -> str:
    """`url` without its trailing slash, or InputError naming `source` (and the file `path`
    it is written in) and what is wrong with it: checked here, so that a malformed one fails
    before any section (not as a traceback from the HTTP client, or as a connection failure
    in every section)."""
    from urllib.parse import urlsplit

    url = url.strip()
    if not url.startswith(("http://", "https://")):
        raise InputError(
            f"base URL from {source} must start with http:// or https://, got '{redact(url)[:60]}'",
            path=path,
        )
    bad_port = "the port must be a number from 1 to 65535"
    try:
        parts = urlsplit(url)
        port = parts.port  # ValueError when not a number in 0–65535
    except ValueError as exc:
        problem = bad_port if "Port" in str(exc) else str(exc)
    else:
        problem = ""
        if parts.username is not None or parts.password is not None:
            # aiohttp refuses credentials in the URL beside the key's Authorization header
            raise InputError(
                f"base URL from {source} carries a user name or password "
                f"('{redact(url)[:80]}'): the endpoint's key goes in the key variable "
                "(OPENAI_API_KEY or a profile's key_env), not in the URL",
                path=path,
            )
        if not parts.hostname:
            problem = "it names no host"
        elif any(ch.isspace() for ch in url):
            problem = "it holds a blank"
        elif port == 0:
            problem = bad_port
    if problem:
        raise InputError(
            f"base URL from {source} is not a usable URL ({problem}): '{redact(url)[:80]}'",
            path=path,
        )
    url = url.rstrip("/")
    # A common slip: the endpoint's full address, as provider docs show it in curl examples.
    endpoint = re.search(r"/(?:chat/)?completions$", urlsplit(url).path)
    if endpoint:
        base = url[: url.rindex(endpoint.group(0))]
        raise InputError(
            f"base URL from {source} ends in {endpoint.group(0)}, which the client adds "
            f"itself: give the address before it, '{base[:80]}'",
            path=path,
        )
    return url


_LOCAL_KEY_HINT = (
    "; a local server that needs no key (Ollama, llama.cpp, vLLM without --api-key) takes "
    "any value, e.g. export {var}=local, or set key_required = false in its draft.toml profile"
)


def _other_key_hint(name: str, key_env: str, flagged: bool, key_flag: str | None) -> str:
    """For a missing key: the other key variables that are set (by name only), as a key put
    in OPENAI_API_KEY for a profile that reads DEEPSEEK_API_KEY, and how to use one."""
    others = sorted(
        var
        for var, value in os.environ.items()
        if var != key_env and var.endswith("API_KEY") and value.strip()
    )
    if not others:
        return ""
    first = "OPENAI_API_KEY" if "OPENAI_API_KEY" in others else others[0]
    if flagged:
        reads, fix = f"{key_flag or '--api-key-env'} names {key_env}", f"name {first} there"
    elif name.startswith(OPENAI_PREFIX):
        reads = f"'{name}' reads {key_env}"
        fix = f"add {key_flag} {first}" if key_flag else f'export {key_env}="${first}"'
    else:
        reads = f"profile '{name}' reads {key_env} (its key_env)"
        fix = f'write key_env = "{first}" in the profile'
    return f"; {', '.join(others)} {'is' if len(others) == 1 else 'are'} set, but {reads}: {fix}"


def _is_local(base_url: str | None) -> bool:
    """Whether `base_url` is a server on this machine (where Ollama and llama.cpp listen)."""
    from urllib.parse import urlsplit

    host = urlsplit(base_url).hostname if base_url else None
    return host is not None and (
        host == "localhost" or host == "::1" or host.startswith("127.") or host == "0.0.0.0"
    )


def get_model(
    name: str,
    *,
    options: ModelOptions | None = None,
    use_cache: bool = True,
    cwd: Path | None = None,
    key_flag: str | None = None,
) -> Model:
    """The model named `name` (see the module docstring); InputError (exit 2) when unusable.

    `key_flag`: the caller's option that names another key variable, for the message when
    the key is missing (`draft run` has --api-key-env; eval, learn and the web app do not)."""
    if name == "offline":
        from pipeline.models.offline import OfflineModel

        return OfflineModel()
    opts = options or ModelOptions()
    profile, retry_config, profile_file = _profile_for(name, cwd)

    if opts.base_url:
        base_url: str | None = _check_url(opts.base_url, "--base-url")
    elif profile.base_url:
        base_url = _check_url(profile.base_url, f"profile '{name}'", profile_file)
    elif os.environ.get("OPENAI_BASE_URL", "").strip():
        base_url = _check_url(os.environ["OPENAI_BASE_URL"], "OPENAI_BASE_URL")
    else:
        base_url = None

    key_env = opts.api_key_env or profile.key_env
    api_key = os.environ.get(key_env, "").strip()
    key_sent = bool(api_key)
    if not api_key:
        if profile.key_required:
            raise MissingKeyError(
                f"no API key for model '{name}': set the environment variable {key_env} "
                f"(export {key_env}=…)"
                + (
                    f", or name another one with {key_flag}"
                    if key_flag and not opts.api_key_env
                    else ""
                )
                + _other_key_hint(name, key_env, opts.api_key_env is not None, key_flag)
                + (_LOCAL_KEY_HINT.format(var=key_env) if _is_local(base_url) else ""),
                variable=key_env,
            )
        api_key = "not-needed"
    bad = next((i for i, ch in enumerate(api_key) if not (ch.isascii() and ch.isprintable())), None)
    if bad is not None:  # it goes in an HTTP header; say so now, not once per section
        raise InputError(
            f"the API key in {key_env} has a character an HTTP header cannot carry at "
            f"position {bad + 1} (not ASCII, or a control character): paste the key again"
        )

    # OpenAI's reasoning models refuse max_tokens wherever they are served (Azure, a proxy)
    takes_completion_tokens = (
        base_url is None
        or "api.openai.com" in base_url
        or bool(REASONING_MODEL.match(profile.model))
    )

    from pipeline.models.openai import EndpointSettings, OpenAIModel
    from pipeline.retry import RetryPolicy

    settings = EndpointSettings(
        model=profile.model,
        base_url=base_url,
        key_env=key_env,
        key_sent=key_sent,
        temperature=opts.temperature if opts.temperature is not None else profile.temperature,
        seed=opts.seed if opts.seed is not None else profile.seed,
        max_tokens=opts.max_tokens or profile.max_tokens,
        max_tokens_field=profile.max_tokens_field
        or ("max_completion_tokens" if takes_completion_tokens else "max_tokens"),
        connect_timeout=opts.connect_timeout or profile.connect_timeout,
        read_timeout=opts.read_timeout or profile.read_timeout,
        extra_body=profile.extra_body,
        price_input_per_1k=profile.price_input_per_1k,
        price_output_per_1k=profile.price_output_per_1k,
    )
    policy = RetryPolicy.resolve(
        retry_config, {"max_attempts": opts.max_attempts, "deadline": opts.deadline}
    )
    model: Model = OpenAIModel(settings, api_key=api_key, policy=policy, name=name)
    if use_cache:
        from pipeline.cache import CachedModel, ResponseCache

        model = CachedModel(model, ResponseCache())
    return model
