"""Logins in progress, kept in memory like Keycloak's authentication sessions.

- ``LoginFlow``: one browser login (a "tab"), from the authorization request (or the device
  verification page) to the redirect back to the application. Each page it renders carries a fresh
  single-use ``session_code``; a form posted with an old one is refused (double submits, back
  button, forged posts), so no cookie is needed.
- ``AuthCode``: an authorization code, single use, short-lived.
- ``DeviceGrant``: an RFC 8628 device code and its user code.

Nothing here survives a restart: a login in progress is simply started again. Every lookup takes
the sandbox's clock, so tests can move time. All the methods are synchronous: called from the
event loop without an ``await`` in between, each check-and-change is atomic.
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TypeVar

from cartes_cli.sandbox.util import new_id

STEP_LOGIN = "auth-username-password-form"
STEP_OTP = "auth-otp-form"
STEP_CONSENT = "oauth-grant"
STEP_BLOCKED = "required-action"
STEP_UPDATE_PASSWORD = "UPDATE_PASSWORD"  # noqa: S105 - a step name, not a password
"""Keycloak's execution names, used as the ``execution`` parameter of the form actions."""

KIND_CODE = "code"
KIND_DEVICE = "device"

USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"
"""RFC 8628 §6.1: consonants only (no words, no 0/O or 1/I confusion), 20^8 codes."""

DEVICE_PENDING = "pending"
DEVICE_APPROVED = "approved"
DEVICE_DENIED = "denied"
SLOW_DOWN_STEP = 5
"""RFC 8628 §3.5: each ``slow_down`` adds 5 seconds to the interval of that device code."""

MAX_ENTRIES = 20_000
"""Bound on each kind of entry: the oldest go first (a runaway script cannot exhaust memory)."""


T = TypeVar("T")


def _token() -> str:
    return secrets.token_urlsafe(24)


@dataclass
class LoginFlow:
    id: str
    """The ``tab_id``: names this login in every URL of its pages."""
    kind: str
    client_id: str
    created: float
    expires: float
    redirect_uri: str | None = None
    state: str | None = None
    nonce: str | None = None
    scope: str = "openid"
    response_mode: str = "query"
    code_challenge: str | None = None
    code_challenge_method: str | None = None
    device_code: str | None = None
    login_hint: str = ""
    step: str = STEP_LOGIN
    session_code: str = field(default_factory=_token)
    user_id: str | None = None
    """Who has been identified so far (the password step passed; the next step is pending)."""
    broker_state: str | None = None
    broker_alias: str | None = None

    def rotate(self) -> str:
        """A new ``session_code`` for the page about to be rendered (the old one stops working)."""
        self.session_code = _token()
        return self.session_code


@dataclass
class AuthCode:
    code: str
    client_id: str
    redirect_uri: str
    session_id: str
    user_id: str
    nonce: str | None
    scope: str
    code_challenge: str | None
    code_challenge_method: str | None
    expires: float
    used: bool = False


@dataclass
class DeviceGrant:
    device_code: str
    user_code: str
    client_id: str
    scope: str
    created: float
    expires: float
    interval: int
    last_poll: float | None = None
    status: str = DEVICE_PENDING
    user_id: str | None = None
    session_id: str | None = None


@dataclass
class BrokerAnswer:
    """What the simulated identity provider sends back to ``/broker/{alias}/endpoint``."""

    code: str
    alias: str
    subject: str
    expires: float


def _bounded_put(table: OrderedDict[str, T], key: str, value: T) -> None:
    table[key] = value
    while len(table) > MAX_ENTRIES:
        table.popitem(last=False)


