"""Commands printed in messages ("run 'cartes login'"), made to work as printed.

A hint names a cartes command; run as printed, it must reach the same platform and the same
login as the command that printed it. So every message the CLI prints goes through
:func:`runnable` (``Terminal``'s messages and the final error line), which repeats the platform
and profile options given on the command line (``--env``, ``--api-url``, ``--issuer``,
``--profile``) after ``cartes`` in each command it names. Options that came from the
environment (``CARTES_ENV``, ``CARTES_PROFILE``…) are not repeated: the same shell still has
them. New messages that build a command use :func:`command`.

Message ids stay as they are (``'cartes login'``), so their translations keep working: the
options are added to the translated text. Standard library only.
"""

from __future__ import annotations

import re
import shlex

_options: dict[str, str] = {}

# The command words after which a "cartes …" is a command, not the French word "cartes".
_COMMAND = re.compile(r"(?<![\w./@-])cartes (?=(?:login|logout|account|workspace|request|sandbox)\b)")
_END = re.compile(r"['\"`\n]|\.(?:\s|$)|;\s|\)")


def remember(
    *,
    profile: str | None = None,
    env: str | None = None,
    api_url: str | None = None,
    issuer: str | None = None,
) -> None:
    """The platform and profile options of this invocation (the root command's flags)."""
    _options.clear()
    for key, value in (("env", env), ("api-url", api_url), ("issuer", issuer), ("profile", profile)):
        if value:
            _options[key] = value


def forget() -> None:
    _options.clear()


def _options_for(rest: str) -> list[str]:
    """The options to put before ``rest`` (what follows ``cartes ``): none already in it, no
    platform for ``sandbox serve`` (it starts one), no profile for ``login switch`` (it names
    one)."""
    words = rest.split()
    if words[:2] == ["sandbox", "serve"]:
        return []
    given = set(words)
    platform_given = bool(given & {"--env", "--api-url"}) or any(
        w.startswith(("--env=", "--api-url=")) for w in words
    )
    profile_given = bool(given & {"--profile", "-p"}) or any(w.startswith("--profile=") for w in words)
    out: list[str] = []
    for key, value in _options.items():
        if key == "profile" and (profile_given or words[:2] == ["login", "switch"]):
            continue
        if key != "profile" and platform_given:
            continue
        out += [f"--{key}", shlex.quote(value)]
    return out


def command(rest: str) -> str:
    """``cartes`` + this invocation's platform and profile options + ``rest``."""
    options = _options_for(rest)
    return " ".join(["cartes", *options, rest])


def runnable(message: str) -> str:
    """``message`` with this invocation's options in each cartes command it names."""
    if not _options or "cartes " not in message:
        return message

    def add(match: re.Match[str]) -> str:
        start = match.end()
        end = _END.search(message, start)
        rest = message[start : end.start() if end else len(message)]
        options = _options_for(rest)
        return "cartes " + "".join(f"{o} " for o in options)

    return _COMMAND.sub(add, message)
