"""The sandbox's outbox; what a platform offers (``Capabilities``, ``Feature``) is in
``_capabilities``, which needs no pydantic, and re-exported here."""

from typing import Any

from pydantic import Field, field_validator

from cartes_cli.client.models._capabilities import Capabilities as Capabilities
from cartes_cli.client.models._capabilities import Feature as Feature
from cartes_cli.client.models._common import Timestamp, _Identified


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
