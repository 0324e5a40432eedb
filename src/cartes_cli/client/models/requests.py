"""Requests to join a community or to create one with its datastore (SANDBOX: the real platform
runs this workflow by e-mail)."""

from typing import Any

from pydantic import Field, field_validator

from cartes_cli.client.models._behaviour import RequestBehaviour
from cartes_cli.client.models._common import Rights, Timestamp, UserRef, _Identified, _known
from cartes_cli.client.models._values import RequestStatus as RequestStatus
from cartes_cli.client.models._values import RequestType as RequestType
from cartes_cli.client.models.communities import CommunitySummary


class Request(RequestBehaviour, _Identified):
    """A request (``POST /requests``, ``GET /requests/{r}``…). Unknown types and statuses from a
    newer server are kept as plain strings."""

    type: RequestType | str
    status: RequestStatus | str = RequestStatus.PENDING
    requester: UserRef | None = None
    community: CommunitySummary | str | None = None
    """The community to join, or the one created by an accepted datastore request; an id in some
    answers, null for a datastore request not yet accepted."""
    message: str | None = None
    answers: dict[str, Any] | None = None
    name: str | None = None
    technical_name: str | None = None
    description: str | None = None
    offer: str | None = None
    public: bool | None = None
    justification: str | None = None
    rights: Rights = Field(default_factory=list)
    """Rights granted on acceptance (join requests)."""
    reason: str | None = None
    """Why it was rejected, if said."""
    decided_by: UserRef | str | None = None
    creation: Timestamp | None = None
    update: Timestamp | None = None
    unchanged: bool | None = None
    """After ``accept``/``reject``/``cancel``: True when the request had already been decided that
    way (the call changed nothing), False when this call decided it, None when unknown. Read from
    the answer when the server says so, otherwise inferred by the client (see ``RequestsResource``)."""

    @field_validator("type", mode="before")
    @classmethod
    def _type(cls, value: Any) -> Any:
        return _known(RequestType, value)

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value: Any) -> Any:
        return _known(RequestStatus, value)
