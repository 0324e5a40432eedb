"""Client-side search matching."""

from __future__ import annotations

import pytest

from cartes_cli.textsearch import fold, matches


def test_fold() -> None:
    assert fold("Évry-Courcouronnes") == "evry-courcouronnes"
    assert fold("ÇA ÔTE") == "ca ote"
    assert fold("Straße") == "strasse"


@pytest.mark.parametrize(
    ("search", "fields", "expected"),
    [
        ("evry", ("Communauté d'Évry", None), True),
        ("EVRY", (None, "tech_evry"), True),
        ("données evry", ("Évry", "Les DONNEES"), True),
        ("evry lyon", ("Évry", "Paris"), False),
        ("", ("anything",), True),
        ("x", (None, None), False),
    ],
)
def test_matches(search: str, fields: tuple[str | None, ...], expected: bool) -> None:
    assert matches(search, *fields) is expected
