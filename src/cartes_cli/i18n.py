"""Messages in the user's language (French or English), through standard gettext catalogues.

Message ids are English. The language comes from ``CARTES_LANG`` (forces it), then the locale:
``LANGUAGE`` (a priority list, ``de:fr:en``), then the first of ``LC_ALL``, ``LC_MESSAGES`` and
``LANG`` that is set; French when that says so, English otherwise (``C`` and ``POSIX`` are English,
and, as in GNU gettext, they make ``LANGUAGE`` ignored). The catalogue is
``cartes_cli/locale/<lang>/LC_MESSAGES/cartes.mo``, built from ``cartes.po`` by ``scripts/i18n``.

In the ``cartes`` process, :func:`install` also routes the strings of Typer and of the click it
runs on ("Usage:", "Options", "Missing argument…") through the same catalogue, and
:func:`translate_help` translates the command docstrings Typer uses as help.

:func:`using_language` switches the language for one context (a request the sandbox answers in
the language of its ``Accept-Language``); :func:`accept_language` reads that header.

Standard library only, and cheap: importing this module loads no catalogue; the first message
does (a few milliseconds for French, nothing to read for English).
"""

from __future__ import annotations

import gettext as _gettext
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from string import Formatter
from typing import Any

DOMAIN = "cartes"
LOCALE_DIR = Path(__file__).parent / "locale"
SUPPORTED = ("fr", "en")

_translation: _gettext.NullTranslations | None = None
_installed = False


def N_(message: str) -> str:
    """Mark a message for extraction without translating it here (it is translated where shown)."""
    return message


def _is_c_locale(value: str) -> bool:
    name = value.split(".")[0].split("@")[0].upper()
    return name in ("C", "POSIX")


def detect_language(environ: Mapping[str, str] | None = None) -> str:
    """``"fr"`` or ``"en"``, from ``CARTES_LANG``, ``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``."""
    env = os.environ if environ is None else environ
    forced = env.get("CARTES_LANG", "").strip()
    if forced:
        return "fr" if forced.lower().startswith("fr") else "en"
    locale_name = next(
        (value for var in ("LC_ALL", "LC_MESSAGES", "LANG") if (value := env.get(var, "").strip())), ""
    )
    if locale_name and _is_c_locale(locale_name):
        return "en"
    for entry in env.get("LANGUAGE", "").split(":"):
        code = entry.strip().lower()[:2]
        if code in SUPPORTED:
            return code
    return "fr" if locale_name.lower().startswith("fr") else "en"


def language() -> str:
    return detect_language()


def _load() -> _gettext.NullTranslations:
    global _translation
    if _translation is None:
        # The catalogue's path is known: no need for gettext.find() and its locale aliases.
        path = LOCALE_DIR / detect_language() / "LC_MESSAGES" / f"{DOMAIN}.mo"
        try:
            with path.open("rb") as handle:
                _translation = _gettext.GNUTranslations(handle)
        except OSError:  # English: the message ids are the messages
            _translation = _gettext.NullTranslations()
    return _translation


def reset() -> None:
    """Forget the loaded catalogue (tests switch languages within one process)."""
    global _translation
    _translation = None


_override: ContextVar[str | None] = ContextVar("cartes_language", default=None)
_by_language: dict[str, _gettext.NullTranslations] = {}


def translation_for(lang: str) -> _gettext.NullTranslations:
    """The catalogue of one language (``fr``; anything else is English), loaded once."""
    code = "fr" if lang == "fr" else "en"
    found = _by_language.get(code)
    if found is None:
        path = LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.mo"
        try:
            with path.open("rb") as handle:
                found = _gettext.GNUTranslations(handle)
        except OSError:
            found = _gettext.NullTranslations()
        _by_language[code] = found
    return found


@contextmanager
def using_language(lang: str) -> Iterator[None]:
    """Messages in ``lang`` within this context (this thread or task only), whatever the process's
    locale: the sandbox answers each request in the language its ``Accept-Language`` asks for."""
    token = _override.set("fr" if lang == "fr" else "en")
    try:
        yield
    finally:
        _override.reset(token)


def accept_language(header: str | None) -> str:
    """``fr`` or ``en`` from an HTTP ``Accept-Language`` header (RFC 9110 §12.5.4: the supported
    language of highest weight); English when none is supported or the header is absent."""
    best, best_q = "en", 0.0
    for part in (header or "").split(","):
        tag, _sep, params = part.strip().partition(";")
        code = tag.strip().lower()[:2]
        q = 1.0
        for param in params.split(";"):
            key, _eq, value = param.strip().partition("=")
            if key.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if code in SUPPORTED and q > best_q:
            best, best_q = code, q
    return best


def _(message: str) -> str:
    lang = _override.get()
    if lang is not None:
        return translation_for(lang).gettext(message)
    return _load().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    lang = _override.get()
    if lang is not None:
        return translation_for(lang).ngettext(singular, plural, n)
    return _load().ngettext(singular, plural, n)


def translating() -> bool:
    """Is a catalogue in use (French), as opposed to the English message ids as they are?"""
    return isinstance(_load(), _gettext.GNUTranslations)


# --- Typer's and click's own strings ---------------------------------------------------------------

TYPER_MESSAGES = (
    # Typer's core marks these with gettext (typer/core.py); listed so the catalogue has them.
    N_("Usage: "),
    N_("Options"),
    N_("Arguments"),
    N_("Commands"),
    N_("default: {default}"),
    N_("required"),
    N_("env var: {var}"),
    N_("(dynamic)"),
    N_("Aborted!"),
    N_("Missing command."),
    N_("No such command {name!r}."),
    N_("Show this message and exit."),
    N_("{heading}:"),
)
"""Typer's gettext messages, and the two fixed strings of the click it vendors (usage prefix,
help option)."""

