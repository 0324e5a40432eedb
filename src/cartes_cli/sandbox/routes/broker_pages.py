"""Browser logins through a brokered identity provider, FranceConnect or ProConnect (simulated):
leaving for the provider, its page (pick an identity, consent), and the way back (link or create
the account, then the login goes on as in ``weblogin``).

The routes share ``weblogin``'s router settings and page helpers; ``app`` includes this router
right after ``weblogin.router``.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from cartes_cli.platforms import REALM_PATH
from cartes_cli.sandbox.domain.accounts import create_brokered_user
from cartes_cli.sandbox.domain.brokers import PROVIDERS, Provider
from cartes_cli.sandbox.domain.flows import STEP_LOGIN
from cartes_cli.sandbox.routes import pages
from cartes_cli.sandbox.routes.deps import sandbox_of
from cartes_cli.sandbox.routes.weblogin import (
    ACCOUNT_DISABLED,
    STALE_PAGE,
    _authenticated,
    _client_name,
    _current_code,
    _error_page,
    _expired_page,
    _flow_of,
    _form,
    _issuer,
    _step_url,
    render_step,
)
from cartes_cli.sandbox.routes.weblogin import router as login_router

router = APIRouter(prefix=REALM_PATH, tags=login_router.tags, responses=login_router.responses)


def _provider(alias: str) -> Provider | None:
    return PROVIDERS.get(alias)


def _unknown_provider() -> HTMLResponse:
    return _error_page("Fournisseur d'identité inconnu.", "Unknown identity provider.", status=404)


@router.get(
    "/broker/{alias}/login", summary="Leave for a brokered identity provider", response_class=HTMLResponse
)
async def broker_login(request: Request, alias: str) -> Response:
    sandbox = sandbox_of(request)
    provider = _provider(alias)
    if provider is None:
        return _unknown_provider()
    flow = _flow_of(sandbox, request)
    if flow is None:
        return _expired_page()
    if flow.step != STEP_LOGIN or not _current_code(request, flow, step=False):
        return render_step(sandbox, request, flow, info=STALE_PAGE)
    flow.rotate()
    state = sandbox.flows.start_broker(flow, provider.alias)
    target = f"{_issuer(request)}/broker/{provider.alias}/idp/authorize?" + urlencode({"state": state})
    return RedirectResponse(target, status_code=302, headers=pages.HEADERS)


def _provider_expired(provider: Provider) -> HTMLResponse:
    return pages.message_page(
        "Session expirée",
        f"Cette demande de connexion {provider.display_name} a expiré. Recommencez depuis l'application.",
        english="This login request has expired.",
        status=400,
        theme="fc" if provider.alias == "franceconnect" else "pc",
    )


@router.get(
    "/broker/{alias}/idp/authorize",
    summary="The simulated provider's page (pick an identity)",
    response_class=HTMLResponse,
)
async def provider_page(request: Request, alias: str, state: str = "") -> Response:
    sandbox = sandbox_of(request)
    provider = _provider(alias)
    if provider is None:
        return _unknown_provider()
    flow = sandbox.flows.broker_flow(state, provider.alias, sandbox.now())
    if flow is None:
        return _provider_expired(provider)
    return pages.identity_provider_page(
        provider=provider,
        action=f"{_issuer(request)}/broker/{provider.alias}/idp/authorize",
        state=state,
        cancel_href=f"{_issuer(request)}/broker/{provider.alias}/endpoint?"
        + urlencode({"state": state, "error": "access_denied"}),
        client_name=_client_name(sandbox, flow.client_id),
    )


@router.post(
    "/broker/{alias}/idp/authorize",
    summary='The simulated provider: consent ("J\'accepte")',
    response_class=HTMLResponse,
)
async def provider_consent(request: Request, alias: str) -> Response:
    sandbox = sandbox_of(request)
    provider = _provider(alias)
    if provider is None:
        return _unknown_provider()
    form = await _form(request)
    state = form.get("state", "")
    flow = sandbox.flows.broker_flow(state, provider.alias, sandbox.now())
    if flow is None:
        return _provider_expired(provider)
    if provider.identity(form.get("identity", "")) is None:
        return _error_page("Identité inconnue.", "Unknown identity.")
    answer = sandbox.flows.new_broker_answer(
        alias=provider.alias, subject=form["identity"], now=sandbox.now()
    )
    target = f"{_issuer(request)}/broker/{provider.alias}/endpoint?" + urlencode(
        {"code": answer.code, "state": state}
    )
    return RedirectResponse(target, status_code=302, headers=pages.HEADERS)


@router.get(
    "/broker/{alias}/endpoint",
    summary="Back from a brokered provider: link or create, then log in",
    response_class=HTMLResponse,
)
async def broker_endpoint(
    request: Request, alias: str, state: str = "", code: str = "", error: str = ""
) -> Response:
    sandbox = sandbox_of(request)
    provider = _provider(alias)
    if provider is None:
        return _unknown_provider()
    flows = sandbox.flows
    now = sandbox.now()
    flow = flows.broker_flow(state, provider.alias, now)
    if flow is None:
        return _expired_page()
    flows.end_broker(flow)  # the state is used up
    if error:
        return render_step(sandbox, request, flow, info=f"Connexion avec {provider.display_name} annulée.")
    answer = flows.take_broker_answer(code, provider.alias, now)
    identity = provider.identity(answer.subject) if answer else None
    if identity is None:
        return render_step(
            sandbox, request, flow, error=f"La connexion avec {provider.display_name} a échoué : réessayez."
        )
    store = sandbox.store
    user_id = store.users.federated_user(provider.alias, identity.subject)
    if user_id is None:
        if store.users.email_taken(identity.email):
            return pages.message_page(
                "Compte existant",
                f"Un compte utilisant l'adresse {identity.email} existe déjà. Connectez-vous avec "
                f"votre mot de passe : vous pourrez ensuite lier {provider.display_name} "
                "depuis votre compte.",
                english="An account with this e-mail already exists: sign in with your password.",
                status=409,
                link=("Revenir à la connexion", _step_url(request, flow)),
            )
        user_id = create_brokered_user(sandbox, provider, identity)
    user = store.users.get(user_id)
    if user is None or not user.enabled:
        return render_step(sandbox, request, flow, error=ACCOUNT_DISABLED)
    return _authenticated(sandbox, request, flow, user, brokered=True)
