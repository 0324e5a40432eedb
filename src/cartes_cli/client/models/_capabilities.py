"""What a platform offers beyond the Entrepôt API: ``GET {base}/sandbox/capabilities``.

Read on many commands' way (``request list`` checks that the platform has the request API), so
it is a plain dataclass read by hand rather than a pydantic model: the document is the sandbox's
own, small and flat, and a shape that is not understood means "the real platform" anyway.
Standard library only.
"""

import enum
from dataclasses import dataclass, field
from typing import Any, Self

__all__ = ["Capabilities", "Feature"]


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


_TRUE = frozenset({"1", "on", "t", "true", "y", "yes"})
_FALSE = frozenset({"0", "off", "f", "false", "n", "no"})


def _lax_bool(value: Any) -> bool:
    """A boolean as pydantic's lax mode reads one (what this document was read with before)."""
    if type(value) is bool:
        return value
    if type(value) in (int, float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise ValueError("sandbox: not a boolean")


def _lax_int(value: Any) -> int | None:
    if value is None:
        return None
    if type(value) is int:
        return value
    if type(value) is float and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("+-").isdigit():
        return int(value.strip())
    raise ValueError("schema_version: not an integer")


@dataclass(frozen=True)
class Capabilities:
    """``GET {base}/sandbox/capabilities``. The real Géoplateforme has no such route: it is then
    :meth:`real_platform` (``sandbox`` false, no features). ``features`` are normalised names
    (lower case, ``-`` for ``_``), sorted."""

    sandbox: bool = False
    version: str | None = None
    schema_version: int | None = None
    features: list[str] = field(default_factory=list)

    @classmethod
    def from_wire(cls, data: Any) -> Self:
        """The document as the sandbox sends it: ``features`` a list, a comma-separated string or
        an object of booleans. ``ValueError`` when it is not such a document."""
        if not isinstance(data, dict):
            raise ValueError("not an object")
        features = data.get("features")
        if isinstance(features, dict):
            features = [k for k, v in features.items() if v is True]
        elif isinstance(features, str):
            features = features.split(",")
        elif features is None:
            features = []
        if not isinstance(features, list):
            raise ValueError("features: not a list")
        version = data.get("version")
        if version is not None and not isinstance(version, str):
            raise ValueError("version: not a string")
        return cls(
            sandbox=_lax_bool(data["sandbox"]) if "sandbox" in data else False,
            version=version,
            schema_version=_lax_int(data.get("schema_version")),
            features=sorted({_feature_name(f) for f in features if str(f).strip()}),
        )

    @classmethod
    def real_platform(cls) -> Self:
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
