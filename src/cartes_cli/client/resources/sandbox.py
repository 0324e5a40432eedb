"""``client.sandbox``: the sandbox's own routes (``{root}/sandbox/…``, no credentials): the
e-mails it would have sent, captcha answers for scripts, support messages. The real platform has
none (``client.capabilities()`` tells)."""

from __future__ import annotations

from cartes_cli.client._base import json_of, parse_model
from cartes_cli.client._paths import segment
from cartes_cli.client._resource import APIResource
from cartes_cli.client.models import OutboxMessage
from cartes_cli.errors import InvalidResponse
from cartes_cli.i18n import _

__all__ = ["SandboxResource"]


class SandboxResource(APIResource):
    """The sandbox's own routes (``{root}/sandbox/…``, no credentials). The real platform has none."""

    def outbox(self, *, to: str | None = None) -> list[OutboxMessage]:
        """``GET /sandbox/outbox``: every e-mail the sandbox would have sent, oldest first;
        ``to`` keeps those sent to that address (case-insensitive)."""
        response = self._client.send("GET", self._client.root_url + "/sandbox/outbox", authenticated=False)
        data = json_of(response)
        if isinstance(data, dict):
            data = data.get("messages", data.get("items"))
        if not isinstance(data, list):
            raise InvalidResponse(_("The sandbox's outbox is not a list."))
        messages = [parse_model(OutboxMessage, item, response) for item in data]
        if to:
            wanted = to.strip().casefold()
            messages = [m for m in messages if any(r.casefold() == wanted for r in m.to)]
        return messages

    def captcha_answer(self, captcha_id: str) -> str:
        """``GET /sandbox/captchas/{id}``: the answer of a sign-up captcha (feature
        ``scriptable-captchas``: a sandbox started with ``--scriptable-captchas``)."""
        response = self._client.send(
            "GET",
            self._client.root_url + "/sandbox/captchas/" + segment(captcha_id, "captcha id"),
            authenticated=False,
        )
        data = json_of(response)
        answer = data.get("answer") if isinstance(data, dict) else None
        if not isinstance(answer, str) or not answer:
            raise InvalidResponse(_("The sandbox's captcha answer is missing."))
        return answer

    def support(self, subject: str, body: str) -> OutboxMessage:
        """``POST /sandbox/support``: an e-mail to the platform's support, kept in the outbox
        (feature ``support-mail``). Sent once: never retried after it may have arrived."""
        response = self._client.send(
            "POST",
            self._client.root_url + "/sandbox/support",
            json_body={"subject": subject, "body": body},
            authenticated=False,
            idempotent=False,
        )
        return parse_model(OutboxMessage, json_of(response), response)
