"""The walking skeleton, end to end: the installed ``cartes`` against a real sandbox server."""

from __future__ import annotations

import json
import socket

import pytest

from tests.conftest import ADMIN, DEMO_PASSWORD, STAFF, TOTP_USER, Cartes

pytestmark = pytest.mark.e2e


def test_login_without_totp_then_status_list_logout(cartes: Cartes) -> None:
    r = cartes.login(ADMIN)
    assert r.returncode == 0, r
    assert r.stdout == ""
    assert "julien.lefebvre" in r.stderr
    assert DEMO_PASSWORD not in r.stdout + r.stderr

    r = cartes("login", "status", "--json")
    assert r.returncode == 0, r
    rows = json.loads(r.stdout)
    active = [row for row in rows if row["active"]]
    assert len(active) == 1
    assert active[0]["user"] == ADMIN
    assert active[0]["state"] == "ok"
    assert active[0]["platform"] == "sandbox"
    assert active[0]["source"] in ("keyring", "file")
    assert active[0]["token"].endswith("*" * 12)

    r = cartes("workspace", "list", "--public")
    assert r.returncode == 0, r
    lines = r.stdout.splitlines()
    assert len(lines) >= 25  # about 30 public workspaces, one TSV line each when piped
    assert all(line.count("\t") == 3 for line in lines)
    assert any(line.startswith("ddt33\tDDT de la Gironde\t") for line in lines)

    r = cartes("logout")
    assert r.returncode == 0, r
    r = cartes("workspace", "list", "--public")
    assert r.returncode == 4, r
    assert "cartes login" in r.stderr
    assert "Traceback" not in r.stderr


def test_login_with_totp_secret_from_environment(cartes: Cartes) -> None:
    assert cartes.sandbox is not None
    user = cartes.sandbox.new_totp_user()
    r = cartes.login(user)
    assert r.returncode == 0, r
    assert user.seed not in r.stdout + r.stderr
    r = cartes("login", "status", "--json", "user,state")
    assert r.returncode == 0, r
    assert {"user": user.username, "state": "ok"} in json.loads(r.stdout)


def test_totp_account_without_code_is_refused_with_exit_4(cartes: Cartes) -> None:
    r = cartes.login(TOTP_USER)
    assert r.returncode == 4, r
    assert r.stderr.count("\n") <= 2
    assert "Traceback" not in r.stderr
    assert "CARTES_TOTP_SECRET" in r.stderr or "code" in r.stderr


def test_wrong_totp_code_is_refused(cartes: Cartes) -> None:
    # A valid base32 seed that is not the account's: the computed code is wrong.
    r = cartes(
        "--env",
        "sandbox",
        "login",
        *(() if cartes.keyring else ("--insecure-storage",)),
        env={
            "CARTES_USERNAME": TOTP_USER,
            "CARTES_PASSWORD": DEMO_PASSWORD,
            "CARTES_TOTP_SECRET": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
        },
    )
    assert r.returncode == 4, r
    assert "Traceback" not in r.stderr


def test_wrong_password_exit_4_one_sentence(cartes: Cartes) -> None:
    r = cartes(
        "--env",
        "sandbox",
        "login",
        *(() if cartes.keyring else ("--insecure-storage",)),
        env={
            "CARTES_USERNAME": STAFF,
            "CARTES_PASSWORD": "Not-The-Password-42!!",
        },
    )
    assert r.returncode == 4, r
    assert r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1
    assert "Not-The-Password-42!!" not in r.stderr


def test_login_by_email_and_password_from_stdin(cartes: Cartes) -> None:
    args = ["--env", "sandbox", "login", "--username", "claire.moreau@ign.test", "--password-stdin"]
    if not cartes.keyring:
        args.append("--insecure-storage")
    r = cartes(*args, input=DEMO_PASSWORD + "\n")
    assert r.returncode == 0, r
    r = cartes("workspace", "list", "--public", "--json")
    assert r.returncode == 0, r
    items = json.loads(r.stdout)
    assert isinstance(items, list)
    assert len(items) >= 25
    assert {"id", "technical_name", "name", "organization", "contact"} <= set(items[0])


def test_catalogue_search_json_fields_and_formats(cartes: Cartes) -> None:
    assert cartes.login(ADMIN).returncode == 0
    r = cartes("workspace", "list", "--public", "--search", "gironde", "--json", "technical_name,name")
    assert r.returncode == 0, r
    items = json.loads(r.stdout)
    assert items
    assert all(set(i) == {"technical_name", "name"} for i in items)
    assert any(i["technical_name"] == "ddt33" for i in items)
    # Accents are ignored: "ecrins" finds "Écrins".
    r = cartes("workspace", "list", "--public", "--search", "ecrins", "--json", "technical_name")
    assert {"technical_name": "pn_ecrins"} in json.loads(r.stdout)
    # No match is not an error.
    r = cartes("workspace", "list", "--public", "--search", "zzzz-nothing-zzzz")
    assert r.returncode == 0
    assert r.stdout == ""
    r = cartes("workspace", "list", "--public", "--format", "csv")
    assert r.returncode == 0
    assert r.stdout.splitlines()[0] == "technical_name,name,organization,contact"
    r = cartes("workspace", "list", "--public", "--json", "nope")
    assert r.returncode == 2
    assert "nope" in r.stderr


