"""Browser logins, Keycloak-style: the authorization endpoint (code + PKCE), the login pages
(password, then TOTP), the device verification pages (RFC 8628), and the brokered providers
FranceConnect and ProConnect (simulated).

Keycloak's behaviour, kept here: an unknown client or a redirect URI that does not match the
client's patterns is an error *page* (never a redirect to an unchecked URI); any other bad request
is a redirect to the application with ``error=…``. Loopback redirect URIs match whatever their port
(RFC 8252 §7.3). A successful login redirects with ``state``, ``session_state``, ``iss`` and
``code``.

A login is a ``LoginFlow`` (``flows.py``): its pages post to URLs carrying the flow's ``tab_id``
and a ``session_code`` that changes with every page, so a form can be posted once, by whoever
received the page; no cookie is involved.

Driving it from a script (what ``tests/sandbox/browser.py`` does), every URL being absolute:

1. ``GET …/protocol/openid-connect/auth?response_type=code&client_id=cartes-cli&redirect_uri=…
   &state=…&nonce=…&code_challenge=…&code_challenge_method=S256`` → 200, a page with
   ``<form id="kc-form-login" action="…/login-actions/authenticate?session_code=…&execution=…
   &client_id=…&tab_id=…">`` (fields ``username``, ``password``, hidden ``credentialId``) and the
   links ``<a id="social-franceconnect">``, ``<a id="social-proconnect">``.
2. POST the form → a 302 to ``redirect_uri?state=…&session_state=…&iss=…&code=…``; or 200 with
   the page again (wrong password: "Nom d'utilisateur ou mot de passe invalide."); or 200 with
   ``<form id="kc-otp-login-form">`` (field ``otp``) for a two-factor account.
3. Brokers: GET the ``social-…`` link → 302 to the provider's page, which has one form per demo
   identity, ``id="idp-<subject>"`` (hidden ``state`` and ``identity``); POST it → 302 to
   ``…/broker/<alias>/endpoint?code=…&state=…``; GET that → the same ending as step 2.
4. Device: ``GET …/device?user_code=WDJB-MJHT`` (or POST ``device_user_code`` from
   ``<form id="kc-user-verify-device-user-code-form">``) → the login page; after it, a consent
   page with two forms, ``kc-consent-accept`` and ``kc-consent-deny``: POST the one you mean.
5. Required actions, once the identity is established: a password older than
   ``password_max_age_days`` (or an UPDATE_PASSWORD set on the account) shows
   ``<form id="kc-passwd-update-form" action="…/login-actions/required-action?…">`` (fields
   ``password-new`` and ``password-confirm``, the platform's rule enforced); once it is changed
   the login goes on (the redirect, or the device consent). An unverified e-mail address is a
   dead end page: verify it first (``POST /api/accounts/verify``).
"""

from __future__ import annotations

import asyncio
import hmac
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from cartes_cli import validators
from cartes_cli.platforms import REALM_PATH
from cartes_cli.sandbox.domain.brokers import PROVIDERS
from cartes_cli.sandbox.domain.context import Sandbox
from cartes_cli.sandbox.domain.credentials import verify_password
from cartes_cli.sandbox.domain.flows import (
    KIND_CODE,
    KIND_DEVICE,
    STEP_BLOCKED,
    STEP_CONSENT,
    STEP_LOGIN,
    STEP_OTP,
    STEP_UPDATE_PASSWORD,
    LoginFlow,
)
from cartes_cli.sandbox.domain.passwords import check_new_password, set_password
from cartes_cli.sandbox.domain.tokens import issuer_from_base_url, start_session
from cartes_cli.sandbox.routes import pages
from cartes_cli.sandbox.routes.deps import sandbox_of
from cartes_cli.sandbox.store.records import GRANT_AUTHORIZATION_CODE, User
from cartes_cli.sandbox.util import iso

router = APIRouter(
    prefix=REALM_PATH,
    tags=["Keycloak (browser logins)"],
    responses={
        400: {"description": "Error page: the login expired or does not exist, a bad or stale form"},
        404: {"description": "Error page: unknown identity provider"},
    },
)

