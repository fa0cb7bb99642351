"""Choosing a model: `offline`, `openai:<model>`, or a profile from `draft.toml`, with flags
over the profile and the profile over the environment."""

from __future__ import annotations

import pytest
from modelrun import KEY, SECTIONS, draft_run

from pipeline.config import load_config
from pipeline.errors import InputError
from pipeline.models import get_model
from pipeline.models.registry import ModelOptions


def _profile(tmp_path, server, **extra) -> None:
    lines = [
        "[profiles.local]",
        'model = "good"',
        f'base_url = "{server.base_url}"',
        'key_env = "LOCAL_LLM_KEY"',
        "temperature = 0.3",
        "seed = 7",
        "max_tokens = 900",
        "price_input_per_1k = 0.002",
        "price_output_per_1k = 0.006",
    ]
    lines += [f"{k} = {v}" for k, v in extra.items()]
    (tmp_path / "draft.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_a_profile_sets_endpoint_key_parameters_and_prices(tmp_path, openai_server):
    _profile(tmp_path, openai_server)
    run = draft_run(
        tmp_path,
        None,
        model="local",
        env={"LOCAL_LLM_KEY": "sk-local-key-000111", "OPENAI_API_KEY": ""},
        cwd=tmp_path,
    )
    assert run.code == 0, run.stderr
    assert openai_server.count() == len(SECTIONS)
    request = openai_server.requests("theory_study")[0]
    assert request.body["model"] == "good"
    assert request.body["temperature"] == 0.3
    assert request.body["seed"] == 7
    assert request.body["max_tokens"] == 900  # max_tokens, not max_completion_tokens, off OpenAI
    assert request.authorization == "Bearer sk-local-key-000111"
    assert "stream" not in request.body or request.body["stream"] is False
    usage = run.draft["usage"]
    cost = usage["input_tokens"] / 1000 * 0.002 + usage["output_tokens"] / 1000 * 0.006
    assert usage["cost"] == pytest.approx(cost)
    costs = [usage["cost"]] + [s["usage"]["cost"] for s in run.draft["sections"]]
    assert all(c == round(c, 10) for c in costs), costs  # no float noise (0.00295600000000003)
    assert run.draft["provenance"]["model"] == "local"
    assert "cost" in run.stderr


def test_flags_override_the_profile(tmp_path, openai_server):
    _profile(tmp_path, openai_server)
    run = draft_run(
        tmp_path,
        None,
        "--temperature",
        "0",
        "--seed",
        "11",
        "--max-tokens",
        "300",
        model="local",
        env={"LOCAL_LLM_KEY": "sk-local-key-000111"},
        cwd=tmp_path,
    )
    assert run.code == 0, run.stderr
    body = openai_server.requests("opening")[0].body
    assert (body["temperature"], body["seed"], body["max_tokens"]) == (0, 11, 300)


def test_base_url_flag_and_env(tmp_path, openai_server):
    run = draft_run(
        tmp_path,
        None,
        "--base-url",
        openai_server.base_url,
        env={"OPENAI_BASE_URL": "http://127.0.0.1:9/v1"},
    )
    assert run.code == 0, run.stderr
    assert openai_server.count() == len(SECTIONS)


def test_a_profiles_base_url_wins_over_the_environment_and_the_key_is_trimmed(
    tmp_path, openai_server
):
    # as README says: OPENAI_BASE_URL (set for another tool) does not redirect a profile,
    # and a key saved with `echo KEY > file` keeps no newline
    _profile(tmp_path, openai_server)
    env = {"OPENAI_BASE_URL": "http://127.0.0.1:9/v1", "LOCAL_LLM_KEY": " k-12345\n"}
    run = draft_run(tmp_path, None, model="local", env=env, cwd=tmp_path)
    assert run.code == 0, run.stderr
    assert openai_server.count() == len(SECTIONS)
    assert {r.authorization for r in openai_server.requests()} == {"Bearer k-12345"}


def test_profile_from_the_user_config_dir(tmp_path, openai_server, draftsmith_home):
    config = draftsmith_home / "config"
    config.mkdir(parents=True, exist_ok=True)
    _profile(config, openai_server)
    cwd = tmp_path / "work"
    cwd.mkdir()
    run = draft_run(tmp_path, None, model="local", env={"LOCAL_LLM_KEY": "k-12345"}, cwd=cwd)
    assert run.code == 0, run.stderr


def test_missing_profile_key_names_its_variable(tmp_path, openai_server, cli):
    from modelrun import EXAMPLE

    _profile(tmp_path, openai_server)
    proc = cli("run", EXAMPLE, "--model", "local", cwd=tmp_path, env={"OPENAI_API_KEY": KEY})
    assert proc.returncode == 2
    assert "set the environment variable LOCAL_LLM_KEY" in proc.stderr
    assert openai_server.count() == 0


def test_a_local_server_without_a_key_says_any_value_will_do(tmp_path, openai_server, cli):
    """Ollama needs no key: with none set, the message says a placeholder works (not only
    "set OPENAI_API_KEY", which reads as if an OpenAI account were needed), and it does."""
    from modelrun import EXAMPLE, FAST_RETRIES

    args = ("run", EXAMPLE, "--model", "openai:qwen2.5:7b", "-o", tmp_path / "d.json")
    proc = cli(*args, "--base-url", openai_server.base_url, env={"OPENAI_API_KEY": ""})
    assert proc.returncode == 2, proc.stderr
    assert "no API key for model 'openai:qwen2.5:7b'" in proc.stderr
    assert "a local server that needs no key (Ollama" in proc.stderr
    assert "export OPENAI_API_KEY=local, or set key_required = false" in proc.stderr
    assert openai_server.count() == 0
    # a remote endpoint gets no such suggestion
    remote = cli(*args, "--base-url", "https://api.deepseek.com/v1", env={"OPENAI_API_KEY": ""})
    assert remote.returncode == 2 and "local server" not in remote.stderr
    # the placeholder is all it takes
    env = {"OPENAI_API_KEY": "local", **FAST_RETRIES}
    done = cli(*args, "--base-url", openai_server.base_url, env=env)
    assert done.returncode == 0, done.stderr
    assert openai_server.requests()[0].authorization == "Bearer local"


def test_a_401_names_the_key_variable_read_or_says_no_key_was_sent(tmp_path, openai_server):
    """A 401 said "check the key in OPENAI_API_KEY" through a keyless profile (a local server
    that turned out to want a key), where no key had been sent: now it says the server asks
    for one and how to give it; through a profile with its own key_env, it names that one."""
    (tmp_path / "draft.toml").write_text(
        f'[profiles.ds]\nmodel = "deepseek-chat"\nbase_url = "{openai_server.base_url}"\n'
        'key_env = "DEEPSEEK_API_KEY"\n\n'
        f'[profiles.vllm]\nmodel = "qwen"\nbase_url = "{openai_server.base_url}"\n'
        "key_required = false\n",
        encoding="utf-8",
    )
    openai_server.script("*", "401")
    run = draft_run(tmp_path, None, model="ds", env={"DEEPSEEK_API_KEY": KEY}, cwd=tmp_path)
    assert run.code == 3, run.stderr
    assert "401 Unauthorized" in run.stderr and "check the key in DEEPSEEK_API_KEY" in run.stderr
    assert KEY not in run.stderr

    openai_server.reset()
    openai_server.script("*", "401")
    run = draft_run(tmp_path, None, model="vllm", env={"OPENAI_API_KEY": ""}, cwd=tmp_path)
    assert run.code == 3, run.stderr
    assert openai_server.count() > 0  # the server was asked, without a key
    assert (
        "the server asks for an API key and none was sent (OPENAI_API_KEY is not set, and "
        "profile 'vllm' has key_required = false): export OPENAI_API_KEY=… with the key, or "
        "name the variable that holds it with key_env in the profile"
    ) in run.stderr
    assert "check the key" not in run.stderr
    # the placeholder sent instead of a key is no secret: masked, it read as a wrong key
    assert "Incorrect API key provided: not-needed." in run.stderr


def test_a_key_with_a_character_no_header_can_carry_is_bad_input(tmp_path, openai_server, cli):
    """A key pasted with an input-method character fails before any section, naming the
    variable and the position, never the key."""
    from modelrun import EXAMPLE, model_env

    env = model_env(openai_server, OPENAI_API_KEY="sk-audit-SECRET123é")
    proc = cli("run", EXAMPLE, "--model", "openai:good", "-o", tmp_path / "d.md", env=env)
    assert proc.returncode == 2, proc.stderr
    assert "OPENAI_API_KEY" in proc.stderr and "position 19" in proc.stderr
    assert "SECRET123" not in proc.stderr + proc.stdout and "Traceback" not in proc.stderr
    assert openai_server.count() == 0 and not (tmp_path / "d.md").exists()


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://[::1", "Invalid IPv6 URL"),
        ("http://", "it names no host"),
        ("http://127.0.0.1:99999/v1", "the port must be a number from 1 to 65535"),
        ("http://127.0.0.1:x/v1", "the port must be a number from 1 to 65535"),
        ("http://exa mple.com/v1", "it holds a blank"),
    ],
)
def test_a_malformed_base_url_is_bad_input_before_any_request(tmp_path, cli, url, problem):
    from modelrun import EXAMPLE

    out = tmp_path / "keep.md"
    out.write_text("ORIGINAL", encoding="utf-8")
    env = {"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": url}
    for args in (("--base-url", url), ()):  # the flag, then the variable
        proc = cli("run", EXAMPLE, "--model", "openai:x", "-o", out, *args, env=env)
        assert proc.returncode == 2, proc.stderr
        assert problem in proc.stderr and "Traceback" not in proc.stderr
        assert ("--base-url" if args else "OPENAI_BASE_URL") in proc.stderr
    assert out.read_text(encoding="utf-8") == "ORIGINAL"