def test_my_workspaces_show_rights(cartes: Cartes) -> None:
    assert cartes.login(ADMIN).returncode == 0
    r = cartes("workspace", "list", "--json", "technical_name,rights,supervisor")
    assert r.returncode == 0, r
    mine = {i["technical_name"]: i for i in json.loads(r.stdout)}
    assert mine["ddt33"]["supervisor"] is True
    assert set(mine["ddt33"]["rights"]) == {"COMMUNITY", "UPLOAD", "PROCESSING", "BROADCAST", "ANNEX"}


def test_global_options_work_after_the_subcommand(cartes: Cartes) -> None:
    assert cartes.login(ADMIN).returncode == 0
    r = cartes("workspace", "list", "--public", "--env", "sandbox", "--json", "technical_name")
    assert r.returncode == 0, r
    assert json.loads(r.stdout)


@pytest.mark.parametrize(
    ("args", "code", "needle"),
    [
        (("--profile", "nosuch", "workspace", "list", "--public"), 2, "nosuch"),
        (("--profile", "bad name!", "workspace", "list"), 2, "profile"),
        (("--api-url", "not a url", "workspace", "list", "--public"), 2, "URL"),
        (("--api-url", "http://example.com/api", "workspace", "list", "--public"), 2, "http://"),
        (("--api-url", "ftp://127.0.0.1/api", "workspace", "list", "--public"), 2, "URL"),
        (("--env", "mars", "workspace", "list", "--public"), 2, "mars"),
        (("--issuer", "https://sso.example.test/realms/x", "workspace", "list"), 2, "--api-url"),
        (("workspace", "list", "--bogus"), 2, "--bogus"),
        (("workspace", "frobnicate"), 2, "frobnicate"),
        (("login", "status", "--format", "xml"), 2, "xml"),
    ],
)
def test_bad_input_one_clear_sentence(cartes: Cartes, args: tuple[str, ...], code: int, needle: str) -> None:
    r = cartes(*args)
    assert r.returncode == code, r
    assert needle.lower() in r.stderr.lower()
    assert "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) <= 2


def test_server_not_running(tmp_path: object, cartes: Cartes) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # Nothing listens on that port any more.
    storage = () if cartes.keyring else ("--insecure-storage",)
    r = cartes(
        "--api-url",
        f"http://127.0.0.1:{port}/api",
        "login",
        *storage,
        env={"CARTES_USERNAME": ADMIN, "CARTES_PASSWORD": DEMO_PASSWORD},
        timeout=30,
    )
    assert r.returncode == 1, r
    assert f"127.0.0.1:{port}" in r.stderr
    assert "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) <= 2


def test_env_sandbox_without_a_running_sandbox(tmp_path: object, cartes: Cartes) -> None:
    (cartes.home / "state" / "sandbox.json").unlink()
    r = cartes("--env", "sandbox", "workspace", "list", "--public")
    assert r.returncode == 1, r
    assert "cartes sandbox serve" in r.stderr


def test_noninteractive_login_without_credentials_is_a_usage_error(cartes: Cartes) -> None:
    r = cartes("--env", "sandbox", "login")
    assert r.returncode == 2, r
    assert "CARTES_USERNAME" in r.stderr
    r = cartes("--env", "sandbox", "login", "--username", ADMIN)
    assert r.returncode == 2, r
    assert "CARTES_PASSWORD" in r.stderr


def test_version_and_help(cartes: Cartes) -> None:
    r = cartes("--version")
    assert r.returncode == 0
    assert r.stdout.startswith("cartes ")
    r = cartes("--help")
    assert r.returncode == 0
    for group in ("login", "logout", "workspace", "sandbox"):
        assert group in r.stdout


def test_status_checks_the_session_at_the_platform(cartes: Cartes) -> None:
    import httpx

    from tests.conftest import WAREHOUSE

    # No keyring here (whatever the machine has), so that the test can read the refresh token.
    cartes.env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    r = cartes(
        "--env",
        "sandbox",
        "login",
        "--insecure-storage",
        env={"CARTES_USERNAME": ADMIN, "CARTES_PASSWORD": DEMO_PASSWORD},
    )
    assert r.returncode == 0, r
    assert cartes("login", "status").returncode == 0
    # The session ends at the platform (a logout elsewhere, an administrator); the access token
    # cached on this machine has not expired yet.
    stored = json.loads((cartes.home / "config" / "credentials.json").read_text())
    refresh_token = next(v for k, v in stored.items() if k.endswith("refresh_token"))
    assert cartes.sandbox is not None
    ended = httpx.post(
        cartes.sandbox.issuer + "/protocol/openid-connect/logout",
        data={"refresh_token": refresh_token, **WAREHOUSE},
        timeout=10,
    )
    assert ended.status_code == 204
    r = cartes("login", "status", "--json", "profile,state,error")
    assert r.returncode == 1
    row = next(x for x in json.loads(r.stdout) if x["profile"] == "default")
    assert row["state"] == "expired"
    assert "expired or was closed" in row["error"]