PROTOCOL = "/protocol/openid-connect"
AUTHENTICATE = "/login-actions/authenticate"
REQUIRED_ACTION = "/login-actions/required-action"
CONSENT = "/login-actions/consent"
RESPONSE_MODES = ("query", "fragment", "form_post")
PKCE_CHALLENGE_RE = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")

INVALID_CREDENTIALS = "Nom d'utilisateur ou mot de passe invalide."
INVALID_OTP = "Code d'authentification invalide."
ACCOUNT_DISABLED = "Compte désactivé, contactez votre administrateur."
STALE_PAGE = "Cette page n'est plus valide : la connexion reprend à l'étape en cours."
_REQUIRED_ACTIONS = {
    "VERIFY_EMAIL": (
        "Vous devez vérifier votre adresse e-mail pour activer votre compte : saisissez le code reçu par "
        "e-mail (cartes account verify).",
        "You need to verify your e-mail address to activate your account: enter the code it received.",
    ),
    "UPDATE_PASSWORD": (
        "Vous devez changer votre mot de passe pour activer votre compte.",
        "You need to change your password to activate your account.",
    ),
}


# --- helpers ---------------------------------------------------------------------------------


def _issuer(request: Request) -> str:
    return issuer_from_base_url(str(request.base_url))


def redirect_uri_allowed(uri: str, patterns: Sequence[str], origin: str | None = None) -> bool:
    """Keycloak's matching: exact, or a prefix ending with ``*``; the port of a loopback
    redirect URI is ignored (RFC 8252 §7.3). No fragment, no user info. A pattern starting with
    ``/`` is a path on ``origin``, this server's own (``http://127.0.0.1:8765``): the sandbox's
    stand-in for the real platform's Swagger UI page, whose port changes from run to run."""
    if origin is not None:
        patterns = [origin.rstrip("/") + p if p.startswith("/") else p for p in patterns]
    try:
        parts = urlsplit(uri)
        port = parts.port
    except ValueError:
        return False
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or parts.fragment:
        return False
    if parts.username is not None or parts.password is not None or "#" in uri:
        return False
    host = parts.hostname.lower()
    shown_host = f"[{host}]" if ":" in host else host
    netloc = shown_host if host in LOOPBACK_HOSTS or port is None else f"{shown_host}:{port}"
    candidate = f"{parts.scheme.lower()}://{netloc}{parts.path or '/'}"
    if parts.query:
        candidate += "?" + parts.query
    for pattern in patterns:
        if pattern.endswith("*"):
            if candidate.startswith(pattern[:-1]):
                return True
        elif candidate == pattern or uri == pattern:
            return True
    return False


async def _form(request: Request) -> dict[str, str]:
    """A posted HTML form, leniently: first value of each name wins."""
    try:
        text = (await request.body()).decode("utf-8")
    except UnicodeDecodeError:
        return {}
    form: dict[str, str] = {}
    for name, value in parse_qsl(text, keep_blank_values=True):
        form.setdefault(name, value)
    return form


def _with_params(uri: str, params: Sequence[tuple[str, str | None]], mode: str) -> str:
    query = urlencode([(k, v) for k, v in params if v is not None])
    if mode == "fragment":
        return f"{uri}#{query}"
    return f"{uri}{'&' if '?' in uri else '?'}{query}"


def _redirect_to_client(uri: str, mode: str, params: Sequence[tuple[str, str | None]]) -> Response:
    if mode == "form_post":
        return pages.form_post_page(uri, [(k, v) for k, v in params if v is not None])
    return RedirectResponse(_with_params(uri, params, mode), status_code=302, headers=pages.HEADERS)


def _error_page(french: str, english: str, status: int = 400) -> HTMLResponse:
    return pages.message_page("Nous sommes désolés…", french, english=english, status=status)


def _expired_page() -> HTMLResponse:
    return _error_page(
        "Cette connexion a expiré ou n'existe pas. Recommencez depuis l'application.",
        "This login has expired or does not exist. Start again from the application.",
    )


def _client_name(sandbox: Sandbox, client_id: str) -> str:
    client = sandbox.store.clients.get(client_id)
    return client.name if client else client_id


