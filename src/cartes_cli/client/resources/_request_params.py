"""The query of the request listings (``GET /requests``, ``GET /users/me/requests``) and of the
members' (``GET /communities/{c}/users``), checked before any request: shared by
``client.requests`` and ``client.communities`` (models) and ``client.records`` (records)."""

from __future__ import annotations

from cartes_cli.client._paths import label
from cartes_cli.client.models._values import RequestStatus, RequestType, Right
from cartes_cli.errors import UsageError
from cartes_cli.i18n import _

__all__ = ["incoming_params", "member_params", "mine_params"]


def _choice(value: str | None, allowed: type[RequestStatus] | type[RequestType], what: str) -> str | None:
    if value is None:
        return None
    text = str(value).strip().lower()
    valid = [str(v) for v in allowed]
    if text not in valid:
        raise UsageError(
            _("Unknown {what} '{value}'; choose one of: {choices}.").format(
                what=label(what), value=value, choices=", ".join(valid)
            )
        )
    return text


def mine_params(status: RequestStatus | str | None, type: RequestType | str | None) -> dict[str, str | None]:
    return {
        "status": _choice(status, RequestStatus, "status"),
        "type": _choice(type, RequestType, "request type"),
    }


def incoming_params(
    status: RequestStatus | str | None, type: RequestType | str | None, community: str | None
) -> dict[str, str | None]:
    return {
        **mine_params(status, type),
        "community": community.strip() if community and community.strip() else None,
    }


def member_params(rights: list[Right | str] | None) -> dict[str, str | None]:
    """``rights``, the documented filter of the members' listing (comma-separated)."""
    return {"rights": ",".join(str(r) for r in rights) if rights else None}
