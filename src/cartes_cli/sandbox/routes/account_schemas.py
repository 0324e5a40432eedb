"""The account shapes, as pydantic models: sign-up (sandbox API) and Keycloak's account REST API."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from cartes_cli.sandbox.routes.schemas import Id, Model

# --- accounts: sign-up (sandbox API) -----------------------------------------------------------


class ProblemItem(Model):
    field: str = Field(description="where: 'password', 'address.postcode', 'professional.siret'…")
    code: str = Field(description="stable code, see cartes_cli.validators.CODES")
    message: str = Field(description="English sentence")


class ApiProblemBody(Model):
    error: str
    error_description: list[str] = Field(description="'<field>: <message>' for each problem")
    problems: list[ProblemItem]


class CaptchaChallenge(Model):
    id: str = Field(alias="_id", description="opaque id, to send back with the answer")
    image: str = Field(description="data:image/png;base64,… (distorted text)")
    audio_url: str = Field(description="absolute URL of the same answer read aloud (audio/wav)")
    expires_in: int = Field(description="seconds")
    answer: str | None = Field(
        None, description="present only when the sandbox runs with --scriptable-captchas"
    )


class CaptchaSolution(Model):
    """``GET /sandbox/captchas/{id}`` (with --scriptable-captchas)."""

    id: str = Field(alias="_id")
    answer: str = Field(description="the characters to type (alphabet 23456789ABCDEFGHJKLMNPQRSTUVWXYZ)")
    expires_in: int = Field(description="seconds left")


class AddressIn(Model):
    street: str | None = Field(None, max_length=200)
    locality: str | None = Field(None, max_length=100)
    postcode: str | None = Field(None, description="French postcode, 5 digits")


class ProfessionalIn(Model):
    siret: str | None = Field(None, description="14 digits (Luhn); exactly one of siret and tva")
    tva: str | None = Field(None, description="French VAT number: FR + key + SIREN")
    company: str = Field(max_length=200)
    position: str = Field(max_length=100)
    street: str = Field(max_length=200)
    locality: str = Field(max_length=100)
    postcode: str


class CaptchaAnswer(Model):
    id: str = Field(alias="_id")
    answer: str = Field(description="case and spaces ignored")


class NewAccount(Model):
    """The five steps of the sign-up in one body (see cartes_cli.validators.check_registration)."""

    username: str = Field(description="3-64: letters, digits, . _ -; never shown to others")
    password: str = Field(description="≥ 14 characters: 1 upper-case, 1 lower-case, 2 digits, 2 special")
    email: str
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = Field(None, description="French number; stored in E.164")
    photo: str | None = Field(None, description="data:image/png|jpeg;base64,…, at most 1 MiB")
    address: AddressIn | None = None
    professional: ProfessionalIn | None = None
    captcha: CaptchaAnswer


class AccountStatus(Model):
    id: Id
    username: str
    email: str
    status: Literal["pending_verification", "active"]


class VerifyEmail(Model):
    email: str
    code: str = Field(description="the 6 digits of the e-mail")


class ResendCode(Model):
    email: str


class Accepted(Model):
    message: str


# --- accounts: Keycloak account REST (sandbox) -------------------------------------------------


class KeycloakAccount(Model):
    """Keycloak's account REST representation, plus a few read-only sandbox extensions."""

    id: str
    username: str
    email: str
    firstName: str
    lastName: str
    emailVerified: bool
    attributes: dict[str, list[str]] = Field(
        description="phone, street, locality, postcode, siret, tva, company, position, company_street, "
        "company_locality, company_postcode, photo: each a one-element list, absent when not set"
    )
    createdTimestamp: int = Field(description="epoch milliseconds")
    totp: bool = Field(description="sandbox extension: two-factor authentication on")
    requiredActions: list[str] = Field(description="sandbox extension: VERIFY_EMAIL, UPDATE_PASSWORD")
    passwordChangedAt: str | None = Field(description="sandbox extension: ISO date, null if unknown")
    passwordExpiresAt: str | None = Field(description="sandbox extension: ISO date, null if never")


class KeycloakAccountUpdate(Model):
    """Partial: absent fields are left alone; an attribute set to [] (or "" or null) is removed.
    The read-only fields of the representation may be sent back unchanged (they are ignored)."""

    model_config = ConfigDict(extra="allow")
    username: str | None = Field(None, description="cannot change: must equal the current one")
    email: str | None = Field(None, description="a change must be confirmed with a code sent to it")
    firstName: str | None = None
    lastName: str | None = None
    attributes: dict[str, list[str] | str | None] | None = None


class PasswordChange(Model):
    currentPassword: str | None = Field(None, description="required when the account has a password")
    newPassword: str
    confirmation: str


class TotpSetup(Model):
    secret: str = Field(description="base32 seed, pending until confirmed")
    otpauth_uri: str


class TotpCode(Model):
    code: str = Field(description="6 digits from the authenticator app")


class AccountErrorBody(Model):
    errorMessage: str = Field(description="English text")
    field: str | None = None
    messageKey: str | None = Field(None, description="Keycloak's message key, when there is one")
    problems: list[ProblemItem]
