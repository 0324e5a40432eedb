"""Administering workspaces and accounts end to end: ``workspace update``, ``workspace
supervisor``, ``account 2fa lost`` and the staff's ``account 2fa reset``.

The installed ``cartes`` against the module's sandbox (``cli`` of tests/e2e/conftest.py). Tests
that change data work on different communities, so that their order does not matter.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import ADMIN, STAFF, TOTP_USER, Cartes, Sandbox
from tests.e2e.test_account import log_seq, requests_since

pytestmark = pytest.mark.e2e

SUPPORT = "geoplateforme@ign.fr"
MEMBER = "sophie.martin"  # member of ddt33 without COMMUNITY
AMELIE_EMAIL = "amelie.rousseau@ecrins-parcnational.test"


def as_user(tmp_path: Path, cli: Cartes, name: str) -> Cartes:
    other = Cartes(tmp_path / name, cli.sandbox, cli.keyring)
    r = other.login(name)
    assert r.returncode == 0, r
    return other


def real_platform(sandbox: Sandbox) -> tuple[str, ...]:
    """Options that point at the sandbox where it answers like the real Géoplateforme: no
    ``/sandbox/capabilities`` (a 404) under this API root."""
    return ("--api-url", sandbox.base_url + "/elsewhere/api", "--issuer", sandbox.issuer)


# --- workspace update ------------------------------------------------------------------------------


def test_workspace_update(tmp_path: Path, cli: Cartes) -> None:
    admin = as_user(tmp_path, cli, ADMIN)
    r = admin(
        "workspace", "update", "ddt33", "--description", "Urbanisme et risques en Gironde.",
        "--contact", "geomatique@ddt-gironde.test", "--json",
    )  # fmt: skip
    assert r.returncode == 0, r
    shown = json.loads(r.stdout)
    assert shown["technical_name"] == "ddt33"
    assert shown["description"] == "Urbanisme et risques en Gironde."
    assert shown["contact"] == "geomatique@ddt-gironde.test"
    assert "COMMUNITY" in shown["my_rights"]
    again = json.loads(admin("workspace", "show", "ddt33", "--json").stdout)
    assert again["contact"] == "geomatique@ddt-gironde.test"
    # Visibility changes want a confirmation; without a terminal, --yes.
    r = admin("workspace", "update", "ddt33", "--private")
    assert r.returncode == 2, r
    assert "--yes" in r.stderr
    assert json.loads(admin("workspace", "show", "ddt33", "--json").stdout)["public"] is True
    r = admin("workspace", "update", "ddt33", "--private", "--yes", "--json", "public")
    assert (r.returncode, json.loads(r.stdout)) == (0, {"public": False}), r
    r = admin("workspace", "update", "ddt33", "--public", "--yes", "--json", "public")
    assert (r.returncode, json.loads(r.stdout)) == (0, {"public": True}), r


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "Nothing to change"),
        (("--name", "Court"), "at least 10 characters"),
        (("--contact", "pas-une-adresse"), "--contact"),
        (("--name", "x" * 101), "at most 100"),
    ],
)
def test_workspace_update_bad_input_sends_nothing(
    tmp_path: Path, cli: Cartes, args: tuple[str, ...], message: str
) -> None:
    admin = as_user(tmp_path, cli, ADMIN)
    assert cli.sandbox is not None
    seq = log_seq(cli.sandbox)
    r = admin("workspace", "update", "ddt33", *args)
    assert r.returncode == 2, r
    assert message in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert "Traceback" not in r.stderr
    assert [call for call in requests_since(cli.sandbox, seq) if not call[1].startswith("/sandbox/")] == []


def test_workspace_update_needs_the_community_right(tmp_path: Path, cli: Cartes) -> None:
    member = as_user(tmp_path, cli, MEMBER)
    r = member("workspace", "update", "ddt33", "--description", "Pas le droit.")
    assert r.returncode == 5, r
    assert "COMMUNITY" in r.stderr


# --- workspace supervisor ----------------------------------------------------------------------------


def test_supervision_handed_over_then_the_former_supervisor_leaves(tmp_path: Path, cli: Cartes) -> None:
    # ddtm29: supervised by elodie.chevalier; camille.dubois is a member (UPLOAD, PROCESSING).
    elodie = as_user(tmp_path, cli, "elodie.chevalier")
    camille = as_user(tmp_path, cli, "camille.dubois")
    r = camille("workspace", "supervisor", "ddtm29", "camille.dubois@bretagne-region.test", "--yes")
    assert r.returncode == 5, r  # a member, not the supervisor
    r = elodie("workspace", "supervisor", "ddtm29", "julien.lefebvre@ddt-gironde.test", "--yes")
    assert r.returncode == 2, r  # not a member
    assert "not a member" in r.stderr
    r = elodie("workspace", "supervisor", "ddtm29", "camille.dubois@bretagne-region.test")
    assert r.returncode == 2, r  # no terminal, no --yes
    r = elodie("workspace", "supervisor", "ddtm29", "camille.dubois@bretagne-region.test", "--yes")
    assert r.returncode == 0, r
    assert "stays a member" in r.stderr
    members = json.loads(camille("workspace", "members", "ddtm29", "--json").stdout)
    by_email = {m["email"]: m for m in members}
    assert by_email["camille.dubois@bretagne-region.test"]["supervisor"] is True
    assert by_email["camille.dubois@bretagne-region.test"]["rights"] == [
        "COMMUNITY", "UPLOAD", "PROCESSING", "BROADCAST", "ANNEX",
    ]  # fmt: skip
    assert "COMMUNITY" in by_email["elodie.chevalier@ddtm-finistere.test"]["rights"]
    r = elodie("workspace", "leave", "ddtm29", "--yes")
    assert r.returncode == 0, r
    mine = json.loads(elodie("workspace", "list", "--json").stdout)
    assert "ddtm29" not in {w["technical_name"] for w in mine}


# --- account 2fa lost --------------------------------------------------------------------------------


def test_2fa_lost_prints_a_draft_without_a_login(cli: Cartes) -> None:
    r = cli("account", "2fa", "lost", "--email", AMELIE_EMAIL, env={"CARTES_USERNAME": TOTP_USER})
    assert r.returncode == 0, r
    assert f"To: {SUPPORT}" in r.stdout
    assert "Subject: [cartes.gouv.fr] Perte de l'application d'authentification" in r.stdout
    assert "Nom d'utilisateur : amelie.rousseau" in r.stdout
    assert AMELIE_EMAIL in r.stdout
    assert "réinitialiser la double authentification" in r.stdout
    # French whatever the locale; the command's own messages follow it.
    fr = cli("account", "2fa", "lost", "-u", TOTP_USER, "--email", AMELIE_EMAIL, env={"CARTES_LANG": "fr"})
    assert fr.stdout.splitlines()[3:] == r.stdout.splitlines()[3:]
    help_text = cli("account", "2fa", "--help").stdout
    assert SUPPORT in help_text


def test_2fa_lost_json_and_bad_input(cli: Cartes) -> None:
    r = cli("account", "2fa", "lost", "--username", TOTP_USER, "--email", AMELIE_EMAIL, "--json")
    assert r.returncode == 0, r
    draft = json.loads(r.stdout)
    assert set(draft) == {"to", "subject", "body", "mailto"}
    assert draft["to"] == SUPPORT
    assert draft["mailto"].startswith(f"mailto:{SUPPORT}?subject=%5Bcartes.gouv.fr%5D")
    assert "amelie.rousseau%40ecrins-parcnational.test" in draft["mailto"]
    r = cli("account", "2fa", "lost", "--username", TOTP_USER, "--email", "pas-une-adresse")
    assert r.returncode == 2, r
    r = cli("account", "2fa", "lost", "--username", TOTP_USER)
    assert r.returncode == 2, r  # no terminal to ask for the e-mail
    assert "--email" in r.stderr


def test_2fa_lost_send_lands_in_the_outbox(cli: Cartes) -> None:
    assert cli.sandbox is not None
    r = cli("--env", "sandbox", "account", "2fa", "lost", "-u", TOTP_USER, "--email", AMELIE_EMAIL, "--send")
    assert r.returncode == 0, r
    assert SUPPORT in r.stderr
    r = cli("sandbox", "outbox", "--to", SUPPORT, "--json")
    assert r.returncode == 0, r
    mails = json.loads(r.stdout)
    sent = [m for m in mails if "Perte de l'application" in m["subject"]]
    assert sent, mails
    r = cli(
        *real_platform(cli.sandbox),
        "account",
        "2fa",
        "lost",
        "-u",
        TOTP_USER,
        "--email",
        AMELIE_EMAIL,
        "--send",
    )
    assert r.returncode == 2, r
    assert "sandbox only" in r.stderr


# --- account 2fa reset (staff) -----------------------------------------------------------------------


def test_staff_reset_then_password_only_login(tmp_path: Path, cli: Cartes) -> None:
    assert cli.sandbox is not None
    amelie = Cartes(tmp_path / "amelie", cli.sandbox, cli.keyring)
    assert amelie.login(TOTP_USER).returncode == 4  # the password alone is refused
    admin = as_user(tmp_path, cli, ADMIN)
    r = admin("account", "2fa", "reset", TOTP_USER, "--yes")
    assert r.returncode == 5, r  # not staff
    r = cli(*real_platform(cli.sandbox), "account", "2fa", "reset", TOTP_USER, "--yes")
    assert r.returncode == 2, r
    assert "admin console" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    staff = as_user(tmp_path, cli, STAFF)
    r = staff("account", "2fa", "reset", TOTP_USER)
    assert r.returncode == 2, r  # no terminal, no --yes
    r = staff("account", "2fa", "reset", AMELIE_EMAIL, "--yes")
    assert r.returncode == 0, r
    assert "removed" in r.stderr
    r = staff("account", "2fa", "reset", TOTP_USER, "--yes")
    assert r.returncode == 0, r
    assert "nothing to reset" in r.stderr
    r = amelie.login(TOTP_USER)  # no code, no seed: the password alone
    assert r.returncode == 0, r
    mails = json.loads(cli("sandbox", "outbox", "--to", AMELIE_EMAIL, "--json").stdout)
    assert any("réinitialisée" in m["subject"] for m in mails), mails
