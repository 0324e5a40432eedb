"""Where the account commands run: the command's context, the chosen platform and what it offers,
and the Keycloak pages that do in a browser what the real Géoplateforme has no API for."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import typer

    from cartes_cli.cli.context import AppContext
    from cartes_cli.client.models import Capabilities
    from cartes_cli.platforms import Platform

SITE_URL = "https://cartes.gouv.fr/"
"""Where the real platform's browser pages send the user back to."""


def app_context(ctx: typer.Context) -> AppContext:
    obj = ctx.find_root().obj
    assert obj is not None
    return obj  # type: ignore[no-any-return]


def platform_and_capabilities(app: AppContext) -> tuple[Platform, Capabilities]:
    """The chosen platform and what it offers (one unauthenticated request)."""
    from cartes_cli.client import GeoplateformeClient

    platform = app.platform(app.profile())
    with GeoplateformeClient(platform, debug=app.debug_log()) as client:
        return platform, client.capabilities()


def registration_url(platform: Platform) -> str:
    """Keycloak's registration page for the platform's web client."""
    from urllib.parse import urlencode

    query = urlencode(
        {
            "client_id": browser_client(platform)[0],
            "response_type": "code",
            "scope": "openid",
            "redirect_uri": browser_client(platform)[1],
        }
    )
    return f"{platform.issuer}/protocol/openid-connect/registrations?{query}"


def browser_client(platform: Platform) -> tuple[str, str]:
    """A client and a redirect registered for it, for a Keycloak page opened in the browser
    (registration, password change, 2FA set-up): the web client and its registered page (prod:
    gpf-warehouse and the Swagger UI's page); where the web client only takes loopback addresses,
    which no page can return to, gpf-warehouse and its page. Keycloak refuses any other pair."""
    from cartes_cli.platforms import GPF_WAREHOUSE, warehouse_redirect

    if platform.web_loopback:
        return GPF_WAREHOUSE, warehouse_redirect(platform)
    return platform.web_client_id, platform.web_redirect


def action_url(platform: Platform, action: str) -> str:
    """A Keycloak application-initiated action (``UPDATE_PASSWORD``, ``CONFIGURE_TOTP``…)."""
    from urllib.parse import urlencode

    query = urlencode(
        {
            "client_id": browser_client(platform)[0],
            "response_type": "code",
            "scope": "openid",
            "redirect_uri": browser_client(platform)[1],
            "kc_action": action,
        }
    )
    return f"{platform.issuer}/protocol/openid-connect/auth?{query}"
