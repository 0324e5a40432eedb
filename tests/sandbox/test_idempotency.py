"""``Idempotency-Key`` on the API's POST routes: a retried decision gets its first answer back."""

from __future__ import annotations

import uuid

from .conftest import Harness, demo_id
from .test_requests import outbox

STAFF = "claire.moreau"
PENDING = demo_id("request", "join-ddt33-mathieu")


def test_a_replayed_key_gets_the_first_answer_and_changes_nothing(sb: Harness) -> None:
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = sb.post(f"/api/requests/{PENDING}/accept", as_user=STAFF, json={}, headers=key)
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "accepted"
    assert not first.json().get("unchanged")
    mails = len(outbox(sb, related=PENDING))
    again = sb.post(f"/api/requests/{PENDING}/accept", as_user=STAFF, json={}, headers=key)
    assert again.status_code == 200
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()  # not "unchanged": the same answer as the first time
    assert len(outbox(sb, related=PENDING)) == mails  # no second e-mail
    # Without the key (or with another), the platform says what it always says.
    plain = sb.post(f"/api/requests/{PENDING}/accept", as_user=STAFF, json={})
    assert plain.json().get("unchanged") is True
    assert "idempotent-replayed" not in plain.headers


def test_the_same_key_with_another_body_is_refused(sb: Harness) -> None:
    key = {"Idempotency-Key": str(uuid.uuid4())}
    assert sb.post(f"/api/requests/{PENDING}/accept", as_user=STAFF, json={}, headers=key).status_code == 200
    other = sb.post(
        f"/api/requests/{PENDING}/accept", as_user=STAFF, json={"rights": ["UPLOAD"]}, headers=key
    )
    assert other.status_code == 422
    assert "Idempotency-Key" in other.json()["error_description"][0]


def test_keys_belong_to_their_caller(sb: Harness) -> None:
    # Another user replaying someone's key is not served their answer: the route runs for them.
    key = {"Idempotency-Key": str(uuid.uuid4())}
    assert sb.post(f"/api/requests/{PENDING}/accept", as_user=STAFF, json={}, headers=key).status_code == 200
    sb.add_user("paul.simple")
    stranger = sb.post(f"/api/requests/{PENDING}/accept", as_user="paul.simple", json={}, headers=key)
    assert stranger.status_code == 403
    assert "idempotent-replayed" not in stranger.headers


def test_errors_are_remembered_but_server_errors_are_not(sb: Harness) -> None:
    key = {"Idempotency-Key": str(uuid.uuid4())}
    missing = f"/api/requests/{uuid.uuid4()}/accept"
    first = sb.post(missing, as_user=STAFF, json={}, headers=key)
    assert first.status_code == 404
    again = sb.post(missing, as_user=STAFF, json={}, headers=key)
    assert again.status_code == 404
    assert again.headers["idempotent-replayed"] == "true"


def test_a_bad_key_is_refused(sb: Harness) -> None:
    r = sb.post(
        f"/api/requests/{PENDING}/accept", as_user=STAFF, json={}, headers={"Idempotency-Key": "x" * 300}
    )
    assert r.status_code == 400
