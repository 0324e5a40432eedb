"""``client.admin``: a subset of Keycloak's admin REST API, for platform staff."""

from __future__ import annotations

from cartes_cli.client._base import json_of, parse_model
from cartes_cli.client._paths import segment
from cartes_cli.client._resource import APIResource
from cartes_cli.client.models import AdminUser, Credential
from cartes_cli.client.validation import is_uuid
from cartes_cli.errors import InvalidResponse, NotFound, UsageError
from cartes_cli.i18n import _

__all__ = ["AdminResource"]


class AdminResource(APIResource):
    """A subset of Keycloak's admin REST API (``{base}/admin/realms/{realm}``), for platform staff:
    find a user, list their credentials, delete one (a lost second factor). The sandbox serves it
    (feature ``admin-credentials``); on the real Géoplateforme staff use Keycloak's admin console."""

    @property
    def base_url(self) -> str:
        head, sep, realm = self._client.platform.issuer.rstrip("/").rpartition("/realms/")
        if not sep:
            raise UsageError(_("The login server's address names no Keycloak realm."))
        return f"{head}/admin/realms/{realm}"

    def find_user(self, ref: str) -> AdminUser | None:
        """The user ``ref`` names: an id, an e-mail address or a username (exact, any case)."""
        text = ref.strip()
        if is_uuid(text):
            try:
                return self._client.get_model(AdminUser, f"{self.base_url}/users/{segment(text, 'user id')}")
            except NotFound:
                return None
        key = "email" if "@" in text else "username"
        response = self._client.send("GET", f"{self.base_url}/users", params={key: text, "exact": "true"})
        data = json_of(response)
        if not isinstance(data, list):
            raise InvalidResponse(_("The list of users is not a list."))
        users = [parse_model(AdminUser, item, response) for item in data]
        wanted = text.casefold()
        exact = [u for u in users if ((u.email if key == "email" else u.username) or "").casefold() == wanted]
        return exact[0] if exact else None

    def credentials(self, user_id: str) -> list[Credential]:
        response = self._client.send(
            "GET", f"{self.base_url}/users/{segment(user_id, 'user id')}/credentials"
        )
        data = json_of(response)
        if not isinstance(data, list):
            raise InvalidResponse(_("The list of credentials is not a list."))
        return [parse_model(Credential, item, response) for item in data]

    def delete_credential(self, user_id: str, credential_id: str) -> None:
        self._client.send(
            "DELETE",
            f"{self.base_url}/users/{segment(user_id, 'user id')}/credentials/{segment(credential_id)}",
        )
