"""``cartes account create``: sign up.

On a terminal, a wizard asks for what the options did not give (``wizard.py``), then shows the
captcha (``signup.py``). Otherwise every field comes from the options or ``--from-file``, the
password from ``CARTES_PASSWORD`` or ``--password-stdin``, the captcha's answer from
``--captcha-answer`` after ``account captcha``: everything missing or wrong is listed at once,
before any request. The real Géoplateforme has no sign-up API: its sign-up page opens instead.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cartes_cli.cli.account import cache
from cartes_cli.cli.account.browser import send_to_browser
from cartes_cli.cli.account.fields import (
    check_field,
    check_password,
    fail,
    normalise_phone,
    problem_parts,
    registration_problems,
)
from cartes_cli.cli.account.platform import app_context, platform_and_capabilities, registration_url
from cartes_cli.cli.output import Column, register_fields
from cartes_cli.errors import CartesError, UsageError
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.cli.account.fields import ProblemLike
    from cartes_cli.cli.context import AppContext
    from cartes_cli.client import GeoplateformeClient
    from cartes_cli.client.models import AccountCreated
    from cartes_cli.platforms import Platform

CREATED_COLUMNS = [
    Column("username", _("USERNAME"), no_wrap=True),
    Column("email", _("E-MAIL"), no_wrap=True),
    Column("status", _("STATUS"), no_wrap=True),
    Column("id", _("ID"), no_wrap=True),
]
register_fields(*(c.key for c in CREATED_COLUMNS))


@dataclass(frozen=True)
class CreateOptions:
    fields: Mapping[str, str] = field(default_factory=dict)
    """The fields given as options (stripped; empty ones left out), by the options' names."""
    web: bool = False
    password_stdin: bool = False
    from_file: Path | None = None
    captcha_id: str | None = None
    captcha_answer: str | None = None
    audio: bool = False
    no_browser: bool = False


@dataclass
class SignUp:
    """What the sign-up has so far: the fields, the password, the captcha."""

    fields: dict[str, str]
    password: str | None
    captcha_id: str | None
    captcha_answer: str | None


def run(app: AppContext, options: CreateOptions) -> None:
    if options.web:
        platform = app.platform(app.profile())
        send_to_browser(
            app,
            registration_url(platform),
            _("Sign up on the platform's page."),
            no_browser=options.no_browser,
        )
        return
    # 1. Everything given, checked before any request.
    signup = _given(app, options)
    interactive = app.terminal.interactive
    if not interactive and not signup.fields and signup.password is None and not signup.captcha_answer:
        # Nothing given and nobody to ask: on the real platform this is the browser's job.
        platform, caps = platform_and_capabilities(app)
        if not caps.accounts:
            _to_signup_page(app, platform, no_browser=options.no_browser)
            return
    problems = _problems(signup, interactive=interactive)
    if problems:
        raise fail(app, problems)
    if signup.fields.get("phone"):
        signup.fields["phone"] = normalise_phone(signup.fields["phone"])

    # 2. The platform: a sign-up API (sandbox), or the browser (the real Géoplateforme).
    from cartes_cli.client import GeoplateformeClient

    platform = app.platform(app.profile())
    with GeoplateformeClient(platform, debug=app.debug_log()) as client:
        if not client.capabilities().accounts:
            if not interactive and (signup.fields or signup.password):
                app.terminal.out(registration_url(platform))
                raise CartesError(
                    _(
                        "This platform has no sign-up API: nothing was sent. Sign up in a browser at the "
                        "address above."
                    )
                )
            _to_signup_page(app, platform, no_browser=options.no_browser)
            return
        created = _register(app, client, platform, signup, options, interactive=interactive)
        signup.password = None
        _report(app, client, platform, created, signup.fields, interactive=interactive)


def _to_signup_page(app: AppContext, platform: Platform, *, no_browser: bool) -> None:
    send_to_browser(
        app,
        registration_url(platform),
        _("On this platform, accounts are created on its sign-up page."),
        no_browser=no_browser,
    )


def _given(app: AppContext, options: CreateOptions) -> SignUp:
    """The fields, password and captcha from --from-file, the options and the environment."""
    from cartes_cli.cli.account.signup_file import read_signup_file

    signup = SignUp({}, None, options.captcha_id, options.captcha_answer)
    file_password: str | None = None
    if options.from_file is not None:
        from_file_fields, file_password = read_signup_file(options.from_file)
        signup.captcha_id = signup.captcha_id or from_file_fields.pop("captcha_id", None)
        signup.captcha_answer = signup.captcha_answer or from_file_fields.pop("captcha_answer", None)
        signup.fields.update(from_file_fields)
    signup.fields.update(options.fields)
    if options.password_stdin:
        signup.password = app.terminal.stdin.readline().rstrip("\r\n")
        if not signup.password:
            raise UsageError(_("--password-stdin: nothing was read from standard input."))
    else:
        signup.password = os.environ.get("CARTES_PASSWORD") or file_password
    return signup


