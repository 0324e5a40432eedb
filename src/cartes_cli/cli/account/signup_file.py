"""``account create --from-file``: the sign-up fields (and maybe the password) in a JSON or TOML
file, with the options' names, flat or grouped as the API groups them (``address``,
``professional``)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

from cartes_cli.cli.account.fields import FILE_KEYS
from cartes_cli.errors import UsageError
from cartes_cli.i18n import _

GROUPS = ("address", "professional")
PROFESSIONAL_IDS = ("siret", "tva", "company", "position")


def read_signup_file(path: Path) -> tuple[dict[str, str], str | None]:
    """Fields (and maybe a password) from a JSON or TOML file with the options' names."""
    flat = _flatten(path, _parse(path))
    unknown = sorted(k for k in flat if k not in FILE_KEYS)
    if unknown:
        raise UsageError(
            _("Unknown key {keys} in {path}; allowed keys: {allowed}.").format(
                keys=", ".join(repr(k) for k in unknown), path=path, allowed=", ".join(FILE_KEYS)
            )
        )
    fields: dict[str, str] = {}
    for key, value in flat.items():
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise UsageError(_("In {path}, {key} must be text.").format(path=path, key=key))
        fields[key] = str(value)
    password = fields.pop("password", None)
    if password is not None and os.name == "posix":
        mode = path.expanduser().stat().st_mode
        if mode & 0o077:
            raise UsageError(
                _(
                    "{path} contains a password but other users may read it: make it private "
                    "(chmod 600 {path}), or remove the password and use CARTES_PASSWORD or "
                    "--password-stdin."
                ).format(path=path)
            )
    return fields, password


def _parse(path: Path) -> dict[object, object]:
    """The file's object: JSON, else TOML (TOML first for a ``.toml`` file)."""
    import tomllib

    try:
        raw = path.expanduser().read_bytes()
    except OSError as exc:
        raise UsageError(
            _("Cannot read {path}: {reason}.").format(path=path, reason=exc.strerror or exc)
        ) from exc
    text = raw.decode("utf-8", "replace")
    data: object = None
    errors: list[str] = []
    parsers: list[tuple[str, Callable[[str], object]]] = [("JSON", json.loads), ("TOML", tomllib.loads)]
    if path.suffix.lower() == ".toml":
        parsers.reverse()
    for name, parse in parsers:
        try:
            data = parse(text)
            break
        except ValueError as exc:
            errors.append(f"{name}: {exc}")
    else:
        raise UsageError(_("{path} is neither JSON nor TOML ({reason}).").format(path=path, reason=errors[0]))
    if not isinstance(data, dict):
        raise UsageError(_("{path} must hold an object (JSON) or a table (TOML).").format(path=path))
    return data


def _flatten(path: Path, data: dict[object, object]) -> dict[str, object]:
    """The options' names for every value: ``professional.street`` is ``company_street``."""
    flat: dict[str, object] = {}
    for key, value in data.items():
        name = str(key).replace("-", "_")
        if name in GROUPS and value is None:
            continue  # an optional step, skipped
        if name in GROUPS and not isinstance(value, dict):
            raise UsageError(
                _("In {path}, {key} must be an object (JSON) or a table (TOML).").format(path=path, key=name)
            )
        if name in GROUPS:
            assert isinstance(value, dict)
            prefix = "company_" if name == "professional" else ""
            for sub, item in value.items():
                sub_name = str(sub).replace("-", "_")
                flat[sub_name if sub_name in PROFESSIONAL_IDS else prefix + sub_name] = item
        else:
            flat[name] = value
    return flat
