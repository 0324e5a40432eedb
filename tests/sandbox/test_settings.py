"""Each sandbox setting is declared once (``SandboxConfig``); the command lines follow it."""

from __future__ import annotations

import inspect
from dataclasses import fields

import pytest

from cartes_cli.sandbox.__main__ import _parser
from cartes_cli.sandbox.config import OPTIONS, SandboxConfig, SandboxConfigError
from cartes_cli.sandbox.domain.faults import parse_kinds, parse_scope

# The options of ``cartes sandbox serve`` whose parameter name is not the setting's.
CLI_NAMES = {"data": "data_dir", "latency": "latency_ms"}


def test_every_option_of_python_m_sandbox_is_a_setting_with_its_default() -> None:
    defaults = {f.name: f.default for f in fields(SandboxConfig)}
    parsed = vars(_parser().parse_args(["serve"]))
    assert parsed == {"command": "serve", **{o.setting: defaults[o.setting] for o in OPTIONS}}
    flags = [o.flag for o in OPTIONS]
    assert len(flags) == len(set(flags))
    assert all(o.setting in defaults and o.help for o in OPTIONS)


def test_python_m_sandbox_options_reach_the_config() -> None:
    argv = [
        "serve", "--data", "/tmp/x", "--latency", "5", "--no-requests-api", "--scriptable-captchas",
        "--fault-kinds", "500,slow", "--fault-rate", "0.5",
    ]  # fmt: skip
    options = vars(_parser().parse_args(argv))
    del options["command"]
    config = SandboxConfig.from_options(options)
    assert str(config.data_dir) == "/tmp/x"
    assert config.latency_ms == 5
    assert config.requests_api is False
    assert config.accounts_api is True
    assert config.scriptable_captchas is True
    assert config.fault_kinds == parse_kinds("500,slow")
    assert config.fault_rate == 0.5


def test_from_options_refuses_unknown_fault_kinds() -> None:
    with pytest.raises(SandboxConfigError, match="unknown"):
        SandboxConfig.from_options({"fault_kinds": "500,nonsense"})


def test_cartes_sandbox_serve_options_are_settings_with_the_same_defaults() -> None:
    from cartes_cli.cli.sandbox import serve

    defaults = {f.name: f.default for f in fields(SandboxConfig)}
    for name, parameter in inspect.signature(serve).parameters.items():
        setting = CLI_NAMES.get(name, name)
        assert setting in defaults, f"cartes sandbox serve --{name} is no sandbox setting"
        default = parameter.default
        if setting == "fault_kinds":
            default = parse_kinds(default)
        elif setting == "fault_scope":
            default = parse_scope(default)
        assert default == defaults[setting], f"--{name}: {default!r} != {defaults[setting]!r}"


def test_every_seed_name_has_its_loader() -> None:
    from cartes_cli.sandbox.config import SEED_NAMES
    from cartes_cli.sandbox.seed import SEEDS

    assert set(SEEDS) == set(SEED_NAMES)
