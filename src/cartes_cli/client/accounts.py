"""Accounts: the sign-up API (SANDBOX, ``{api}/accounts…``, no credentials) and the caller's own
account (Keycloak's account REST under the ISSUER, ``{issuer}/account…``, with the bearer token).

The real Géoplateforme has no sign-up API (its registration is a Keycloak page) and does its
password changes and 2FA set-up as Keycloak browser actions; check
``client.capabilities().accounts`` first. These calls are never retried once sent (a sign-up or a
password change must not happen twice); reading a captcha or the profile is.

Bodies hold secrets (passwords, codes): nothing here logs or repeats them; errors carry the
server's messages only (``InvalidInput.problems`` for a 400 that names the fields).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cartes_cli.errors import InvalidResponse, UsageError
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.client.api import GeoplateformeClient
    from cartes_cli.client.models import AccountCreated, AccountProfile, Captcha, TotpSetup

# Models are imported inside the methods: ``registration_body`` stays usable (by the CLI's checks
# before any request) without loading pydantic.

__all__ = [
    "ADDRESS_FIELDS",
    "PROFESSIONAL_FIELDS",
    "AccountResource",
    "AccountsResource",
    "registration_body",
]

ADDRESS_FIELDS = ("street", "locality", "postcode")
"""The personal address, flat (``street``…) and nested under ``address`` in the sign-up body."""
PROFESSIONAL_FIELDS = ("siret", "tva", "company", "position", "street", "locality", "postcode")
"""The professional block, flat as ``siret``, ``tva``, ``company``, ``position``, ``company_street``,
``company_locality``, ``company_postcode``; nested under ``professional`` in the sign-up body."""


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def registration_body(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The ``POST /accounts`` body from flat fields (the CLI's option names, ``_`` or ``-``).

    ``street``/``locality``/``postcode`` go under ``address``; ``siret``/``tva``/``company``/
    ``position`` and ``company_street``/``company_locality``/``company_postcode`` under
    ``professional``. Nested ``address``/``professional`` objects are accepted as they are.
    Values are trimmed (not the password) and empty ones left out, and so are empty blocks.
    ``captcha_id``/``captcha_answer`` become ``captcha``. Nothing is validated here (see
    :mod:`cartes_cli.validators`).
    """
    flat = {str(k).replace("-", "_"): _clean(v) for k, v in fields.items()}
    raw_password = fields.get("password")
    if isinstance(raw_password, str) and raw_password:
        flat["password"] = raw_password  # a password is sent exactly as typed, spaces included
    body: dict[str, Any] = {}
    for key in ("username", "password", "email", "first_name", "last_name", "phone", "photo"):
        if flat.get(key) is not None:
            body[key] = flat[key]
    address: dict[str, Any] = {}
    nested = flat.get("address")
    if isinstance(nested, Mapping):
        address.update({k: _clean(v) for k, v in nested.items() if _clean(v) is not None})
    for key in ADDRESS_FIELDS:
        if flat.get(key) is not None:
            address[key] = flat[key]
    if address:
        body["address"] = address
    professional: dict[str, Any] = {}
    nested = flat.get("professional")
    if isinstance(nested, Mapping):
        professional.update({k: _clean(v) for k, v in nested.items() if _clean(v) is not None})
    for key in ("siret", "tva", "company", "position"):
        if flat.get(key) is not None:
            professional[key] = flat[key]
    for key in ("street", "locality", "postcode"):
        if flat.get(f"company_{key}") is not None:
            professional[key] = flat[f"company_{key}"]
    if professional:
        body["professional"] = professional
    captcha = flat.get("captcha")
    if isinstance(captcha, Mapping):
        body["captcha"] = dict(captcha)
    elif flat.get("captcha_id") is not None or flat.get("captcha_answer") is not None:
        body["captcha"] = {"_id": flat.get("captcha_id"), "answer": flat.get("captcha_answer")}
    return body


class _Resource:
    def __init__(self, client: GeoplateformeClient) -> None:
        self._client = client


