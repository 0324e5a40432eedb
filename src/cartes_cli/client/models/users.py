"""The caller (``GET /users/me``) and their memberships."""

from pydantic import AliasChoices, Field

from cartes_cli.client.models._behaviour import PersonBehaviour, RightsBehaviour
from cartes_cli.client.models._common import Model, Number, Rights, Timestamp, _Identified
from cartes_cli.client.models.communities import CommunitySummary


class Membership(RightsBehaviour, Model):
    """One entry of ``communities_member`` in ``/users/me``."""

    rights: Rights = Field(default_factory=list)
    community: CommunitySummary


class User(PersonBehaviour, _Identified):
    """``GET /users/me``."""

    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    creation: Timestamp | None = None
    update: Timestamp | None = None
    last_login: Timestamp | None = Field(
        default=None, validation_alias=AliasChoices("last_login", "last_call")
    )
    """``last_login``; older servers called it ``last_call``."""
    administrator: bool = False
    technical: bool = False
    documents_quota: Number | None = None
    documents_use: Number | None = None
    keys_quota: Number | None = None
    keys_use: Number | None = None
    communities_member: list[Membership] = Field(default_factory=list)

    @property
    def is_staff(self) -> bool:
        """Platform staff (``administrator``): may create communities and datastores."""
        return self.administrator

    @property
    def memberships(self) -> list[Membership]:
        return self.communities_member

    def membership(self, community: str) -> Membership | None:
        """The membership in a community given by id or technical name (exact), if any."""
        for m in self.communities_member:
            if community in (m.community.id, m.community.technical_name):
                return m
        return None
