"""``client.users``: the caller, as the Entrepôt API knows them."""

from __future__ import annotations

from cartes_cli.client._resource import APIResource
from cartes_cli.client.models import User

__all__ = ["UsersResource"]


class UsersResource(APIResource):
    def me(self) -> User:
        """``GET /users/me``: the caller, with memberships (the first call creates the user)."""
        return self._client.get_model(User, "/users/me")