class Flows:
    """The in-memory tables. Expired entries are dropped when met and swept once a minute."""

    def __init__(self) -> None:
        self._logins: OrderedDict[str, LoginFlow] = OrderedDict()
        self._codes: OrderedDict[str, AuthCode] = OrderedDict()
        self._devices: OrderedDict[str, DeviceGrant] = OrderedDict()
        self._user_codes: dict[str, str] = {}
        self._broker_states: OrderedDict[str, str] = OrderedDict()
        self._broker_answers: OrderedDict[str, BrokerAnswer] = OrderedDict()
        self._next_sweep = 0.0

    # browser logins

    def new_login(self, *, kind: str, client_id: str, now: float, ttl: float, **fields: object) -> LoginFlow:
        self._sweep(now)
        flow = LoginFlow(id=new_id(), kind=kind, client_id=client_id, created=now, expires=now + ttl)
        for name, value in fields.items():
            setattr(flow, name, value)
        _bounded_put(self._logins, flow.id, flow)
        return flow

    def login(self, tab_id: str, now: float) -> LoginFlow | None:
        flow = self._logins.get(tab_id)
        if flow is not None and now >= flow.expires:
            self.end_login(flow)
            return None
        return flow

    def end_login(self, flow: LoginFlow) -> None:
        self._logins.pop(flow.id, None)
        if flow.broker_state:
            self._broker_states.pop(flow.broker_state, None)

    # authorization codes

    def new_code(self, *, now: float, ttl: float, session_id: str, flow: LoginFlow, user_id: str) -> AuthCode:
        assert flow.redirect_uri is not None
        code = AuthCode(
            code=f"{new_id()}.{session_id}.{secrets.token_hex(8)}",
            client_id=flow.client_id,
            redirect_uri=flow.redirect_uri,
            session_id=session_id,
            user_id=user_id,
            nonce=flow.nonce,
            scope=flow.scope,
            code_challenge=flow.code_challenge,
            code_challenge_method=flow.code_challenge_method,
            expires=now + ttl,
        )
        _bounded_put(self._codes, code.code, code)
        return code

    def code(self, code: str, now: float) -> AuthCode | None:
        """The code as issued (used or not) while it may still be presented; None once forgotten."""
        found = self._codes.get(code)
        if found is not None and now >= found.expires + 600:  # kept a while to detect replays
            del self._codes[code]
            return None
        return found

    # device codes

    def new_device(self, *, client_id: str, scope: str, now: float, ttl: float, interval: int) -> DeviceGrant:
        self._sweep(now)
        user_code = self._new_user_code()
        grant = DeviceGrant(
            device_code=secrets.token_urlsafe(32),
            user_code=user_code,
            client_id=client_id,
            scope=scope,
            created=now,
            expires=now + ttl,
            interval=interval,
        )
        _bounded_put(self._devices, grant.device_code, grant)
        self._user_codes[user_code] = grant.device_code
        return grant

    def _new_user_code(self) -> str:
        while True:
            raw = "".join(secrets.choice(USER_CODE_ALPHABET) for _ in range(8))
            code = f"{raw[:4]}-{raw[4:]}"
            if code not in self._user_codes:
                return code

    def device(self, device_code: str) -> DeviceGrant | None:
        return self._devices.get(device_code)

    def device_by_user_code(self, user_code: str, now: float) -> DeviceGrant | None:
        """A pending, unexpired grant by its user code (any case, with or without the dash or spaces)."""
        compact = "".join(c for c in user_code.upper() if c.isalnum())
        if len(compact) != 8:
            return None
        device_code = self._user_codes.get(f"{compact[:4]}-{compact[4:]}")
        grant = self._devices.get(device_code) if device_code else None
        if grant is None or grant.status != DEVICE_PENDING or now >= grant.expires:
            return None
        return grant

    def end_device(self, grant: DeviceGrant) -> None:
        self._devices.pop(grant.device_code, None)
        self._user_codes.pop(grant.user_code, None)

    # brokered logins

    def start_broker(self, flow: LoginFlow, alias: str) -> str:
        if flow.broker_state:
            self._broker_states.pop(flow.broker_state, None)
        state = _token()
        flow.broker_state, flow.broker_alias = state, alias
        _bounded_put(self._broker_states, state, flow.id)
        return state

    def end_broker(self, flow: LoginFlow) -> None:
        if flow.broker_state:
            self._broker_states.pop(flow.broker_state, None)
        flow.broker_state = flow.broker_alias = None

    def broker_flow(self, state: str, alias: str, now: float) -> LoginFlow | None:
        tab_id = self._broker_states.get(state)
        flow = self.login(tab_id, now) if tab_id else None
        if flow is None or flow.broker_state != state or flow.broker_alias != alias:
            return None
        return flow

    def new_broker_answer(self, *, alias: str, subject: str, now: float) -> BrokerAnswer:
        answer = BrokerAnswer(code=_token(), alias=alias, subject=subject, expires=now + 60)
        _bounded_put(self._broker_answers, answer.code, answer)
        return answer

    def take_broker_answer(self, code: str, alias: str, now: float) -> BrokerAnswer | None:
        """Single use: the answer is gone after this call."""
        answer = self._broker_answers.pop(code, None)
        if answer is None or answer.alias != alias or now >= answer.expires:
            return None
        return answer

    # housekeeping

    def _sweep(self, now: float) -> None:
        if now < self._next_sweep:
            return
        self._next_sweep = now + 60
        for tab_id in [k for k, f in self._logins.items() if now >= f.expires]:
            self.end_login(self._logins[tab_id])
        for code in [k for k, c in self._codes.items() if now >= c.expires + 600]:
            del self._codes[code]
        for grant in [g for g in self._devices.values() if now >= g.expires + 600]:
            self.end_device(grant)
        for code in [k for k, a in self._broker_answers.items() if now >= a.expires]:
            del self._broker_answers[code]
        for user_code in [u for u, d in self._user_codes.items() if d not in self._devices]:
            del self._user_codes[user_code]
