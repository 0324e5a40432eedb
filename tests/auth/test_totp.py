"""TOTP seeds and codes, and the password login that retries once across a window boundary."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyotp
import pytest

from cartes_cli.auth.tokens import TokenSet
from cartes_cli.auth.totp import (
    PERIOD,
    UsedWindows,
    current_code,
    normalise_code,
    normalise_secret,
    password_login,
    seconds_left_in_window,
    window,
)
from cartes_cli.errors import AccountNotReady, LoginRefused, UsageError

# RFC 6238 appendix B, SHA-1 key "12345678901234567890".
RFC_SEED = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
SEED = "GEOPLATEFORMEDEMOSECRETTOTPCODE2"
W = 1_700_000_010.0  # the start of a 30 s window (a multiple of 30)


# --- seeds and codes ----------------------------------------------------------------------


def test_normalise_secret() -> None:
    assert normalise_secret("geop latef ormed emos ecre ttot pcod e2") == SEED
    assert normalise_secret(f"  {SEED}==  ") == SEED
    assert normalise_secret("GEOP-LATE-FORM-EDEM-OSEC-RETT-OTPC-ODE2") == SEED
    uri = f"otpauth://totp/Geoplateforme:dave?secret={SEED.lower()}&issuer=Geoplateforme&digits=6"
    assert normalise_secret(uri) == SEED


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("GEOPLATEFORME0SECRET1TOTP8CODE9", "base32"),
        ("SECRET!WITH*SYMBOLS#ABCDEFGHIJK", "base32"),
        ("123456", "base32"),
        ("ABCDEFGH", "too short"),
        ("ABCDEFGHIJKLMNOPQ", "length"),
        ("otpauth://totp/x?issuer=y", "secret"),
    ],
)
def test_bad_secrets_are_usage_errors_without_echo(bad: str, reason: str) -> None:
    with pytest.raises(UsageError) as info:
        normalise_secret(bad)
    assert reason in str(info.value)
    if bad.strip():
        assert bad.strip() not in str(info.value)


def test_current_code_rfc6238_vectors() -> None:
    assert current_code(RFC_SEED, at=59) == "287082"
    assert current_code(RFC_SEED, at=1111111109) == "081804"
    assert current_code(RFC_SEED, at=1234567890) == "005924"


def test_current_code_agrees_with_pyotp_now() -> None:
    import time

    now = time.time()
    assert current_code(SEED, at=now) == pyotp.TOTP(SEED).at(int(now))
    assert len(current_code(SEED)) == 6


def test_seconds_left_in_window() -> None:
    assert seconds_left_in_window(59) == 1
    assert seconds_left_in_window(60) == 30
    assert seconds_left_in_window(75.5) == 14.5
    assert 0 < seconds_left_in_window() <= 30


def test_normalise_code() -> None:
    assert normalise_code(" 123 456 ") == "123456"
    with pytest.raises(UsageError):
        normalise_code("12345")
    with pytest.raises(UsageError):
        normalise_code("abcdef")


# --- password_login -----------------------------------------------------------------------

TOKENS = TokenSet.from_response({"access_token": "a", "refresh_token": "r"}, now=0.0)


def refused(error: str = "invalid_grant", description: str = "Invalid user credentials") -> LoginRefused:
    return LoginRefused(f"Login refused: {description}.", status=401, error=error, messages=[description])


class FakeOIDC:
    """Answers ``password_grant`` from a script; advances the fake clock as the server "thinks"."""

    def __init__(self, clock: FakeClock, answers: list[tuple[float, Any]]) -> None:
        self.clock = clock
        self.answers = list(answers)
        self.calls: list[tuple[str, str, str | None, float]] = []

    def password_grant(self, username: str, password: str, totp: str | None = None) -> TokenSet:
        self.calls.append((username, password, totp, self.clock.now))
        duration, outcome = self.answers.pop(0)
        self.clock.now += duration
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


class FakeClock:
    def __init__(self, start: float) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def login(oidc: FakeOIDC, clock: FakeClock, **kwargs: Any) -> TokenSet:
    sleep: Callable[[float], None] = clock.sleep
    return password_login(oidc, "dave", "pw", clock=clock, sleep=sleep, **kwargs)  # type: ignore[arg-type]


def test_without_totp() -> None:
    clock = FakeClock(1000.0)
    oidc = FakeOIDC(clock, [(0.1, TOKENS)])
    assert login(oidc, clock) is TOKENS
    assert oidc.calls == [("dave", "pw", None, 1000.0)]


def test_seed_success_first_time() -> None:
    clock = FakeClock(W + 5)
    oidc = FakeOIDC(clock, [(0.2, TOKENS)])
    assert login(oidc, clock, totp_secret=SEED) is TOKENS
    assert oidc.calls[0][2] == current_code(SEED, at=W + 5)


def test_refused_in_the_middle_of_a_window_is_not_retried() -> None:
    clock = FakeClock(W + 10)  # 20 s left in the window
    oidc = FakeOIDC(clock, [(0.3, refused())])
    with pytest.raises(LoginRefused):
        login(oidc, clock, totp_secret=SEED)
    assert len(oidc.calls) == 1
    assert clock.sleeps == []


def test_window_changed_before_the_answer_retries_once_with_the_new_code() -> None:
    start = W + 19  # 11 s left
    clock = FakeClock(start)
    oidc = FakeOIDC(
        clock, [(12.0, refused()), (0.2, TOKENS)]
    )  # a slow server: the answer comes in the next window
    assert login(oidc, clock, totp_secret=SEED) is TOKENS
    first, second = oidc.calls
    assert first[2] == current_code(SEED, at=start)
    assert second[2] == current_code(SEED, at=start + 12.0)
    assert first[2] != second[2]
    assert clock.sleeps == []


def test_code_computed_at_the_edge_waits_for_the_next_window() -> None:
    start = W + 28.5  # 1.5 s left in the window
    clock = FakeClock(start)
    oidc = FakeOIDC(clock, [(0.4, refused()), (0.2, TOKENS)])  # answer still in the same window
    assert login(oidc, clock, totp_secret=SEED) is TOKENS
    assert clock.sleeps == [pytest.approx(1.1 + 0.05)]
    first, second = oidc.calls
    assert second[3] >= W + 30
    assert second[2] == current_code(SEED, at=second[3])
    assert first[2] != second[2]


def test_retried_only_once() -> None:
    clock = FakeClock(W + 29.5)
    oidc = FakeOIDC(clock, [(1.0, refused()), (0.1, refused())])
    with pytest.raises(LoginRefused):
        login(oidc, clock, totp_secret=SEED)
    assert len(oidc.calls) == 2


@pytest.mark.parametrize(
    "error",
    [
        AccountNotReady(
            "not ready", status=400, error="invalid_grant", messages=["Account is not fully set up"]
        ),
        refused("invalid_client", "Invalid client credentials"),
    ],
)
def test_other_refusals_are_not_retried(error: LoginRefused) -> None:
    clock = FakeClock(W + 29.5)  # at the edge: would retry an invalid_grant
    oidc = FakeOIDC(clock, [(1.0, error)])
    with pytest.raises(type(error)):
        login(oidc, clock, totp_secret=SEED)
    assert len(oidc.calls) == 1


def test_typed_code_is_never_retried() -> None:
    clock = FakeClock(W + 29.5)
    oidc = FakeOIDC(clock, [(1.0, refused())])
    with pytest.raises(LoginRefused):
        login(oidc, clock, totp_code="123 456")
    assert oidc.calls == [("dave", "pw", "123456", W + 29.5)]


def test_secret_and_code_together_is_a_usage_error() -> None:
    clock = FakeClock(0.0)
    with pytest.raises(UsageError):
        login(FakeOIDC(clock, []), clock, totp_secret=SEED, totp_code="123456")


def test_bad_seed_fails_before_any_request() -> None:
    clock = FakeClock(0.0)
    oidc = FakeOIDC(clock, [])
    with pytest.raises(UsageError):
        login(oidc, clock, totp_secret="not a seed!")
    assert oidc.calls == []


# --- a code works once: the window this machine used is remembered ----------------------------


def test_a_second_login_in_the_same_window_waits_for_the_next(tmp_path: Path) -> None:
    memory = UsedWindows(tmp_path, "https://sso.example/realms/r", "Dave")
    clock = FakeClock(W + 5)
    waits: list[float] = []
    oidc = FakeOIDC(clock, [(0.2, TOKENS), (0.2, TOKENS)])
    assert login(oidc, clock, totp_secret=SEED, used_windows=memory, on_wait=waits.append) is TOKENS
    assert memory.last() == window(W)
    clock.now = W + 12  # the same window, a few seconds later
    assert login(oidc, clock, totp_secret=SEED, used_windows=memory, on_wait=waits.append) is TOKENS
    first, second = oidc.calls
    assert second[3] >= W + 30
    assert first[2] != second[2]
    assert waits == [pytest.approx(30 - 12 + 0.05)] == clock.sleeps
    assert memory.last() == window(W) + 1
    # Only a window number is kept: never a code, never the seed.
    text = memory.path.read_text(encoding="utf-8")
    assert first[2] not in text
    assert SEED not in text
    assert oct(memory.path.stat().st_mode & 0o777) == "0o600"


def test_windows_are_per_platform_and_account_and_the_clock_going_back_is_ignored(tmp_path: Path) -> None:
    memory = UsedWindows(tmp_path, "https://sso.example/realms/r", "dave")
    memory.record(window(W))
    assert UsedWindows(tmp_path, "https://sso.example/realms/r", " DAVE ").last() == window(W)
    assert UsedWindows(tmp_path, "https://other.example/realms/r", "dave").last() is None
    assert UsedWindows(tmp_path, "https://sso.example/realms/r", "eve").last() is None
    clock = FakeClock(W + 35)  # the next window: no wait
    login(FakeOIDC(clock, [(0.1, TOKENS)]), clock, totp_secret=SEED, used_windows=memory)
    assert clock.sleeps == []
    memory.record(window(W) + 100)  # a window far ahead: the clock was moved back meanwhile
    clock = FakeClock(W + 70)
    login(FakeOIDC(clock, [(0.1, TOKENS)]), clock, totp_secret=SEED, used_windows=memory)
    assert clock.sleeps == []
    assert memory.last() == window(W + 70)


def test_a_refused_login_does_not_use_the_window_up(tmp_path: Path) -> None:
    memory = UsedWindows(tmp_path, "https://sso.example/realms/r", "dave")
    clock = FakeClock(W + 5)
    with pytest.raises(LoginRefused):
        login(FakeOIDC(clock, [(0.1, refused())]), clock, totp_secret=SEED, used_windows=memory)
    assert memory.last() is None  # a wrong password: the platform did not take the code


def test_a_damaged_memory_file_is_ignored(tmp_path: Path) -> None:
    memory = UsedWindows(tmp_path, "https://sso.example/realms/r", "dave")
    for junk in ("", "{", "[1]", '{"window": "12"}', '{"window": true}'):
        memory.path.write_text(junk, encoding="utf-8")
        assert memory.last() is None


_TWO_PROCESSES = """
import sys, time
from pathlib import Path
from cartes_cli.auth.totp import UsedWindows, password_login, window
from cartes_cli.auth.tokens import TokenSet

# The real clock, moved by the offset the test gives: both processes start a few seconds before a
# window ends, so the second one's wait is short (the waiting itself is real).
offset = float(sys.argv[3])
def clock():
    return time.time() + offset

class Server:
    def password_grant(self, username, password, totp=None):
        print(window(clock()), flush=True)
        return TokenSet.from_response({"access_token": "a", "refresh_token": "r"}, now=0.0)

memory = UsedWindows(Path(sys.argv[1]), "https://sso.example/realms/r", "dave")
password_login(Server(), "dave", "pw", totp_secret=sys.argv[2], used_windows=memory, clock=clock)
"""


def test_two_processes_logging_one_account_in_take_turns(tmp_path: Path) -> None:
    """Real processes and the real lock: the second one waits for a window of its own."""
    import subprocess
    import sys

    now = time.time()
    offset = (window(now) + 1) * PERIOD - 3.0 - now  # 3 s before the end of a window
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _TWO_PROCESSES, str(tmp_path), SEED, repr(offset)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    used = sorted(int(p.communicate(timeout=90)[0]) for p in procs)
    assert all(p.returncode == 0 for p in procs)
    assert used[1] == used[0] + 1  # never the same window, and no more than one apart
