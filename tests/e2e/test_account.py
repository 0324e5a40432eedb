"""``cartes account``: the sign-up and the account's life, end to end.

The installed executable against a real sandbox started with ``--scriptable-captchas`` (the
documented switch that puts each captcha's answer in ``GET /api/accounts/captcha``):

* the whole journey without a terminal: captcha → create → verify (code from the outbox) → login →
  show / update → 2fa enable (seed printed, then confirmed with CARTES_TOTP_SECRET and stored) →
  login with 2FA → password change → 2fa disable;
* wrong, reused and missing captchas, and a verification code burnt by wrong tries;
* the rules of ``tests/validation_cases.py`` through the CLI's own checks (exit 2, nothing sent:
  the sandbox log shows no ``POST /api/accounts``) and through the server, which must agree;
* a canary: no password and no TOTP seed in any output, except the seed that ``2fa enable`` shows
  on purpose.

The pure helpers (QR code and captcha drawings, browser addresses) are tested first, in-process.
The terminal wizard lives in ``test_account_wizard.py``.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pyotp
import pytest

from tests.conftest import Cartes, Result, Sandbox, start_sandbox
from tests.e2e.conftest import log_seq
from tests.validation_cases import (
    FIELD_CASES,
    FIELD_LOCATIONS,
    REGISTRATION_CASES,
    full_registration,
    registration_with,
)

PASSWORD = "Carte-Blanche-2026!"
NEW_PASSWORD = "Nouveau#Sentier-2027"
JWT = re.compile(r"eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}")


# ================================================================================================
# Pure helpers (no sandbox)
# ================================================================================================


def _decode_half_blocks(lines: list[str], invert: bool) -> list[list[bool]]:
    tops = {"█": (True, True), "▀": (True, False), "▄": (False, True), " ": (False, False)}
    rows: list[list[bool]] = []
    for line in lines:
        pairs = [tops[c] for c in line]
        rows.append([top != invert for top, _ in pairs])
        rows.append([bottom != invert for _, bottom in pairs])
    return rows


@pytest.mark.parametrize("invert", [True, False])
def test_qr_code_renders_the_exact_matrix_within_80_columns(invert: bool) -> None:
    import segno

    from cartes_cli.cli.account import qr_lines

    seed = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    uri = f"otpauth://totp/G%C3%A9oplateforme:jean.dupont?secret={seed}&issuer=G%C3%A9oplateforme"
    lines = qr_lines(uri, invert=invert)
    assert max(len(line) for line in lines) <= 80
    assert len(lines) <= 40  # two modules per line: fits a normal terminal
    assert len({len(line) for line in lines}) == 1
    matrix = [[bool(c) for c in row] for row in segno.make(uri, error="l", micro=False).matrix_iter(border=2)]
    decoded = _decode_half_blocks(lines, invert)[: len(matrix)]
    assert decoded == matrix
    # The quiet zone is light: spaces when dark modules are drawn, blocks when light ones are.
    assert set(lines[0]) == ({"█"} if invert else {" "})


def test_captcha_drawing_in_colour_and_in_monochrome() -> None:
    from PIL import Image, ImageDraw

    from cartes_cli.cli.account.captcha_art import captcha_art

    picture = Image.new("RGB", (160, 60), "white")
    ImageDraw.Draw(picture).rectangle((20, 10, 60, 50), fill="black")
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    mono = captcha_art(buffer.getvalue(), max_width=40, color=False)
    assert mono is not None
    text = mono.plain.splitlines()
    assert max(len(line) for line in text) == 40
    assert any("█" in line for line in text)  # the black square
    assert text[0].strip(" ▀▄█") == ""
    assert text[0][0] == " "  # white stays blank
    coloured = captcha_art(buffer.getvalue(), max_width=40, color=True)
    assert coloured is not None
    assert set(coloured.plain) <= {"▀", "\n"}
    assert len(coloured.spans) > 0
    assert captcha_art(b"not an image") is None


def test_browser_addresses_for_the_real_platform() -> None:
    from cartes_cli.cli.account import action_url, registration_url
    from cartes_cli.platforms import KNOWN_PLATFORMS

    prod = KNOWN_PLATFORMS["prod"]
    assert registration_url(prod) == (
        "https://sso.geopf.fr/realms/geoplateforme/protocol/openid-connect/registrations"
        "?client_id=gpf-warehouse&response_type=code&scope=openid"
        "&redirect_uri=https%3A%2F%2Fdata.geopf.fr%2Fswagger-ui%2Foauth2-redirect.html"
    )
    assert action_url(prod, "UPDATE_PASSWORD").startswith(
        "https://sso.geopf.fr/realms/geoplateforme/protocol/openid-connect/auth?client_id=gpf-warehouse"
    )
    assert "client_secret" not in action_url(prod, "UPDATE_PASSWORD")
    assert action_url(prod, "CONFIGURE_TOTP").endswith("&kc_action=CONFIGURE_TOTP")


# ================================================================================================
# The sandbox and helpers
# ================================================================================================


def start_accounts_sandbox(home: Path, *extra: str) -> Sandbox:
    """A demo sandbox (with ``--scriptable-captchas``, its captchas carry their answers)."""
    sandbox = start_sandbox(home, home / "data", "--seed", "demo", *extra)
    features = sandbox.get("/sandbox/capabilities")
    assert isinstance(features, dict)
    assert "accounts" in features.get("features", []), features
    return sandbox


@pytest.fixture(scope="module")
def accounts_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    home = tmp_path_factory.mktemp("accounts-home")
    sandbox = start_accounts_sandbox(home, "--scriptable-captchas")
    yield sandbox
    sandbox.stop()


@pytest.fixture
def cli(tmp_path: Path, accounts_sandbox: Sandbox, keyring_available: bool) -> Cartes:
    return Cartes(tmp_path / "home", accounts_sandbox, keyring_available)


def new_captcha(sandbox: Sandbox) -> tuple[str, str]:
    data = sandbox.get("/api/accounts/captcha")
    assert isinstance(data, dict)
    return str(data["_id"]), str(data["answer"])


def requests_since(sandbox: Sandbox, seq: int) -> list[tuple[str, str]]:
    response = httpx.get(sandbox.base_url + "/sandbox/log", params={"since": seq, "limit": 1000}, timeout=10)
    return [(e["method"], e["path"].split("?")[0]) for e in response.json()]


def verification_code(sandbox: Sandbox, email: str) -> str:
    mails = sandbox.get(f"/sandbox/outbox?to={email}")
    assert isinstance(mails, list)
    assert mails, f"no e-mail to {email}"
    match = re.search(r"\b(\d{6})\b", mails[-1]["body"])
    assert match, mails[-1]["body"]
    return match.group(1)


def tsv(result: Result) -> dict[str, str]:
    """``print_object`` piped: one ``key<TAB>value`` line per field."""
    return dict(line.split("\t", 1) for line in result.stdout.splitlines() if "\t" in line)


def storage(cli: Cartes) -> tuple[str, ...]:
    return () if cli.keyring else ("--insecure-storage",)


def login(cli: Cartes, user: str, password: str = PASSWORD, **env: str) -> Result:
    return cli(
        "--env",
        "sandbox",
        "login",
        *storage(cli),
        env={"CARTES_USERNAME": user, "CARTES_PASSWORD": password, **env},
    )


def sign_up(cli: Cartes, sandbox: Sandbox, user: str, *extra: str) -> Result:
    cid, answer = new_captcha(sandbox)
    return cli(
        "--env", "sandbox", "account", "create",
        "--username", user, "--email", f"{user}@exemple.test",
        "--captcha-id", cid, "--captcha-answer", answer, *extra,
        env={"CARTES_PASSWORD": PASSWORD},
    )  # fmt: skip


def assert_no_leak(results: list[Result], *secrets: str, allowed: tuple[Result, ...] = ()) -> None:
    for r in results:
        for text in (r.stdout, r.stderr):
            for secret in secrets:
                if r in allowed and secret not in (PASSWORD, NEW_PASSWORD):
                    continue
                assert secret not in text, f"a secret leaked in {r.args}"
            assert not JWT.search(text), f"a token leaked in {r.args}"


# ================================================================================================
# The journey, without a terminal
# ================================================================================================


@pytest.mark.e2e
def test_sign_up_verify_login_2fa_password_journey(
    cli: Cartes, accounts_sandbox: Sandbox, tmp_path: Path
) -> None:
    sandbox = accounts_sandbox
    user, email = "nina.journey", "nina.journey@exemple.test"

    # A captcha for a script: saved, remembered, and (test mode) with its answer in --json.
    image = tmp_path / "captcha.png"
    r = cli("--env", "sandbox", "--json", "account", "captcha", "--output", str(image))
    assert r.returncode == 0, r
    captcha = json.loads(r.stdout)
    assert image.read_bytes().startswith(b"\x89PNG")
    assert captcha["path"] == str(image)
    assert captcha["expires_in"] > 0
    assert captcha["audio_url"].startswith(sandbox.base_url)
    wav = tmp_path / "captcha.wav"
    r_audio = cli("--env", "sandbox", "account", "captcha", "--audio", "--output", str(wav))
    assert r_audio.returncode == 0, r_audio
    assert wav.read_bytes()[:4] == b"RIFF"
    # The audio run fetched (and remembered) another captcha: the first one is named by its id.
    steps: list[Result] = [r, r_audio]

    r = cli(
        "--debug", "--env", "sandbox", "account", "create",
        "--username", user, "--email", email, "--first-name", "Nina", "--last-name", "Le Gall",
        "--phone", "06 12 34 56 78", "--street", "8 avenue Pasteur", "--locality", "Saint-Mandé",
        "--postcode", "94160", "--captcha-id", captcha["id"], "--captcha-answer", captcha["answer"],
        env={"CARTES_PASSWORD": PASSWORD},
    )  # fmt: skip
    steps.append(r)
    assert r.returncode == 0, r
    created = tsv(r)
    assert created["username"] == user
    assert created["status"] == "pending_verification"
    assert "cartes --env sandbox sandbox outbox" in r.stderr  # works as printed
    assert "[debug] → POST" in r.stderr  # the HTTP log is on, and the canary below reads it

    # Not verified yet: the login server refuses, with the sentence for it.
    r = login(cli, user)
    steps.append(r)
    assert r.returncode == 4, r
    assert "not fully set up" in r.stderr

    # Verify: the e-mail defaults to the last sign-up; a wrong code first.
    r = cli("--env", "sandbox", "account", "verify", "--code", "12345")
    assert r.returncode == 2  # not 6 digits: refused before any request
    code = verification_code(sandbox, email)
    wrong = "000000" if code != "000000" else "111111"
    r = cli("--env", "sandbox", "account", "verify", "--code", wrong)
    steps.append(r)
    assert r.returncode == 2, r
    assert "Wrong code" in r.stderr
    r = cli("--env", "sandbox", "account", "verify", "--code", code)
    steps.append(r)
    assert r.returncode == 0, r
    assert "confirmed" in r.stderr

    r = login(cli, user)
    steps.append(r)
    assert r.returncode == 0, r

    r = cli("account", "show", "--json")
    steps.append(r)
    assert r.returncode == 0, r
    shown = json.loads(r.stdout)
    assert shown["username"] == user
    assert shown["email"] == email
    assert shown["email_verified"] is True
    assert shown["phone"] == "+33612345678"
    assert (shown["street"], shown["postcode"], shown["locality"]) == (
        "8 avenue Pasteur",
        "94160",
        "Saint-Mandé",
    )
    assert shown["communities"] == []
    assert shown["keys_quota"] is not None

    r = cli("account", "update", "--locality", "Paris", "--postcode", "75007", "--first-name", "Ninon")
    steps.append(r)
    assert r.returncode == 0, r
    r = cli("account", "update", "--postcode", "7500")
    assert r.returncode == 2
    assert "--postcode" in r.stderr
    shown = json.loads(cli("account", "show", "--json", "first_name,locality,postcode,street").stdout)
    assert shown == {
        "first_name": "Ninon",
        "locality": "Paris",
        "postcode": "75007",
        "street": "8 avenue Pasteur",
    }

    # Password change from standard input: the rule is checked locally first. (Before 2FA is on:
    # each login with a seed takes a 30-s window of its own, so the journey keeps those few.)
    r = cli("account", "password", "--stdin", input=f"{PASSWORD}\nshort\nshort\n")
    steps.append(r)
    assert r.returncode == 2
    assert "at least 14 characters" in r.stderr
    r = cli("account", "password", "--stdin", input=f"wrong-Password-11!!\n{NEW_PASSWORD}\n{NEW_PASSWORD}\n")
    steps.append(r)
    assert r.returncode == 2, r
    assert "current password" in r.stderr
    r = cli(
        "--debug", "account", "password", "--stdin", input=f"{PASSWORD}\n{NEW_PASSWORD}\n{NEW_PASSWORD}\n"
    )
    steps.append(r)
    assert r.returncode == 0, r
    r = login(cli, user, NEW_PASSWORD)
    steps.append(r)
    assert r.returncode == 0, r
    assert login(cli, user, PASSWORD).returncode == 4  # the old one is gone

    # 2FA, in two steps as a script does: the seed is printed, then confirmed with a code computed
    # from it (CARTES_TOTP_SECRET) and kept for unattended logins.
    r = cli("--json", "account", "2fa", "enable")
    steps.append(r)
    assert r.returncode == 0, r
    setup = json.loads(r.stdout)
    seed = setup["secret"]
    assert setup["status"] == "pending"
    assert f"secret={seed}" in setup["otpauth_uri"]
    enable_output = r
    r = cli("account", "2fa", "enable", "--store-secret", env={"CARTES_TOTP_SECRET": seed})
    steps.append(r)
    assert r.returncode == 0, r
    assert "on" in r.stderr
    r = cli("account", "2fa", "enable", "--code", pyotp.TOTP(seed).now())
    assert r.returncode == 1  # already on: a conflict, one sentence
    assert "Traceback" not in r.stderr

    # Logins now need the second factor: refused without it (another profile keeps no seed) ...
    def login_as(profile: str, password: str, *extra: str, **env: str) -> Result:
        return cli(
            "--profile", profile, "--env", "sandbox", "login", *extra, *storage(cli),
            env={"CARTES_USERNAME": user, "CARTES_PASSWORD": password, **env},
        )  # fmt: skip

    r = login_as("other", NEW_PASSWORD)
    steps.append(r)
    assert r.returncode == 4, r
    # ... and computed from the seed kept by '2fa enable --store-secret' (no variable). Logging in
    # from CARTES_TOTP_SECRET with --store-totp-secret is test_login_flows' journey.
    r = login(cli, user, NEW_PASSWORD)
    steps.append(r)
    assert r.returncode == 0, r

    # 2FA off, the code computed from the stored seed, which is then forgotten; no code any more.
    r = cli("account", "2fa", "disable")
    steps.append(r)
    assert r.returncode == 0, r
    if not cli.keyring:
        stored = json.loads((Path(cli.home) / "config" / "credentials.json").read_text(encoding="utf-8"))
        assert not [key for key in stored if key.endswith("/totp_secret")]
    assert json.loads(cli("account", "show", "--json", "totp").stdout) == {"totp": False}
    r = login_as("third", NEW_PASSWORD)
    steps.append(r)
    assert r.returncode == 0, r

    # A new e-mail address is confirmed like the first one ('verify' now defaults to it).
    new_email = "nina.new@exemple.test"
    r = cli("--profile", "third", "account", "update", "--email", new_email)
    assert r.returncode == 0, r
    assert "cartes --profile third account verify" in r.stderr  # works as printed (same profile)
    r = cli("--env", "sandbox", "account", "verify", "--code", verification_code(sandbox, new_email))
    assert r.returncode == 0, r
    assert new_email in r.stderr

    # The canary: passwords never shown; the seed only by the '2fa enable' that shows it.
    assert_no_leak(steps, PASSWORD, NEW_PASSWORD, seed, allowed=(enable_output,))
    for path in Path(cli.home).rglob("*"):
        if path.is_file() and path.name != "credentials.json":
            content = path.read_text(encoding="utf-8", errors="replace")
            for secret in (PASSWORD, NEW_PASSWORD, seed):
                assert secret not in content, f"secret in {path}"


# ================================================================================================
# Captchas and codes
# ================================================================================================


@pytest.mark.e2e
def test_wrong_captcha_creates_nothing_and_burns_the_captcha(cli: Cartes, accounts_sandbox: Sandbox) -> None:
    cid, answer = new_captcha(accounts_sandbox)
    base = [
        "--env",
        "sandbox",
        "account",
        "create",
        "--username",
        "oscar.wrong",
        "--email",
        "oscar.wrong@exemple.test",
        "--captcha-id",
        cid,
    ]
    r = cli(
        *base,
        "--captcha-answer",
        "ZZZZZZ" if answer != "ZZZZZZ" else "YYYYYY",
        env={"CARTES_PASSWORD": PASSWORD},
    )
    assert r.returncode == 2, r
    assert "captcha" in r.stderr
    assert "cartes --env sandbox account captcha" in r.stderr  # works as printed
    # Single use: the right answer comes too late for this captcha.
    r = cli(*base, "--captcha-answer", answer, env={"CARTES_PASSWORD": PASSWORD})
    assert r.returncode == 2, r
    # With a new one, the same username is free: nothing was created before.
    r = sign_up(cli, accounts_sandbox, "oscar.wrong")
    assert r.returncode == 0, r
    assert_no_leak([r], PASSWORD)


@pytest.mark.e2e
def test_reused_captcha_is_refused(cli: Cartes, accounts_sandbox: Sandbox) -> None:
    cid, answer = new_captcha(accounts_sandbox)
    first = ["--captcha-id", cid, "--captcha-answer", answer]
    r = cli(
        "--env",
        "sandbox",
        "account",
        "create",
        "--username",
        "reuse.one",
        "--email",
        "reuse.one@exemple.test",
        *first,
        env={"CARTES_PASSWORD": PASSWORD},
    )
    assert r.returncode == 0, r
    r = cli(
        "--env",
        "sandbox",
        "account",
        "create",
        "--username",
        "reuse.two",
        "--email",
        "reuse.two@exemple.test",
        *first,
        env={"CARTES_PASSWORD": PASSWORD},
    )
    assert r.returncode == 2, r
    assert "captcha" in r.stderr
    # A new captcha, but a taken username: a conflict, said in one sentence.
    r = sign_up(cli, accounts_sandbox, "reuse.one")
    assert r.returncode == 1, r
    assert "already has this username" in r.stderr


@pytest.mark.e2e
def test_remembered_captcha_and_missing_answer(
    cli: Cartes, accounts_sandbox: Sandbox, tmp_path: Path
) -> None:
    r = cli("--env", "sandbox", "--json", "account", "captcha", "--output", str(tmp_path / "c.png"))
    answer = json.loads(r.stdout)["answer"]
    seq = log_seq(accounts_sandbox)
    args = (
        "--env",
        "sandbox",
        "account",
        "create",
        "--username",
        "remi.cache",
        "--email",
        "remi.cache@exemple.test",
    )
    r = cli(*args, env={"CARTES_PASSWORD": PASSWORD})
    assert r.returncode == 2
    assert "--captcha-answer" in r.stderr
    r = cli(*args)
    assert r.returncode == 2
    assert "CARTES_PASSWORD" in r.stderr
    assert ("POST", "/api/accounts") not in requests_since(accounts_sandbox, seq)
    r = cli(*args, "--captcha-answer", answer, env={"CARTES_PASSWORD": PASSWORD})  # the remembered id
    assert r.returncode == 0, r


@pytest.mark.e2e
def test_verification_code_burnt_by_wrong_tries_then_resend(cli: Cartes, accounts_sandbox: Sandbox) -> None:
    user = "vera.burnt"
    email = f"{user}@exemple.test"
    assert sign_up(cli, accounts_sandbox, user).returncode == 0
    code = verification_code(accounts_sandbox, email)
    wrong = "000000" if code != "000000" else "111111"
    r = cli("--env", "sandbox", "account", "verify", "--email", email, "--code", wrong)
    assert r.returncode == 2, r
    assert "Wrong code (4 tries left)" in r.stderr
    # More wrong tries straight to the server (to save time), until the code is burnt.
    tries = 1
    while True:
        response = httpx.post(
            accounts_sandbox.api_url + "/accounts/verify", json={"email": email, "code": wrong}
        )
        assert response.status_code == 400
        tries += 1
        if response.json()["problems"][0]["code"] == "code.expired":
            break
        assert tries < 20
    # Now even the right code is refused, and the CLI says what to do.
    r = cli("--env", "sandbox", "account", "verify", "--email", email, "--code", code)
    assert r.returncode == 2, r
    assert "has expired" in r.stderr
    assert "--resend" in r.stderr
    r = cli("--env", "sandbox", "account", "verify", "--email", email, "--resend")
    assert r.returncode == 0, r
    new_code = verification_code(accounts_sandbox, email)
    r = cli("--env", "sandbox", "account", "verify", "--email", email, "--code", new_code)
    assert r.returncode == 0, r


@pytest.mark.e2e
def test_expired_verification_code(tmp_path: Path, keyring_available: bool) -> None:
    home = tmp_path / "short-codes"
    sandbox = start_accounts_sandbox(home, "--scriptable-captchas", "--verification-ttl", "1")
    try:
        cli = Cartes(tmp_path / "cli", sandbox, keyring_available)
        user = "victor.late"
        email = f"{user}@exemple.test"
        assert sign_up(cli, sandbox, user).returncode == 0
        code = verification_code(sandbox, email)
        time.sleep(1.5)
        r = cli("--env", "sandbox", "account", "verify", "--email", email, "--code", code)
        assert r.returncode == 2, r
        assert "has expired" in r.stderr
        assert "--resend" in r.stderr
        r = login(cli, user)
        assert r.returncode == 4, r  # still not verified: the platform refuses the login
    finally:
        sandbox.stop()


@pytest.mark.e2e
def test_password_file_must_be_private(cli: Cartes, accounts_sandbox: Sandbox, tmp_path: Path) -> None:
    cid, answer = new_captcha(accounts_sandbox)
    file = tmp_path / "signup.toml"
    file.write_text(
        f'username = "toml.user"\nemail = "toml.user@exemple.test"\npassword = "{PASSWORD}"\n'
        f'captcha_id = "{cid}"\ncaptcha_answer = "{answer}"\n[address]\nstreet = "1 rue de la Paix"\n'
        'locality = "Paris"\npostcode = "75002"\n',
        encoding="utf-8",
    )
    file.chmod(0o644)
    r = cli("--env", "sandbox", "account", "create", "--from-file", str(file))
    assert r.returncode == 2
    assert "chmod 600" in r.stderr
    assert PASSWORD not in r.stderr
    file.chmod(0o600)
    r = cli("--env", "sandbox", "account", "create", "--from-file", str(file))
    assert r.returncode == 0, r
    assert tsv(r)["username"] == "toml.user"


@pytest.mark.e2e
def test_real_platform_commands_point_to_the_browser(cli: Cartes, tmp_path: Path) -> None:
    # A platform without /sandbox/capabilities behaves as the real Géoplateforme: a sandbox whose
    # account API is off is exactly that.
    home = tmp_path / "real"
    sandbox = start_sandbox(home, home / "data", "--seed", "demo", "--no-accounts-api")
    try:
        real = Cartes(tmp_path / "home-real", sandbox, cli.keyring)
        r = real("--env", "sandbox", "account", "create", "--no-browser")
        assert r.returncode == 0, r
        assert (
            r.stdout.strip()
            == f"{sandbox.issuer}/protocol/openid-connect/registrations?client_id=gpf-warehouse"
            "&response_type=code&scope=openid&redirect_uri="
            + quote(f"{sandbox.base_url}/swagger-ui/oauth2-redirect.html", safe="")
        )
        r = real(
            "--env",
            "sandbox",
            "account",
            "create",
            "--username",
            "a.script",
            "--email",
            "a@exemple.test",
            "--captcha-answer",
            "x",
            env={"CARTES_PASSWORD": PASSWORD},
        )
        assert r.returncode == 1
        assert "no sign-up API" in r.stderr
        r = real("--env", "sandbox", "account", "password", "--no-browser")
        assert r.returncode == 0, r
        assert "kc_action=UPDATE_PASSWORD" in r.stdout
        r = real("--env", "sandbox", "account", "2fa", "enable", "--no-browser")
        assert "kc_action=CONFIGURE_TOTP" in r.stdout
    finally:
        sandbox.stop()


# ================================================================================================
# The rules: the CLI's checks and the server's agree (tests/validation_cases.py)
# ================================================================================================


def _file_for(tmp: Path, name: str, body: dict[str, Any]) -> Path:
    path = tmp / f"{name}.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    path.chmod(0o600)
    return path


def _run_in_process(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    """The CLI's own code path, in this process (the table is too long for one process per case)."""
    from cartes_cli import i18n
    from cartes_cli.cli.main import run

    out, err = io.StringIO(), io.StringIO()
    saved = dict(os.environ)
    try:
        os.environ.clear()
        os.environ.update(env)
        i18n.reset()  # the language of this environment, not of an earlier one
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = run(args)
    finally:
        os.environ.clear()
        os.environ.update(saved)
        i18n.reset()
    return code, out.getvalue(), err.getvalue()


