"""The exit-code contract of ``cli.md``, one test per code, through the installed executable.

Scripts depend on these codes (``cartes help exit-codes`` lists them). Every error is one or two
plain sentences on stderr, never a traceback.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from cartes_cli.cli.exit_codes import ExitCode
from tests.conftest import ADMIN, Cartes, Sandbox, cartes_executable

pytestmark = pytest.mark.e2e

# Which test below covers which code: a new code in the contract needs a test here.
COVERED = {
    ExitCode.OK: "test_0_success_and_no_results",
    ExitCode.FAILURE: "test_1_failure",
    ExitCode.USAGE: "test_2_usage_errors_are_caught_before_any_request",
    ExitCode.NOT_FOUND: "test_3_not_found",
    ExitCode.AUTH: "test_4_authentication_required_or_refused",
    ExitCode.PERMISSION: "test_5_permission_denied",
    ExitCode.INTERRUPTED: "test_130_interrupted",
}


def _plain_error(stderr: str) -> None:
    assert stderr.startswith("Error: "), stderr
    assert "Traceback" not in stderr
    assert 1 <= len(stderr.strip().splitlines()) <= 2, stderr


def test_every_code_of_the_contract_has_a_test() -> None:
    assert set(COVERED) == set(ExitCode)
    assert all(callable(globals().get(name)) for name in COVERED.values())


def test_0_success_and_no_results(cartes: Cartes) -> None:
    assert cartes.login(ADMIN).returncode == 0
    r = cartes("workspace", "list", "--public")
    assert r.returncode == ExitCode.OK, r
    assert r.stdout
    # No results is not an error.
    r = cartes("workspace", "list", "--public", "--search", "zzz-nothing-matches-this-zzz")
    assert r.returncode == ExitCode.OK, r
    assert r.stdout == ""
    r = cartes("workspace", "list", "--public", "--search", "zzz-nothing-matches-this-zzz", "--json")
    assert (r.returncode, r.stdout.strip()) == (ExitCode.OK, "[]")


def test_1_failure(tmp_path: Path) -> None:
    # The platform cannot be reached (a refused connection, after the retries).
    cli = Cartes(tmp_path / "home", None, keyring=False)
    r = cli(
        "--api-url",
        "http://127.0.0.1:9/api",
        "--issuer",
        "http://127.0.0.1:9/realms/test",
        "workspace",
        "list",
        "--public",
        env={"CARTES_TOKEN": "not-a-real-token"},
    )
    assert r.returncode == ExitCode.FAILURE, r
    _plain_error(r.stderr)
    assert "127.0.0.1:9" in r.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["--format", "xml", "workspace", "list"],
        ["workspace", "list", "--no-such-option"],
        ["workspace", "show"],  # missing argument
        ["no-such-command"],
        ["workspace", "list", "--search", " "],
        ["help", "no-such-topic"],
    ],
)
def test_2_usage_errors_are_caught_before_any_request(tmp_path: Path, args: list[str]) -> None:
    # No platform at all: a usage error must not need one.
    cli = Cartes(tmp_path / "home", None, keyring=False)
    r = cli(*args)
    assert r.returncode == ExitCode.USAGE, r
    _plain_error(r.stderr)
    assert r.stdout == ""


def test_3_not_found(cartes: Cartes) -> None:
    assert cartes.login(ADMIN).returncode == 0
    r = cartes("workspace", "show", "no_such_workspace_42")
    assert r.returncode == ExitCode.NOT_FOUND, r
    _plain_error(r.stderr)


def test_4_authentication_required_or_refused(cartes: Cartes) -> None:
    # Not logged in: nothing was sent.
    r = cartes("--env", "sandbox", "workspace", "list")
    assert r.returncode == ExitCode.AUTH, r
    _plain_error(r.stderr)
    assert "cartes --env sandbox login" in r.stderr  # the hint repeats the platform
    # A token the platform refuses.
    r = cartes("--env", "sandbox", "workspace", "list", env={"CARTES_TOKEN": "not-a-real-token"})
    assert r.returncode == ExitCode.AUTH, r
    _plain_error(r.stderr)


def test_5_permission_denied(cartes: Cartes) -> None:
    # Listing the members of a workspace needs its COMMUNITY right (sophie.martin is a plain member).
    assert cartes.login("sophie.martin").returncode == 0
    r = cartes("workspace", "members", "ddt33")
    assert r.returncode == ExitCode.PERMISSION, r
    _plain_error(r.stderr)


def test_130_interrupted(cartes: Cartes, demo_sandbox: Sandbox) -> None:
    pexpect = pytest.importorskip("pexpect")
    # A prompt on a terminal, then Ctrl-C.
    env = {k: v for k, v in cartes.env.items() if k != "CI"}
    env["TERM"] = "dumb"
    child = pexpect.spawn(
        cartes_executable(),
        ["--env", "sandbox", "login", "--password", "--insecure-storage"],
        env=env,
        encoding="utf-8",
        timeout=30,
    )
    child.expect("Username or e-mail")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.signalstatus is None, f"killed by signal {signal.Signals(child.signalstatus).name}"
    assert child.exitstatus == ExitCode.INTERRUPTED
    assert "Traceback" not in (child.before or "")


def test_a_reader_that_stops_early_gets_no_traceback(cartes: Cartes) -> None:
    """``cartes … | head -1``: the pipe closes under cartes, which leaves quietly (the executable
    flushes its output itself before its quick exit; nothing may leak out of that)."""
    assert cartes.login(ADMIN).returncode == 0
    # --version writes without flushing: its output meets the closed pipe at the final flush,
    # or at once when Python's output is unbuffered.
    cases = [
        (["workspace", "list", "--public", "--format", "tsv"], {}),
        (["--version"], {"PYTHONUNBUFFERED": ""}),
        (["--version"], {"PYTHONUNBUFFERED": "1"}),
    ]
    for args, env in cases:
        proc = subprocess.Popen(
            [cartes_executable(), *args],
            env={**cartes.env, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
        )
        assert proc.stdout is not None
        proc.stdout.close()  # the reader is gone before cartes writes anything
        _out, err = proc.communicate(timeout=60)
        assert proc.returncode in (ExitCode.OK, ExitCode.FAILURE), (args, err)
        assert b"Traceback" not in err, (args, err)
        assert b"Exception ignored" not in err, (args, err)


def test_python_dash_m_is_the_same_executable(cartes: Cartes) -> None:
    r = subprocess.run(
        [sys.executable, "-m", "cartes_cli", "--version"],
        capture_output=True,
        text=True,
        env=cartes.env,
        timeout=60,
    )
    assert (r.returncode, r.stderr) == (0, "")
    assert r.stdout.startswith("cartes ")
    bad = subprocess.run(
        [sys.executable, "-m", "cartes_cli", "request", "approve"],
        capture_output=True,
        text=True,
        env=cartes.env,
        timeout=60,
    )
    assert bad.returncode == ExitCode.USAGE
