"""What the request commands check before any request: a choice among the platform's values,
a request id, and that the platform has a request API at all."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cartes_cli.errors import UsageError
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.client import GeoplateformeClient


def check_choice(value: str | None, choices: tuple[str, ...], option: str) -> str | None:
    if value is None:
        return None
    v = value.strip().lower()
    if v not in choices:
        raise UsageError(
            _("Invalid value {value!r} for {option}; choose one of: {choices}.").format(
                value=value, option=option, choices=", ".join(choices)
            )
        )
    return v


def check_id(value: str) -> str:
    from cartes_cli.client.validation import is_uuid

    v = value.strip()
    if not is_uuid(v):
        raise UsageError(_("{value!r} is not a request id (a UUID such as 3f0c…-…).").format(value=value))
    return v.lower()


def require_requests_api(client: GeoplateformeClient) -> None:
    caps = client.capabilities()
    if not caps.has("requests"):
        raise UsageError(
            _(
                "This platform has no request API: on the real Géoplateforme, requests arrive by e-mail. "
                "Approve a join with 'cartes request approve --workspace WS --user USER' or with the link "
                "from the e-mail."
            )
        )