def _step_url(request: Request, flow: LoginFlow) -> str:
    """Where the current page of a flow is shown again (GET, no session code)."""
    query = urlencode({"client_id": flow.client_id, "tab_id": flow.id})
    return f"{_issuer(request)}{AUTHENTICATE}?{query}"


def render_step(
    sandbox: Sandbox,
    request: Request,
    flow: LoginFlow,
    *,
    error: str | None = None,
    info: str | None = None,
    username: str = "",
) -> Response:
    """The page of the flow's current step, with a fresh session code."""
    issuer = _issuer(request)
    session_code = flow.rotate()
    common = {"client_id": flow.client_id, "tab_id": flow.id}
    if flow.step in (STEP_LOGIN, STEP_OTP):
        action = f"{issuer}{AUTHENTICATE}?" + urlencode(
            {"session_code": session_code, "execution": flow.step, **common}
        )
        if flow.step == STEP_OTP:
            return pages.otp_page(action=action, error=error)
        links = [
            pages.IdpLink(
                alias=provider.alias,
                name=provider.display_name,
                href=f"{issuer}/broker/{provider.alias}/login?"
                + urlencode({"session_code": session_code, **common}),
            )
            for provider in PROVIDERS.values()
        ]
        return pages.login_page(
            action=action,
            client_name=_client_name(sandbox, flow.client_id),
            username=username or flow.login_hint,
            error=error,
            info=info,
            idp_links=links,
        )
    if flow.step == STEP_CONSENT:
        user = sandbox.store.users.get(flow.user_id or "")
        action = f"{issuer}{CONSENT}?" + urlencode({"session_code": session_code, **common})
        grant = sandbox.flows.device(flow.device_code or "")
        return pages.consent_page(
            action=action,
            client_name=_client_name(sandbox, flow.client_id),
            user_name=user.full_name or user.username if user else "",
            user_code=grant.user_code if grant else "",
        )
    user = sandbox.store.users.get(flow.user_id or "")
    if flow.step == STEP_UPDATE_PASSWORD and user is not None:
        return _update_password_page(sandbox, request, flow, user, session_code, info=info)
    return _required_action_page(sandbox, user)


_PASSWORD_PROBLEMS_FR = {
    "field.required": "saisissez un nouveau mot de passe",
    "password.too_short": f"au moins {validators.PASSWORD_MIN_LENGTH} caractères",
    "password.too_long": f"au plus {validators.PASSWORD_MAX_LENGTH} caractères",
    "password.missing_upper": "au moins une majuscule",
    "password.missing_lower": "au moins une minuscule",
    "password.missing_digits": f"au moins {validators.PASSWORD_MIN_DIGITS} chiffres",
    "password.missing_special": f"au moins {validators.PASSWORD_MIN_SPECIAL} caractères spéciaux",
    "password.contains_username": "ne pas contenir votre nom d'utilisateur",
    "password.contains_email": "ne pas contenir votre adresse e-mail",
    "password.reused": "être différent du mot de passe actuel et du précédent",
    "password.confirmation_mismatch": "la confirmation doit être identique au nouveau mot de passe",
}


def _password_problem_fr(problem: validators.Problem) -> str:
    if problem.code == "field.required" and problem.field == "password-confirm":
        return "saisissez le nouveau mot de passe une seconde fois"
    return _PASSWORD_PROBLEMS_FR.get(problem.code, problem.message)


def _update_password_page(
    sandbox: Sandbox,
    request: Request,
    flow: LoginFlow,
    user: User,
    session_code: str,
    problems: Sequence[validators.Problem] = (),
    *,
    info: str | None = None,
) -> HTMLResponse:
    action = f"{_issuer(request)}{REQUIRED_ACTION}?" + urlencode(
        {
            "session_code": session_code,
            "execution": STEP_UPDATE_PASSWORD,
            "client_id": flow.client_id,
            "tab_id": flow.id,
        }
    )
    expires = sandbox.password_expires_at(user)
    if expires is not None and sandbox.now() >= expires:
        reason = (
            f"Votre mot de passe a plus de {sandbox.config.password_max_age_days} jours : il doit être "
            "renouvelé pour continuer."
        )
    else:
        reason = "Vous devez changer votre mot de passe pour continuer."
    if info:
        reason = f"{info} {reason}"
    return pages.update_password_page(
        action=action,
        rule=validators.password_rule_text("fr"),
        reason=reason,
        errors=[_password_problem_fr(p) for p in problems],
        english_errors=[str(p) for p in problems],
    )