class AccountsResource(_Resource):
    """The sign-up API (SANDBOX): captcha, registration, e-mail verification. No credentials are
    sent, so a client without ``auth`` works (and a logged-in client does not leak its token)."""

    def captcha(self) -> Captcha:
        """``GET /accounts/captcha``: a new captcha (image bytes, audio address, lifetime)."""
        from cartes_cli.client.models import Captcha

        client = self._client
        response = client._request("GET", "/accounts/captcha", authenticated=False)
        data = client._json(response)
        if isinstance(data, dict) and isinstance(data.get("audio_url"), str):
            # A relative address is taken relative to the API root's host.
            data = {**data, "audio_url": str(response.request.url.join(data["audio_url"]))}
        try:
            return client._parse(Captcha, data, response)
        except ValueError as exc:  # a malformed data: URL
            raise InvalidResponse(
                _("The platform's captcha could not be read ({reason}).").format(reason=exc)
            ) from None

    def captcha_audio(self, captcha: Captcha | str) -> bytes:
        """The audio version of a captcha (WAV bytes): its ``audio_url``, or for an id
        ``GET /accounts/captcha/{id}/audio``."""
        from cartes_cli.client.api import _segment
        from cartes_cli.client.models import Captcha

        if isinstance(captcha, Captcha) and captcha.audio_url:
            url = captcha.audio_url
        else:
            captcha_id = captcha.id if isinstance(captcha, Captcha) else captcha
            url = f"/accounts/captcha/{_segment(captcha_id, 'captcha id')}/audio"
        response = self._client._request("GET", url, authenticated=False)
        if not response.content:
            raise InvalidResponse(_("The platform sent an empty audio captcha."))
        return response.content

    def register(
        self,
        data: Mapping[str, Any],
        *,
        captcha_id: str | None = None,
        captcha_answer: str | None = None,
    ) -> AccountCreated:
        """``POST /accounts``: create an account, pending e-mail verification (a 6-digit code is
        e-mailed). ``data`` is the API body, or flat fields (see :func:`registration_body`).

        Raises ``InvalidInput`` (400, ``problems`` name the fields: ``captcha.invalid``,
        ``password.missing_digits``…) and ``Conflict`` (409, username or e-mail taken).
        """
        from cartes_cli.client.models import AccountCreated

        fields = dict(data)
        if captcha_id is not None or captcha_answer is not None:
            fields["captcha"] = {"_id": captcha_id, "answer": captcha_answer}
        body = registration_body(fields)
        if not body.get("username") or not body.get("email") or not body.get("password"):
            raise UsageError(_("A sign-up needs a username, an e-mail address and a password."))
        if "captcha" not in body:
            raise UsageError(_("A sign-up needs the answer to a captcha."))
        response = self._client._request(
            "POST", "/accounts", json_body=body, idempotent=False, authenticated=False
        )
        return self._client._parse(AccountCreated, self._client._json(response), response)

    def verify(self, email: str, code: str) -> AccountCreated:
        """``POST /accounts/verify``: confirm the e-mail address with the 6-digit code; the
        account becomes ``active``. ``InvalidInput`` with ``code.invalid``/``code.expired``."""
        from cartes_cli.client.models import AccountCreated

        body = {"email": email.strip(), "code": code.strip()}
        response = self._client._request(
            "POST", "/accounts/verify", json_body=body, idempotent=False, authenticated=False
        )
        data = self._client._maybe_json(response)
        if not isinstance(data, dict):
            return AccountCreated.model_validate({"_id": "", "email": body["email"], "status": "active"})
        data.setdefault("_id", data.get("id", ""))
        return self._client._parse(AccountCreated, data, response)

    def resend_verification(self, email: str) -> None:
        """``POST /accounts/verify/resend``: e-mail a new code (the previous one stops working)."""
        self._client._request(
            "POST",
            "/accounts/verify/resend",
            json_body={"email": email.strip()},
            idempotent=False,
            authenticated=False,
        )


class AccountResource(_Resource):
    """The caller's account at the login server (``{issuer}/account``, Keycloak's account REST),
    with the client's credentials. Password change and 2FA are SANDBOX routes; on the real
    platform they are the browser actions ``UPDATE_PASSWORD`` and ``CONFIGURE_TOTP``."""

    @property
    def base_url(self) -> str:
        return self._client.platform.issuer.rstrip("/") + "/account"

    def profile(self) -> AccountProfile:
        """``GET {issuer}/account``."""
        from cartes_cli.client.models import AccountProfile

        return self._client._get_model(AccountProfile, self.base_url)

    def update_profile(
        self,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        email: str | None = None,
        attributes: Mapping[str, str | list[str] | None] | None = None,
    ) -> AccountProfile:
        """``POST {issuer}/account`` with the fields given, then the profile as it now is.

        ``attributes`` maps names (``phone``, ``street``…) to a value, a list, or ``""``/``[]`` to
        clear it; attributes not named are kept (they are read first and sent back, since Keycloak
        replaces the whole attribute map). Fields left at None are not changed.
        """
        body: dict[str, Any] = {}
        if first_name is not None:
            body["firstName"] = first_name.strip()
        if last_name is not None:
            body["lastName"] = last_name.strip()
        if email is not None:
            body["email"] = email.strip()
        if attributes:
            current = self.profile().attributes
            # The photo is kept apart by the platform: never sent back unless it changes.
            merged: dict[str, list[str]] = {k: list(v) for k, v in current.items() if k != "photo"}
            for name, value in attributes.items():
                if value is None:
                    continue
                values = [value] if isinstance(value, str) else list(value)
                merged[name] = [v.strip() for v in values if v and v.strip()]
            body["attributes"] = merged
        if not body:
            raise UsageError(_("Nothing to update: give at least one field to change."))
        self._client._request("POST", self.base_url, json_body=body, idempotent=True)
        return self.profile()

    def change_password(self, current: str, new: str, confirmation: str) -> None:
        """``POST {issuer}/account/credentials/password`` (204). ``InvalidInput`` for a wrong
        current password, a rule not met or ``password.reused``."""
        body = {"currentPassword": current, "newPassword": new, "confirmation": confirmation}
        self._client._request(
            "POST", self.base_url + "/credentials/password", json_body=body, idempotent=False
        )

    def totp_setup(self) -> TotpSetup:
        """``POST {issuer}/account/totp``: a new pending seed (``Conflict`` if 2FA is already on)."""
        from cartes_cli.client.models import TotpSetup

        response = self._client._request("POST", self.base_url + "/totp", json_body={}, idempotent=False)
        return self._client._parse(TotpSetup, self._client._json(response), response)

    def totp_confirm(self, code: str) -> None:
        """``POST {issuer}/account/totp/confirm``: turn the pending seed on with a first code."""
        self._client._request(
            "POST", self.base_url + "/totp/confirm", json_body={"code": code.strip()}, idempotent=False
        )

    def totp_disable(self, code: str) -> None:
        """``POST {issuer}/account/totp/disable`` with a current code (``Conflict`` if 2FA is off)."""
        self._client._request(
            "POST", self.base_url + "/totp/disable", json_body={"code": code.strip()}, idempotent=False
        )
