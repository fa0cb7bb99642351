"""The configuration file `draft.toml`: model profiles and retry settings.

Looked for in the working directory first, then in the user config directory
(`pipeline.paths.user_config_dir()`); a profile in the working directory's file replaces
one of the same name in the user's. Example::

    [profiles.deepseek]
    model = "deepseek-chat"
    base_url = "https://api.deepseek.com/v1"
    key_env = "DEEPSEEK_API_KEY"
    temperature = 0.3
    seed = 7
    max_tokens = 2048
    price_input_per_1k = 0.002     # in your currency, per 1,000 tokens
    price_output_per_1k = 0.003

    [retry]
    max_attempts = 5
    deadline = 300

`draft run --model deepseek` then uses that profile. The API key itself never goes in the
file: `key_env` names the environment variable that holds it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from pipeline import paths
from pipeline.errors import InputError
from pipeline.textio import LineMap, read_text
from pipeline.validation import SECRET_ERROR, did_you_mean_or_list, raise_validation_error

CONFIG_NAME = "draft.toml"


def _names_a_variable(value: str) -> str:
    # Often the key itself, pasted in: the message must not quote it back.
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value):
        raise PydanticCustomError(
            SECRET_ERROR,
            "must name the environment variable that holds the API key (letters, digits "
            "and _, such as DEEPSEEK_API_KEY), not the key itself",
        )
    return value


KeyEnv = Annotated[str, AfterValidator(_names_a_variable)]
"""The name of the environment variable that holds an API key (a profile's `key_env`,
`draft run --api-key-env`)."""


class ModelProfile(BaseModel):
    """One named model: where it is, how to call it, what it costs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str = Field(min_length=1)
    """The model name the endpoint expects, e.g. `deepseek-chat`, `qwen-plus`."""
    base_url: str | None = None
    """The OpenAI-compatible endpoint, e.g. `https://api.deepseek.com/v1`; else OPENAI_BASE_URL."""
    key_env: KeyEnv = "OPENAI_API_KEY"
    """The environment variable holding the API key."""
    key_required: bool = True
    """False for local servers (Ollama, vLLM) that accept any key."""
    temperature: float | None = Field(None, ge=0, le=2)
    seed: int | None = None
    max_tokens: int | None = Field(None, gt=0)
    """Longest answer per request, in tokens."""
    max_tokens_field: Literal["max_tokens", "max_completion_tokens"] | None = None
    """How the endpoint names the limit; default: max_completion_tokens for api.openai.com and
    for OpenAI's reasoning models (o1, o3, o4-mini, gpt-5…) anywhere, max_tokens elsewhere."""
    extra_body: dict[str, Any] = {}
    """Provider-specific request fields, sent as they are: e.g. `{ enable_thinking = false }`,
    which Qwen3 models on DashScope need for a call that does not stream."""
    connect_timeout: float = Field(10.0, gt=0)
    read_timeout: float = Field(120.0, gt=0)
    """Seconds to wait for an answer once connected."""
    price_input_per_1k: float | None = Field(None, ge=0)
    price_output_per_1k: float | None = Field(None, ge=0)


class DraftConfig(BaseModel):
    """The whole configuration file."""

    model_config = ConfigDict(extra="forbid")

    profiles: dict[str, ModelProfile] = {}
    retry: dict[str, Any] = {}
    """Overrides of `pipeline.retry.RetryPolicy` fields."""
    style: dict[str, Any] = {}
    """The Word house style; read and validated by `pipeline.render.style`."""
    sources: list[str] = Field(default_factory=list, exclude=True)
    """The files this configuration was read from."""
    profile_files: dict[str, str] = Field(default_factory=dict, exclude=True)
    """The file each profile was read from, for messages about its values."""

    @field_validator("profiles")
    @classmethod
    def _choosable(cls, value: dict[str, ModelProfile]) -> dict[str, ModelProfile]:
        # `--model offline` and `--model openai:…` name the built-in models, never a profile.
        for name in value:
            if name.strip() == "offline" or name.strip().startswith("openai:"):
                example = name.strip().removeprefix("openai:") or "my-model"
                if example == "offline":
                    example = "my-model"
                raise ValueError(
                    f"a profile cannot be named '{name}': --model {name.strip()} always means "
                    f"the built-in model; name it e.g. '{example}' and choose it with "
                    f"--model {example}"
                )
        return value


