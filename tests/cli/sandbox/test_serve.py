"""``cartes sandbox serve``: the address and the fault settings are checked before anything starts;
then the server gets the settings under its own names, and its exit code is the command's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cartes_cli.cli.exit_codes import ExitCode
from cartes_cli.cli.sandbox import sandbox_app
from cartes_cli.cli.sandbox.serving import ServeOptions, run


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The sandbox's ``serve``, recorded instead of run (it answers 0, or ``exit_code``)."""
    calls: list[dict[str, Any]] = []

    def serve(**settings: Any) -> int:
        calls.append(settings)
        return int(settings.get("port") == 9)  # a port the test says is taken: exit 1

    monkeypatch.setattr("cartes_cli.sandbox.server.serve", serve)
    return calls


def test_a_remote_host_is_refused_before_anything_starts(harness, server) -> None:
    outcome = harness.run(lambda app, options: run(options), ServeOptions(host="0.0.0.0"))  # noqa: S104
    assert outcome.code == ExitCode.USAGE
    assert "Error: --host must be an address of this machine (such as 127.0.0.1)." in outcome.err
    assert server == []


def test_an_unknown_fault_kind_is_refused_before_anything_starts(harness, server) -> None:
    outcome = harness.run(lambda app, options: run(options), ServeOptions(fault_kinds="500,nonsense"))
    assert outcome.code == ExitCode.USAGE
    assert "Error: Invalid fault setting:" in outcome.err
    assert server == []


def test_the_settings_reach_the_server_under_its_names(harness, server, tmp_path: Path) -> None:
    from cartes_cli.sandbox.domain.faults import parse_kinds, parse_scope

    options = ServeOptions(data=tmp_path, latency=20, fault_kinds="500,slow", fault_scope="oidc", seed="demo")
    assert run(options) == 0
    (settings,) = server
    assert settings["data_dir"] == tmp_path
    assert settings["latency_ms"] == 20
    assert settings["fault_kinds"] == parse_kinds("500,slow")
    assert settings["fault_scope"] == parse_scope("oidc")
    assert (settings["host"], settings["port"], settings["seed"]) == ("127.0.0.1", 0, "demo")


def test_the_command_line_passes_the_server_exit_code_on(harness, server) -> None:
    outcome = harness.invoke(sandbox_app, ["serve", "--port", "9", "--no-requests-api", "--token-ttl", "60"])
    assert outcome.code == 1
    assert server[0]["requests_api"] is False
    assert server[0]["token_ttl"] == 60