def _problems(signup: SignUp, *, interactive: bool) -> list[ProblemLike]:
    fields, password = signup.fields, signup.password
    if interactive:
        # The wizard asks for the rest: check what was given.
        problems: list[ProblemLike] = [p for key, value in fields.items() for p in check_field(key, value)]
        if password is not None:
            problems += check_password(password, username=fields.get("username"), email=fields.get("email"))
        return problems
    # Nobody to ask: everything missing or wrong is listed at once, not one item per run.
    problems = registration_problems(fields, password)
    if password is None:
        problems = [p for p in problems if problem_parts(p)[0] != "password"]
        missing = _(
            "missing: set CARTES_PASSWORD, use --password-stdin, put it in a private "
            "--from-file, or run on a terminal to be asked."
        )
        problems.insert(0, ("password", "field.required", missing))
    if not signup.captcha_answer:
        missing = _("missing: get a captcha with 'cartes account captcha', look at it, then give it.")
        problems.append(("captcha.answer", "field.required", missing))
    return problems


def _register(
    app: AppContext,
    client: GeoplateformeClient,
    platform: Platform,
    signup: SignUp,
    options: CreateOptions,
    *,
    interactive: bool,
) -> AccountCreated:
    """The sign-up request: with the given captcha, or after the wizard and its captcha step."""
    from cartes_cli.cli.account.signup import register_once, signup_with_captcha
    from cartes_cli.cli.account.wizard import wizard

    if not interactive:
        assert signup.password is not None
        assert signup.captcha_answer
        cid = signup.captcha_id or cache.cached_captcha_id(platform)
        if not cid:
            raise UsageError(_("No captcha: run 'cartes account captcha' first (or give --captcha-id)."))
        return register_once(app, client, signup.fields, signup.password, cid, signup.captcha_answer)
    password = wizard(app, signup.fields, signup.password)
    if signup.captcha_answer and (signup.captcha_id or cache.cached_captcha_id(platform)):
        cid = signup.captcha_id or cache.cached_captcha_id(platform)
        assert cid is not None
        return register_once(app, client, signup.fields, password, cid, signup.captcha_answer)
    return signup_with_captcha(
        app, client, signup.fields, password, audio=options.audio, no_browser=options.no_browser
    )


def _report(
    app: AppContext,
    client: GeoplateformeClient,
    platform: Platform,
    created: AccountCreated,
    fields: Mapping[str, str],
    *,
    interactive: bool,
) -> None:
    """The account, and how to confirm its address (asked for at once on a terminal)."""
    from cartes_cli.cli.account.verify import verify_interactively

    term = app.terminal
    cache.save_json(cache.SIGNUP, {"email": created.email or fields["email"], "api_url": platform.api_url})
    cache.forget(cache.CAPTCHA)
    row = {"id": created.id, "username": created.username, "email": created.email, "status": created.status}
    term.print_object(row, CREATED_COLUMNS)
    address = created.email or fields["email"]
    term.success(
        _("Account {username} created; a 6-digit code was sent to {email} to confirm the address.").format(
            username=created.username or fields["username"], email=address
        )
    )
    if client.capabilities().outbox:
        term.info(
            _(
                "The sandbox keeps its e-mails: read the code with 'cartes sandbox outbox --to {email}'."
            ).format(email=address)
        )
    if interactive:
        verify_interactively(app, client, address, optional=True)
    else:
        term.info(
            _("Then confirm it with: cartes account verify --email {email} --code CODE").format(email=address)
        )