Case = tuple[str, dict[str, Any], set[tuple[str, str]], str | None]


def _cases() -> list[Case]:
    cases: list[Case] = []
    for i, (kind, value, codes) in enumerate(FIELD_CASES):
        if kind not in FIELD_LOCATIONS:
            continue  # a SIREN has no place of its own in a sign-up
        location = FIELD_LOCATIONS[kind]
        cases.append(
            (f"f{i}", registration_with(kind, value, f"f{i}"), {(location, c) for c in codes}, location)
        )
    for i, (_name, body, expected) in enumerate(REGISTRATION_CASES):
        # Valid bodies become accounts on the server: each needs its own name. (Invalid ones keep
        # theirs: a rule such as "the password contains the username" depends on it.)
        cases.append((f"r{i}", body if expected else _renumber(body, f"r{i}"), set(expected), None))
    return cases


def _renumber(body: dict[str, Any], n: str) -> dict[str, Any]:
    result = dict(body)
    for key in ("username", "email"):
        if isinstance(result.get(key), str) and "essai.1" in result[key]:
            result[key] = result[key].replace("essai.1", f"essai.{n}")
    return result


CAPTCHA_INVALID = ("captcha", "captcha.invalid")


@pytest.mark.e2e
def test_validation_cases_cli_and_server_agree(
    accounts_sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every case of tests/validation_cases.py, through the server and through the CLI.

    The server (a direct POST naming a made-up captcha, so that no account is created: it
    reports every field problem and the captcha's) must find exactly the expected problems. The
    CLI must refuse locally (exit 2, the option named, and no POST /api/accounts in the sandbox
    log) exactly the cases with problems, and send the others (which the server then refuses for
    the captcha alone). Valid sign-ups that really create an account: the journeys, and the last
    case below.
    """
    import typer.main

    from cartes_cli.cli.account import FIELD_LABELS
    from tests.conftest import base_env

    sandbox = accounts_sandbox
    home = tmp_path / "home"
    (home / "state").mkdir(parents=True)
    (home / "state" / "sandbox.json").write_text(json.dumps(sandbox.info), encoding="utf-8")
    env = base_env(home)
    cases = _cases()
    assert len(cases) > 100

    # 1. The server, straight over HTTP.
    def server_verdict(case: Case) -> set[tuple[str, str]]:
        name, body, _expected, _location = case
        made_up = {"_id": f"made-up-{name}", "answer": "XXXXXX"}
        response = httpx.post(sandbox.api_url + "/accounts", json={**body, "captcha": made_up}, timeout=30)
        assert response.status_code == 400, (name, response.status_code, response.text)
        return {(p["field"], p["code"]) for p in response.json()["problems"]}

    with ThreadPoolExecutor(max_workers=4) as pool:
        server = dict(zip([c[0] for c in cases], pool.map(server_verdict, cases), strict=True))

    # 2. The CLI's own code, in this process (one process per case would take a minute): the
    # command tree is built once.
    built = typer.main.get_command
    cache: dict[int, Any] = {}
    monkeypatch.setattr(typer.main, "get_command", lambda app: cache.setdefault(id(app), built(app)))

    verdicts: dict[str, tuple[int, str]] = {}

    def run_cli(case: Case) -> None:
        name, body, _expected, _location = case
        path = _file_for(tmp_path, name, body)
        args = ["--env", "sandbox", "account", "create", "--from-file", str(path)]
        code, _out, err = _run_in_process([*args, "--captcha-id", "made-up", "--captcha-answer", "x"], env)
        verdicts[name] = (code, err)

    invalid = [c for c in cases if c[2]]
    valid = [c for c in cases if not c[2]]
    seq = log_seq(sandbox)
    for case in invalid:
        run_cli(case)
    assert ("POST", "/api/accounts") not in requests_since(sandbox, seq), "an invalid sign-up was sent"
    seq = log_seq(sandbox)
    for case in valid:
        run_cli(case)
    posts = [e for e in requests_since(sandbox, seq) if e == ("POST", "/api/accounts")]

    disagreements = []
    for name, _body, expected, location in cases:
        code, err = verdicts[name]
        summary = err.strip().replace("\n", " ")[:300]
        if server[name] != expected | {CAPTCHA_INVALID}:
            disagreements.append(f"{name}: server {sorted(server[name])} != expected {sorted(expected)}")
        if expected and code != 2:
            disagreements.append(f"{name}: invalid, but the CLI exited {code}: {summary}")
        # Only the server can say the captcha is wrong: then the sign-up was sent.
        if not expected and not (code == 2 and "captcha answer is wrong" in err):
            disagreements.append(f"{name}: valid, but the CLI did not send it (exit {code}): {summary}")
        if expected and location is not None and FIELD_LABELS.get(location, location) not in err:
            disagreements.append(f"{name}: the CLI did not name {FIELD_LABELS.get(location)}: {summary}")
        assert "Carte-Blanche-2026!" not in err
    assert not disagreements, "\n".join(disagreements)
    assert len(posts) == len(valid)

    # One case of each kind through the real executable as well.
    cartes = Cartes(home, sandbox, keyring=False)
    bad = _file_for(tmp_path, "exe-bad", registration_with("siret", "73282932000075", "exe"))
    r = cartes(
        "--env",
        "sandbox",
        "account",
        "create",
        "--from-file",
        str(bad),
        "--captcha-id",
        "x",
        "--captcha-answer",
        "x",
    )
    assert r.returncode == 2
    assert "--siret" in r.stderr
    cid, answer = new_captcha(sandbox)
    good = _file_for(tmp_path, "exe-good", full_registration("exe"))
    r = cartes(
        "--env",
        "sandbox",
        "account",
        "create",
        "--from-file",
        str(good),
        "--captcha-id",
        cid,
        "--captcha-answer",
        answer,
    )
    assert r.returncode == 0, r
