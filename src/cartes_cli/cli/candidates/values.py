"""Candidates for each kind of argument: workspaces, request ids, profile names, and the values
of the options that take a fixed set (with what each means)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from cartes_cli.cli.candidates.cache import Items
from cartes_cli.i18n import _

Candidate = tuple[str, str | None]
"""A value and its description (zsh, fish and PowerShell show it; bash shows values only)."""
_UUID_TEMPLATE = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"
_HEX = frozenset("0123456789abcdefABCDEF")


def looks_like_uuid(text: str, *, min_length: int = 4) -> bool:
    """Is ``text`` the beginning of a UUID (hex digits and dashes in the right places)?"""
    if len(text) < min_length or len(text) > len(_UUID_TEMPLATE):
        return False
    return all(
        (t == "-" and c == "-") or (t == "x" and c in _HEX)
        for c, t in zip(text, _UUID_TEMPLATE, strict=False)
    )


def workspace_candidates(
    mine: Items | None, catalogue: Items | None, incomplete: str, *, exclude_mine: bool = False
) -> list[Candidate]:
    """Technical names (and ids, when ``incomplete`` looks like the start of one), mine first,
    described by the workspace's display name."""
    needle = incomplete.casefold()
    by_id = looks_like_uuid(incomplete)
    mine_ids = {w.get("id") for w in mine or []}
    seen: set[str] = set()
    out: list[Candidate] = []
    rows = [*(() if exclude_mine else (mine or [])), *(catalogue or [])]
    for w in rows:
        wid, tech, name = w.get("id"), w.get("technical_name"), w.get("name")
        if exclude_mine and wid in mine_ids:
            continue
        if isinstance(tech, str) and tech and tech.casefold().startswith(needle) and tech not in seen:
            seen.add(tech)
            out.append((tech, name if isinstance(name, str) else None))
        if by_id and isinstance(wid, str) and wid.lower().startswith(needle) and wid not in seen:
            seen.add(wid)
            label = " – ".join(x for x in (tech, name) if isinstance(x, str) and x)
            out.append((wid, label or None))
    return out


def request_summary(r: Mapping[str, Any]) -> str:
    return _("{type}: {requester} → {workspace}").format(
        type=r.get("type") or "?", requester=r.get("requester") or "?", workspace=r.get("workspace") or "?"
    )


def request_candidates(
    lists: Iterable[Items | None], incomplete: str, *, exclude: Iterable[str] = ()
) -> list[Candidate]:
    """Pending request ids starting with ``incomplete``, described by type, requester and workspace."""
    needle = incomplete.lower()
    seen = {e.strip().lower() for e in exclude}
    out: list[Candidate] = []
    for items in lists:
        for r in items or []:
            rid = r.get("id")
            if isinstance(rid, str) and rid.lower().startswith(needle) and rid.lower() not in seen:
                seen.add(rid.lower())
                out.append((rid, request_summary(r)))
    return out


def profile_candidates(incomplete: str) -> list[Candidate]:
    from cartes_cli.config import DEFAULT_PROFILE, Config

    try:
        config = Config.load()
    except Exception:
        return []
    active = config.active_profile or DEFAULT_PROFILE
    out: list[Candidate] = []
    for name, profile in sorted(config.profiles.items()):
        if not name.startswith(incomplete):
            continue
        where = profile.api_url if profile.env in (None, "custom") else profile.env
        if profile.user:
            text = _("{user} on {platform}").format(user=profile.user, platform=where or "prod")
        else:
            text = _("not logged in")
        if name == active:
            text = _("{description} (active)").format(description=text)
        out.append((name, text))
    return out


def choice_candidates(choices: Mapping[str, str | None], incomplete: str) -> list[Candidate]:
    return [(value, text) for value, text in choices.items() if value.startswith(incomplete)]


def comma_list_candidates(choices: Mapping[str, str | None], incomplete: str) -> list[Candidate]:
    """Complete the last element of a comma-separated list (``UPLOAD,PRO`` → ``UPLOAD,PROCESSING``),
    leaving out the elements already given and keeping the case the user types in."""
    head, sep, last = incomplete.rpartition(",")
    prefix = head + sep
    given = {part.strip().upper() for part in head.split(",") if part.strip()}
    out: list[Candidate] = []
    for value, text in choices.items():
        if value.upper() in given or not value.upper().startswith(last.upper()):
            continue
        shown = value.lower() if last and last.islower() else value
        out.append((prefix + shown, text))
    return out


def env_choices() -> dict[str, str | None]:
    return {
        "prod": _("the Géoplateforme (cartes.gouv.fr)"),
        "qualif": _("the qualification platform"),
        "sandbox": _("the local sandbox ('cartes sandbox serve')"),
    }


def format_choices() -> dict[str, str | None]:
    from cartes_cli.cli.output import FORMATS

    described = {
        "auto": _("a table on a terminal, tab-separated values otherwise"),
        "csv": _("comma-separated values, for spreadsheets"),
    }
    return {f: described.get(f) for f in FORMATS}


def rights_choices() -> dict[str, str | None]:
    from cartes_cli.client.validation import RIGHT_NAMES

    described = {
        "COMMUNITY": _("administer the workspace and its members"),
        "UPLOAD": _("upload data"),
        "PROCESSING": _("run processings"),
        "BROADCAST": _("publish services"),
        "ANNEX": _("manage annexes"),
    }
    return {r: described.get(r) for r in RIGHT_NAMES}


def plain_choices(values: Iterable[str]) -> Callable[[], dict[str, str | None]]:
    """The choices of an option whose values need no description."""
    return lambda: dict.fromkeys(values)