# The options of the Typer declaration below, one per field, in the options' order.
Username = Annotated[str | None, typer.Option("--username", help=_("Username."), show_default=False)]
Email = Annotated[str | None, typer.Option("--email", help=_("E-mail address."), show_default=False)]
FirstName = Annotated[str | None, typer.Option("--first-name", help=_("First name."), show_default=False)]
LastName = Annotated[str | None, typer.Option("--last-name", help=_("Last name."), show_default=False)]
Phone = Annotated[str | None, typer.Option("--phone", help=_("Phone number."), show_default=False)]
Photo = Annotated[
    Path | None, typer.Option("--photo", help=_("Photo: an image file of at most 1 MB."), show_default=False)
]
Street = Annotated[str | None, typer.Option("--street", help=_("Street address."), show_default=False)]
Locality = Annotated[str | None, typer.Option("--locality", help=_("Locality."), show_default=False)]
Postcode = Annotated[str | None, typer.Option("--postcode", help=_("Postcode."), show_default=False)]
Siret = Annotated[
    str | None,
    typer.Option("--siret", help=_("Professional: SIRET number (14 digits)."), show_default=False),
]
Tva = Annotated[
    str | None,
    typer.Option("--tva", help=_("Professional: EU VAT number (instead of a SIRET)."), show_default=False),
]
Company = Annotated[
    str | None,
    typer.Option("--company", help=_("Professional: company or administration."), show_default=False),
]
Position = Annotated[
    str | None, typer.Option("--position", help=_("Professional: your position."), show_default=False)
]
CompanyStreet = Annotated[
    str | None, typer.Option("--company-street", help=_("Professional: street address."), show_default=False)
]
CompanyLocality = Annotated[
    str | None, typer.Option("--company-locality", help=_("Professional: locality."), show_default=False)
]
CompanyPostcode = Annotated[
    str | None, typer.Option("--company-postcode", help=_("Professional: postcode."), show_default=False)
]
PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help=_("Read the password from standard input."))
]
FromFile = Annotated[
    Path | None,
    typer.Option(
        "--from-file",
        help=_("Read the fields from a JSON or TOML file (same keys as the options)."),
        show_default=False,
    ),
]
CaptchaId = Annotated[
    str | None,
    typer.Option(
        "--captcha-id",
        help=_("The captcha (default: the last 'cartes account captcha')."),
        show_default=False,
    ),
]
CaptchaAnswer = Annotated[
    str | None,
    typer.Option(
        "--captcha-answer",
        help=_(
            "The characters of the captcha image: 6 among 23456789ABCDEFGHJKLMNPQRSTUVWXYZ "
            "(case and spaces do not matter)."
        ),
        show_default=False,
    ),
]
NoBrowser = Annotated[
    bool,
    typer.Option(
        "--no-browser", help=_("Open nothing (browser, image viewer, player); print addresses and paths.")
    ),
]


def command(
    ctx: typer.Context,
    web: Annotated[bool, typer.Option("--web", help=_("Sign up in the browser (Keycloak's page)."))] = False,
    username: Username = None,
    email: Email = None,
    first_name: FirstName = None,
    last_name: LastName = None,
    phone: Phone = None,
    photo: Photo = None,
    street: Street = None,
    locality: Locality = None,
    postcode: Postcode = None,
    siret: Siret = None,
    tva: Tva = None,
    company: Company = None,
    position: Position = None,
    company_street: CompanyStreet = None,
    company_locality: CompanyLocality = None,
    company_postcode: CompanyPostcode = None,
    password_stdin: PasswordStdin = False,
    from_file: FromFile = None,
    captcha_id: CaptchaId = None,
    captcha_answer: CaptchaAnswer = None,
    audio: Annotated[bool, typer.Option("--audio", help=_("Play the audio captcha too."))] = False,
    no_browser: NoBrowser = False,
) -> None:
    """Create a Géoplateforme account: profile, identity, address, professional, captcha.

    On a terminal, a wizard asks for what the options did not give. Otherwise give every field as
    options or with --from-file, the password in CARTES_PASSWORD or with --password-stdin, and the
    captcha answer with --captcha-answer after 'cartes account captcha' (on a sandbox started with
    --scriptable-captchas, 'cartes sandbox captcha' prints it). On the real platform, the sign-up
    happens in the browser (--web).
    """
    given = {
        "username": username,
        "email": email,
        "first_name": first_name,
        "last_name": last_name,
        "phone": phone,
        "photo": str(photo) if photo is not None else None,
        "street": street,
        "locality": locality,
        "postcode": postcode,
        "siret": siret,
        "tva": tva,
        "company": company,
        "position": position,
        "company_street": company_street,
        "company_locality": company_locality,
        "company_postcode": company_postcode,
    }
    options = CreateOptions(
        fields={k: v.strip() for k, v in given.items() if v is not None and v.strip()},
        web=web,
        password_stdin=password_stdin,
        from_file=from_file,
        captcha_id=captcha_id,
        captcha_answer=captcha_answer,
        audio=audio,
        no_browser=no_browser,
    )
    run(app_context(ctx), options)