CLICK_TEMPLATES = (
    # Messages that the click vendored by Typer builds with f-strings, as they come out of
    # ``format_message()``. ``{message}`` and ``{extra}`` are themselves translated.
    N_("Invalid value for {param}: {message}"),
    N_("Invalid value: {message}"),
    N_("Missing argument {param}. {extra}"),
    N_("Missing argument {param}."),
    N_("Missing option {param}. {extra}"),
    N_("Missing option {param}."),
    N_("Missing parameter {param}."),
    N_("Missing parameter: {name}"),
    N_("Choose from:{choices}"),
    N_("{message} (Possible options: {options})"),
    N_("No such option: {name}"),
    N_("Option {name} requires an argument."),
    N_("Option {name} requires {n} arguments."),
    N_("Option {name} does not take a value."),
    N_("Argument {name} takes {n} values."),
    N_("Got unexpected extra argument(s) ({args})"),
    N_("Takes {n} values but {given} given."),
    N_("Value must be an iterable."),
    N_("{value} is not a valid int."),
    N_("{value} is not a valid float."),
    N_("{value} is not a valid int range."),
    N_("{value} is not a valid float range."),
    N_("{value} is not a valid UUID."),
    N_("{value} is not a valid boolean. Recognized values: {values}"),
    N_("{value} is not in the range {range}."),
    N_("{value} is not one of {choices}."),
    N_("{value} does not match the formats {formats}."),
    N_("Could not open file {name}: {message}"),
    N_("File {path} does not exist."),
    N_("Directory {path} does not exist."),
    N_("Path {path} does not exist."),
)
_RECURSIVE = ("message", "extra")
_compiled: list[tuple[re.Pattern[str], str]] | None = None


def _template_regex(template: str) -> re.Pattern[str]:
    pattern = ""
    for literal, name, _spec, _conv in Formatter().parse(template):
        pattern += re.escape(literal)
        if name is not None:
            pattern += rf"(?P<{name}>.+?)" if name not in _RECURSIVE else rf"(?P<{name}>.*?)"
    return re.compile(pattern, re.DOTALL)


def translate_library_message(text: str) -> str:
    """A message of click's (English, built with an f-string) in the user's language.

    Unknown messages come back unchanged; ``{message}`` parts are translated in turn.
    """
    global _compiled
    if not text or not translating():
        return text
    if _compiled is None:
        _compiled = [(_template_regex(t), t) for t in CLICK_TEMPLATES]
    for regex, template in _compiled:
        match = regex.fullmatch(text)
        if match is None:
            continue
        values = {
            name: translate_library_message(value) if name in _RECURSIVE else value
            for name, value in match.groupdict().items()
        }
        return _(template).format(**values)
    return _(text)


def install() -> None:
    """In the ``cartes`` process, before Typer is imported: Typer and click speak the user's language.

    Typer binds ``gettext.gettext`` when its modules are imported, so the standard functions are
    pointed at our catalogue first; the click that Typer vendors writes its strings as f-strings,
    so the few places that show them are wrapped. English (no catalogue) changes nothing.
    Never called when ``cartes_cli`` is used as a library.
    """
    global _installed
    if _installed or not translating():
        return
    _installed = True
    translation = _load()
    _gettext.gettext = translation.gettext
    _gettext.ngettext = translation.ngettext
    try:
        from typer import _click as click  # Typer 0.28: its own copy of click
    except ImportError:  # pragma: no cover - click proper uses gettext, patched above
        return
    _wrap_click(click)


def _wrap_click(click: Any) -> None:
    formatter_class = click.formatting.HelpFormatter
    write_usage = formatter_class.write_usage

    def translated_write_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        write_usage(self, prog, args, _("Usage: ") if prefix is None else prefix)

    formatter_class.write_usage = translated_write_usage
    write_heading = formatter_class.write_heading

    def translated_write_heading(self: Any, heading: str) -> None:
        # click writes "<heading>:"; French puts a space before the colon.
        write_heading(self, _("{heading}:").format(heading=heading).removesuffix(":"))

    formatter_class.write_heading = translated_write_heading

    command_class = click.core.Command
    get_help_option = command_class.get_help_option

    def translated_help_option(self: Any, ctx: Any) -> Any:
        option = get_help_option(self, ctx)
        if option is not None and option.help == "Show this message and exit.":
            option.help = _("Show this message and exit.")
        return option

    command_class.get_help_option = translated_help_option

    exceptions = click.exceptions
    for name in ("ClickException", "BadParameter", "MissingParameter", "NoSuchOption", "FileError"):
        cls = getattr(exceptions, name, None)
        if cls is None or (name != "ClickException" and "format_message" not in vars(cls)):
            continue
        original = cls.format_message

        def format_message(self: Any, _original: Any = original) -> str:
            return translate_library_message(_original(self))

        cls.format_message = format_message


def translate_help(command: Any) -> None:
    """Translate, in place, the help texts Typer took from docstrings, over a whole click tree.

    Help given as ``help=_(...)`` is already translated (and not a message id: left as is).
    """
    if not translating():
        return
    seen: set[int] = set()
    stack = [command]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        for attribute in ("help", "short_help", "epilog"):
            text = getattr(current, attribute, None)
            if isinstance(text, str) and text:
                setattr(current, attribute, _(text))
        stack.extend(getattr(current, "commands", {}).values())
