"""What a platform offers beyond the Entrepôt API (``/sandbox/capabilities``), and the sandbox's
outbox."""

import enum
from typing import Any

from pydantic import Field, field_validator, model_validator

from cartes_cli.client.models._common import Model, Timestamp, _Identified


class Feature(enum.StrEnum):
    """What a platform may offer beyond the Entrepôt API (listed in ``/sandbox/capabilities``).
    Names are compared with ``_`` and ``-`` taken as the same, case ignored."""

    REQUESTS = "requests"
    JOIN_FORMS = "join-forms"
    ACCOUNTS = "accounts"
    OUTBOX = "outbox"
    WEB_LOGIN = "web-login"
    DEVICE = "device"
    CLIENT_CREDENTIALS = "client-credentials"
    SUPPORT_MAIL = "support-mail"
    """``POST /sandbox/support``: an e-mail to the support, kept in the outbox."""
    ADMIN_CREDENTIALS = "admin-credentials"
    """Keycloak's admin REST for credentials (``/admin/realms/{realm}/users/…``), open to staff."""
    SCRIPTABLE_CAPTCHAS = "scriptable-captchas"
    """``GET /sandbox/captchas/{id}``: a captcha's answer (a sandbox run with --scriptable-captchas)."""


def _feature_name(value: object) -> str:
    return str(value).strip().lower().replace("_", "-")


class Capabilities(Model):
    """``GET {base}/sandbox/capabilities``. The real Géoplateforme has no such route: it is then
    :meth:`real_platform` (``sandbox`` false, no features)."""

    sandbox: bool = False
    version: str | None = None
    schema_version: int | None = None
    features: list[str] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _shapes(cls, data: Any) -> Any:
        """``features`` as a list, a comma-separated string or an object of booleans."""
        if not isinstance(data, dict):
            return data
        features = data.get("features")
        if isinstance(features, dict):
            features = [k for k, v in features.items() if v is True]
        elif isinstance(features, str):
            features = features.split(",")
        elif features is None:
            features = []
        if isinstance(features, list):
            features = sorted({_feature_name(f) for f in features if str(f).strip()})
        return {**data, "features": features}

    @classmethod
    def real_platform(cls) -> "Capabilities":
        return cls(sandbox=False, features=[])

    def supports(self, feature: Feature | str) -> bool:
        return _feature_name(feature) in self.features

    def has(self, feature: Feature | str) -> bool:
        """Alias of :meth:`supports`."""
        return self.supports(feature)

    @property
    def requests(self) -> bool:
        return self.supports(Feature.REQUESTS)

    @property
    def accounts(self) -> bool:
        return self.supports(Feature.ACCOUNTS)

    @property
    def outbox(self) -> bool:
        return self.supports(Feature.OUTBOX)

    @property
    def join_forms(self) -> bool:
        return self.supports(Feature.JOIN_FORMS)


class OutboxMessage(_Identified):
    """An e-mail the sandbox would have sent (``GET /sandbox/outbox``)."""

    to: list[str] = Field(default_factory=list)
    subject: str = ""
    body: str = ""
    related: Any = None
    """What the message is about (a request id, an object…), as the sandbox gives it."""
    creation: Timestamp | None = None

    @field_validator("to", mode="before")
    @classmethod
    def _to(cls, value: Any) -> Any:
        if value is None:
            return []
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value