def _required_action_page(sandbox: Sandbox, user: User | None) -> HTMLResponse:
    actions = sandbox.required_actions(user) if user else ()
    action = actions[0] if actions else "VERIFY_EMAIL"
    french, english = _REQUIRED_ACTIONS.get(
        action,
        (
            "Votre compte n'est pas entièrement configuré : terminez sa configuration sur cartes.gouv.fr.",
            "Account is not fully set up.",
        ),
    )
    return pages.message_page("Action requise", french, english=english, kind="info")


def _flow_of(sandbox: Sandbox, request: Request) -> LoginFlow | None:
    return sandbox.flows.login(request.query_params.get("tab_id", ""), sandbox.now())


def _current_code(request: Request, flow: LoginFlow, *, step: bool = True) -> bool:
    """Does the request carry the flow's current session code (and execution)?"""
    presented = request.query_params.get("session_code", "")
    if not presented or not hmac.compare_digest(presented, flow.session_code):
        return False
    return not step or request.query_params.get("execution", flow.step) == flow.step


# --- authorization endpoint ------------------------------------------------------------------


_AUTHORIZE_DOC: dict[str, Any] = {
    "summary": "Authorization endpoint: the login page (authorization code + PKCE S256)",
    "response_class": HTMLResponse,
    "responses": {
        302: {"description": "back to redirect_uri with error=…"},
        400: {"description": "error page"},
    },
}


def _pkce_problem(required: str | None, method: str | None, challenge: str | None) -> str | None:
    """What is wrong with an authorization request's PKCE parameters (``invalid_request``'s
    description), given the client's required method; None: nothing."""
    if required:
        if method is None:
            return "Missing parameter: code_challenge_method"
        if method != required:
            return "Invalid parameter: code challenge method is not matching the configured one"
        if challenge is None:
            return "Missing parameter: code_challenge"
    elif challenge is None and method is not None:
        return "Missing parameter: code_challenge"
    elif challenge is not None and (method or "plain") != "S256":
        return "Invalid parameter: code_challenge_method"
    if challenge is not None and not PKCE_CHALLENGE_RE.match(challenge):
        return "Invalid parameter: code_challenge"
    return None


