"""French registries: SIREN, SIRET and intra-community VAT numbers, checked offline."""

from __future__ import annotations

import re

from cartes_cli.i18n import _
from cartes_cli.validators._problems import Problem, _p, _type_problem

LA_POSTE_SIREN = "356000000"


def _luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if position % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _compact(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value.strip()).upper()


def _all_digits(value: str, length: int) -> bool:
    return len(value) == length and value.isascii() and value.isdigit()


def normalise_siret(siret: str) -> str:
    """``732 829 320 00074`` → ``73282932000074`` (spaces, dots and dashes dropped)."""
    return _compact(siret)


def check_siren(siren: str, *, field: str = "siren") -> list[Problem]:
    if not isinstance(siren, str):
        return _type_problem(field)
    value = _compact(siren)
    if not value:
        return [_p(field, "field.required", _("a SIREN number is required."))]
    if not _all_digits(value, 9):
        return [
            _p(
                field,
                "siren.invalid_format",
                _("a SIREN has 9 digits ({n} characters given).").format(n=len(value)),
            )
        ]
    if not _luhn_ok(value):
        return [_p(field, "siren.bad_checksum", _("this SIREN does not exist: its check digit is wrong."))]
    return []


def check_siret(siret: str, *, field: str = "siret") -> list[Problem]:
    if not isinstance(siret, str):
        return _type_problem(field)
    value = _compact(siret)
    if not value:
        return [_p(field, "field.required", _("a SIRET number is required."))]
    if not _all_digits(value, 14):
        return [
            _p(
                field,
                "siret.invalid_format",
                _("a SIRET has 14 digits ({n} characters given).").format(n=len(value)),
            )
        ]
    # La Poste's establishments share one SIREN and run out of Luhn numbers: INSEE gives them
    # SIRETs whose digit sum is a multiple of 5 instead.
    la_poste = value.startswith(LA_POSTE_SIREN) and sum(ord(c) - 48 for c in value) % 5 == 0
    if not (_luhn_ok(value) or la_poste):
        return [_p(field, "siret.bad_checksum", _("this SIRET does not exist: its check digit is wrong."))]
    return []


def tva_key(siren: str) -> str:
    """The numeric key of the French VAT number of ``siren`` (9 digits): ``732829320`` → ``44``."""
    return f"{(12 + 3 * (int(siren) % 97)) % 97:02d}"


def normalise_tva(tva: str) -> str:
    """``fr 44 732 829 320`` → ``FR44732829320``."""
    return _compact(tva)


_TVA_RE = re.compile(r"^FR(?P<key>[0-9A-HJ-NP-Z]{2})(?P<siren>\d{9})$")


def check_tva(tva: str, *, field: str = "tva") -> list[Problem]:
    """A French intra-community VAT number. Keys with letters (a few older numbers) cannot be
    checked offline: their format only is."""
    if not isinstance(tva, str):
        return _type_problem(field)
    value = _compact(tva)
    if not value:
        return [_p(field, "field.required", _("a VAT number is required."))]
    match = _TVA_RE.match(value) if value.isascii() else None
    if match is None:
        return [
            _p(field, "tva.invalid_format", _("a French VAT number is FR, a 2-character key and the SIREN."))
        ]
    siren, key = match["siren"], match["key"]
    if not _luhn_ok(siren):
        return [_p(field, "tva.bad_siren", _("the SIREN in this VAT number has a wrong check digit."))]
    if key.isdigit() and key != tva_key(siren):
        return [_p(field, "tva.bad_key", _("the key (2 characters after FR) does not match the SIREN."))]
    return []