def test_a_config_that_is_a_folder_is_not_passed_over(tmp_path, cli):
    from modelrun import EXAMPLE

    (tmp_path / "draft.toml").mkdir()
    proc = cli("run", EXAMPLE, "--model", "local", cwd=tmp_path, env={"OPENAI_API_KEY": KEY})
    assert proc.returncode == 2 and "draft.toml: expected the configuration file" in proc.stderr


def test_unknown_model_and_bad_config_exit_2(tmp_path, cli):
    from modelrun import EXAMPLE

    proc = cli("run", EXAMPLE, "--model", "deepseek", cwd=tmp_path)
    assert proc.returncode == 2
    assert "unknown model 'deepseek'" in proc.stderr and "draft.toml" in proc.stderr

    (tmp_path / "draft.toml").write_text("[profiles.x]\nmodel = 'm'\ntemprature = 1\n", "utf-8")
    proc = cli("run", EXAMPLE, "--model", "x", cwd=tmp_path)
    assert proc.returncode == 2
    assert "draft.toml" in proc.stderr and "profiles.x.temprature" in proc.stderr
    assert "Traceback" not in proc.stderr

    (tmp_path / "draft.toml").write_text("[profiles.x\n", "utf-8")
    proc = cli("run", EXAMPLE, "--model", "x", cwd=tmp_path)
    assert proc.returncode == 2 and "invalid TOML" in proc.stderr