@router.get(f"{PROTOCOL}/auth", operation_id="authorize_get", **_AUTHORIZE_DOC)
@router.post(f"{PROTOCOL}/auth", operation_id="authorize_post", **_AUTHORIZE_DOC)
async def authorize(request: Request) -> Response:
    sandbox = sandbox_of(request)
    if request.method == "POST":
        pairs = parse_qsl((await request.body()).decode("utf-8", "replace"), keep_blank_values=True)
    else:
        pairs = list(request.query_params.multi_items())
    params: dict[str, str] = {}
    for name, value in pairs:
        if name in params:
            return _error_page(f"Paramètre en double : {name}", f"Duplicated parameter: {name}")
        params[name] = value

    client_id = params.get("client_id", "")
    if not client_id:
        return _error_page("Paramètre manquant : client_id", "Missing parameter: client_id")
    client = sandbox.store.clients.get(client_id)
    if client is None:
        return _error_page("Client inconnu.", "Client not found.")
    if not client.enabled:
        return _error_page("Client désactivé.", "Client disabled.")
    redirect_uri = params.get("redirect_uri", "")
    origin = str(request.base_url).rstrip("/")
    if not redirect_uri or not redirect_uri_allowed(redirect_uri, client.redirect_uris, origin):
        return _error_page("Paramètre invalide : redirect_uri", "Invalid parameter: redirect_uri")

    state = params.get("state")
    issuer = _issuer(request)
    mode = params.get("response_mode") or "query"

    def refuse(error: str, description: str | None) -> Response:
        shown_mode = mode if mode in RESPONSE_MODES else "query"
        details = [("error", error), ("error_description", description), ("state", state), ("iss", issuer)]
        return _redirect_to_client(redirect_uri, shown_mode, details)

    if mode not in RESPONSE_MODES:
        return refuse("invalid_request", "Invalid parameter: response_mode")
    response_type = params.get("response_type", "")
    if not response_type:
        return refuse("invalid_request", "Missing parameter: response_type")
    if response_type != "code":
        if set(response_type.split()) <= {"code", "token", "id_token"}:
            return refuse(
                "unauthorized_client",
                "Client is not allowed to initiate browser login with given response_type. "
                "Implicit flow is disabled for the client.",
            )
        return refuse("unsupported_response_type", None)
    if GRANT_AUTHORIZATION_CODE not in client.grant_types:
        return refuse(
            "unauthorized_client",
            "Client is not allowed to initiate browser login with given response_type. "
            "Standard flow is disabled for the client.",
        )
    method = params.get("code_challenge_method") or None
    challenge = params.get("code_challenge") or None
    pkce_problem = _pkce_problem(client.pkce_method, method, challenge)
    if pkce_problem is not None:
        return refuse("invalid_request", pkce_problem)
    if "none" in params.get("prompt", "").split():
        return refuse("login_required", None)  # no browser session in the sandbox: always log in

    flow = sandbox.flows.new_login(
        kind=KIND_CODE,
        client_id=client.client_id,
        now=sandbox.now(),
        ttl=sandbox.config.login_ttl,
        redirect_uri=redirect_uri,
        state=state,
        nonce=params.get("nonce") or None,
        scope=params.get("scope") or "openid",
        response_mode=mode,
        code_challenge=challenge,
        code_challenge_method="S256" if challenge else None,
        login_hint=params.get("login_hint", "")[:255],
    )
    return render_step(sandbox, request, flow)


# --- the login steps -------------------------------------------------------------------------


@router.get(AUTHENTICATE, summary="The current page of a login in progress", response_class=HTMLResponse)
async def current_step(request: Request) -> Response:
    sandbox = sandbox_of(request)
    flow = _flow_of(sandbox, request)
    if flow is None:
        return _expired_page()
    return render_step(sandbox, request, flow)


@router.post(AUTHENTICATE, summary="Post a login step (password, then TOTP)", response_class=HTMLResponse)
async def authenticate(request: Request) -> Response:
    sandbox = sandbox_of(request)
    flow = _flow_of(sandbox, request)
    if flow is None:
        return _expired_page()
    form = await _form(request)
    if not _current_code(request, flow):
        return render_step(sandbox, request, flow, info=STALE_PAGE)
    flow.rotate()  # this page is used up: a second, concurrent post of the same form is stale
    if flow.step == STEP_LOGIN:
        return await _password_step(sandbox, request, flow, form)
    if flow.step == STEP_OTP:
        return _otp_step(sandbox, request, flow, form)
    return render_step(sandbox, request, flow)


async def _password_step(
    sandbox: Sandbox, request: Request, flow: LoginFlow, form: dict[str, str]
) -> Response:
    username = form.get("username", "").strip()
    password = form.get("password", "")
    found = sandbox.store.users.by_login(username) if username else None
    good = await asyncio.to_thread(verify_password, password, found.password_hash if found else None)
    if sandbox.flows.login(flow.id, sandbox.now()) is not flow or flow.step != STEP_LOGIN:
        return _expired_page()  # the flow ended or moved on while the password was checked
    guard = sandbox.login_guard
    if found is not None and guard.locked(found.id, sandbox.now()):
        # Temporarily locked (brute-force detection): the answer of a wrong password.
        return render_step(sandbox, request, flow, error=INVALID_CREDENTIALS, username=username)
    if found is None or not good or not password:
        if found is not None:
            guard.failed(found.id, found.username, sandbox.now())
        return render_step(sandbox, request, flow, error=INVALID_CREDENTIALS, username=username)
    user = sandbox.store.users.get(found.id)
    if user is None or not user.enabled:
        return render_step(sandbox, request, flow, error=ACCOUNT_DISABLED, username=username)
    if user.totp_secret:
        flow.user_id, flow.step = user.id, STEP_OTP
        return render_step(sandbox, request, flow)
    guard.succeeded(user.id)
    return _authenticated(sandbox, request, flow, user)


