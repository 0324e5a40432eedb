"""Secret: the text of a token or client secret never shows, whatever prints it."""

from __future__ import annotations

import logging

import pytest

from cartes_cli.secret import MASK, Secret, reveal


def test_every_way_of_printing_shows_the_mask(caplog: pytest.LogCaptureFixture) -> None:
    secret = Secret("hunter2-token")
    shown = [str(secret), repr(secret), f"{secret}", f"{secret!r}", f"{secret:>20}", str([secret])]
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("cartes-test").debug("token %s %r", secret, secret)
    shown.append(caplog.text)
    shown.append(str(ValueError(secret)))
    for text in shown:
        assert "hunter2" not in text
    assert str(secret) == MASK
    assert repr(secret) == f"Secret('{MASK}')"
    assert str(Secret("")) == ""


def test_the_value_is_given_back_only_when_asked() -> None:
    secret = Secret("abc")
    assert secret.get_secret_value() == "abc"
    assert reveal(secret) == "abc"
    assert reveal("plain") == "plain"
    assert reveal(None) is None
    assert len(secret) == 3
    assert secret
    assert not Secret("")


def test_equality_and_hash_follow_the_value() -> None:
    assert Secret("a") == Secret("a")
    assert Secret("a") != Secret("b")
    assert Secret("a") != "a"  # a secret is not its text
    assert len({Secret("a"), Secret("a")}) == 1


def test_only_text_is_a_secret() -> None:
    with pytest.raises(TypeError):
        Secret(b"bytes")  # type: ignore[arg-type]


def test_pydantic_secrets_are_accepted_where_a_secret_is_read() -> None:
    from pydantic import SecretStr

    assert reveal(SecretStr("from-a-model")) == "from-a-model"
