"""The HTML pages of the browser logins: plain, accessible, no JavaScript.

French first, English in small type. Element ids and field names are Keycloak's
(``kc-form-login``, ``username``, ``password``, ``otp``, ``social-franceconnect``,
``device_user_code``…), so that a script or a browser test written against the sandbox finds the
same things on ``sso.geopf.fr``. Every value is escaped; every page is ``no-store`` and cannot be
framed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape

from starlette.responses import HTMLResponse

from cartes_cli.sandbox.domain.brokers import Provider

HEADERS = {
    "Cache-Control": "no-store, must-revalidate, max-age=0",
    "Pragma": "no-cache",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # No form-action: the code flow's redirect goes to the application's loopback port.
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "frame-ancestors 'none'; base-uri 'none'",
}

_STYLE = """
*{box-sizing:border-box}
body{margin:0;font-family:Marianne,system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;
 background:#f6f6f6;color:#161616;line-height:1.5}
header{background:#fff;border-bottom:1px solid #ddd;padding:.75rem 1.5rem;display:flex;gap:1rem;
 align-items:center}
.brand{font-weight:700;letter-spacing:.02em}
.brand small{display:block;font-weight:400;color:#3a3a3a}
.sandbox{margin-left:auto;background:#fee7fc;color:#6e445a;border-radius:4px;padding:.1rem .5rem;
 font-size:.8rem}
main{max-width:34rem;margin:2rem auto;background:#fff;padding:2rem;border:1px solid #ddd}
h1{font-size:1.5rem;margin:0 0 1rem}
.en{display:block;font-size:.8rem;font-weight:400;color:#666}
label{display:block;font-weight:600;margin:1rem 0 .25rem}
input[type=text],input[type=password],input[type=email]{width:100%;padding:.5rem;font-size:1rem;
 border:0;border-bottom:2px solid #3a3a3a;background:#eee}
input[aria-invalid=true]{border-bottom-color:#ce0500}
button,.button{display:inline-block;margin-top:1.25rem;padding:.6rem 1.2rem;font-size:1rem;border:0;
 cursor:pointer;background:#000091;color:#fff;text-decoration:none}
button.secondary,.button.secondary{background:#fff;color:#000091;box-shadow:inset 0 0 0 1px #000091}
.alert{border-left:4px solid #ce0500;background:#ffe9e9;padding:.75rem 1rem;margin:0 0 1rem}
.info{border-left:4px solid #0063cb;background:#e8edff;padding:.75rem 1rem;margin:0 0 1rem}
.success{border-left:4px solid #18753c;background:#b8fec9;padding:.75rem 1rem;margin:0 0 1rem}
.or{text-align:center;margin:1.5rem 0 .5rem;color:#666}
.idp{display:block;width:100%;text-align:center;margin-top:.5rem}
.idp-franceconnect{background:#000091}
.idp-proconnect{background:#6a6af4}
ul.scopes{padding-left:1.2rem}
.code{font-family:ui-monospace,monospace;font-size:1.4rem;letter-spacing:.15em}
.actions form{display:inline}
.identity{border:1px solid #ddd;padding:1rem;margin:.75rem 0}
.identity p{margin:.25rem 0;color:#3a3a3a}
body.fc header{background:#000091;color:#fff;border-bottom:4px solid #e1000f}
body.fc .brand small{color:#cacafb}
body.fc button{background:#000091}
body.pc header{background:#1e1e5a;color:#fff;border-bottom:4px solid #6a6af4}
body.pc .brand small{color:#cacafb}
body.pc button{background:#6a6af4}
"""


def html_page(title: str, content: str, *, status: int = 200, theme: str = "gpf") -> HTMLResponse:
    """A full page around ``content`` (already escaped HTML)."""
    brand = {
        "gpf": ("Géoplateforme", "Connexion · cartes.gouv.fr"),
        "fc": ("FranceConnect", "Simulateur du bac à sable"),
        "pc": ("ProConnect", "Simulateur du bac à sable"),
    }[theme]
    document = f"""<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>{escape(title)} · {escape(brand[0])}</title>
<style>{_STYLE}</style>
</head>
<body class="{theme}">
<header><span class="brand">{escape(brand[0])}<small>{escape(brand[1])}</small></span>
<span class="sandbox" title="Données de démonstration">Bac à sable</span></header>
<main id="kc-content">
{content}
</main>
</body>
</html>
"""
    return HTMLResponse(document, status_code=status, headers=HEADERS)


def _heading(french: str, english: str) -> str:
    return f'<h1 id="kc-page-title">{escape(french)}<span class="en" lang="en">{escape(english)}</span></h1>'


def _label(for_id: str, french: str, english: str) -> str:
    return (
        f'<label for="{for_id}">{escape(french)} <span class="en" lang="en">{escape(english)}</span></label>'
    )


def _alert(message: str | None, kind: str = "alert") -> str:
    if not message:
        return ""
    role = "alert" if kind == "alert" else "status"
    return f'<div class="{kind}" role="{role}" id="input-error" aria-live="polite">{escape(message)}</div>'


def _hidden(fields: Iterable[tuple[str, str]]) -> str:
    return "".join(f'<input type="hidden" name="{escape(n)}" value="{escape(v)}">' for n, v in fields)


@dataclass(frozen=True, slots=True)
class IdpLink:
    alias: str
    name: str
    href: str


def login_page(
    *,
    action: str,
    client_name: str,
    username: str = "",
    error: str | None = None,
    info: str | None = None,
    idp_links: Sequence[IdpLink] = (),
) -> HTMLResponse:
    invalid = ' aria-invalid="true" aria-describedby="input-error"' if error else ""
    links = "".join(
        f'<a id="social-{escape(link.alias)}" class="button idp idp-{escape(link.alias)}" '
        f'href="{escape(link.href)}">Se connecter avec {escape(link.name)}'
        f'<span class="en" lang="en" style="color:#ddd">Sign in with {escape(link.name)}</span></a>'
        for link in idp_links
    )
    brokers = f'<p class="or">ou <span lang="en">(or)</span></p><div id="kc-social-providers">{links}</div>'
    content = f"""{_heading("Connexion", "Sign in")}
<p>Pour continuer vers <strong>{escape(client_name)}</strong>.</p>
{_alert(info, "info")}{_alert(error)}
<form id="kc-form-login" action="{escape(action)}" method="post" novalidate>
{_label("username", "Nom d'utilisateur ou adresse e-mail", "Username or e-mail")}
<input id="username" name="username" type="text" value="{escape(username)}" autocomplete="username"
 autocapitalize="none" spellcheck="false" required autofocus{invalid}>
{_label("password", "Mot de passe", "Password")}
<input id="password" name="password" type="password" autocomplete="current-password" required{invalid}>
<input type="hidden" id="id-hidden-input" name="credentialId" value="">
<button id="kc-login" type="submit">Se connecter <span lang="en">· Sign in</span></button>
</form>
{brokers if idp_links else ""}"""
    return html_page("Connexion", content)


def otp_page(*, action: str, error: str | None = None) -> HTMLResponse:
    invalid = ' aria-invalid="true" aria-describedby="input-error"' if error else ""
    content = f"""{_heading("Vérification en deux étapes", "Two-step verification")}
<p>Saisissez le code à 6 chiffres affiché par votre application d'authentification.
<span class="en" lang="en">Enter the 6-digit code from your authenticator app.</span></p>
{_alert(error)}
<form id="kc-otp-login-form" action="{escape(action)}" method="post" novalidate>
{_label("otp", "Code à usage unique", "One-time code")}
<input id="otp" name="otp" type="text" inputmode="numeric" pattern="[0-9]{{6}}" maxlength="6"
 autocomplete="one-time-code" required autofocus{invalid}>
<button id="kc-login" type="submit">Valider <span lang="en">· Verify</span></button>
</form>"""
    return html_page("Vérification en deux étapes", content)


def update_password_page(
    *,
    action: str,
    rule: str,
    reason: str,
    errors: Sequence[str] = (),
    english_errors: Sequence[str] = (),
) -> HTMLResponse:
    """Keycloak's UPDATE_PASSWORD required action: a new password, twice. ``errors``: what the
    previous try got wrong (French), ``english_errors`` the same in English."""
    invalid = ' aria-invalid="true" aria-describedby="input-error"' if errors else ""
    alert = ""
    if errors:
        items = "".join(f"<li>{escape(e)}</li>" for e in errors)
        english = "".join(f"<li>{escape(e)}</li>" for e in english_errors)
        alert = (
            '<div class="alert" role="alert" id="input-error" aria-live="polite">'
            f"<p>Le nouveau mot de passe ne convient pas :</p><ul>{items}</ul>"
            f'<ul class="en" lang="en">{english}</ul></div>'
        )
    content = f"""{_heading("Mettre à jour le mot de passe", "Update password")}
<div class="info" role="status" id="kc-info-message">{escape(reason)}</div>
<p id="kc-password-rule">{escape(rule)}</p>
{alert}
<form id="kc-passwd-update-form" action="{escape(action)}" method="post" novalidate>
{_label("password-new", "Nouveau mot de passe", "New password")}
<input id="password-new" name="password-new" type="password" autocomplete="new-password"
 required autofocus{invalid}>
{_label("password-confirm", "Confirmation du mot de passe", "Confirm password")}
<input id="password-confirm" name="password-confirm" type="password" autocomplete="new-password"
 required{invalid}>
<button id="kc-submit" type="submit">Valider <span lang="en">· Submit</span></button>
</form>"""
    return html_page("Mettre à jour le mot de passe", content)


def consent_page(
    *,
    action: str,
    client_name: str,
    user_name: str,
    user_code: str = "",
    hidden: Sequence[tuple[str, str]] = (),
) -> HTMLResponse:
    """Two forms, one per decision, so that a script posts exactly the one it picks. A device's
    user code is shown again, so the person can check it is the one their device displays."""
    device = ""
    if user_code:
        device = (
            f'<p>Code de l\'appareil : <span class="code" id="device-user-code">{escape(user_code)}</span> '
            "— vérifiez qu'il est identique à celui affiché par votre appareil."
            '<span class="en" lang="en">Check it matches the code shown on your device.</span></p>'
        )
    content = f"""{_heading("Autoriser l'accès ?", "Grant access?")}{device}
<p><strong>{escape(client_name)}</strong> demande à accéder à votre compte
(<strong>{escape(user_name)}</strong>) :
<span class="en" lang="en">This application asks to access your account:</span></p>
<ul class="scopes">
<li>votre profil (nom, prénom) <span lang="en">· your profile</span></li>
<li>votre adresse e-mail <span lang="en">· your e-mail address</span></li>
<li>l'Entrepôt de la Géoplateforme en votre nom <span lang="en">· the Entrepôt on your behalf</span></li>
</ul>
<div class="actions">
<form id="kc-consent-accept" action="{escape(action)}" method="post">
{_hidden([*hidden, ("decision", "accept")])}
<button id="kc-login" type="submit">Autoriser <span lang="en">· Allow</span></button></form>
<form id="kc-consent-deny" action="{escape(action)}" method="post">
{_hidden([*hidden, ("decision", "deny")])}
<button id="kc-cancel" class="secondary" type="submit">Refuser <span lang="en">· Deny</span></button></form>
</div>"""
    return html_page("Autoriser l'accès", content)


def device_code_page(*, action: str, user_code: str = "", error: str | None = None) -> HTMLResponse:
    invalid = ' aria-invalid="true" aria-describedby="input-error"' if error else ""
    content = f"""{_heading("Connecter un appareil", "Connect a device")}
<p>Saisissez le code affiché par l'appareil (par exemple <span class="code">WDJB-MJHT</span>).
<span class="en" lang="en">Enter the code shown on your device.</span></p>
{_alert(error)}
<form id="kc-user-verify-device-user-code-form" action="{escape(action)}" method="post" novalidate>
{_label("device-user-code", "Code de l'appareil", "Device code")}
<input id="device-user-code" name="device_user_code" type="text" value="{escape(user_code)}"
 autocomplete="off" autocapitalize="characters" spellcheck="false" required autofocus{invalid}>
<button id="kc-login" type="submit">Envoyer <span lang="en">· Submit</span></button>
</form>"""
    return html_page("Connecter un appareil", content)


def message_page(
    title: str,
    message: str,
    *,
    english: str = "",
    status: int = 200,
    kind: str = "alert",
    theme: str = "gpf",
    link: tuple[str, str] | None = None,
) -> HTMLResponse:
    """A dead end or a final word: errors, "you can close this page", required actions."""
    extra = f'<p><a id="kc-back" href="{escape(link[1])}">{escape(link[0])}</a></p>' if link else ""
    english_html = f'<p class="en" lang="en">{escape(english)}</p>' if english else ""
    role = "alert" if kind == "alert" else "status"
    content = f"""<h1 id="kc-page-title">{escape(title)}</h1>
<div class="{kind}" role="{role}" id="kc-error-message"><p class="instruction">{escape(message)}</p></div>
{english_html}{extra}"""
    return html_page(title, content, status=status, theme=theme)


def identity_provider_page(
    *, provider: Provider, action: str, state: str, cancel_href: str, client_name: str
) -> HTMLResponse:
    """The simulated provider: one form per demo identity, each consenting with "J'accepte"."""
    theme = "fc" if provider.alias == "franceconnect" else "pc"
    cards = "".join(
        f"""<div class="identity"><strong>{escape(identity.full_name)}</strong>
<p>{escape(identity.detail)}</p><p>{escape(identity.email)}</p>
<form id="idp-{escape(identity.subject)}" action="{escape(action)}" method="post">
{_hidden([("state", state), ("identity", identity.subject)])}
<button type="submit">J'accepte <span lang="en">· I agree</span></button></form></div>"""
        for identity in provider.identities
    )
    content = f"""<h1 id="kc-page-title">Je me connecte avec {escape(provider.display_name)}
<span class="en" lang="en">Sign in with {escape(provider.display_name)}</span></h1>
<p>{escape(provider.audience)}</p>
<div class="info" role="status">Bac à sable : choisissez une identité de démonstration. En cliquant sur
« J'accepte », vous autorisez la transmission de votre nom, prénom et adresse e-mail à
<strong>Géoplateforme</strong> pour vous connecter à <strong>{escape(client_name)}</strong>.</div>
{cards}
<p><a id="idp-cancel" class="button secondary" href="{escape(cancel_href)}">Annuler
<span lang="en">· Cancel</span></a></p>"""
    return html_page(f"Connexion avec {provider.display_name}", content, theme=theme)


def form_post_page(redirect_uri: str, params: Sequence[tuple[str, str]]) -> HTMLResponse:
    """``response_mode=form_post`` without JavaScript: one button to press."""
    content = f"""{_heading("Connexion réussie", "Signed in")}
<form id="kc-form-post" action="{escape(redirect_uri)}" method="post">{_hidden(params)}
<button id="kc-continue" type="submit">Continuer vers l'application <span lang="en">· Continue</span>
</button></form>"""
    return html_page("Connexion réussie", content)
