"""Accounts: sign-up and its captcha (SANDBOX), the caller's Keycloak account (profile, second
factor), and Keycloak's admin REST (staff)."""

from typing import Any

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator

from cartes_cli.client.models._common import Model, _Identified


def _decode_data_url(value: str) -> tuple[str, bytes]:
    """``data:<type>;base64,<data>`` → (media type, bytes); raises ValueError otherwise."""
    import base64
    import binascii

    text = value.strip()
    if not text.startswith("data:") or "," not in text:
        raise ValueError("the image is not a data: URL")
    header, _, payload = text[5:].partition(",")
    parts = header.split(";")
    media_type = parts[0].strip().lower() or "application/octet-stream"
    if "base64" not in [p.strip().lower() for p in parts[1:]]:
        from urllib.parse import unquote_to_bytes

        return media_type, unquote_to_bytes(payload)
    try:
        return media_type, base64.b64decode(payload, validate=False)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("the image data is not valid base64") from exc


class Captcha(_Identified):
    """``GET /accounts/captcha``: the image (decoded from its data URL), the address of the audio
    version, how long it stays valid. ``answer`` comes only from a sandbox started with
    ``--scriptable-captchas`` (scripts, tests, demos)."""

    image: bytes = b""
    image_type: str = "image/png"
    audio_url: str | None = None
    expires_in: int | None = None
    answer: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _data_url(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("image"), str):
            media_type, raw = _decode_data_url(data["image"])
            return {**data, "image": raw, "image_type": data.get("image_type") or media_type}
        return data

    @property
    def image_extension(self) -> str:
        subtype = self.image_type.split("/")[-1].lower()
        return {"jpeg": "jpg", "svg+xml": "svg"}.get(subtype, subtype or "png")


class AccountCreated(_Identified):
    """``POST /accounts`` (201) and ``POST /accounts/verify`` (200): the account and its status
    (``pending_verification``, then ``active``)."""

    username: str | None = None
    email: str | None = None
    status: str | None = None

    @property
    def active(self) -> bool:
        return (self.status or "").lower() == "active"


def _first(values: Any) -> str | None:
    if isinstance(values, list):
        for value in values:
            if value not in (None, ""):
                return str(value)
        return None
    if values in (None, ""):
        return None
    return str(values)


class AccountProfile(Model):
    """``GET {issuer}/account``: Keycloak's account representation (camelCase on the wire, each
    attribute a list of strings). Attribute helpers give the first value."""

    id: str | None = None
    username: str | None = None
    email: str | None = None
    first_name: str | None = Field(default=None, validation_alias=AliasChoices("firstName", "first_name"))
    last_name: str | None = Field(default=None, validation_alias=AliasChoices("lastName", "last_name"))
    email_verified: bool | None = Field(
        default=None, validation_alias=AliasChoices("emailVerified", "email_verified")
    )
    totp: bool | None = None
    """Whether a second factor is configured, when the server says so (the sandbox does)."""
    attributes: dict[str, list[str]] = Field(default_factory=dict)

    @field_validator("attributes", mode="before")
    @classmethod
    def _attributes(cls, value: Any) -> Any:
        if value is None:
            return {}
        if isinstance(value, dict):
            out: dict[str, list[str]] = {}
            for key, item in value.items():
                if item is None:
                    out[str(key)] = []
                elif isinstance(item, list):
                    out[str(key)] = [str(v) for v in item if v is not None]
                else:
                    out[str(key)] = [str(item)]
            return out
        return value

    def attribute(self, name: str) -> str | None:
        """The first value of an attribute, or None."""
        return _first(self.attributes.get(name))

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)

    @property
    def phone(self) -> str | None:
        return self.attribute("phone")

    @property
    def street(self) -> str | None:
        return self.attribute("street")

    @property
    def locality(self) -> str | None:
        return self.attribute("locality")

    @property
    def postcode(self) -> str | None:
        return self.attribute("postcode")

    @property
    def siret(self) -> str | None:
        return self.attribute("siret")

    @property
    def tva(self) -> str | None:
        return self.attribute("tva")

    @property
    def company(self) -> str | None:
        return self.attribute("company")

    @property
    def position(self) -> str | None:
        return self.attribute("position")

    @property
    def professional(self) -> bool:
        return bool(self.siret or self.tva or self.company)


class TotpSetup(Model):
    """``POST {issuer}/account/totp``: the seed of a pending second factor and its ``otpauth://``
    URI (both secret: they are the second factor until it is confirmed with a first code)."""

    secret: SecretStr
    otpauth_uri: SecretStr | None = None

    def grouped_secret(self, size: int = 4) -> str:
        """The seed in groups of ``size`` characters, as authenticator apps show it."""
        raw = self.secret.get_secret_value().replace(" ", "")
        return " ".join(raw[i : i + size] for i in range(0, len(raw), size))


# --- Keycloak admin REST (staff) --------------------------------------------------------------


class AdminUser(Model):
    """Keycloak's ``UserRepresentation`` (``GET /admin/realms/{realm}/users``)."""

    id: str
    username: str = ""
    email: str | None = None
    first_name: str | None = Field(None, alias="firstName")
    last_name: str | None = Field(None, alias="lastName")
    enabled: bool = True
    totp: bool | None = None


class Credential(Model):
    """Keycloak's ``CredentialRepresentation``, without secrets (``type``: ``password``, ``otp``…)."""

    id: str
    type: str
    user_label: str | None = Field(None, alias="userLabel")
