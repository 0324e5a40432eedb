"""hints.runnable: the cartes commands a message names get this invocation's options."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cartes_cli import hints


@pytest.fixture(autouse=True)
def _clean() -> Iterator[None]:
    hints.forget()
    yield
    hints.forget()


def test_without_options_nothing_changes() -> None:
    text = "You are not logged in; run 'cartes login'."
    assert hints.runnable(text) == text


def test_platform_and_profile_are_repeated_in_each_command() -> None:
    hints.remember(env="sandbox", profile="julien")
    text = "run 'cartes login', then 'cartes workspace list --public'."
    assert hints.runnable(text) == (
        "run 'cartes --env sandbox --profile julien login', then "
        "'cartes --env sandbox --profile julien workspace list --public'."
    )


def test_an_api_url_is_quoted_for_the_shell_and_an_issuer_goes_with_it() -> None:
    hints.remember(api_url="http://127.0.0.1:8000/api", issuer="http://127.0.0.1:8000/realms/x y")
    assert hints.runnable("Then: cartes account verify --email a.b@c.fr --code CODE") == (
        "Then: cartes --api-url http://127.0.0.1:8000/api --issuer 'http://127.0.0.1:8000/realms/x y' "
        "account verify --email a.b@c.fr --code CODE"
    )


def test_options_the_command_already_has_are_not_doubled() -> None:
    hints.remember(env="sandbox", profile="default")
    text = "create it with 'cartes login --profile julien'."
    assert hints.runnable(text) == "create it with 'cartes --env sandbox login --profile julien'."
    hints.remember(env="sandbox", profile="julien")
    assert hints.runnable("'cartes login --api-url http://h/api'") == (
        "'cartes --profile julien login --api-url http://h/api'"
    )


def test_sandbox_serve_and_login_switch() -> None:
    hints.remember(env="sandbox", profile="julien")
    assert hints.runnable("start one with 'cartes sandbox serve --seed demo'") == (
        "start one with 'cartes sandbox serve --seed demo'"
    )
    assert hints.runnable("'cartes login switch claire'") == "'cartes --env sandbox login switch claire'"
    assert hints.runnable("'cartes sandbox outbox --to x@y.fr'") == (
        "'cartes --env sandbox --profile julien sandbox outbox --to x@y.fr'"
    )


def test_the_french_word_and_other_text_are_left_alone() -> None:
    hints.remember(env="sandbox")
    text = "Les cartes de la Géoplateforme sur cartes.gouv.fr ; les cartes anciennes."
    assert hints.runnable(text) == text
    assert hints.runnable("relancez 'cartes login'.") == "relancez 'cartes --env sandbox login'."


def test_command_builds_one() -> None:
    hints.remember(env="qualif", profile="recette")
    assert hints.command("workspace join ddt33 --answer 'a=b c'") == (
        "cartes --env qualif --profile recette workspace join ddt33 --answer 'a=b c'"
    )
