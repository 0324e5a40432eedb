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

from cartes_cli.client._base import json_of, maybe_json, parse_model
from cartes_cli.client._paths import segment
from cartes_cli.client._resource import APIResource
from cartes_cli.client.models import AccountCreated, AccountProfile, Captcha, TotpSetup
from cartes_cli.client.signup import registration_body
from cartes_cli.errors import InvalidResponse, UsageError
from cartes_cli.i18n import _

__all__ = ["AccountResource", "AccountsResource"]


class AccountsResource(APIResource):
    """The sign-up API (SANDBOX): captcha, registration, e-mail verification. No credentials are
    sent, so a client without ``auth`` works (and a logged-in client does not leak its token)."""

    def captcha(self) -> Captcha:
        """``GET /accounts/captcha``: a new captcha (image bytes, audio address, lifetime)."""

        client = self._client
        response = client.send("GET", "/accounts/captcha", authenticated=False)
        data = json_of(response)
        if isinstance(data, dict) and isinstance(data.get("audio_url"), str):
            # A relative address is taken relative to the API root's host.
            data = {**data, "audio_url": str(response.request.url.join(data["audio_url"]))}
        try:
            return parse_model(Captcha, data, response)
        except ValueError as exc:  # a malformed data: URL
            raise InvalidResponse(
                _("The platform's captcha could not be read ({reason}).").format(reason=exc)
            ) from None

    def captcha_audio(self, captcha: Captcha | str) -> bytes:
        """The audio version of a captcha (WAV bytes): its ``audio_url``, or for an id
        ``GET /accounts/captcha/{id}/audio``."""

        if isinstance(captcha, Captcha) and captcha.audio_url:
            url = captcha.audio_url
        else:
            captcha_id = captcha.id if isinstance(captcha, Captcha) else captcha
            url = f"/accounts/captcha/{segment(captcha_id, 'captcha id')}/audio"
        response = self._client.send("GET", url, authenticated=False)
        if not response.content:
            raise InvalidResponse(_("The platform sent an empty audio captcha."))
        return response.content

    def register(
        self,
        data: Mapping[str, object],
        *,
        captcha_id: str | None = None,
        captcha_answer: str | None = None,
    ) -> AccountCreated:
        """``POST /accounts``: create an account, pending e-mail verification (a 6-digit code is
        e-mailed). ``data`` is the API body, or flat fields (see :func:`registration_body`).

        Raises ``InvalidInput`` (400, ``problems`` name the fields: ``captcha.invalid``,
        ``password.missing_digits``…) and ``Conflict`` (409, username or e-mail taken).
        """

        fields = dict(data)
        if captcha_id is not None or captcha_answer is not None:
            fields["captcha"] = {"_id": captcha_id, "answer": captcha_answer}
        body = registration_body(fields)
        if not body.get("username") or not body.get("email") or not body.get("password"):
            raise UsageError(_("A sign-up needs a username, an e-mail address and a password."))
        if "captcha" not in body:
            raise UsageError(_("A sign-up needs the answer to a captcha."))
        response = self._client.send(
            "POST", "/accounts", json_body=body, idempotent=False, authenticated=False
        )
        return parse_model(AccountCreated, json_of(response), response)

    def verify(self, email: str, code: str) -> AccountCreated:
        """``POST /accounts/verify``: confirm the e-mail address with the 6-digit code; the
        account becomes ``active``. ``InvalidInput`` with ``code.invalid``/``code.expired``."""

        body = {"email": email.strip(), "code": code.strip()}
        response = self._client.send(
            "POST", "/accounts/verify", json_body=body, idempotent=False, authenticated=False
        )
        data = maybe_json(response)
        if not isinstance(data, dict):
            return AccountCreated.model_validate({"_id": "", "email": body["email"], "status": "active"})
        data.setdefault("_id", data.get("id", ""))
        return parse_model(AccountCreated, data, response)

    def resend_verification(self, email: str) -> None:
        """``POST /accounts/verify/resend``: e-mail a new code (the previous one stops working)."""
        self._client.send(
            "POST",
            "/accounts/verify/resend",
            json_body={"email": email.strip()},
            idempotent=False,
            authenticated=False,
        )


class AccountResource(APIResource):
    """The caller's account at the login server (``{issuer}/account``, Keycloak's account REST),
    with the client's credentials. Password change and 2FA are SANDBOX routes; on the real
    platform they are the browser actions ``UPDATE_PASSWORD`` and ``CONFIGURE_TOTP``."""

    @property
    def base_url(self) -> str:
        return self._client.platform.issuer.rstrip("/") + "/account"

    def profile(self) -> AccountProfile:
        """``GET {issuer}/account``."""

        return self._client.get_model(AccountProfile, self.base_url)

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
        body: dict[str, object] = {}
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
        self._client.send("POST", self.base_url, json_body=body, idempotent=True)
        return self.profile()

    def change_password(self, current: str, new: str, confirmation: str) -> None:
        """``POST {issuer}/account/credentials/password`` (204). ``InvalidInput`` for a wrong
        current password, a rule not met or ``password.reused``."""
        body = {"currentPassword": current, "newPassword": new, "confirmation": confirmation}
        self._client.send("POST", self.base_url + "/credentials/password", json_body=body, idempotent=False)

    def totp_setup(self) -> TotpSetup:
        """``POST {issuer}/account/totp``: a new pending seed (``Conflict`` if 2FA is already on)."""

        response = self._client.send("POST", self.base_url + "/totp", json_body={}, idempotent=False)
        return parse_model(TotpSetup, json_of(response), response)

    def totp_confirm(self, code: str) -> None:
        """``POST {issuer}/account/totp/confirm``: turn the pending seed on with a first code."""
        self._client.send(
            "POST", self.base_url + "/totp/confirm", json_body={"code": code.strip()}, idempotent=False
        )

    def totp_disable(self, code: str) -> None:
        """``POST {issuer}/account/totp/disable`` with a current code (``Conflict`` if 2FA is off)."""
        self._client.send(
            "POST", self.base_url + "/totp/disable", json_body={"code": code.strip()}, idempotent=False
        )
