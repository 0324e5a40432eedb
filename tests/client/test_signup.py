"""The sign-up body built from flat fields (standard library only)."""

from __future__ import annotations

from cartes_cli.client.signup import registration_body

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(40))
PASSWORD = "Tr0ub4dour&3-Horse!"


def test_registration_body_accepts_dashes_nested_blocks_and_drops_empties() -> None:
    assert registration_body(
        {
            "username": " dave ",
            "first-name": "Dave",
            "phone": "  ",
            "address": {"street": "1 rue", "locality": "", "postcode": None},
            "professional": {"tva": "FR40303265045"},
            "company-street": "2 rue",
        }
    ) == {
        "username": "dave",
        "first_name": "Dave",
        "address": {"street": "1 rue"},
        "professional": {"tva": "FR40303265045", "street": "2 rue"},
    }


def test_registration_body_keeps_the_password_exactly() -> None:
    assert registration_body({"password": "  spaced Pass-2026!! "})["password"] == "  spaced Pass-2026!! "
    assert "password" not in registration_body({"password": ""})
