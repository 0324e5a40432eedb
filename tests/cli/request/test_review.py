"""``cartes request review``: the refusal without a terminal, the keys (fed by a scripted key
reader), the decisions sent through the bulk engine, a request decided by someone else, Ctrl-C,
the screen fitted to its height, and the reasons remembered between sessions."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from cartes_cli.cli.keys import ScriptedKeys
from cartes_cli.cli.request import reasons, request_app
from cartes_cli.cli.request.review import ReviewOptions, run
from tests.cli.harness import API, R1, R2, R3, U2, Harness, request, sent_json

EVE = {"_id": U2, "email": "eve@ign.fr", "first_name": "Eve", "last_name": "Durand"}


@pytest.fixture(autouse=True)
def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARTES_HOME", str(tmp_path))
    monkeypatch.setenv("LINES", "40")


@pytest.fixture
def h() -> Iterator[Harness]:
    with Harness(tty=True, format="table", width=100) as harness:
        harness.sandbox()
        yield harness


def pending(h: Harness, *items: dict[str, object]) -> None:
    """The pending listing, and each request read again as it is shown."""
    h.listing("/requests", list(items))
    for item in items:
        h.mock.get(f"{API}/requests/{item['_id']}").respond(200, json=item)


def review(h: Harness, keys: list[str], **options: str) -> tuple[int, str, str]:
    outcome = h.run(functools.partial(run, keys=ScriptedKeys(keys)), ReviewOptions(**options))  # type: ignore[arg-type]
    return outcome.code, outcome.out, outcome.err


def screens(out: str) -> list[str]:
    """Each drawing (Rich clears the screen before each)."""
    return out.split("\x1b[2J")[1:]


def test_without_a_terminal_it_refuses_before_any_request() -> None:
    with Harness() as h:
        outcome = h.invoke(request_app, ["review"])
        assert outcome.code == 2
        assert "cartes request approve" in outcome.err
        assert "terminal" in outcome.err
        assert not h.mock.calls


def test_approve_skip_reject_then_quit(h: Harness) -> None:
    third = request(R3, requester=EVE, message="Pour la carte des haies.")
    pending(h, request(R1), request(R2), third)
    accept = h.mock.post(f"{API}/requests/{R1}/accept").respond(
        200, json=request(R1, status="accepted", unchanged=False)
    )
    reject = h.mock.post(f"{API}/requests/{R3}/reject").respond(
        200, json=request(R3, requester=EVE, status="rejected", unchanged=False)
    )
    code, out, err = review(h, ["a", "s", "x", *"Hors sujet", "enter", "q"])
    assert code == 0
    assert sent_json(accept) == {}  # the platform's default rights
    assert sent_json(reject) == {"reason": "Hors sujet"}
    shown = screens(out)
    assert "Request 1/3" in shown[0]
    assert "dave@ign.fr" in shown[0]
    assert "Bonjour" in shown[0]
    assert any("Request 3/3" in s and "Pour la carte des haies." in s for s in shown)
    assert "Accepted: 1, rejected: 1, unchanged: 0, failed: 0." in err
    assert "1 still pending" in err
    assert f"accepted\t{R1}" in out
    assert f"rejected\t{R3}" in out
    assert reasons.remembered() == ["Hors sujet"]


def test_a_remembered_reason_is_offered_by_its_number(h: Harness) -> None:
    reasons.remember("Espace réservé aux agents")
    reasons.remember("Hors sujet")
    pending(h, request(R1))
    reject = h.mock.post(f"{API}/requests/{R1}/reject").respond(
        200, json=request(R1, status="rejected", unchanged=False)
    )
    code, out, _err = review(h, ["x", "2", "enter", "q"])
    assert code == 0
    assert " 1. Hors sujet" in out
    assert " 2. Espace réservé aux agents" in out
    assert sent_json(reject) == {"reason": "Espace réservé aux agents"}
    assert reasons.remembered() == ["Espace réservé aux agents", "Hors sujet"]


def test_reasons_keep_the_last_five_and_survive_a_broken_file() -> None:
    for n in range(7):
        reasons.remember(f"raison {n}")
    assert reasons.remembered() == [f"raison {n}" for n in (6, 5, 4, 3, 2)]
    reasons.reasons_file().write_text("{not json")
    assert reasons.remembered() == []


def test_escape_cancels_a_rejection_and_nothing_is_sent(h: Harness) -> None:
    pending(h, request(R1))
    reject = h.mock.post(f"{API}/requests/{R1}/reject").respond(200, json=request(R1, status="rejected"))
    code, out, err = review(h, ["x", *"non", "escape", "q"])
    assert code == 0
    assert not reject.called
    assert "Cancelled; nothing was sent." in out
    assert "Accepted: 0, rejected: 0, unchanged: 0, failed: 0." in err


def test_choosing_the_rights(h: Harness) -> None:
    pending(h, request(R1))
    accept = h.mock.post(f"{API}/requests/{R1}/accept").respond(
        200, json=request(R1, status="accepted", unchanged=False)
    )
    typed = ["backspace"] * 40 + list("upload,nope") + ["enter"] + ["backspace"] * 5 + ["enter", "q"]
    code, out, _err = review(h, ["r", *typed])
    assert code == 0
    assert "NOPE" in out or "nope" in out  # the refusal of an unknown right, then asked again
    assert sent_json(accept) == {"rights": ["UPLOAD"]}


def test_back_shows_the_previous_request_as_decided_by_you(h: Harness) -> None:
    pending(h, request(R1), request(R2))
    h.mock.post(f"{API}/requests/{R1}/accept").respond(
        200, json=request(R1, status="accepted", unchanged=False)
    )
    code, out, _err = review(h, ["a", "b", "a", "q"])
    assert code == 0
    last = screens(out)[-1]
    assert "Request 1/2" in last
    assert "accepted by you" in last
    assert "Already decided (accepted by you): nothing to do." in last


def test_a_request_decided_meanwhile_is_shown_so_and_counted_unchanged(h: Harness) -> None:
    h.listing("/requests", [request(R1), request(R2)])
    h.mock.get(f"{API}/requests/{R1}").respond(200, json=request(R1))
    decided = request(
        R2, status="rejected", decided_by={"_id": U2, "first_name": "Eve", "last_name": "Durand"}
    )
    h.mock.get(f"{API}/requests/{R2}").respond(200, json=decided)
    decide = h.mock.post(url__regex=rf"{API}/requests/{R2}/.*").respond(200, json=decided)
    code, out, err = review(h, ["s", "a", "q"])
    assert code == 0
    assert not decide.called
    second = [s for s in screens(out) if "Request 2/2" in s]
    assert "Decided by someone else meanwhile (rejected by Eve Durand)" in second[0]
    assert "Accepted: 0, rejected: 0, unchanged: 1, failed: 0." in err


def test_a_conflict_on_deciding_is_the_request_decided_meanwhile(h: Harness) -> None:
    h.listing("/requests", [request(R1)])
    reads = h.mock.get(f"{API}/requests/{R1}")
    reads.side_effect = [
        __import__("httpx").Response(200, json=request(R1)),
        __import__("httpx").Response(200, json=request(R1, status="cancelled")),
    ]
    h.mock.post(f"{API}/requests/{R1}/accept").respond(409, json={"error": "conflict"})
    code, out, err = review(h, ["a", "q"])
    assert code == 0
    assert "Already decided by someone else (cancelled): nothing changed." in out
    assert "Accepted: 0, rejected: 0, unchanged: 1, failed: 0." in err
    assert f"unchanged\t{R1}" in out


def test_a_failed_decision_is_said_on_screen_and_exit_1(h: Harness) -> None:
    pending(h, request(R1))
    h.mock.post(f"{API}/requests/{R1}/accept").respond(403, json={"error": "forbidden"})
    code, out, err = review(h, ["a", "q"])
    assert code == 5  # every decision failed the same way: its own code, as a bulk run says
    assert "Failed:" in screens(out)[-1]
    assert "failed: 1." in err


def test_ctrl_c_keeps_what_is_decided_and_lists_the_rest(h: Harness) -> None:
    pending(h, request(R1), request(R2), request(R3))
    h.mock.post(f"{API}/requests/{R1}/accept").respond(
        200, json=request(R1, status="accepted", unchanged=False)
    )
    code, out, err = review(h, ["a", "ctrl-c"])
    assert code == 130
    assert f"accepted\t{R1}" in out
    assert "Accepted: 1, rejected: 0, unchanged: 0, failed: 0." in err
    assert "Not started (2):" in err
    assert R2 in err
    assert R3 in err


def test_nothing_pending_is_said_and_exit_0(h: Harness) -> None:
    h.listing("/requests", [])
    code, _out, err = review(h, [])
    assert code == 0
    assert "Nothing to review" in err


def test_a_long_request_fits_the_screen_and_says_how_to_see_the_rest(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LINES", "24")
    answers = {f"question_{n}": f"réponse {n} " * 6 for n in range(30)}
    long = request(R1, message="Un long message. " * 60 + "\x1b[31mrouge", answers=answers)
    pending(h, long)
    h.terminal.width = 80
    code, out, _err = review(h, ["i", "pagedown", "end", "q", "q"])
    assert code == 0
    first = screens(out)[0]
    lines = first.strip("\x1b[H").split("\n")
    assert len(lines) <= 24
    assert all(len(line) <= 80 for line in lines)
    assert re.search(r"… \d+ more lines: press i for everything", first)
    assert "\x1b[31m" not in out
    assert "\\x1b[31mrouge" in out.replace("\n", "")
    details = [s for s in screens(out) if "everything" in s and "question_29" in s]
    assert details  # the whole request, scrolled to its end


def test_a_resized_terminal_is_drawn_again_and_is_no_key(h: Harness) -> None:
    pending(h, request(R1))
    code, out, _err = review(h, ["resize", "q"])
    assert code == 0
    assert len(screens(out)) == 2
    assert "Unknown key" not in out