@pytest.mark.parametrize("name", ["openai:gpt-4o", "offline"])
def test_a_profile_named_like_a_built_in_model_is_refused(tmp_path, cli, name):
    """`--model openai:gpt-4o` never reads a profile of that name: its prices would be
    silently ignored, so the file is refused with the name to give instead."""
    from modelrun import EXAMPLE

    (tmp_path / "draft.toml").write_text(
        f'[profiles."{name}"]\nmodel = "gpt-4o"\nprice_input_per_1k = 0.0025\n', "utf-8"
    )
    proc = cli("run", EXAMPLE, "--model", "openai:gpt-4o", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"draft.toml: field 'profiles': a profile cannot be named '{name}'" in proc.stderr
    example = "gpt-4o" if name.startswith("openai:") else "my-model"
    assert f"choose it with --model {example}" in proc.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"[profiles.x]\nmodle = 'm'\n",
            "unknown field 'profiles.x.modle'; did you mean 'model'?",
        ),
        (  # Windows Notepad's BOM is no TOML error
            b"\xef\xbb\xbf[profiles.x]\nmodle = 'm'\n",
            "unknown field 'profiles.x.modle'; did you mean 'model'?",
        ),
        (  # saved as GBK by Chinese Windows' Notepad: read as such
            "[profiles.x]\nmodle = '模型'\n".encode("gb18030"),
            "unknown field 'profiles.x.modle'; did you mean 'model'?",
        ),
        (b"[profiles.x]\nmodel = '\xff'\n", ":2: not UTF-8 text"),
        (  # was "retry setting 'max_attemps': Extra inputs are not permitted (from …)"
            b"[profiles.x]\nmodel = 'm'\n[retry]\nmax_attemps = 3\n",
            "unknown field 'retry.max_attemps'; did you mean 'max_attempts'?",
        ),
        (
            b"[profiles.x]\nmodel = 'm'\n[retry]\ndeadline = 'soon'\n",
            "field 'retry.deadline': expected a number, got 'soon'",
        ),
        (  # no close match: the keys it may be are listed instead
            b"[models.x]\nmodel = 'm'\n",
            "unknown field 'models'; expected one of: profiles, retry, style",
        ),
        (  # the loader's own record of the files read is no key of the file
            b"sources = ['x']\n[profiles.x]\nmodel = 'm'\n",
            "unknown field 'sources'; expected one of: profiles, retry, style",
        ),
    ],
    ids=[
        "typo",
        "BOM",
        "GB18030",
        "undecodable",
        "retry typo",
        "retry value",
        "no match",
        "loader field",
    ],
)
def test_a_bad_config_names_the_unknown_key_and_reads_like_other_files(
    tmp_path, cli, content, message
):
    """A misspelt key is named with a suggestion (not hidden behind "model is required"), and
    draft.toml is read like every other input file."""
    from modelrun import EXAMPLE

    (tmp_path / "draft.toml").write_bytes(content)
    proc = cli("run", EXAMPLE, "--model", "x", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith(f"error: {tmp_path / 'draft.toml'}"), proc.stderr
    assert message in proc.stderr and "Traceback" not in proc.stderr


def test_bad_flags_exit_2(tmp_path, cli):
    from modelrun import EXAMPLE

    for args, needle in (
        (["--base-url", "127.0.0.1:8000"], "must start with http://"),
        (["--api-key-env", "NOT-A-NAME"], "--api-key-env"),
        (["--model", "openai:"], "needs a model name"),
    ):
        argv = ["run", EXAMPLE, "--model", "openai:m", *args]
        proc = cli(*argv, env={"OPENAI_API_KEY": KEY})
        assert proc.returncode == 2, (args, proc.stderr)
        assert needle in proc.stderr, (args, proc.stderr)


def test_working_dir_profile_wins_over_the_users(tmp_path, draftsmith_home):
    user = draftsmith_home / "config"
    user.mkdir(parents=True, exist_ok=True)
    (user / "draft.toml").write_text(
        "[profiles.a]\nmodel = 'user-a'\n[profiles.b]\nmodel = 'user-b'\n[retry]\nmax_attempts = 2\n",
        "utf-8",
    )
    (tmp_path / "draft.toml").write_text(
        "[profiles.a]\nmodel = 'cwd-a'\n[style]\nbody_size = 16\n", "utf-8"
    )
    config = load_config(tmp_path)
    assert config.style == {"body_size": 16}  # other tables survive the merge
    assert config.profiles["a"].model == "cwd-a"
    assert config.profiles["b"].model == "user-b"
    assert config.retry == {"max_attempts": 2}


def test_get_model_in_process(tmp_path, monkeypatch, openai_server):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("DRAFTSMITH_RETRY_MAX_ATTEMPTS", "7")
    model = get_model(
        "openai:good",
        options=ModelOptions(base_url=openai_server.base_url, read_timeout=3),
        use_cache=False,
        cwd=tmp_path,
    )
    assert model.name == "openai:good"
    assert model.policy.max_attempts == 7
    assert model.settings.read_timeout == 3
    assert model.settings.max_tokens_field == "max_tokens"
    official = get_model("openai:gpt-4o-mini", cwd=tmp_path, use_cache=False)
    assert official.settings.max_tokens_field == "max_completion_tokens"
    assert type(get_model("openai:good", cwd=tmp_path)).__name__ == "CachedModel"
    monkeypatch.setenv("DRAFTSMITH_RETRY_MAX_ATTEMPTS", "lots")
    with pytest.raises(InputError, match="max_attempts"):
        get_model("openai:good", cwd=tmp_path)


@pytest.mark.parametrize(
    ("url", "endpoint", "base"),
    [
        (
            "https://api.deepseek.com/v1/chat/completions",
            "/chat/completions",
            "https://api.deepseek.com/v1",
        ),
        (
            "https://api.deepseek.com/chat/completions/",
            "/chat/completions",
            "https://api.deepseek.com",
        ),
        ("http://127.0.0.1:8000/v1/completions", "/completions", "http://127.0.0.1:8000/v1"),
    ],
)
def test_a_base_url_with_the_endpoint_path_says_what_to_give(
    tmp_path, openai_server, cli, url, endpoint, base
):
    """The full endpoint address, as provider docs show it in curl examples, is refused before
    any request, with the base URL to use instead (not a 404 in every section)."""
    from modelrun import EXAMPLE

    _profile(tmp_path, openai_server)
    toml = (tmp_path / "draft.toml").read_text(encoding="utf-8")
    (tmp_path / "draft.toml").write_text(toml.replace(openai_server.base_url, url), "utf-8")
    env = {"LOCAL_LLM_KEY": KEY, "OPENAI_API_KEY": KEY}
    for args, source in (
        (("--model", "local"), "profile 'local'"),
        (("--model", "openai:good", "--base-url", url), "--base-url"),
    ):
        proc = cli("run", EXAMPLE, *args, "-o", tmp_path / "d.md", cwd=tmp_path, env=env)
        assert proc.returncode == 2, proc.stderr
        file = f"{tmp_path / 'draft.toml'}: " if source.startswith("profile") else ""
        assert (
            f"error: {file}base URL from {source} ends in {endpoint}, which the client adds"
            in proc.stderr
        )
        assert f"give the address before it, '{base}'" in proc.stderr
    assert openai_server.count() == 0 and not (tmp_path / "d.md").exists()


@pytest.mark.parametrize("where", ["user", "working directory"])
def test_a_bad_base_url_in_a_profile_names_the_draft_toml_it_is_in(
    tmp_path, draftsmith_home, openai_server, cli, where
):
    """The message named the profile but not the file, of the two draft.toml that may hold
    profiles (the working directory's and the user's)."""
    from modelrun import EXAMPLE

    user = draftsmith_home / "config"
    user.mkdir(parents=True, exist_ok=True)
    work = tmp_path / "work"
    work.mkdir()
    good = f'model = "good"\nbase_url = "{openai_server.base_url}"\nkey_env = "LOCAL_LLM_KEY"\n'
    bad = 'model = "good"\nbase_url = "api.deepseek.com/v1"\nkey_env = "LOCAL_LLM_KEY"\n'
    broken, other = (user, work) if where == "user" else (work, user)
    (broken / "draft.toml").write_text(f"[profiles.remote]\n{bad}", "utf-8")
    (other / "draft.toml").write_text(f"[profiles.local]\n{good}", "utf-8")
    out = tmp_path / "d.md"
    env = {"LOCAL_LLM_KEY": KEY}
    proc = cli("run", EXAMPLE, "--model", "remote", "-o", out, cwd=work, env=env)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr == (
        f"error: {broken / 'draft.toml'}: base URL from profile 'remote' must start with "
        "http:// or https://, got 'api.deepseek.com/v1'\n"
    )
    assert openai_server.count() == 0 and not out.exists()
    # the profile of the other file is unaffected
    proc = cli("run", EXAMPLE, "--model", "local", "-o", out, cwd=work, env=env)
    assert proc.returncode == 0, proc.stderr


def test_a_key_pasted_as_key_env_is_refused_without_quoting_it(tmp_path, openai_server, cli):
    """`key_env` names the variable; users paste the key itself there, and the message about
    it must not print the key on the screen (or into a CI log)."""
    from modelrun import EXAMPLE

    pasted = "sk-9f8e7d6c5b4a39281706f5e4d3c2b1a0"
    _profile(tmp_path, openai_server)
    toml = (tmp_path / "draft.toml").read_text(encoding="utf-8")
    (tmp_path / "draft.toml").write_text(toml.replace("LOCAL_LLM_KEY", pasted), "utf-8")
    proc = cli("run", EXAMPLE, "--model", "local", cwd=tmp_path, env={"OPENAI_API_KEY": KEY})
    assert proc.returncode == 2, proc.stderr
    assert "field 'profiles.local.key_env': must name the environment variable" in proc.stderr
    assert "not the key itself" in proc.stderr
    assert pasted[3:15] not in proc.stderr + proc.stdout
    assert openai_server.count() == 0
    # the flag said only "String should match pattern '^[A-Za-z_][A-Za-z0-9_]*$'"
    out = tmp_path / "d.md"
    flag = cli("run", EXAMPLE, "--model", "openai:good", "--api-key-env", pasted, "-o", out)
    assert flag.returncode == 2, flag.stderr
    assert "--api-key-env: must name the environment variable" in flag.stderr
    assert "not the key itself" in flag.stderr and "pattern" not in flag.stderr
    assert pasted[3:15] not in flag.stderr + flag.stdout
    assert openai_server.count() == 0 and not out.exists()


def test_a_key_written_into_the_profile_says_where_it_goes_without_quoting_it(
    tmp_path, openai_server, cli
):
    """`api_key = "sk-…"`, as other tools' configurations hold it, got "unknown field" and a
    list of fields; now it says the key goes in a variable that key_env names."""
    from modelrun import EXAMPLE

    pasted = "sk-9f8e7d6c5b4a39281706f5e4d3c2b1a0"
    (tmp_path / "draft.toml").write_text(
        f'[profiles.deep-seek]\nmodel = "good"\nbase_url = "{openai_server.base_url}"\n'
        f'api_key = "{pasted}"\n',
        encoding="utf-8",
    )
    out = tmp_path / "d.docx"
    proc = cli("run", EXAMPLE, "--model", "deep-seek", "-o", out, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert (
        f"{tmp_path / 'draft.toml'}: field 'profiles.deep-seek.api_key': draft.toml holds no "
        "API key"
    ) in proc.stderr
    assert (
        '(export DEEP_SEEK_API_KEY=…) and name that variable in the profile: key_env = "DEEP_SEEK_API_KEY"'
        in proc.stderr
    )
    assert pasted[3:15] not in proc.stderr + proc.stdout and "Traceback" not in proc.stderr
    assert not out.exists() and openai_server.count() == 0


def test_a_key_in_another_variable_is_named_by_its_variable_never_its_value(
    tmp_path, openai_server, cli, monkeypatch
):
    """The clerk exported her DeepSeek key as OPENAI_API_KEY: the message said only to set
    DEEPSEEK_API_KEY, as if no key were there; now it names the variable that is set (never
    its value) and how to use it, for a profile and for openai:… alike."""
    import os

    from modelrun import EXAMPLE

    for var in [v for v in os.environ if v.endswith("API_KEY")]:
        monkeypatch.delenv(var)  # only the variables this test sets
    _profile(tmp_path, openai_server)  # reads LOCAL_LLM_KEY
    out = tmp_path / "d.docx"
    proc = cli(
        "run", EXAMPLE, "--model", "local", "-o", out, cwd=tmp_path, env={"OPENAI_API_KEY": KEY}
    )
    assert proc.returncode == 2, proc.stderr
    assert (
        "OPENAI_API_KEY is set, but profile 'local' reads LOCAL_LLM_KEY (its key_env): write "
        'key_env = "OPENAI_API_KEY" in the profile'
    ) in proc.stderr
    args = (
        "run",
        EXAMPLE,
        "--model",
        "openai:good",
        "-o",
        out,
        "--base-url",
        openai_server.base_url,
    )
    env = {"OPENAI_API_KEY": "", "DEEPSEEK_API_KEY": KEY}
    other = cli(*args, env=env)
    assert other.returncode == 2, other.stderr
    assert (
        "DEEPSEEK_API_KEY is set, but 'openai:good' reads OPENAI_API_KEY: add --api-key-env "
        "DEEPSEEK_API_KEY"
    ) in other.stderr
    flagged = cli(*args, "--api-key-env", "DS_KEY", env=env)
    assert "DEEPSEEK_API_KEY is set, but --api-key-env names DS_KEY" in flagged.stderr
    for p in (proc, other, flagged):
        assert KEY not in p.stderr + p.stdout and "Traceback" not in p.stderr
    assert not out.exists() and openai_server.count() == 0


def test_a_value_in_chinese_quotation_marks_says_to_write_straight_quotes(tmp_path, cli):
    """A Chinese input method typed base_url = “http://…”: TOML's "Invalid value (at line 3,
    column 12)" did not say what was wrong with it."""
    from modelrun import EXAMPLE

    (tmp_path / "draft.toml").write_text(
        '# 本地模型 “通义千问”\n[profiles.local]\nmodel = "qwen2.5:7b"\n'
        "base_url = “http://127.0.0.1:11434/v1”\n",
        encoding="utf-8",
    )
    proc = cli("run", EXAMPLE, "--model", "local", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert f"{tmp_path / 'draft.toml'}: invalid TOML: Invalid value (at line 4, column 12)" in (
        proc.stderr
    )
    assert (
        'Chinese quotation marks “…” (typed by an input method or an editor); write straight quotes "…"'
        in proc.stderr
    )
    assert "Traceback" not in proc.stderr
    # a comment's quotation marks are no mistake: another error gets no such hint
    (tmp_path / "draft.toml").write_text(
        "# 本地模型 “通义千问”\n[profiles.local]\nmodel = qwen\n", encoding="utf-8"
    )
    other = cli("run", EXAMPLE, "--model", "local", cwd=tmp_path)
    assert other.returncode == 2 and "invalid TOML" in other.stderr
    assert "quotation marks" not in other.stderr
