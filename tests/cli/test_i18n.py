"""The gettext catalogues: complete, consistent with the sources, compiled; language detection.

The sources' messages are what ``scripts/i18n`` extracts (``_()``, ``ngettext()``, ``N_()`` calls,
the command docstrings Typer shows as help, and Typer's and click's own strings listed in
``cartes_cli/i18n.py``). After changing messages: ``scripts/i18n all``, then translate.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import re
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from cartes_cli import i18n

ROOT = Path(__file__).resolve().parents[2]
FIX = "run scripts/i18n extract && scripts/i18n update, translate, then scripts/i18n compile"


def _load_script() -> ModuleType:
    loader = importlib.machinery.SourceFileLoader("cartes_i18n_script", str(ROOT / "scripts" / "i18n"))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


script = _load_script()


@pytest.fixture(scope="module")
def sources() -> dict[Any, Any]:
    """Every message of the sources (id → Babel message), as scripts/i18n extracts them."""
    return {m.id: m for m in script.source_catalog() if m.id}


@pytest.fixture(scope="module")
def french() -> Any:
    return script.read_po(script.po_path("fr"), locale="fr")


def _short(msgid: Any) -> str:
    return (msgid if isinstance(msgid, str) else msgid[0])[:80]


def _strings(message: Any) -> list[str]:
    return [message.string] if isinstance(message.string, str) else list(message.string)


def _ids(message: Any) -> list[str]:
    return [message.id] if isinstance(message.id, str) else list(message.id)


# --- (a) every message of the sources is translated --------------------------------------------


def test_the_sources_have_messages(sources: dict[Any, Any]) -> None:
    assert len(sources) > 500
    assert "Show this message and exit." in sources  # click's, listed in i18n.py
    assert any("\n\n" in str(m) for m in sources)  # command docstrings


def test_every_message_is_in_the_french_catalogue(sources: dict[Any, Any], french: Any) -> None:
    present = {m.id for m in french if m.id}
    missing = [_short(m) for m in sources if m not in present]
    assert missing == [], f"{len(missing)} messages missing from fr/cartes.po ({FIX}): {missing[:10]}"


def test_every_translation_is_there_and_reviewed(sources: dict[Any, Any], french: Any) -> None:
    wrong = []
    for message in french:
        if not message.id or message.id not in sources:
            continue
        if message.fuzzy or not all(s.strip() for s in _strings(message)):
            wrong.append(_short(message.id))
    assert wrong == [], f"untranslated or fuzzy in fr/cartes.po: {wrong[:10]}"


def test_translations_keep_every_placeholder(french: Any) -> None:
    wrong = []
    for message in french:
        if not message.id:
            continue
        ids = _ids(message)
        allowed = {tuple(script.placeholders(text)) for text in ids}
        for text in _strings(message):
            if tuple(script.placeholders(text)) not in allowed:
                wrong.append(_short(message.id))
    assert wrong == [], f"translations whose {{placeholders}} differ from the message's: {wrong}"


def test_translations_keep_option_names(french: Any) -> None:
    """Options (--web), environment variables and commands ('cartes login') stay as they are
    (placeholders in capitals, like COMMAND, may be translated)."""
    token = re.compile(r"--[a-z][a-z-]+|\bCARTES_[A-Z_]+|'cartes [a-z0-9 -]+")
    wrong = []
    for message in french:
        if not message.id:
            continue
        for english, text in zip(_ids(message), _strings(message), strict=False):
            if sorted(set(token.findall(english))) != sorted(set(token.findall(text))):
                wrong.append(_short(message.id))
    assert wrong == []


def test_the_catalogue_has_no_message_the_sources_lost(sources: dict[Any, Any], french: Any) -> None:
    stale = [_short(m.id) for m in french if m.id and m.id not in sources]
    assert stale == [], f"fr/cartes.po holds messages the sources no longer have ({FIX}): {stale[:10]}"


def test_french_plural_forms(french: Any) -> None:
    assert french.plural_forms == "nplurals=2; plural=(n > 1);"
    assert str(french.locale) == "fr"


# --- (b) the committed files are up to date -----------------------------------------------------


def test_the_template_is_up_to_date(sources: dict[Any, Any]) -> None:
    template = {m.id for m in script.read_po(script.POT) if m.id}
    assert template == set(sources), f"cartes.pot is out of date: {FIX}"


def test_the_compiled_catalogue_matches_the_po(french: Any) -> None:
    committed = script.mo_messages(script.mo_path("fr").read_bytes())
    assert len(committed) > 100
    assert committed == script.mo_messages(script.mo_bytes(french)), (
        "cartes.mo is older than cartes.po: scripts/i18n compile"
    )


def test_the_catalogue_ships_inside_the_package() -> None:
    assert script.mo_path("fr").is_relative_to(ROOT / "src" / "cartes_cli")
    assert i18n.LOCALE_DIR == script.LOCALE


# --- Typer's and click's strings -------------------------------------------------------------------


def _typer_source(*names: str) -> str:
    import typer

    base = Path(typer.__file__).parent
    return "\n".join(p.read_text(encoding="utf-8") for n in names for p in sorted(base.glob(n)))


def test_typer_still_marks_the_listed_messages() -> None:
    core = _typer_source("core.py")
    ours = {"Usage: ", "Show this message and exit.", "{heading}:"}  # click's fixed strings
    lost = [m for m in i18n.TYPER_MESSAGES if m not in ours and f'_("{m}")' not in core]
    assert lost == [], f"Typer no longer has these messages: {lost}"


def test_click_still_writes_its_fixed_strings() -> None:
    source = _typer_source("_click/*.py")
    if not source.strip():  # pragma: no cover - a Typer without a vendored click
        pytest.skip("no vendored click")
    assert 'prefix = "Usage: "' in source
    assert 'help="Show this message and exit."' in source
    assert "{heading}:" in source


def _click_errors() -> list[str]:
    """The messages the click vendored by Typer really gives for usage errors (English).

    Typer's own ("No such command…") go through gettext, patched in the cartes process only: the
    end-to-end tests check those."""
    import typer

    from cartes_cli.cli.click_compat import click_exceptions

    app = typer.Typer()

    @app.command()
    def run(
        ws: str,
        limit: int = typer.Option(1, "--limit", min=1),
        ratio: float = typer.Option(1.0, "--ratio"),
        public: bool = typer.Option(False, "--public"),
        name: str = typer.Option("", "--name"),
    ) -> None:
        """A command."""

    @app.command()
    def other() -> None:
        """Another command."""

    command = typer.main.get_command(app)
    messages = []
    for args in (
        ["run"],
        ["run", "x", "--limit", "abc"],
        ["run", "x", "--limit", "0"],
        ["run", "x", "--ratio", "abc"],
        ["run", "x", "--nope"],
        ["run", "x", "--pub"],
        ["run", "x", "--name"],
        ["run", "x", "--public=yes"],
        ["run", "x", "y"],
    ):
        try:
            command.main(args=args, prog_name="cartes", standalone_mode=False)
        except click_exceptions.UsageError as exc:
            messages.append(exc.format_message())
        else:  # pragma: no cover
            pytest.fail(f"{args} raised no usage error")
    return messages


def test_every_click_usage_error_is_translated(in_french: None) -> None:
    """Each real message of click matches a template of i18n.py (else: update CLICK_TEMPLATES)."""
    untranslated = [m for m in _click_errors() if i18n.translate_library_message(m) == m]
    assert untranslated == []


# --- (c) the language -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "en"),
        ({"LANG": "fr_FR.UTF-8"}, "fr"),
        ({"LANG": "fr_CA.UTF-8"}, "fr"),
        ({"LANG": "de_DE.UTF-8"}, "en"),
        ({"LANG": "en_GB.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "POSIX"}, "en"),
        ({"LANG": "fr"}, "fr"),
        ({"LC_MESSAGES": "fr_FR.UTF-8", "LANG": "en_US.UTF-8"}, "fr"),
        ({"LC_ALL": "fr_FR.UTF-8", "LANG": "en_US.UTF-8"}, "fr"),
        ({"LC_ALL": "C", "LANG": "fr_FR.UTF-8"}, "en"),  # LC_ALL wins, and C is English
        ({"LC_ALL": "", "LANG": "fr_FR.UTF-8"}, "fr"),  # empty means unset
        ({"LANGUAGE": "fr", "LANG": "en_US.UTF-8"}, "fr"),
        ({"LANGUAGE": "de:fr:en", "LANG": "de_DE.UTF-8"}, "fr"),  # first supported in the list
        ({"LANGUAGE": "en:fr", "LANG": "fr_FR.UTF-8"}, "en"),
        ({"LANGUAGE": "fr", "LANG": "C.UTF-8"}, "en"),  # as GNU gettext: C ignores LANGUAGE
        ({"LANGUAGE": "fr"}, "fr"),
        ({"CARTES_LANG": "fr", "LANG": "en_US.UTF-8"}, "fr"),
        ({"CARTES_LANG": "fr_FR", "LC_ALL": "C"}, "fr"),
        ({"CARTES_LANG": "en", "LANG": "fr_FR.UTF-8", "LANGUAGE": "fr"}, "en"),
        ({"CARTES_LANG": "FR"}, "fr"),
        ({"CARTES_LANG": "de", "LANG": "fr_FR.UTF-8"}, "en"),  # only fr and en exist
        ({"CARTES_LANG": " ", "LANG": "fr_FR.UTF-8"}, "fr"),  # blank: not set
    ],
)
def test_detect_language(environ: dict[str, str], expected: str) -> None:
    assert i18n.detect_language(environ) == expected


@pytest.fixture
def in_french(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("CARTES_LANG", "fr")
    i18n.reset()
    yield
    monkeypatch.undo()
    i18n.reset()


def test_messages_in_french(in_french: None) -> None:
    assert i18n.language() == "fr"
    assert i18n.translating()
    assert i18n._("Show this message and exit.") == "Afficher ce message et quitter."
    assert i18n._("Not found: {detail}.").format(detail="x") == "Introuvable : x."
    assert i18n._("a message nobody wrote") == "a message nobody wrote"


def test_french_plurals(in_french: None) -> None:
    singular = "at least {n} digit ({found} found)."
    plural = "at least {n} digits ({found} found)."
    assert i18n.ngettext(singular, plural, 0).startswith("au moins {n} chiffre ")
    assert i18n.ngettext(singular, plural, 1).startswith("au moins {n} chiffre ")
    assert i18n.ngettext(singular, plural, 2).startswith("au moins {n} chiffres ")


def test_messages_in_english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARTES_LANG", "en")
    i18n.reset()
    try:
        assert not i18n.translating()
        assert i18n._("Not found: {detail}.") == "Not found: {detail}."
        assert i18n.ngettext("{n} item", "{n} items", 0) == "{n} items"
        assert i18n.translate_library_message("Missing argument 'WS'.") == "Missing argument 'WS'."
    finally:
        monkeypatch.undo()
        i18n.reset()


@pytest.mark.parametrize(
    ("english", "french"),
    [
        ("Missing argument 'WS'.", "Argument manquant : 'WS'."),
        ("No such option: --foo", "Option inconnue : --foo"),
        (
            "No such option: --pub (Possible options: --public)",
            "Option inconnue : --pub (options possibles : --public)",
        ),
        (
            "Invalid value for '--limit': 'abc' is not a valid int range.",
            "Valeur invalide pour '--limit' : 'abc' n'est pas un entier valide.",
        ),
        (
            "Invalid value for '--limit': 0 is not in the range x>=1.",
            "Valeur invalide pour '--limit' : 0 n'est pas dans l'intervalle x>=1.",
        ),
        ("Option '--format' requires an argument.", "L'option '--format' attend un argument."),
        ("Got unexpected extra argument(s) (a b)", "Argument(s) supplémentaire(s) inattendu(s) (a b)"),
        # Already translated (Typer's own gettext), or ours: left alone.
        ("Commande manquante.", "Commande manquante."),
        ("Something else entirely.", "Something else entirely."),
    ],
)
def test_click_messages_in_french(in_french: None, english: str, french: str) -> None:
    assert i18n.translate_library_message(english) == french


def test_translate_help_translates_docstrings_only(in_french: None) -> None:
    class Command:
        def __init__(self, help: str | None, commands: dict[str, Any] | None = None) -> None:
            self.help = help
            self.short_help = None
            self.epilog = None
            self.commands = commands or {}

    leaf = Command("Show one request.")
    mine = Command("Un texte déjà traduit.")
    root = Command(None, {"show": leaf, "mine": mine})
    i18n.translate_help(root)
    assert leaf.help == "Afficher une demande."
    assert mine.help == "Un texte déjà traduit."
    assert root.help is None