def config_paths(cwd: Path | None = None) -> list[Path]:
    """Where `draft.toml` is looked for, highest priority first."""
    return [(cwd or Path.cwd()) / CONFIG_NAME, paths.user_config_dir() / CONFIG_NAME]


KEY_FIELDS = frozenset({"api_key", "apikey", "key", "openai_api_key", "token", "secret"})
"""Where other tools' configurations hold the key itself, which draft.toml never does."""


def _refuse_keys(raw: dict[str, Any], path: Path) -> None:
    """A profile that holds a key itself (`api_key = "sk-…"`) is refused, saying where the key
    goes instead; its value is never repeated."""
    profiles = raw.get("profiles")
    for name, profile in profiles.items() if isinstance(profiles, dict) else []:
        found = (
            next((k for k in profile if k.lower() in KEY_FIELDS), None)
            if isinstance(profile, dict)
            else None
        )
        if found is not None:
            env = f"{re.sub(r'[^A-Za-z0-9]+', '_', name).upper().strip('_') or 'MY'}_API_KEY"
            raise InputError(
                f"field 'profiles.{name}.{found}': draft.toml holds no API key (it is a file "
                f"others may see); remove the line, put the key in an environment variable "
                f'(export {env}=…) and name that variable in the profile: key_env = "{env}"',
                path=str(path),
            )


def _read(path: Path) -> DraftConfig:
    import tomllib  # only when a draft.toml exists: its import costs start-up time

    text = read_text(path, what="configuration file", allow_empty=True)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"at line (\d+)", str(exc))
        line = text.splitlines()[int(where.group(1)) - 1] if where else ""
        hint = (
            ": a value is quoted with Chinese quotation marks “…” (typed by an input method or "
            'an editor); write straight quotes "…"'
            if re.search("[“”‘’]", line.partition("#")[0])
            else ""
        )
        raise InputError(f"invalid TOML: {exc}{hint}", path=str(path)) from None
    _refuse_keys(raw, path)
    for key in _LOADER_FIELDS & raw.keys():  # declared on the model, but never the file's
        raise InputError(
            f"unknown field '{key}'"
            + did_you_mean_or_list(key, _keys(()), listed="expected one of"),
            path=str(path),
        )
    try:
        config = DraftConfig.model_validate(raw)
    except ValidationError as exc:
        raise_validation_error(
            exc, path=str(path), lines=LineMap(), what="configuration file", known_keys=_keys
        )
        raise  # not reached: raise_validation_error always raises
    from pipeline.retry import RetryPolicy

    try:  # [retry] here, so that a misspelt setting is named with its file
        RetryPolicy.model_validate(config.retry)
    except ValidationError as exc:
        raise_validation_error(
            exc,
            path=str(path),
            lines=LineMap(),
            what="configuration file",
            known_keys=lambda loc: list(RetryPolicy.model_fields),
            shown=lambda loc: ("retry", *loc),
        )
    return config


_LOADER_FIELDS = {"sources", "profile_files"}
"""Fields the loader sets, not the file."""


def _keys(loc: tuple[Any, ...]) -> list[str]:
    """The keys allowed in the table at `loc`, for "did you mean"."""
    model = ModelProfile if loc[:1] == ("profiles",) and len(loc) == 2 else DraftConfig
    return [n for n in model.model_fields if n not in _LOADER_FIELDS]


def load_config(cwd: Path | None = None) -> DraftConfig:
    """The merged configuration (working directory over user directory); empty if none."""
    merged = DraftConfig()
    for path in reversed(config_paths(cwd)):
        if path.is_dir():  # a file that is meant to be read, not passed over in silence
            raise InputError("expected the configuration file, found a directory", path=str(path))
        if not path.exists() and not path.is_symlink():
            continue
        found = _read(path)  # a named pipe or a broken link is refused there, by name
        merged = DraftConfig(
            profiles={**merged.profiles, **found.profiles},
            retry={**merged.retry, **found.retry},
            style={**merged.style, **found.style},
            sources=[str(path), *merged.sources],
            profile_files={**merged.profile_files, **dict.fromkeys(found.profiles, str(path))},
        )
    return merged
