"""What the API objects compute from their fields (a person's name to show, a community's label,
the id behind an embedded object, whether a member holds a right…), written once for the pydantic
models and for the records of :mod:`cartes_cli.client.records`, which share these field names.

Plain mixins: no fields of their own (the attributes they read are declared for type checkers
only, so pydantic takes none of them for a field) and empty ``__slots__`` (the records are slotted).
Standard library only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cartes_cli.client.models._values import RequestStatus, Right

__all__ = ["CommunityBehaviour", "LabelBehaviour", "PersonBehaviour", "RequestBehaviour", "RightsBehaviour"]


def _id_of(value: Any) -> str | None:
    """An embedded object's id, or the id given alone (or None)."""
    if value is None or isinstance(value, str):
        return value
    identifier: str = value.id
    return identifier


class PersonBehaviour:
    """A user (``UserRef``, ``User`` and their records)."""

    __slots__ = ()
    if TYPE_CHECKING:
        id: str
        email: str | None
        first_name: str | None
        last_name: str | None

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)

    @property
    def display_name(self) -> str:
        return self.full_name or self.email or self.id


class LabelBehaviour:
    """A community as listed (catalogue items, summaries, details)."""

    __slots__ = ()
    if TYPE_CHECKING:
        id: str
        name: str | None
        technical_name: str | None

    @property
    def label(self) -> str:
        """What to show: name, else technical name, else id."""
        return self.name or self.technical_name or self.id


class CommunityBehaviour(LabelBehaviour):
    """A community as ``/users/me`` or ``GET /communities/{c}`` gives it: its datastore and
    supervisor are an id in the first, an object in the second."""

    __slots__ = ()
    if TYPE_CHECKING:
        datastore: Any
        supervisor: Any

    @property
    def datastore_id(self) -> str | None:
        return _id_of(self.datastore)

    @property
    def supervisor_id(self) -> str | None:
        return _id_of(self.supervisor)


class RightsBehaviour:
    """A membership or a member: the rights held."""

    __slots__ = ()
    if TYPE_CHECKING:
        rights: list[Right | str]

    def has(self, right: Right | str) -> bool:
        return str(right).upper() in {str(r) for r in self.rights}


class RequestBehaviour:
    """A join or creation request."""

    __slots__ = ()
    if TYPE_CHECKING:
        status: RequestStatus | str
        community: Any
        decided_by: Any
        name: str | None
        technical_name: str | None

    @property
    def is_pending(self) -> bool:
        return self.status == RequestStatus.PENDING

    @property
    def community_id(self) -> str | None:
        return _id_of(self.community)

    @property
    def decided_by_id(self) -> str | None:
        return _id_of(self.decided_by)

    @property
    def subject(self) -> str:
        """What the request is about: the community's name (join) or the requested name."""
        if self.community is not None and not isinstance(self.community, str):
            label: str = self.community.label
            return label
        return self.name or self.technical_name or self.community or ""