def _otp_step(sandbox: Sandbox, request: Request, flow: LoginFlow, form: dict[str, str]) -> Response:
    user = sandbox.store.users.get(flow.user_id or "")
    if user is None or not user.enabled or not user.totp_secret:
        flow.user_id, flow.step = None, STEP_LOGIN
        return render_step(sandbox, request, flow, error=ACCOUNT_DISABLED)
    code = form.get("otp") or form.get("totp") or ""
    guard = sandbox.login_guard
    if guard.locked(user.id, sandbox.now()) or not sandbox.accept_one_time_code(user, code):
        guard.failed(user.id, user.username, sandbox.now())
        return render_step(sandbox, request, flow, error=INVALID_OTP)
    guard.succeeded(user.id)
    return _authenticated(sandbox, request, flow, user)


def _authenticated(
    sandbox: Sandbox, request: Request, flow: LoginFlow, user: User, *, brokered: bool = False
) -> Response:
    """Identity established: required actions, then the redirect (code flow) or consent (device)."""
    flow.user_id = user.id
    actions = () if brokered else sandbox.required_actions(user)
    if actions and actions[0] == "UPDATE_PASSWORD" and user.password_hash is not None:
        flow.step = STEP_UPDATE_PASSWORD
        return render_step(sandbox, request, flow)
    if actions:
        flow.step = STEP_BLOCKED
        return _required_action_page(sandbox, user)
    if flow.kind == KIND_DEVICE:
        flow.step = STEP_CONSENT
        return render_step(sandbox, request, flow)
    store = sandbox.store
    now = sandbox.now()
    with store.transaction():
        session = start_session(sandbox, user, flow.client_id)
        store.users.set_last_login(user.id, iso(now))
    code = sandbox.flows.new_code(
        now=now, ttl=sandbox.config.code_ttl, session_id=session.id, flow=flow, user_id=user.id
    )
    sandbox.flows.end_login(flow)
    assert flow.redirect_uri is not None
    return _redirect_to_client(
        flow.redirect_uri,
        flow.response_mode,
        [
            ("state", flow.state),
            ("session_state", session.id),
            ("iss", _issuer(request)),
            ("code", code.code),
        ],
    )


@router.post(
    REQUIRED_ACTION,
    summary="Post a required action of a login (the new password of UPDATE_PASSWORD)",
    response_class=HTMLResponse,
)
async def required_action(request: Request) -> Response:
    sandbox = sandbox_of(request)
    flow = _flow_of(sandbox, request)
    if flow is None:
        return _expired_page()
    form = await _form(request)
    if flow.step != STEP_UPDATE_PASSWORD or not _current_code(request, flow):
        return render_step(sandbox, request, flow, info=STALE_PAGE)
    flow.rotate()
    user = sandbox.store.users.get(flow.user_id or "")
    if user is None or not user.enabled:
        flow.user_id, flow.step = None, STEP_LOGIN
        return render_step(sandbox, request, flow, error=ACCOUNT_DISABLED)
    new = form.get("password-new", "")
    problems = await check_new_password(
        user,
        new,
        confirmation=form.get("password-confirm", ""),
        confirmation_field="password-confirm",
        field="password-new",
    )
    if sandbox.flows.login(flow.id, sandbox.now()) is not flow or flow.step != STEP_UPDATE_PASSWORD:
        return _expired_page()  # the flow ended or moved on while the password was checked
    if problems:
        return _update_password_page(sandbox, request, flow, user, flow.rotate(), problems)
    await set_password(sandbox, user, new)
    updated = sandbox.store.users.get(user.id)
    if updated is None or not updated.enabled:
        return _error_page(ACCOUNT_DISABLED, "Account is disabled.")
    return _authenticated(sandbox, request, flow, updated)


# --- device verification (RFC 8628 §3.3) -----------------------------------------------------
