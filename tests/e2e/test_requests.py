"""Workspaces and requests end to end: join, create, approve, one at a time or in bulk.

Each test runs the installed ``cartes`` against a real sandbox and checks what the platform
holds afterwards (requests, members, the outbox), and that bad input never sends a change.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ADMIN, STAFF, Cartes, Sandbox, cartes_executable, own_sandbox, start_sandbox
from tests.e2e.conftest import PRODUCER, log_seq, logged_in

pytestmark = pytest.mark.e2e

PLAIN_MEMBER = "nicolas.bernard"
"""BROADCAST and ANNEX on pn_ecrins, not COMMUNITY."""

DDT33_CONTACT = "sig@ddt-gironde.test"


sandbox = own_sandbox("sandbox")


def changes_since(sandbox: Sandbox, seq: int) -> list[dict[str, Any]]:
    r = httpx.get(sandbox.base_url + "/sandbox/log", params={"since": seq, "limit": 1000}, timeout=10)
    entries = r.json()
    entries = entries.get("entries", entries) if isinstance(entries, dict) else entries
    return [
        e
        for e in entries
        if e["method"] in ("POST", "PUT", "PATCH", "DELETE") and e["path"].startswith("/api")
    ]


def outbox(sandbox: Sandbox, **params: str) -> list[dict[str, Any]]:
    r = httpx.get(sandbox.base_url + "/sandbox/outbox", params={"limit": 10000, **params}, timeout=30)
    data = r.json()
    return data.get("messages", data) if isinstance(data, dict) else data


def fixture_requests(sandbox: Sandbox, community: str, count: int) -> dict[str, Any]:
    r = httpx.post(
        sandbox.base_url + "/sandbox/fixtures/join-requests",
        json={"community": community, "count": count},
        timeout=60,
    )
    r.raise_for_status()
    return dict(r.json())


def request_status(cli: Cartes, request_id: str) -> str:
    r = cli("request", "show", request_id, "--json", "status")
    assert r.returncode == 0, r
    return str(json.loads(r.stdout)["status"])


# --- the producer's side and the administrator's side of one join -----------------------------------


def test_join_with_form_then_approved_by_the_community_admin(
    producer: Cartes, admin: Cartes, sandbox: Sandbox
) -> None:
    r = producer(
        "workspace",
        "join",
        "ddt33",
        "--message",
        "Chargé d'études à l'agglomération, je souhaite publier nos zonages.",
        "--answer",
        "service=Agglomération de La Rochelle",
        "--answer",
        "usage=Publication des zonages du PLUi et suivi des zones inondables",
    )
    assert r.returncode == 0, r
    request_id = r.stdout.strip()
    assert len(request_id) == 36
    assert request_status(producer, request_id) == "pending"
    mails = outbox(sandbox, related=request_id)
    recipients = sorted(m["to"] if isinstance(m["to"], str) else m["to"][0] for m in mails)
    assert any(r_.startswith(PRODUCER) for r_ in recipients)
    assert DDT33_CONTACT in recipients
    # A second request with other answers while one is pending: a conflict (exit 1), nothing sent.
    r = producer("workspace", "join", "ddt33", "--answer", "service=Agglo", "--answer", "usage=" + "u" * 30)
    assert r.returncode == 1, r
    assert f"cartes request cancel {request_id}" in r.stderr

    r = admin("request", "list", "--incoming", "--json", "id,requester,workspace,status")
    assert r.returncode == 0, r
    row = next(row for row in json.loads(r.stdout) if row["id"] == request_id)
    assert (row["workspace"], row["status"]) == ("ddt33", "pending")
    assert row["requester"].startswith(PRODUCER)

    r = admin("request", "approve", request_id)
    assert r.returncode == 0, r
    assert r.stdout.startswith("accepted\t" + request_id)
    assert "Accepted: 1, unchanged: 0, failed: 0" in r.stderr
    # Re-running changes nothing and says so.
    r = admin("request", "approve", request_id)
    assert r.returncode == 0, r
    assert "unchanged: 1" in r.stderr

    r = producer("workspace", "list", "--json", "technical_name,rights")
    mine = {w["technical_name"]: w for w in json.loads(r.stdout)}
    assert set(mine["ddt33"]["rights"]) == {"UPLOAD", "PROCESSING", "BROADCAST", "ANNEX"}
    mails = outbox(sandbox, related=request_id)
    assert len(mails) == 3  # receipt, notice to the contact, one decision ("Bienvenue…")
    assert len([m for m in mails if m["subject"].startswith("Bienvenue")]) == 1


def test_a_member_without_community_right_cannot_approve(
    tmp_path: Path, sandbox: Sandbox, keyring_available: bool, staff: Cartes
) -> None:
    member = logged_in(tmp_path, sandbox, keyring_available, PLAIN_MEMBER)
    r = staff("request", "list", "--incoming", "--workspace", "pn_ecrins", "--json", "id")
    pending = [row["id"] for row in json.loads(r.stdout)]
    assert pending
    r = member("request", "approve", pending[0])
    assert r.returncode == 5, r  # the one item failed for want of the right
    assert "permission denied" in r.stderr.lower()
    assert request_status(staff, pending[0]) == "pending"
    # Someone who administers no workspace at all has no incoming requests to list.
    nobody = Cartes(tmp_path / "nobody", sandbox, keyring_available)
    assert nobody.login(sandbox.new_totp_user()).returncode == 0
    r = nobody("request", "list", "--incoming")
    assert r.returncode == 5, r
    assert len(r.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("workspace", "join", "ddt33", "--answer", "usage=trop court"), "usage"),
        (("workspace", "join", "ddt33", "--answer", "nope=1"), "nope"),
        (("workspace", "join", "ddt33", "--answer", "service"), "field=value"),
        (("workspace", "create", "Court"), "10"),
        (("workspace", "create", "Observatoire régional", "--public", "--justification", "trop court"), "50"),
        (("workspace", "create", "Observatoire régional", "--offer", "gold"), "offer"),
        (("request", "approve", "not-an-id"), "not-an-id"),
        (("request", "approve", "3f0c2a4e-0000-4000-8000-000000000000", "--rights", "UPLOAD,FLY"), "FLY"),
        (("request", "reject", "--all", "--type", "coffee"), "coffee"),
        (("request", "approve", "--all", "--concurrency", "0"), "concurrency"),
        (
            (
                "workspace",
                "member",
                "add",
                "ddt33",
                "3f0c2a4e-0000-4000-8000-000000000000",
                "--rights",
                "ADMIN",
            ),
            "ADMIN",
        ),
    ],
)
def test_bad_input_exit_2_and_nothing_changes(
    admin: Cartes, sandbox: Sandbox, args: tuple[str, ...], needle: str
) -> None:
    seq = log_seq(sandbox)
    r = admin(*args)
    assert r.returncode == 2, r
    assert needle.lower() in r.stderr.lower(), r
    assert "Traceback" not in r.stderr
    assert changes_since(sandbox, seq) == []


def test_private_workspace_request_created_by_staff(
    producer: Cartes, staff: Cartes, sandbox: Sandbox
) -> None:
    name = f"Observatoire des mobilités douces {int(time.time() * 1000) % 100000}"
    r = producer(
        "workspace", "create", name, "--description", "Comptages vélo et piétons de l'agglomération."
    )
    assert r.returncode == 0, r
    request_id = r.stdout.strip()
    assert "Technical name: observatoire_des_mobilites\n" in r.stderr  # derived: 30 at most, whole words
    r = staff("request", "approve", request_id)
    assert r.returncode == 0, r
    r = producer("workspace", "list", "--json", "name,supervisor,public,rights")
    created = next(w for w in json.loads(r.stdout) if w["name"] == name)
    assert created["supervisor"] is True
    assert created["public"] is False
    assert "COMMUNITY" in created["rights"]


def test_public_workspace_request_needs_a_justification_then_is_rejected(
    producer: Cartes, staff: Cartes
) -> None:
    justification = "Diffuser au public les données de mobilité de l'agglomération, exigées par la loi LOM."
    r = producer(
        "workspace",
        "create",
        "Mobilités de l'agglomération rochelaise",
        "--public",
        "--justification",
        justification,
    )
    assert r.returncode == 0, r
    request_id = r.stdout.strip()
    r = staff(
        "request", "reject", request_id, "--reason", "Un espace existe déjà : rejoignez agglo_larochelle."
    )
    assert r.returncode == 0, r
    r = producer("request", "show", request_id, "--json", "status,reason,public")
    assert json.loads(r.stdout) == {
        "status": "rejected",
        "reason": "Un espace existe déjà : rejoignez agglo_larochelle.",
        "public": True,
    }
    r = producer("request", "cancel", request_id)
    assert r.returncode == 1, r  # a decided request cannot be cancelled (409)


def test_cancel_my_pending_request(producer: Cartes) -> None:
    r = producer("workspace", "join", "pn_vanoise", "--message", "Pour nos études de fréquentation.")
    assert r.returncode == 0, r
    request_id = r.stdout.strip()
    r = producer("request", "cancel", request_id)
    assert r.returncode == 0, r
    assert request_status(producer, request_id) == "cancelled"
    r = producer("request", "list", "--status", "cancelled", "--json", "id")
    assert {"id": request_id} in json.loads(r.stdout)


# --- bulk ---------------------------------------------------------------------------------------------


def test_bulk_approve_all_with_dry_run_confirmation_and_outbox(staff: Cartes, sandbox: Sandbox) -> None:
    created = fixture_requests(sandbox, "tutoriels", 300)
    ids = set(created["requests"])
    seq = log_seq(sandbox)
    r = staff("request", "approve", "--all", "--workspace", "tutoriels", "--dry-run")
    assert r.returncode == 0, r
    assert ids <= {line.split("\t")[0] for line in r.stdout.splitlines()}
    assert changes_since(sandbox, seq) == []
    r = staff("request", "approve", "--all", "--workspace", "tutoriels")
    assert r.returncode == 2, r  # no terminal, no --yes
    assert "--yes" in r.stderr
    r = staff("request", "approve", "--all", "--workspace", "tutoriels", "--yes", "--concurrency", "8")
    assert r.returncode == 0, r
    accepted = {line.split("\t")[1] for line in r.stdout.splitlines() if line.startswith("accepted\t")}
    assert ids <= accepted
    assert "failed: 0" in r.stderr
    mails = outbox(sandbox)
    decided = [m for m in mails if m.get("related") in ids]
    assert len(decided) == 300  # exactly one decision e-mail per request
    r = staff("request", "approve", "--all", "--workspace", "tutoriels", "--yes")
    assert r.returncode == 0, r
    assert "Nothing to do" in r.stderr


def test_bulk_from_stdin_plain_ids_and_json(staff: Cartes, sandbox: Sandbox) -> None:
    created = fixture_requests(sandbox, "tutoriels", 10)
    ids = created["requests"]
    r = staff("request", "reject", "-", "--yes", "--reason", "Essai", input="\n".join(ids[:5]) + "\n")
    assert r.returncode == 0, r
    assert "Rejected: 5" in r.stderr
    lines = "\n".join(json.dumps({"id": i, "type": "join"}) for i in ids[5:]) + "\n"
    r = staff("request", "approve", "-", "--yes", input=lines)
    assert r.returncode == 0, r
    assert "Accepted: 5" in r.stderr
    # The JSON array that 'request list --json' prints works too, and replays are unchanged.
    r = staff("request", "approve", "-", "--yes", input=json.dumps([{"id": i} for i in ids[5:]]))
    assert r.returncode == 0, r
    assert "unchanged: 5" in r.stderr
    # Accepting what was rejected is a conflict: reported per item, exit 1.
    r = staff("request", "approve", ids[0])
    assert r.returncode == 1, r
    assert ids[0] in r.stderr


def approve_all_in_background(cli: Cartes, workspace: str, concurrency: int) -> subprocess.Popen[str]:
    """``cartes request approve --all --workspace W --yes`` started, its output in pipes."""
    args = [
        "request",
        "approve",
        "--all",
        "--workspace",
        workspace,
        "--yes",
        "--concurrency",
        str(concurrency),
    ]
    return subprocess.Popen(
        [cartes_executable(), *args], env=cli.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


@pytest.fixture
def slow_sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    home = tmp_path / "slow"
    sb = start_sandbox(home, home / "data", "--seed", "demo", "--latency", "40")
    yield sb
    sb.stop()


def test_all_decides_while_it_reads_the_listing_and_leaves_later_requests(
    tmp_path: Path, slow_sandbox: Sandbox, keyring_available: bool
) -> None:
    """``--all`` starts on the first page while the next ones are read (the sandbox's log shows
    decisions answered before the last page was asked for), decides every request of the
    listing exactly once although each decision removes one from the pending listing, and
    leaves alone a request created during the run."""
    staff_cli = logged_in(tmp_path, slow_sandbox, keyring_available, STAFF)
    ids = fixture_requests(slow_sandbox, "ddt74", 800)["requests"]
    since = int(
        httpx.get(slow_sandbox.base_url + "/sandbox/log", params={"limit": 1}, timeout=30).headers[
            "X-Sandbox-Log-Seq"
        ]
    )
    proc = approve_all_in_background(staff_cli, "ddt74", 16)
    assert proc.stdout is not None
    first_line = proc.stdout.readline()  # the run has begun deciding
    assert first_line.startswith("accepted\t"), first_line
    late = fixture_requests(slow_sandbox, "ddt74", 1)["requests"][0]
    # Read through the same buffered file objects (communicate() would skip their buffers).
    assert proc.stderr is not None
    out = proc.stdout.read()
    err = proc.stderr.read()
    proc.wait(120)
    assert proc.returncode == 0, err
    assert "Accepted: 800, unchanged: 0, failed: 0." in err
    done = {line.split("\t")[1] for line in (first_line + out).splitlines()}
    assert done == set(ids)
    assert late not in done
    log = httpx.get(
        slow_sandbox.base_url + "/sandbox/log", params={"since": since, "limit": 10_000}, timeout=30
    ).json()
    assert late in decided(staff_cli, "ddt74", "pending")
    pages = [e["seq"] for e in log if e["method"] == "GET" and e["path"] == "/api/requests"]
    accepts = [e["seq"] for e in log if e["method"] == "POST" and e["path"].endswith("/accept")]
    assert len(pages) == 8  # 800 requests, 100 a page, each read once
    assert sum(seq < pages[-1] for seq in accepts) >= 50  # decided while the listing was read


def test_bulk_killed_half_way_then_rerun_decides_each_request_once(
    tmp_path: Path, slow_sandbox: Sandbox, keyring_available: bool
) -> None:
    staff_cli = logged_in(tmp_path, slow_sandbox, keyring_available, STAFF)
    ids = fixture_requests(slow_sandbox, "ddt38", 300)["requests"]
    proc = approve_all_in_background(staff_cli, "ddt38", 4)
    assert proc.stdout is not None
    seen = 0
    for line in proc.stdout:  # kill it once a few decisions are through, mid-run
        seen += line.startswith("accepted\t")
        if seen >= 20:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    done_first = len(decided(staff_cli, "ddt38", "accepted"))
    assert 20 <= done_first < 300, done_first
    r = staff_cli(
        "request", "approve", "-", "--yes", "--concurrency", "8", input="\n".join(ids) + "\n", timeout=120
    )
    assert r.returncode == 0, r
    assert f"Accepted: {300 - done_first}, unchanged: {done_first}, failed: 0." in r.stderr
    assert set(ids) <= set(decided(staff_cli, "ddt38", "accepted"))
    mails = [m for m in outbox(slow_sandbox) if m.get("related") in set(ids)]
    assert len(mails) == 300  # one decision e-mail per request: nothing was decided twice


def decided(cli: Cartes, workspace: str, status: str) -> list[str]:
    r = cli(
        "request",
        "list",
        "--incoming",
        "--workspace",
        workspace,
        "--status",
        status,
        "--json",
        "id",
        timeout=60,
    )
    assert r.returncode == 0, r
    return [row["id"] for row in json.loads(r.stdout)]


def test_ctrl_c_stops_launching_and_lists_what_is_left(
    tmp_path: Path, slow_sandbox: Sandbox, keyring_available: bool
) -> None:
    staff_cli = logged_in(tmp_path, slow_sandbox, keyring_available, STAFF)
    ids = fixture_requests(slow_sandbox, "ddt69", 200)["requests"]
    proc = approve_all_in_background(staff_cli, "ddt69", 2)
    assert proc.stdout is not None
    first = [proc.stdout.readline() for _ in range(5)]  # a few decisions are through
    proc.send_signal(signal.SIGINT)
    # Read through the same buffered file objects (communicate() would skip their buffers).
    assert proc.stderr is not None
    rest = proc.stdout.read()
    err = proc.stderr.read()
    proc.wait(30)
    out = "".join(first) + rest
    assert proc.returncode == 130, err
    assert "Not started" in err
    left = [line.strip() for line in err.splitlines() if line.strip() in set(ids)]
    done = [line.split("\t")[1] for line in out.splitlines() if line.startswith("accepted\t")]
    assert left
    assert done
    missing = set(ids) - set(left) - set(done)
    assert not missing, (missing, err)
    r = staff_cli("request", "approve", "-", "--yes", input="\n".join(left) + "\n", timeout=120)
    assert r.returncode == 0, r


# --- members, show, leave ------------------------------------------------------------------------------


def test_show_members_and_member_management(admin: Cartes, sandbox: Sandbox) -> None:
    r = admin("workspace", "show", "ddt33", "--json")
    assert r.returncode == 0, r
    shown = json.loads(r.stdout)
    assert shown["technical_name"] == "ddt33"
    assert "COMMUNITY" in shown["my_rights"]
    assert "Julien Lefebvre" in shown["supervisor"]
    assert shown["services"]
    r = admin("workspace", "show", "DDT de la Gironde", "--json", "id")
    assert json.loads(r.stdout)["id"] == shown["id"]
    r = admin("workspace", "show", "no_such_workspace_42")
    assert r.returncode == 3, r

    newcomer = fixture_requests(sandbox, "tutoriels", 1)["users"][0]
    r = admin("workspace", "member", "add", "ddt33", newcomer, "--rights", "upload,annex")
    assert r.returncode == 0, r
    r = admin("workspace", "members", "ddt33", "--json", "user_id,rights,supervisor")
    members = {m["user_id"]: m for m in json.loads(r.stdout)}
    assert set(members[newcomer]["rights"]) == {"UPLOAD", "ANNEX"}
    r = admin("workspace", "member", "add", "ddt33", newcomer)
    assert r.returncode == 1, r  # already a member: use 'member set'
    r = admin("workspace", "member", "set", "ddt33", newcomer, "--rights", "UPLOAD,PROCESSING,BROADCAST")
    assert r.returncode == 0, r
    r = admin("workspace", "member", "remove", "ddt33", newcomer)
    assert r.returncode == 2, r  # needs --yes off a terminal
    r = admin("workspace", "member", "remove", "ddt33", newcomer, "--yes")
    assert r.returncode == 0, r
    r = admin("workspace", "members", "ddt33", "--json", "user_id")
    assert {"user_id": newcomer} not in json.loads(r.stdout)
    supervisor = next(m for m in members.values() if m["supervisor"])
    r = admin("workspace", "member", "remove", "ddt33", supervisor["user_id"], "--yes")
    assert r.returncode == 2, r


def test_members_needs_the_community_right(tmp_path: Path, sandbox: Sandbox, keyring_available: bool) -> None:
    member = logged_in(tmp_path, sandbox, keyring_available, PLAIN_MEMBER)
    r = member("workspace", "members", "pn_ecrins")
    assert r.returncode == 5, r


def test_leave_and_the_supervisor_cannot(admin: Cartes) -> None:
    r = admin("workspace", "leave", "ddt33", "--yes")
    assert r.returncode == 2, r
    assert "supervise" in r.stderr
    r = admin("workspace", "leave", "tutoriels", "--yes")
    assert r.returncode == 0, r
    r = admin("workspace", "list", "--json", "technical_name")
    assert {"technical_name": "tutoriels"} not in json.loads(r.stdout)


# --- the real platform: no request API ----------------------------------------------------------------


def api_get(sandbox: Sandbox, username: str, path: str) -> Any:
    """A call to the sandbox's API as a demo user (which, for /users/me, makes them known)."""
    token = sandbox.access_token(username)
    r = httpx.get(sandbox.api_url + path, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    r.raise_for_status()
    return r.json()


def log_since(sandbox: Sandbox, seq: int) -> list[str]:
    """Every request the sandbox answered since ``seq`` (its own /sandbox routes aside):
    ``"METHOD /path"``."""
    r = httpx.get(sandbox.base_url + "/sandbox/log", params={"since": seq, "limit": 1000}, timeout=10)
    entries = r.json()
    entries = entries.get("entries", entries) if isinstance(entries, dict) else entries
    return [f"{e['method']} {e['path']}" for e in entries if not e["path"].startswith("/sandbox/")]


def catalogue_id(sandbox: Sandbox, technical_name: str) -> str:
    r = httpx.get(
        sandbox.api_url + "/catalogs/communities",
        params={"limit": 50, "name": technical_name},
        headers={"Authorization": f"Bearer {sandbox.access_token(ADMIN)}"},
        timeout=10,
    )
    return next(c["_id"] for c in r.json() if c["technical_name"] == technical_name)


DDT33_ANSWERS = (
    "--answer",
    "service=DDTM du Finistère ",
    "--answer",
    "usage=Consulter les PPRI de Gironde pour nos études littorales",
    "--answer",
    "siret=13000123400017",
)


def test_without_request_api_join_prints_the_complete_e_mail_in_french(
    tmp_path: Path, real_sandbox: Sandbox, keyring_available: bool
) -> None:
    cli = logged_in(tmp_path, real_sandbox, keyring_available, PRODUCER)
    me = api_get(real_sandbox, PRODUCER, "/users/me")
    community = catalogue_id(real_sandbox, "ddt33")
    seq = log_seq(real_sandbox)
    r = cli("workspace", "join", "ddt33", *DDT33_ANSWERS, "--message", "Bonjour,\nmerci d'avance.")
    assert r.returncode == 0, r  # the draft is the product: nothing failed
    link = f"https://cartes.gouv.fr/tableau-de-bord/communaute/{community}/membres?userId={me['_id']}"
    out = r.stdout
    for line in (
        f"À : {DDT33_CONTACT}",
        "Objet : [cartes.gouv.fr] Demande pour rejoindre DDT de la Gironde",
        f'Un utilisateur demande à rejoindre "DDT de la Gironde" (id={community})',
        "Informations sur le demandeur :",
        "Adresse mail : elodie.chevalier@ddtm-finistere.test",
        "Nom : Chevalier",
        "Prénom : Élodie",
        f"Identifiant : {me['_id']}",
        "Informations supplémentaires :",
        "service : DDTM du Finistère\n",  # trimmed
        "usage : Consulter les PPRI de Gironde pour nos études littorales",
        "siret : 13000123400017",
        "Message :\nBonjour,\nmerci d'avance.",
        'En tant que superviseur de "DDT de la Gironde", vous pouvez accepter ou rejeter sa demande',
        link,
    ):
        assert line in out, line
    assert re.search(r"Date de la demande : \d\d-\d\d-20\d\d \d\d:\d\d\n", out)
    calls = log_since(real_sandbox, seq)
    # The form came from the annexes beside the API; nothing was changed, and the community was
    # never asked for by id (the real API may refuse its detail to a non-member: 403 here).
    assert "GET /annexes/ddt33/public/join.json" in calls
    assert not [c for c in calls if c.split()[0] != "GET"], calls
    assert f"GET /api/communities/{community}" not in calls
    r = cli("request", "list")
    assert r.returncode == 2, r
    assert "e-mail" in r.stderr


def test_without_request_api_join_json_draft_and_open_mail(
    tmp_path: Path, real_sandbox: Sandbox, keyring_available: bool
) -> None:
    cli = logged_in(tmp_path, real_sandbox, keyring_available, PRODUCER)
    me = api_get(real_sandbox, PRODUCER, "/users/me")
    r = cli(
        "workspace", "join", "ddt33", *DDT33_ANSWERS, "--answer", "referent=sig@ddtm-finistere.test", "--json"
    )
    assert r.returncode == 0, r
    draft = json.loads(r.stdout)
    assert set(draft) >= {"to", "subject", "body", "mailto", "community", "user", "answers", "sent"}
    assert draft["sent"] is False
    assert draft["to"] == DDT33_CONTACT
    assert draft["community"]["technical_name"] == "ddt33"
    assert draft["user"]["id"] == me["_id"]
    assert draft["answers"] == {
        "service": "DDTM du Finistère",
        "usage": "Consulter les PPRI de Gironde pour nos études littorales",
        "siret": "13000123400017",
        "referent": "sig@ddtm-finistere.test",
    }
    assert draft["mailto"].startswith(f"mailto:{DDT33_CONTACT}?subject=%5Bcartes.gouv.fr%5D%20Demande")
    # --open-mail hands the mailto: URL to the desktop's handler (here a script that records it).
    recorder = tmp_path / "mail-program"
    opened = tmp_path / "opened.txt"
    recorder.write_text(f"#!/bin/sh\nprintf '%s' \"$1\" > {opened}\n")
    recorder.chmod(0o755)
    r = cli("workspace", "join", "ddt33", *DDT33_ANSWERS, "--open-mail", env={"BROWSER": f"{recorder} %s"})
    assert r.returncode == 0, r
    assert "mail program" in r.stderr
    sent = opened.read_text()
    assert sent.startswith(f"mailto:{DDT33_CONTACT}?subject=")
    assert "%0D%0A" in sent
    assert "À :" not in r.stdout  # opened, not printed
    # No mail program at all: cartes says so and prints the e-mail instead.
    if any(shutil.which(b) for b in ("www-browser", "links", "elinks", "lynx", "w3m")):
        return  # a console browser would be tried after the failing one
    no_display = {"BROWSER": "/bin/false %s", "DISPLAY": "", "WAYLAND_DISPLAY": ""}
    r = cli("workspace", "join", "ddt33", *DDT33_ANSWERS, "--open-mail", env=no_display)
    assert r.returncode == 0, r
    assert "Could not open a mail program" in r.stderr
    assert f"À : {DDT33_CONTACT}" in r.stdout


def test_without_request_api_join_refuses_a_workspace_of_mine_or_without_e_mail_contact(
    tmp_path: Path, real_sandbox: Sandbox, keyring_available: bool
) -> None:
    cli = logged_in(tmp_path, real_sandbox, keyring_available, PRODUCER)
    made = httpx.post(
        real_sandbox.base_url + "/sandbox/fixtures/communities",
        json={"count": 1, "prefix": "Sans adresse", "contact": "Secrétariat SIG"},
        timeout=10,
    ).json()
    no_contact = made["communities"][0]
    seq = log_seq(real_sandbox)
    for ref, expected, code in (
        ("ddtm29", "already a member of ddtm29", 2),  # she supervises it
        ("Région Bretagne", "already a member of region_bretagne", 2),  # a member, by exact name
        (no_contact, "no valid contact e-mail address", 2),
        ("ddt33_interne", "public catalogue", 3),  # private: not offered, so not found (issue 13)
    ):
        r = cli("workspace", "join", ref)
        assert r.returncode == code, (ref, r)
        assert expected in r.stderr, (ref, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1, r.stderr
        assert "Traceback" not in r.stderr
        assert r.stdout == ""
    assert not changes_since(real_sandbox, seq)


def test_without_request_api_join_form_answers_are_checked_before_anything(
    tmp_path: Path, real_sandbox: Sandbox, keyring_available: bool
) -> None:
    cli = logged_in(tmp_path, real_sandbox, keyring_available, PRODUCER)
    seq = log_seq(real_sandbox)
    for answers, expected in (
        (("--answer", "service=DDTM", "--answer", "usage=trop court"), "'usage' must have at least 20"),
        ((*DDT33_ANSWERS, "--answer", "siret=123"), "'siret' does not have the expected format"),
        ((*DDT33_ANSWERS, "--answer", "referent=pas une adresse"), "'referent' must be an e-mail"),
        ((*DDT33_ANSWERS, "--answer", "couleur=bleu"), "'couleur' is not a field of this form"),
        (("--answer", "service=DDTM"), "'usage' is required"),
    ):
        r = cli("workspace", "join", "ddt33", *answers)
        assert r.returncode == 2, (answers, r)
        assert expected in r.stderr, (answers, r.stderr)
        assert r.stdout == ""
    # A workspace without a form (404 at the annexes) takes no answer at all.
    r = cli("workspace", "join", "tutoriels", "--answer", "service=DDTM")
    assert r.returncode == 2, r
    assert "not a field of this form" in r.stderr
    r = cli("workspace", "join", "tutoriels")
    assert r.returncode == 0, r
    assert "Informations supplémentaires" not in r.stdout
    assert not changes_since(real_sandbox, seq)


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")
def test_without_request_api_join_asks_the_form_at_a_terminal(
    tmp_path: Path, real_sandbox: Sandbox, keyring_available: bool
) -> None:
    import pexpect

    cli = logged_in(tmp_path, real_sandbox, keyring_available, PRODUCER)
    child = cli.spawn("workspace", "join", "ddt33", "--answer", "siret=13000123400017")
    seen = io.StringIO()
    child.logfile_read = seen
    child.expect("Service ou organisme")
    child.sendline("x")  # too short: refused at once, asked again
    child.expect("at least 2 characters")
    child.expect("Service ou organisme")
    child.sendline("  DDTM du Finistère  ")
    child.expect("Usage prévu des données")
    child.sendline("Consulter les PPRI de Gironde pour nos études")
    child.expect("E-mail du référent SIG")
    child.sendline("")  # optional: skipped
    child.expect("Nothing was sent")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    transcript = seen.getvalue()
    assert "service : DDTM du Finistère\r\n" in transcript
    assert "siret : 13000123400017" in transcript
    assert "referent :" not in transcript


def test_without_request_api_approving_from_links_adds_new_members_and_leaves_members_unchanged(
    tmp_path: Path, real_sandbox: Sandbox, keyring_available: bool
) -> None:
    admin_cli = logged_in(tmp_path, real_sandbox, keyring_available, ADMIN)
    community = catalogue_id(real_sandbox, "ddt33")
    sophie = api_get(real_sandbox, "sophie.martin", "/users/me")["_id"]  # UPLOAD, PROCESSING, BROADCAST
    newcomer = fixture_requests(real_sandbox, "tutoriels", 1)["users"][0]
    links = [
        f"https://cartes.gouv.fr/tableau-de-bord/communaute/{community}/membres?userId={u}"
        for u in (sophie, newcomer)
    ]
    seq = log_seq(real_sandbox)
    r = admin_cli("request", "approve", links[0], "--rights", "UPLOAD")
    assert r.returncode == 0, r
    assert "unchanged" in r.stdout
    assert "already a member with UPLOAD, PROCESSING, BROADCAST" in r.stdout
    assert not [c for c in log_since(real_sandbox, seq) if c.startswith("PUT")]
    r = admin_cli("request", "approve", "-", "--yes", input="\n".join(links) + "\n")
    assert r.returncode == 0, r
    assert "Added: 1, unchanged: 1, failed: 0." in r.stderr
    puts = [c for c in log_since(real_sandbox, seq) if c.startswith("PUT")]
    assert puts == [f"PUT /api/communities/{community}/users/{newcomer}"]
    r = admin_cli("workspace", "members", "ddt33", "--json", "user_id,rights")
    members = {m["user_id"]: m["rights"] for m in json.loads(r.stdout)}
    assert members[sophie] == ["UPLOAD", "PROCESSING", "BROADCAST"]  # kept, not replaced
    assert newcomer in members


def test_without_request_api_approve_takes_user_ids_only_and_needs_a_known_user(
    tmp_path: Path, real_sandbox: Sandbox, keyring_available: bool
) -> None:
    from cartes_cli.sandbox.seed import DEMO_NEWCOMER, demo_id

    admin_cli = logged_in(tmp_path, real_sandbox, keyring_available, ADMIN)
    seq = log_seq(real_sandbox)
    for bad in ("sophie.martin@cerema.test", "sophie.martin", "12345"):
        r = admin_cli("request", "approve", "--workspace", "ddt33", "--user", bad)
        assert r.returncode == 2, (bad, r)
        assert "UUID" in r.stderr
    r = admin_cli(
        "request", "approve", "https://cartes.gouv.fr/tableau-de-bord/communaute/ddt33/membres?userId=x"
    )
    assert r.returncode == 2, r
    assert log_since(real_sandbox, seq) == []  # refused before any request
    # thomas.girard has an account but never called the API: the Entrepôt does not know him.
    newcomer = demo_id("user", DEMO_NEWCOMER)
    r = admin_cli("request", "approve", "--workspace", "ddt33", "--user", newcomer)
    assert r.returncode == 3, r
    assert "must log in to cartes.gouv.fr" in r.stderr
    assert "Traceback" not in r.stderr
    newcomer_cli = logged_in(tmp_path, real_sandbox, keyring_available, DEMO_NEWCOMER)
    assert newcomer_cli("workspace", "list").returncode == 0  # GET /users/me: now he exists
    r = admin_cli("request", "approve", "--workspace", "ddt33", "--user", newcomer)
    assert r.returncode == 0, r
    assert "added" in r.stdout


def test_without_request_api_create_drafts_the_page_and_the_public_e_mail(
    tmp_path: Path, real_sandbox: Sandbox, keyring_available: bool
) -> None:
    cli = logged_in(tmp_path, real_sandbox, keyring_available, PRODUCER)
    me = api_get(real_sandbox, PRODUCER, "/users/me")
    seq = log_seq(real_sandbox)
    r = cli(
        "workspace", "create", "Observatoire des mobilités", "--offer", "premium", "-d", "Trafic et comptages"
    )
    assert r.returncode == 0, r
    assert r.stdout.startswith("https://cartes.gouv.fr/tableau-de-bord/entrepots/demande-de-creation\n")
    for line in (
        "Nom de l’entrepôt : Observatoire des mobilités",
        "Nom technique de l’entrepôt : observatoire_des_mobilites",
        "Offre : Premium",
        "Informations complémentaires : Trafic et comptages",
    ):
        assert line in r.stdout, line
    justification = "Les comptages de trafic sont des données publiques que les communes réutilisent."
    r = cli(
        "workspace", "create", "Mobilités ouvertes", "--public", "--justification", justification, "--json"
    )
    assert r.returncode == 0, r
    draft = json.loads(r.stdout)
    assert draft["page"] == "https://cartes.gouv.fr/tableau-de-bord/entrepots/demande-de-creation"
    assert draft["form"] == {
        "name": "Mobilités ouvertes",
        "technical_name": "mobilites_ouvertes",
        "offer": "essential",
        "information": None,
    }
    assert draft["to"] == "geoplateforme@ign.fr"
    assert draft["sent"] is False
    assert draft["mailto"].startswith("mailto:geoplateforme@ign.fr?subject=")
    for line in (
        justification,
        f"Identifiant : {me['_id']}",
        "Adresse mail : elodie.chevalier@ddtm-finistere.test",
        "Offre : Essentielle",
        "L’utilisateur est superviseur des communautés suivantes :\n- DDTM de l'Hérault",
    ):
        assert line in draft["body"], line
    for args in (
        ("Court",),  # name too short
        ("Mobilités ouvertes", "--public", "--justification", "trop court"),
        ("Observatoire des mobilités", "--open-mail"),  # a private workspace has no e-mail
    ):
        r = cli("workspace", "create", *args)
        assert r.returncode == 2, (args, r)
    assert not changes_since(real_sandbox, seq)


def test_without_request_api_approve_by_user_and_by_email_link(
    tmp_path: Path, real_sandbox: Sandbox, keyring_available: bool
) -> None:
    admin_cli = logged_in(tmp_path, real_sandbox, keyring_available, ADMIN)
    users = fixture_requests(real_sandbox, "tutoriels", 3)["users"]
    r = admin_cli("workspace", "show", "ddt33", "--json", "id")
    community = json.loads(r.stdout)["id"]
    r = admin_cli("request", "approve", "--workspace", "ddt33", "--user", users[0], "--rights", "UPLOAD")
    assert r.returncode == 0, r
    links = [
        f"https://cartes.gouv.fr/tableau-de-bord/communaute/{community}/membres?userId={u}" for u in users[1:]
    ]
    r = admin_cli("request", "approve", "-", "--yes", input="\n".join(links) + "\n")
    assert r.returncode == 0, r
    assert "Added: 2" in r.stderr
    r = admin_cli("workspace", "members", "ddt33", "--json", "user_id,rights")
    members = {m["user_id"]: m["rights"] for m in json.loads(r.stdout)}
    assert members[users[0]] == ["UPLOAD"]
    assert set(members[users[1]]) == {"UPLOAD", "PROCESSING", "BROADCAST", "ANNEX"}
    assert users[2] in members


def test_bulk_all_names_the_workspace_by_technical_name_exact_name_or_id(
    staff: Cartes, sandbox: Sandbox
) -> None:
    # The technical name and the id go straight to the request API; a display name is resolved
    # first. All three select the same requests.
    created = set(fixture_requests(sandbox, "tutoriels", 3)["requests"])
    r = staff("workspace", "show", "tutoriels", "--json", "id")
    assert r.returncode == 0, r
    community_id = json.loads(r.stdout)["id"]
    plans = []
    for ref in ("tutoriels", "Communauté des tutoriels", community_id, community_id.upper()):
        r = staff("request", "approve", "--all", "--workspace", ref, "--dry-run")
        assert r.returncode == 0, (ref, r)
        plans.append({line.split("\t")[0] for line in r.stdout.splitlines()})
    assert created <= plans[0]
    assert all(plan == plans[0] for plan in plans), plans
