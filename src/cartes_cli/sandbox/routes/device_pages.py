"""The device verification pages (RFC 8628): type the code a device shows, log in as in
``weblogin``, then allow or deny the device.

The routes share ``weblogin``'s router settings and page helpers; ``app`` includes this router
right after ``weblogin.router``.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from cartes_cli.platforms import REALM_PATH
from cartes_cli.sandbox.domain.flows import (
    DEVICE_APPROVED,
    DEVICE_DENIED,
    DEVICE_PENDING,
    KIND_DEVICE,
    STEP_CONSENT,
)
from cartes_cli.sandbox.domain.tokens import start_session
from cartes_cli.sandbox.routes import pages
from cartes_cli.sandbox.routes.deps import sandbox_of
from cartes_cli.sandbox.routes.weblogin import (
    ACCOUNT_DISABLED,
    CONSENT,
    STALE_PAGE,
    _current_code,
    _error_page,
    _expired_page,
    _flow_of,
    _form,
    _issuer,
    render_step,
)
from cartes_cli.sandbox.routes.weblogin import router as login_router
from cartes_cli.sandbox.util import iso

router = APIRouter(prefix=REALM_PATH, tags=login_router.tags, responses=login_router.responses)


@router.get(
    "/device",
    summary="Device verification page: type the code shown by the device",
    response_class=HTMLResponse,
)
async def device_page(request: Request, user_code: str = "") -> Response:
    if user_code:
        return _start_device_login(request, user_code)
    return pages.device_code_page(action=_issuer(request) + "/device")


@router.post("/device", summary="Submit a device's user code", response_class=HTMLResponse)
async def device_submit(request: Request) -> Response:
    form = await _form(request)
    return _start_device_login(request, form.get("device_user_code") or form.get("user_code") or "")


def _start_device_login(request: Request, user_code: str) -> Response:
    sandbox = sandbox_of(request)
    now = sandbox.now()
    grant = sandbox.flows.device_by_user_code(user_code, now)
    if grant is None:
        return pages.device_code_page(
            action=_issuer(request) + "/device",
            user_code=user_code[:20],
            error="Code invalide ou expiré : vérifiez le code affiché par l'appareil.",
        )
    flow = sandbox.flows.new_login(
        kind=KIND_DEVICE,
        client_id=grant.client_id,
        now=now,
        ttl=min(float(sandbox.config.login_ttl), grant.expires - now),
        device_code=grant.device_code,
        scope=grant.scope,
    )
    return render_step(sandbox, request, flow)


@router.post(CONSENT, summary="Allow or deny a device", response_class=HTMLResponse)
async def consent(request: Request) -> Response:
    sandbox = sandbox_of(request)
    flow = _flow_of(sandbox, request)
    if flow is None:
        return _expired_page()
    form = await _form(request)
    if flow.step != STEP_CONSENT or not _current_code(request, flow, step=False):
        return render_step(sandbox, request, flow, info=STALE_PAGE)
    decision = form.get("decision", "")
    if not decision and ("accept" in form) != ("cancel" in form):  # Keycloak's own field names
        decision = "accept" if "accept" in form else "deny"
    if decision not in ("accept", "deny"):
        return render_step(sandbox, request, flow)
    flows = sandbox.flows
    now = sandbox.now()
    grant = flows.device(flow.device_code or "")
    flows.end_login(flow)
    if grant is None or grant.status != DEVICE_PENDING or now >= grant.expires:
        return pages.message_page(
            "Code expiré",
            "Ce code n'est plus valide. Relancez la connexion sur l'appareil.",
            english="This code is no longer valid. Start again on the device.",
            status=400,
        )
    if decision == "deny":
        grant.status = DEVICE_DENIED
        return pages.message_page(
            "Accès refusé",
            "Vous avez refusé l'accès : l'appareil n'est pas connecté. Vous pouvez fermer cette page.",
            english="Access denied. You can close this page.",
            kind="info",
        )
    user = sandbox.store.users.get(flow.user_id or "")
    if user is None or not user.enabled:
        return _error_page(ACCOUNT_DISABLED, "Account is disabled.")
    store = sandbox.store
    with store.transaction():
        session = start_session(sandbox, user, grant.client_id)
        store.users.set_last_login(user.id, iso(now))
    grant.status, grant.user_id, grant.session_id = DEVICE_APPROVED, user.id, session.id
    return pages.message_page(
        "Appareil connecté",
        "C'est fait : vous pouvez fermer cette page et revenir sur votre appareil.",
        english="Device connected. You can close this page and return to your device.",
        kind="success",
    )
