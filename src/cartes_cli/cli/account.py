"""``cartes account …``: sign up, confirm the e-mail address, see and edit the profile, change the
password, turn two-factor authentication on and off.

The sandbox serves all of it as an API (capability ``accounts``). The real Géoplateforme has none:
there, these commands open the Keycloak page that does the same (registration, or the browser
actions ``UPDATE_PROFILE``, ``UPDATE_PASSWORD`` and ``CONFIGURE_TOTP``) and say so.

Secrets never travel as flag values: passwords come from hidden prompts, ``CARTES_PASSWORD``,
standard input, or a private file; they never appear in a message or a log. The TOTP seed is
shown once, on purpose, by ``account 2fa enable``.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cartes_cli.cli.output import Column, human_size, register_fields
from cartes_cli.errors import CartesError, UsageError
from cartes_cli.i18n import _
from cartes_cli.platforms import SUPPORT_ADDRESS

if TYPE_CHECKING:
    from cartes_cli.cli.context import AppContext
    from cartes_cli.client import GeoplateformeClient
    from cartes_cli.client.models import Capabilities, Captcha, TotpSetup
    from cartes_cli.config import Profile
    from cartes_cli.platforms import Platform

account_app = typer.Typer(
    help=_("Your Géoplateforme account: sign up, confirm your e-mail, profile, password, 2FA."),
    no_args_is_help=True,
)
twofa_app = typer.Typer(
    help=_(
        "Two-factor authentication (a 6-digit code from an authenticator app at each login). "
        "Lost the app (a new phone)? The Géoplateforme's support, geoplateforme@ign.fr, resets it: "
        "'cartes account 2fa lost' writes the e-mail."
    ),
    no_args_is_help=True,
)
account_app.add_typer(twofa_app, name="2fa")

SITE_URL = "https://cartes.gouv.fr/"
"""Where the real platform's browser pages send the user back to."""
STEPS = 5
SKIP_WORDS = ("skip", "passer", "-")
CAPTCHA_TRIES = 3
MAX_ASKS = 10

# Flat sign-up fields: option names with '_' (the same keys in --from-file).
IDENTITY = ("first_name", "last_name", "phone", "photo")
ADDRESS = ("street", "locality", "postcode")
PROFESSIONAL = (
    "siret",
    "tva",
    "company",
    "position",
    "company_street",
    "company_locality",
    "company_postcode",
)
SIGNUP_FIELDS = ("username", "email", *IDENTITY, *ADDRESS, *PROFESSIONAL)
FILE_KEYS = (*SIGNUP_FIELDS, "password", "captcha_id", "captcha_answer")
PHOTO_MAX_BYTES = 1024 * 1024

CREATED_COLUMNS = [
    Column("username", _("USERNAME"), no_wrap=True),
    Column("email", _("E-MAIL"), no_wrap=True),
    Column("status", _("STATUS"), no_wrap=True),
    Column("id", _("ID"), no_wrap=True),
]
CAPTCHA_COLUMNS = [
    Column("id", _("ID"), no_wrap=True),
    Column("path", _("FILE")),
    Column("expires_in", _("EXPIRES IN (S)"), kind="int"),
    Column("audio_url", _("AUDIO")),
    Column("answer", _("ANSWER (SANDBOX TEST MODE)"), table=False, tsv=False),
]
PROFILE_COLUMNS = [
    Column("username", _("Username")),
    Column("email", _("E-mail")),
    Column("email_verified", _("E-mail confirmed"), kind="bool"),
    Column("first_name", _("First name")),
    Column("last_name", _("Last name")),
    Column("phone", _("Phone")),
    Column("street", _("Street")),
    Column("postcode", _("Postcode")),
    Column("locality", _("Locality")),
    Column("siret", _("SIRET")),
    Column("tva", _("VAT number")),
    Column("company", _("Company")),
    Column("position", _("Position")),
    Column("company_address", _("Company address")),
    Column("totp", _("Two-factor authentication"), kind="bool"),
    Column("administrator", _("Platform staff"), kind="bool"),
    Column("communities", _("Workspaces"), kind="list"),
    Column("documents", _("Documents (used / quota)")),
    Column("keys", _("Keys (used / quota)")),
    Column("documents_use", _("Documents used"), kind="int", table=False, tsv=False),
    Column("documents_quota", _("Documents quota"), kind="int", table=False, tsv=False),
    Column("keys_use", _("Keys used"), kind="int", table=False, tsv=False),
    Column("keys_quota", _("Keys quota"), kind="int", table=False, tsv=False),
    Column("last_login", _("Last login"), kind="datetime"),
    Column("creation", _("Created"), kind="datetime"),
    Column("id", _("User id")),
]
TOTP_COLUMNS = [
    Column("secret", _("SEED")),
    Column("otpauth_uri", _("URI")),
    Column("status", _("STATUS")),
]
SUPPORT_COLUMNS = [
    Column("to", _("To")),
    Column("subject", _("Subject")),
    Column("body", _("Body")),
    Column("mailto", _("Link")),
]
register_fields(
    *(c.key for c in CREATED_COLUMNS),
    *(c.key for c in CAPTCHA_COLUMNS),
    *(c.key for c in PROFILE_COLUMNS),
    *(c.key for c in TOTP_COLUMNS),
    *(c.key for c in SUPPORT_COLUMNS),
)


def _ctx(ctx: typer.Context) -> AppContext:
    obj = ctx.find_root().obj
    assert obj is not None
    return obj  # type: ignore[no-any-return]


# ================================================================================================
# Validation (cartes_cli.validators, shared with the sandbox)
# ================================================================================================


FIELD_LABELS = {
    "username": "--username",
    "email": "--email",
    "password": _("password"),
    "password_confirmation": _("password confirmation"),
    "first_name": "--first-name",
    "last_name": "--last-name",
    "phone": "--phone",
    "photo": "--photo",
    "address": _("address"),
    "address.street": "--street",
    "address.locality": "--locality",
    "address.postcode": "--postcode",
    "professional": _("professional information"),
    "professional.siret": "--siret",
    "professional.tva": "--tva",
    "professional.company": "--company",
    "professional.position": "--position",
    "professional.street": "--company-street",
    "professional.locality": "--company-locality",
    "professional.postcode": "--company-postcode",
    "captcha": _("captcha"),
    "captcha.answer": "--captcha-answer",
    "captcha._id": "--captcha-id",
    "code": "--code",
    # The account REST endpoints' names.
    "firstName": "--first-name",
    "lastName": "--last-name",
    "street": "--street",
    "locality": "--locality",
    "postcode": "--postcode",
    "attributes": _("profile"),
    "currentPassword": _("current password"),
    "newPassword": _("new password"),
    "confirmation": _("new password again"),
    "totp": _("two-factor authentication"),
}
"""Problem fields (paths in the API body) as the user knows them: the options."""


def _problem_parts(problem: Any) -> tuple[str | None, str, str]:
    if isinstance(problem, tuple):
        field, code, message = problem
        return field, code, message
    message = str(getattr(problem, "message", problem))
    return getattr(problem, "field", None), getattr(problem, "code", ""), message


def _problem_text(problem: Any, *, with_field: bool = True) -> str:
    field, _code, message = _problem_parts(problem)
    if not with_field or not field:
        return message
    label = FIELD_LABELS.get(field) or "--" + field.split(".")[-1].replace("_", "-")
    return _("{field}: {problem}").format(field=label, problem=message)


FIELD_PATHS = {
    "street": "address.street",
    "locality": "address.locality",
    "postcode": "address.postcode",
    "siret": "professional.siret",
    "tva": "professional.tva",
    "company": "professional.company",
    "position": "professional.position",
    "company_street": "professional.street",
    "company_locality": "professional.locality",
    "company_postcode": "professional.postcode",
}
"""Flat sign-up fields (the options' names) → where they go in the API body."""


def _check_field(key: str, value: str) -> list[Any]:
    """The problems of one sign-up or profile field (an empty list when it is fine)."""
    from cartes_cli import validators as v

    path = FIELD_PATHS.get(key, key)
    text_limits = {
        "street": v.STREET_MAX_LENGTH,
        "locality": v.LOCALITY_MAX_LENGTH,
        "company": v.COMPANY_MAX_LENGTH,
        "position": v.POSITION_MAX_LENGTH,
        "company_street": v.STREET_MAX_LENGTH,
        "company_locality": v.LOCALITY_MAX_LENGTH,
    }
    if key in text_limits:
        return list(v.check_text(value, field=path, max_length=text_limits[key]))
    checks: dict[str, Callable[[str], list[Any]]] = {
        "username": v.check_username,
        "email": v.check_email,
        "first_name": lambda x: v.check_name(x, field="first_name"),
        "last_name": lambda x: v.check_name(x, field="last_name"),
        "phone": v.check_phone,
        "postcode": lambda x: v.check_postcode(x, field=path),
        "company_postcode": lambda x: v.check_postcode(x, field=path),
        "siret": lambda x: v.check_siret(x, field=path),
        "tva": lambda x: v.check_tva(x, field=path),
        "photo": _check_photo,
    }
    check = checks.get(key)
    return list(check(value)) if check else []


def _check_password(password: str, *, username: str | None, email: str | None) -> list[Any]:
    from cartes_cli import validators as v

    return list(v.check_password(password, username=username, email=email))


def _check_confirmation(password: str, confirmation: str) -> list[Any]:
    from cartes_cli import validators as v

    return list(v.check_password_confirmation(password, confirmation))


def _password_rule() -> str:
    from cartes_cli import validators as v
    from cartes_cli.i18n import language

    return str(v.password_rule_text(language()))


def _normalise_phone(value: str) -> str:
    from cartes_cli import validators as v

    return v.normalise_phone(value) or value


def _check_photo(path: str) -> list[Any]:
    """A photo is a local PNG or JPEG file of at most 1 MB (checked as the data URL sent)."""
    from cartes_cli import validators as v

    try:
        data_url = _photo_data_url(path)
    except UsageError as exc:
        return [v.Problem("photo", "photo.invalid", exc.message)]
    return list(v.check_photo(data_url))


def _photo_data_url(path: str) -> str:
    import base64

    if path.startswith("data:"):
        return path  # already a data URL (--from-file may hold one)
    file = Path(path).expanduser()
    try:
        if file.stat().st_size > 2 * PHOTO_MAX_BYTES:  # no need to read it all to refuse it
            raise UsageError(_("The photo {path} is larger than 1 MB.").format(path=file))
        data = file.read_bytes()
    except OSError as exc:
        raise UsageError(
            _("Cannot read the photo {path}: {reason}.").format(path=file, reason=exc.strerror or exc)
        ) from exc
    if data.startswith(b"\xff\xd8\xff"):
        media = "image/jpeg"
    elif data.startswith(b"\x89PNG"):
        media = "image/png"
    else:
        media = "image/" + (file.suffix.lstrip(".").lower() or "unknown")
    return f"data:{media};base64,{base64.b64encode(data).decode('ascii')}"


def _registration_problems(fields: Mapping[str, Any], password: str | None) -> list[Any]:
    """Every problem of a complete sign-up (before the captcha), as the server would find them."""
    from cartes_cli import validators as v
    from cartes_cli.client.signup import registration_body

    data = dict(fields)
    if password is not None:
        data["password"] = password
    photo_problems: list[Any] = []
    if data.get("photo"):
        photo_problems = _check_photo(data.pop("photo"))
    return photo_problems + list(v.check_registration(registration_body(data), captcha=False))


def _fail(app: AppContext, problems: Iterable[Any], *, heading: str | None = None) -> typer.Exit:
    """Print each problem on its own line (never the values), and exit 2."""
    term = app.terminal
    items = list(problems)
    term.error(_("Error: {heading}").format(heading=heading or _("the input is not valid:")))
    for problem in items:
        term.error(f"  - {_problem_text(problem)}")
    return typer.Exit(2)


# ================================================================================================
# Platforms, browsers, files
# ================================================================================================


def _platform_and_capabilities(app: AppContext) -> tuple[Platform, Capabilities]:
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


def _has_display() -> bool:
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _open_browser(url: str) -> bool:
    import webbrowser

    try:
        return bool(webbrowser.open(url))
    except Exception:  # no usable browser: the address is printed anyway
        return False


def _open_file(path: Path) -> bool:
    """Show a file in the system's viewer or player; best effort, never raises."""
    if not _has_display():
        return False
    try:
        if sys.platform == "win32":
            os.startfile(str(path))  # type: ignore[attr-defined]  # noqa: S606
            return True
        import shutil
        import subprocess

        opener = "open" if sys.platform == "darwin" else "xdg-open"
        if shutil.which(opener) is None:
            return False
        subprocess.Popen(
            [opener, str(path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        return True
    except Exception:
        return False


def _send_to_browser(app: AppContext, url: str, explanation: str, *, no_browser: bool) -> None:
    term = app.terminal
    term.info(explanation)
    opened = False if no_browser else _open_browser(url)
    if opened:
        term.info(_("A browser window opened. If it did not, open this address:"))
    else:
        term.info(_("Open this address in a browser:"))
    term.out(url)


def _account_cache() -> Path:
    from cartes_cli import paths

    return paths.ensure_private_dir(paths.cache_dir() / "account")


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def _save_json(name: str, data: dict[str, Any]) -> None:
    with contextlib.suppress(OSError):  # a cache: losing it only means giving the value again
        _write_private(_account_cache() / name, json.dumps(data).encode("utf-8"))


def _load_json(name: str) -> dict[str, Any] | None:
    try:
        data = json.loads((_account_cache() / name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _console(app: AppContext, file: Any = None) -> Any:
    from rich.console import Console

    term = app.terminal
    stream = file if file is not None else term.stderr
    tty = term.stdout_isatty if stream is term.stdout else term.stderr_isatty
    return Console(
        file=stream,
        force_terminal=bool(tty),
        no_color=not term.color or "NO_COLOR" in os.environ,
        color_system="auto" if term.color else None,
        width=term.width,
        highlight=False,
    )


def _panel(app: AppContext, title: str, lines: Iterable[str]) -> None:
    """A titled frame on stderr (the wizard's steps and summary)."""
    from rich.panel import Panel
    from rich.text import Text

    body = Text("\n".join(lines))
    _console(app).print(Panel(body, title=Text(title, style="bold"), title_align="left", expand=False))


# ================================================================================================
# Pictures in the terminal: the captcha and the QR code
# ================================================================================================


def captcha_art(image: bytes, *, max_width: int = 72, color: bool = True) -> Any:
    """The captcha as half-block characters (two pixels per character cell), or None without
    Pillow. In colour: true colours; otherwise dark pixels as filled blocks."""
    try:
        from PIL import Image
    except ImportError:
        return None
    import io

    from rich.color import Color
    from rich.style import Style
    from rich.text import Text

    try:
        picture = Image.open(io.BytesIO(image)).convert("RGB")
    except Exception:
        return None
    width, height = picture.size
    if width < 1 or height < 1:
        return None
    columns = max(8, min(max_width, width))
    rows = max(2, round(height * columns / width))
    rows += rows % 2
    picture = picture.resize((columns, rows))
    pixels = picture.load()
    assert pixels is not None
    dark = _ink_threshold(picture) if not color else 0.0
    art = Text()
    for y in range(0, rows, 2):
        for x in range(columns):
            top: Any = pixels[x, y]
            bottom: Any = pixels[x, y + 1]
            if color:
                style = Style(color=Color.from_rgb(*top[:3]), bgcolor=Color.from_rgb(*bottom[:3]))
                art.append("▀", style=style)
            else:
                art.append(_block(_luminance(top) < dark, _luminance(bottom) < dark))
        art.append("\n")
    art.rstrip()
    return art


def _luminance(pixel: Any) -> float:
    r, g, b = pixel[:3]
    return float(0.299 * r + 0.587 * g + 0.114 * b)


def _ink_threshold(picture: Any) -> float:
    """Half-way between the background (the median) and the ink (the darkest few per cent): a
    captcha's letters are mid-grey on white, and shrinking the image greys them further."""
    values = sorted(picture.convert("L").tobytes())  # the same weights as _luminance
    background = values[len(values) // 2]
    ink = values[len(values) // 50]
    if background - ink < 16:
        return 0.0  # no contrast: nothing to draw
    return (background + ink) / 2


def _block(top: bool, bottom: bool) -> str:
    if top and bottom:
        return "█"
    if top:
        return "▀"
    if bottom:
        return "▄"
    return " "


def qr_lines(data: str, *, invert: bool = True, border: int = 2) -> list[str]:
    """A QR code as half-block text, two modules per character: at most 80 columns for an
    ``otpauth://`` URI. ``invert`` (the default) draws the LIGHT modules as blocks, for terminals
    with a dark background; ``invert=False`` draws the dark ones."""
    import segno

    code = segno.make(data, error="l", micro=False)
    matrix = [[bool(cell) for cell in row] for row in code.matrix_iter(scale=1, border=border)]
    if len(matrix) % 2:
        matrix.append([False] * len(matrix[0]))
    lines = []
    for y in range(0, len(matrix), 2):
        top_row, bottom_row = matrix[y], matrix[y + 1]
        lines.append(
            "".join(
                _block(top != invert, bottom != invert)
                for top, bottom in zip(top_row, bottom_row, strict=True)
            )
        )
    return lines


def _print_qr(app: AppContext, uri: str) -> None:
    term = app.terminal
    console = _console(app, term.stdout)
    if console.color_system is not None:
        from rich.text import Text

        # Explicit black on white: right on any terminal theme.
        art = Text("\n".join(qr_lines(uri, invert=False)), style="black on white")
        console.print(art)
    else:
        for line in qr_lines(uri, invert=True):
            term.out(line)


# ================================================================================================
# Prompts
# ================================================================================================


def _ask(
    app: AppContext,
    label: str,
    *,
    key: str | None = None,
    optional: bool = False,
    default: str | None = None,
    check: Callable[[str], list[Any]] | None = None,
) -> str | None:
    """Ask until the answer passes the checks (every problem shown); None when skipped."""
    term = app.terminal
    hint = _(" (Enter to skip)") if optional else ""
    for _attempt in range(MAX_ASKS):
        value = term.prompt(f"{label}{hint}", default=default).strip()
        if optional and (not value or value.lower() in SKIP_WORDS):
            return None
        if not value:
            term.error(_("This field is required."))
            continue
        problems = check(value) if check else (_check_field(key, value) if key else [])
        if not problems:
            return value
        for problem in problems:
            term.error(f"  - {_problem_text(problem, with_field=False)}")
    raise UsageError(_("Too many invalid answers; nothing was sent."))


def _yes(app: AppContext, label: str, *, default: bool = False) -> bool:
    term = app.terminal
    suffix = _(" [Y/n]") if default else _(" [y/N]")
    for _attempt in range(MAX_ASKS):
        value = term.prompt(f"{label}{suffix}").strip().lower()
        if not value:
            return default
        if value in ("y", "yes", "o", "oui"):
            return True
        if value in ("n", "no", "non"):
            return False
        term.error(_("Answer y (yes) or n (no)."))
    raise UsageError(_("Too many invalid answers."))


def _ask_new_password(
    app: AppContext, *, username: str | None, email: str | None, label: str | None = None
) -> str:
    """A new password, hidden, checked against the rule (every missing criterion shown), then
    typed again."""
    term = app.terminal
    for _attempt in range(MAX_ASKS):
        password = term.prompt(label or _("Password"), secret=True)
        problems = _check_password(password, username=username, email=email)
        if problems:
            term.error(_("This password does not meet the rule:"))
            for problem in problems:
                term.error(f"  - {_problem_text(problem, with_field=False)}")
            continue
        confirmation = term.prompt(_("Password again"), secret=True)
        mismatch = _check_confirmation(password, confirmation)
        if mismatch:
            for problem in mismatch:
                term.error(f"  - {_problem_text(problem, with_field=False)}")
            continue
        return password
    raise UsageError(_("Too many invalid answers; nothing was sent."))


def _ask_code(app: AppContext, label: str, *, optional: bool = False) -> str | None:
    term = app.terminal
    for _attempt in range(3):
        value = term.prompt(label).strip().replace(" ", "")
        if optional and not value:
            return None
        if len(value) == 6 and value.isdigit():
            return value
        term.error(_("The code has 6 digits."))
    raise UsageError(_("No valid 6-digit code was given."))


def _six_digits(code: str, option: str = "--code") -> str:
    text = code.strip().replace(" ", "")
    if not (len(text) == 6 and text.isdigit()):
        raise UsageError(_("{option}: the code has 6 digits.").format(option=option))
    return text


# ================================================================================================
# account create
# ================================================================================================


def _read_signup_file(path: Path) -> tuple[dict[str, str], str | None]:
    """Fields (and maybe a password) from a JSON or TOML file with the options' names."""
    import tomllib

    try:
        raw = path.expanduser().read_bytes()
    except OSError as exc:
        raise UsageError(
            _("Cannot read {path}: {reason}.").format(path=path, reason=exc.strerror or exc)
        ) from exc
    text = raw.decode("utf-8", "replace")
    data: Any = None
    suffix = path.suffix.lower()
    errors: list[str] = []
    parsers: list[tuple[str, Callable[[str], Any]]] = [("JSON", json.loads), ("TOML", tomllib.loads)]
    if suffix == ".toml":
        parsers.reverse()
    for name, parse in parsers:
        try:
            data = parse(text)
            break
        except ValueError as exc:
            errors.append(f"{name}: {exc}")
    else:
        raise UsageError(_("{path} is neither JSON nor TOML ({reason}).").format(path=path, reason=errors[0]))
    if not isinstance(data, dict):
        raise UsageError(_("{path} must hold an object (JSON) or a table (TOML).").format(path=path))
    flat: dict[str, Any] = {}
    for key, value in data.items():
        name = str(key).replace("-", "_")
        if name in ("address", "professional") and value is None:
            continue  # an optional step, skipped
        if name in ("address", "professional") and not isinstance(value, dict):
            raise UsageError(
                _("In {path}, {key} must be an object (JSON) or a table (TOML).").format(path=path, key=name)
            )
        if name in ("address", "professional"):
            prefix = "company_" if name == "professional" else ""
            for sub, item in value.items():
                sub_name = str(sub).replace("-", "_")
                target = (
                    sub_name if sub_name in ("siret", "tva", "company", "position") else prefix + sub_name
                )
                flat[target] = item
        else:
            flat[name] = value
    unknown = sorted(k for k in flat if k not in FILE_KEYS)
    if unknown:
        raise UsageError(
            _("Unknown key {keys} in {path}; allowed keys: {allowed}.").format(
                keys=", ".join(repr(k) for k in unknown), path=path, allowed=", ".join(FILE_KEYS)
            )
        )
    fields: dict[str, str] = {}
    for key, value in flat.items():
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise UsageError(_("In {path}, {key} must be text.").format(path=path, key=key))
        fields[key] = str(value)
    password = fields.pop("password", None)
    if password is not None and os.name == "posix":
        mode = path.expanduser().stat().st_mode
        if mode & 0o077:
            raise UsageError(
                _(
                    "{path} contains a password but other users may read it: make it private "
                    "(chmod 600 {path}), or remove the password and use CARTES_PASSWORD or "
                    "--password-stdin."
                ).format(path=path)
            )
    return fields, password


def _email_and_username(fields: Mapping[str, Any]) -> tuple[str | None, str | None]:
    return fields.get("username") or None, fields.get("email") or None


def _step(app: AppContext, number: int, title: str, lines: Iterable[str]) -> None:
    heading = _("Step {n}/{total} · {title}").format(n=number, total=STEPS, title=title)
    _panel(app, heading, lines)


def _wizard(app: AppContext, fields: dict[str, str], password: str | None) -> str:
    """Ask, step by step, for everything not given yet; return the password."""
    # Step 1: the login.
    _step(
        app,
        1,
        _("Profile"),
        [
            _("Your login: a username, your e-mail address and a password."),
            _("Password rule: {rule}").format(rule=_password_rule()),
        ],
    )
    if "username" not in fields:
        fields["username"] = _ask(app, _("Username"), key="username") or ""
    if "email" not in fields:
        fields["email"] = _ask(app, _("E-mail address"), key="email") or ""
    if password is None:
        password = _ask_new_password(app, username=fields["username"], email=fields["email"])

    # Step 2: who you are (optional).
    _step(app, 2, _("Identity"), [_("Optional: your name, phone number and photo (Enter to skip).")])
    labels = {
        "first_name": _("First name"),
        "last_name": _("Last name"),
        "phone": _("Phone number"),
        "photo": _("Photo: path to a PNG or JPEG image, 1 MB at most"),
    }
    for key in IDENTITY:
        if key not in fields:
            value = _ask(app, labels[key], key=key, optional=True)
            if value is not None:
                fields[key] = _normalise_phone(value) if key == "phone" else value

    # Step 3: the address (optional, all three or none).
    if not any(k in fields for k in ADDRESS):
        _step(app, 3, _("Address"), [_("Optional: your postal address (Enter to skip the step).")])
        street = _ask(app, _("Street"), key="street", optional=True)
        if street is not None:
            fields["street"] = street
            fields["postcode"] = _ask(app, _("Postcode"), key="postcode") or ""
            fields["locality"] = _ask(app, _("Locality"), key="locality") or ""
    else:
        _step(app, 3, _("Address"), [_("Given on the command line.")])
        for key, label in (("street", _("Street")), ("postcode", _("Postcode")), ("locality", _("Locality"))):
            if key not in fields:
                fields[key] = _ask(app, label, key=key) or ""

    # Step 4: professional (optional).
    _step(
        app,
        4,
        _("Professional"),
        [_("Optional: sign up on behalf of a company or an administration (SIRET or EU VAT number).")],
    )
    given = any(k in fields for k in PROFESSIONAL)
    if given or _yes(app, _("Are you signing up as a professional?")):
        if "siret" not in fields and "tva" not in fields:
            number = _ask(
                app, _("SIRET (14 digits) or EU VAT number"), check=lambda x: _check_field(_id_kind(x), x)
            )
            assert number is not None
            fields[_id_kind(number)] = number.replace(" ", "") if _id_kind(number) == "siret" else number
        for key, label in (
            ("company", _("Company or administration")),
            ("position", _("Your position")),
            ("company_street", _("Company street")),
            ("company_postcode", _("Company postcode")),
            ("company_locality", _("Company locality")),
        ):
            if key not in fields:
                fields[key] = _ask(app, label, key=key) or ""

    # Summary.
    problems = _registration_problems(fields, password)
    if problems:
        raise _fail(app, problems)
    _panel(app, _("Summary"), _summary_lines(fields))
    if not _yes(app, _("Create this account?"), default=True):
        raise UsageError(_("Cancelled; nothing was sent."))
    return password


def _id_kind(value: str) -> str:
    compact = value.replace(" ", "")
    return "siret" if compact.isdigit() else "tva"


def _summary_lines(fields: Mapping[str, str]) -> list[str]:
    labels = [
        ("username", _("Username")),
        ("email", _("E-mail")),
        ("first_name", _("First name")),
        ("last_name", _("Last name")),
        ("phone", _("Phone")),
        ("photo", _("Photo")),
        ("street", _("Street")),
        ("postcode", _("Postcode")),
        ("locality", _("Locality")),
        ("siret", _("SIRET")),
        ("tva", _("VAT number")),
        ("company", _("Company")),
        ("position", _("Position")),
        ("company_street", _("Company street")),
        ("company_postcode", _("Company postcode")),
        ("company_locality", _("Company locality")),
    ]
    width = max(len(label) for _k, label in labels)
    lines = [f"{label:<{width}}  {fields[key]}" for key, label in labels if fields.get(key)]
    lines.append(f"{_('Password'):<{width}}  {_('(hidden)')}")
    return lines


def _save_temp(data: bytes, suffix: str) -> Path:
    import tempfile

    fd, name = tempfile.mkstemp(prefix="cartes-captcha-", suffix=suffix)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return Path(name)


def _show_captcha(app: AppContext, captcha: Captcha, path: Path, *, no_browser: bool) -> None:
    term = app.terminal
    console = _console(app)
    art = captcha_art(
        captcha.image, max_width=min(72, (console.width or 80) - 2), color=console.color_system is not None
    )
    if art is not None:
        console.print(art)
    opened = False if no_browser else _open_file(path)
    if opened:
        term.info(_("The captcha is also open in your image viewer ({path}).").format(path=path))
    else:
        term.info(_("The captcha image is saved in {path}.").format(path=path))
    if captcha.answer:
        # Only a sandbox started with --scriptable-captchas sends it (scripts, tests and demos).
        term.info(_("Sandbox test mode: the answer is {answer}.").format(answer=captcha.answer))


def _play_audio(app: AppContext, client: GeoplateformeClient, captcha: Captcha, *, no_browser: bool) -> Path:
    term = app.terminal
    path = _save_temp(client.accounts.captcha_audio(captcha), ".wav")
    opened = False if no_browser else _open_file(path)
    if opened:
        term.info(_("Playing the audio captcha ({path}).").format(path=path))
    else:
        term.info(_("The audio captcha is saved in {path}; play it with any audio player.").format(path=path))
    return path


def _signup_with_captcha(
    app: AppContext,
    client: GeoplateformeClient,
    fields: dict[str, str],
    password: str,
    *,
    audio: bool,
    no_browser: bool,
) -> Any:
    """Step 5: captcha, then the sign-up; a new captcha after a wrong answer (3 tries), and
    another username or address when the platform says it is taken."""
    from cartes_cli.errors import Conflict, InvalidInput

    term = app.terminal
    _step(
        app,
        5,
        _("Captcha"),
        [
            _("Type the characters of the image to prove you are a person."),
            _(
                "They are 6 among the digits 2 to 9 and the letters A to Z without I and O "
                "(no 0/O, no 1/I); case and spaces do not matter."
            ),
            _("Type 'new' for another image, 'audio' to listen to it instead."),
        ],
    )
    temp_files: list[Path] = []
    try:
        tries = 0
        captcha = client.accounts.captcha()
        fetches = 1
        while True:
            image_path = _save_temp(captcha.image, "." + captcha.image_extension)
            temp_files.append(image_path)
            _show_captcha(app, captcha, image_path, no_browser=no_browser)
            if audio:
                temp_files.append(_play_audio(app, client, captcha, no_browser=no_browser))
            answer = ""
            while not answer:
                answer = term.prompt(_("Characters in the image")).strip()
                if answer.lower() == "audio":
                    temp_files.append(_play_audio(app, client, captcha, no_browser=no_browser))
                    answer = ""
            if answer.lower() in ("new", "nouveau") and fetches < MAX_ASKS:
                captcha = client.accounts.captcha()
                fetches += 1
                continue
            try:
                return client.accounts.register(
                    {**_wire_fields(fields), "password": password},
                    captcha_id=captcha.id,
                    captcha_answer=answer,
                )
            except Conflict as exc:
                if not _ask_again_for_taken(app, fields, exc.messages or [exc.message]):
                    raise
                problems = _check_password(password, username=fields["username"], email=fields["email"])
                if problems:
                    for problem in problems:
                        term.error(f"  - {_problem_text(problem, with_field=False)}")
                    password = _ask_new_password(app, username=fields["username"], email=fields["email"])
                captcha = client.accounts.captcha()  # the previous one was used
                fetches += 1
                continue
            except InvalidInput as exc:
                if not exc.has("captcha") or any(not c.startswith("captcha") for c in exc.codes()):
                    raise _fail(
                        app, _problems_of(exc), heading=_("the platform refused the sign-up:")
                    ) from None
                tries += 1
                if tries >= CAPTCHA_TRIES:
                    raise CartesError(
                        _(
                            "Wrong captcha answer {n} times; nothing was created. Run the command again."
                        ).format(n=tries)
                    ) from None
                if exc.has("captcha.expired"):
                    term.error(_("The captcha expired; here is a new one."))
                else:
                    term.error(
                        _("Wrong answer; here is a new captcha ({left} tries left).").format(
                            left=CAPTCHA_TRIES - tries
                        )
                    )
                captcha = client.accounts.captcha()
                fetches += 1
    finally:
        for path in temp_files:
            with contextlib.suppress(OSError):
                path.unlink()


def _ask_again_for_taken(app: AppContext, fields: dict[str, str], messages: list[str]) -> bool:
    """The platform says the username or the address is taken: ask for another one."""
    term = app.terminal
    asked = False
    for message in messages:
        term.error(_("The platform refused: {detail}").format(detail=message))
        lowered = message.lower()
        if lowered.startswith("username"):
            fields["username"] = _ask(app, _("Another username"), key="username") or fields["username"]
            asked = True
        elif lowered.startswith("email") or "e-mail" in lowered:
            fields["email"] = _ask(app, _("Another e-mail address"), key="email") or fields["email"]
            asked = True
    return asked


def _problems_of(exc: Any) -> list[Any]:
    return list(exc.problems) or [exc.message]


def _wire_fields(fields: Mapping[str, str]) -> dict[str, str]:
    """Fields as the API wants them: the photo file as a data URL."""
    data = dict(fields)
    if data.get("photo"):
        data["photo"] = _photo_data_url(data["photo"])
    return data


def _cached_captcha_id(platform: Platform) -> str | None:
    cached = _load_json("captcha.json")
    if not cached or cached.get("api_url") != platform.api_url:
        return None
    expires = cached.get("expires_at")
    if isinstance(expires, (int, float)) and expires < time.time():
        raise UsageError(_("The saved captcha has expired; get a new one with 'cartes account captcha'."))
    value = cached.get("id")
    return str(value) if value else None


@account_app.command("create")
def create(
    ctx: typer.Context,
    web: Annotated[bool, typer.Option("--web", help=_("Sign up in the browser (Keycloak's page)."))] = False,
    username: Annotated[
        str | None, typer.Option("--username", help=_("Username."), show_default=False)
    ] = None,
    email: Annotated[
        str | None, typer.Option("--email", help=_("E-mail address."), show_default=False)
    ] = None,
    first_name: Annotated[
        str | None, typer.Option("--first-name", help=_("First name."), show_default=False)
    ] = None,
    last_name: Annotated[
        str | None, typer.Option("--last-name", help=_("Last name."), show_default=False)
    ] = None,
    phone: Annotated[str | None, typer.Option("--phone", help=_("Phone number."), show_default=False)] = None,
    photo: Annotated[
        Path | None,
        typer.Option("--photo", help=_("Photo: an image file of at most 1 MB."), show_default=False),
    ] = None,
    street: Annotated[
        str | None, typer.Option("--street", help=_("Street address."), show_default=False)
    ] = None,
    locality: Annotated[
        str | None, typer.Option("--locality", help=_("Locality."), show_default=False)
    ] = None,
    postcode: Annotated[
        str | None, typer.Option("--postcode", help=_("Postcode."), show_default=False)
    ] = None,
    siret: Annotated[
        str | None,
        typer.Option("--siret", help=_("Professional: SIRET number (14 digits)."), show_default=False),
    ] = None,
    tva: Annotated[
        str | None,
        typer.Option(
            "--tva", help=_("Professional: EU VAT number (instead of a SIRET)."), show_default=False
        ),
    ] = None,
    company: Annotated[
        str | None,
        typer.Option("--company", help=_("Professional: company or administration."), show_default=False),
    ] = None,
    position: Annotated[
        str | None, typer.Option("--position", help=_("Professional: your position."), show_default=False)
    ] = None,
    company_street: Annotated[
        str | None,
        typer.Option("--company-street", help=_("Professional: street address."), show_default=False),
    ] = None,
    company_locality: Annotated[
        str | None, typer.Option("--company-locality", help=_("Professional: locality."), show_default=False)
    ] = None,
    company_postcode: Annotated[
        str | None, typer.Option("--company-postcode", help=_("Professional: postcode."), show_default=False)
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help=_("Read the password from standard input."))
    ] = False,
    from_file: Annotated[
        Path | None,
        typer.Option(
            "--from-file",
            help=_("Read the fields from a JSON or TOML file (same keys as the options)."),
            show_default=False,
        ),
    ] = None,
    captcha_id: Annotated[
        str | None,
        typer.Option(
            "--captcha-id",
            help=_("The captcha (default: the last 'cartes account captcha')."),
            show_default=False,
        ),
    ] = None,
    captcha_answer: Annotated[
        str | None,
        typer.Option(
            "--captcha-answer",
            help=_(
                "The characters of the captcha image: 6 among 23456789ABCDEFGHJKLMNPQRSTUVWXYZ "
                "(case and spaces do not matter)."
            ),
            show_default=False,
        ),
    ] = None,
    audio: Annotated[bool, typer.Option("--audio", help=_("Play the audio captcha too."))] = False,
    no_browser: Annotated[
        bool,
        typer.Option(
            "--no-browser", help=_("Open nothing (browser, image viewer, player); print addresses and paths.")
        ),
    ] = False,
) -> None:
    """Create a Géoplateforme account: profile, identity, address, professional, captcha.

    On a terminal, a wizard asks for what the options did not give. Otherwise give every field as
    options or with --from-file, the password in CARTES_PASSWORD or with --password-stdin, and the
    captcha answer with --captcha-answer after 'cartes account captcha' (on a sandbox started with
    --scriptable-captchas, 'cartes sandbox captcha' prints it). On the real platform, the sign-up
    happens in the browser (--web).
    """
    app = _ctx(ctx)
    term = app.terminal
    options = {
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
    if web:
        platform = app.platform(app.profile())
        _send_to_browser(
            app, registration_url(platform), _("Sign up on the platform's page."), no_browser=no_browser
        )
        return

    # 1. Everything given, checked before any request.
    fields: dict[str, str] = {}
    file_password: str | None = None
    if from_file is not None:
        from_file_fields, file_password = _read_signup_file(from_file)
        captcha_id = captcha_id or from_file_fields.pop("captcha_id", None)
        captcha_answer = captcha_answer or from_file_fields.pop("captcha_answer", None)
        fields.update(from_file_fields)
    fields.update({k: v.strip() for k, v in options.items() if v is not None and v.strip()})
    password: str | None = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise UsageError(_("--password-stdin: nothing was read from standard input."))
    else:
        password = os.environ.get("CARTES_PASSWORD") or file_password
    interactive = term.interactive
    if not interactive and not fields and password is None and not captcha_answer:
        # Nothing given and nobody to ask: on the real platform this is the browser's job.
        platform, caps = _platform_and_capabilities(app)
        if not caps.accounts:
            _send_to_browser(
                app,
                registration_url(platform),
                _("On this platform, accounts are created on its sign-up page."),
                no_browser=no_browser,
            )
            return
    if interactive:
        # The wizard asks for the rest: check what was given.
        problems = [p for key, value in fields.items() for p in _check_field(key, value)]
        if password is not None:
            problems += _check_password(password, username=fields.get("username"), email=fields.get("email"))
    else:
        # Nobody to ask: everything missing or wrong is listed at once, not one item per run.
        problems = _registration_problems(fields, password)
        if password is None:
            problems = [p for p in problems if _problem_parts(p)[0] != "password"]
            problems.insert(
                0,
                (
                    "password",
                    "field.required",
                    _(
                        "missing: set CARTES_PASSWORD, use --password-stdin, put it in a private "
                        "--from-file, or run on a terminal to be asked."
                    ),
                ),
            )
        if not captcha_answer:
            problems.append(
                (
                    "captcha.answer",
                    "field.required",
                    _("missing: get a captcha with 'cartes account captcha', look at it, then give it."),
                )
            )
    if problems:
        raise _fail(app, problems)
    if fields.get("phone"):
        fields["phone"] = _normalise_phone(fields["phone"])

    # 2. The platform: a sign-up API (sandbox), or the browser (the real Géoplateforme).
    from cartes_cli.client import GeoplateformeClient

    platform = app.platform(app.profile())
    with GeoplateformeClient(platform, debug=app.debug_log()) as client:
        if not client.capabilities().accounts:
            url = registration_url(platform)
            if not interactive and (fields or password):
                term.out(url)
                raise CartesError(
                    _(
                        "This platform has no sign-up API: nothing was sent. Sign up in a browser at the "
                        "address above."
                    )
                )
            _send_to_browser(
                app,
                url,
                _("On this platform, accounts are created on its sign-up page."),
                no_browser=no_browser,
            )
            return
        if not interactive:
            assert password is not None
            assert captcha_answer
            cid = captcha_id or _cached_captcha_id(platform)
            if not cid:
                raise UsageError(_("No captcha: run 'cartes account captcha' first (or give --captcha-id)."))
            created = _register_once(app, client, fields, password, cid, captcha_answer)
        else:
            password = _wizard(app, fields, password)
            if captcha_answer and (captcha_id or _cached_captcha_id(platform)):
                cid = captcha_id or _cached_captcha_id(platform)
                assert cid is not None
                created = _register_once(app, client, fields, password, cid, captcha_answer)
            else:
                created = _signup_with_captcha(
                    app, client, fields, password, audio=audio, no_browser=no_browser
                )
        password = None
        _save_json("signup.json", {"email": created.email or fields["email"], "api_url": platform.api_url})
        with contextlib.suppress(OSError):
            (_account_cache() / "captcha.json").unlink()
        term.print_object(
            {
                "id": created.id,
                "username": created.username,
                "email": created.email,
                "status": created.status,
            },
            CREATED_COLUMNS,
        )
        address = created.email or fields["email"]
        term.success(
            _(
                "Account {username} created; a 6-digit code was sent to {email} to confirm the address."
            ).format(username=created.username or fields["username"], email=address)
        )
        outbox = client.capabilities().outbox
        if outbox:
            term.info(
                _(
                    "The sandbox keeps its e-mails: read the code with 'cartes sandbox outbox --to {email}'."
                ).format(email=address)
            )
        if interactive:
            _verify_interactively(app, client, address, optional=True)
        else:
            term.info(
                _("Then confirm it with: cartes account verify --email {email} --code CODE").format(
                    email=address
                )
            )


def _register_once(
    app: AppContext,
    client: GeoplateformeClient,
    fields: Mapping[str, str],
    password: str,
    cid: str,
    answer: str,
) -> Any:
    from cartes_cli.errors import InvalidInput

    try:
        return client.accounts.register(
            {**_wire_fields(fields), "password": password}, captcha_id=cid, captcha_answer=answer.strip()
        )
    except InvalidInput as exc:
        if exc.has("captcha"):
            app.terminal.error(
                _("Error: the captcha answer is wrong or the captcha expired; nothing was created.")
            )
            app.terminal.error(_("Get a new one with 'cartes account captcha' and try again."))
            raise typer.Exit(2) from None
        raise _fail(app, _problems_of(exc), heading=_("the platform refused the sign-up:")) from None


def _verify_interactively(
    app: AppContext, client: GeoplateformeClient, email: str, *, optional: bool
) -> bool:
    from cartes_cli.errors import InvalidInput

    term = app.terminal
    label = (
        _("6-digit code from the e-mail (Enter to confirm later)")
        if optional
        else _("6-digit code from the e-mail")
    )
    for _attempt in range(3):
        code = _ask_code(app, label, optional=optional)
        if code is None:
            term.info(_("Later, confirm the address with: cartes account verify"))
            return False
        try:
            client.accounts.verify(email, code)
        except InvalidInput as exc:
            if exc.has("code.expired"):
                client.accounts.resend_verification(email)
                term.error(_("The code has expired; a new one was sent to {email}.").format(email=email))
            else:
                term.error(_("Wrong code; try again."))
            continue
        term.success(_("E-mail address confirmed: the account is active. Log in with 'cartes login'."))
        return True
    raise CartesError(_("The address was not confirmed; run 'cartes account verify' to try again."))


# ================================================================================================
# account captcha
# ================================================================================================


@account_app.command("captcha")
def captcha_command(
    ctx: typer.Context,
    audio: Annotated[bool, typer.Option("--audio", help=_("Save the audio version (WAV) instead."))] = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help=_("Where to save it (default: the cartes cache)."), show_default=False
        ),
    ] = None,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help=_("Do not open the image or sound; print its path."))
    ] = False,
) -> None:
    """Get a sign-up captcha and save it, for 'cartes account create --captcha-answer' in scripts.

    The captcha is remembered, so 'account create' uses it without --captcha-id.
    """
    from cartes_cli.client import GeoplateformeClient

    app = _ctx(ctx)
    term = app.terminal
    platform = app.platform(app.profile())
    with GeoplateformeClient(platform, debug=app.debug_log()) as client:
        if not client.capabilities().accounts:
            raise CartesError(
                _(
                    "This platform has no sign-up API; sign up in a browser with "
                    "'cartes account create --web'."
                )
            )
        captcha = client.accounts.captcha()
        data = client.accounts.captcha_audio(captcha) if audio else captcha.image
    suffix = ".wav" if audio else "." + captcha.image_extension
    path = output.expanduser() if output is not None else _account_cache() / f"captcha{suffix}"
    try:
        if path.parent and not path.parent.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as exc:
        raise UsageError(
            _("Cannot write {path}: {reason}.").format(path=path, reason=exc.strerror or exc)
        ) from exc
    expires_at = time.time() + captcha.expires_in if captcha.expires_in else None
    _save_json("captcha.json", {"id": captcha.id, "api_url": platform.api_url, "expires_at": expires_at})
    row = {
        "id": captcha.id,
        "path": str(path),
        "expires_in": captcha.expires_in,
        "audio_url": captcha.audio_url,
        "answer": captcha.answer,
    }
    term.print_object(row, CAPTCHA_COLUMNS)
    if term.stderr_isatty and not audio and term.rendering != "json":
        console = _console(app)
        art = captcha_art(captcha.image, color=console.color_system is not None)
        if art is not None:
            console.print(art)
    if not no_browser and (term.stdout_isatty or term.stderr_isatty):
        _open_file(path)
    term.info(
        _("Then: cartes account create … --captcha-answer CHARACTERS (within {n} s).").format(
            n=captcha.expires_in or 300
        )
    )


# ================================================================================================
# account verify
# ================================================================================================


@account_app.command("verify")
def verify(
    ctx: typer.Context,
    email: Annotated[
        str | None,
        typer.Option(
            "--email", help=_("The address to confirm (default: the last sign-up)."), show_default=False
        ),
    ] = None,
    code: Annotated[
        str | None, typer.Option("--code", help=_("The 6-digit code from the e-mail."), show_default=False)
    ] = None,
    resend: Annotated[bool, typer.Option("--resend", help=_("Send a new code first."))] = False,
) -> None:
    """Confirm your e-mail address with the 6-digit code the platform sent."""
    from cartes_cli.client import GeoplateformeClient

    app = _ctx(ctx)
    term = app.terminal
    if code is not None:
        code = _six_digits(code)
    if email is not None and email.strip() and (problems := _check_field("email", email.strip())):
        raise _fail(app, problems)
    platform = app.platform(app.profile())
    address = email.strip() if email and email.strip() else None
    if address is None:
        cached = _load_json("signup.json")
        if cached and cached.get("api_url") == platform.api_url and cached.get("email"):
            address = str(cached["email"])
    if address is None and term.interactive:
        address = _ask(app, _("E-mail address"), key="email")
    if not address:
        raise UsageError(_("Which address? Give --email."))
    if code is None and not resend and not term.interactive:
        raise UsageError(_("Not on a terminal: give the code with --code (or --resend for a new one)."))
    with GeoplateformeClient(platform, debug=app.debug_log()) as client:
        caps = client.capabilities()
        if not caps.accounts:
            raise CartesError(
                _(
                    "This platform confirms e-mail addresses with the link in the e-mail it sent, not with "
                    "a code: open that link."
                )
            )
        if resend:
            client.accounts.resend_verification(address)
            term.success(_("A new code was sent to {email}.").format(email=address))
        if caps.outbox and code is None:
            term.info(
                _(
                    "The sandbox keeps its e-mails: read the code with 'cartes sandbox outbox --to {email}'."
                ).format(email=address)
            )
        if code is None:
            if not term.interactive:
                return
            _verify_interactively(app, client, address, optional=False)
            return
        from cartes_cli.errors import InvalidInput

        try:
            client.accounts.verify(address, code)
        except InvalidInput as exc:
            if exc.has("code.expired"):
                raise UsageError(
                    _("The code has expired; get a new one with 'cartes account verify --resend'.")
                ) from None
            if exc.has("code"):
                detail = "; ".join(text for _f, code, text in exc.problems if code.startswith("code")).rstrip(
                    "."
                )
                raise UsageError(
                    _("{detail}, for {email}: check the e-mail, or get a new code with --resend.").format(
                        email=address, detail=(detail or _("wrong code")).capitalize()
                    )
                ) from None
            raise
        term.success(
            _("E-mail address {email} confirmed: the account is active. Log in with 'cartes login'.").format(
                email=address
            )
        )


# ================================================================================================
# account show / update
# ================================================================================================


@account_app.command("show")
def show(ctx: typer.Context) -> None:
    """Your profile, your workspaces with your rights, and your quotas."""
    from cartes_cli.errors import ApiError, InvalidResponse

    app = _ctx(ctx)
    term = app.terminal
    client = app.client()
    me = client.users.me()
    profile = None
    try:
        profile = client.account.profile()
    except (ApiError, InvalidResponse) as exc:
        # The real Keycloak may refuse the CLI's token at its account console (or redirect to a
        # login page): /users/me then says enough. Only an unavailable platform is an error.
        status = getattr(exc, "status", None)
        if status is not None and (status >= 500 or status == 429):
            raise
    attr = profile.attribute if profile is not None else (lambda name: None)
    company_address = " ".join(
        p for p in (attr("company_street"), attr("company_postcode"), attr("company_locality")) if p
    )
    if term.rendering == "json":
        communities: list[Any] = [
            {
                "id": m.community.id,
                "technical_name": m.community.technical_name,
                "name": m.community.name,
                "rights": [str(r) for r in m.rights],
            }
            for m in me.memberships
        ]
    else:
        communities = [
            f"{m.community.technical_name or m.community.label} "
            f"({', '.join(str(r) for r in m.rights) or '—'})"
            for m in me.memberships
        ]
    data = {
        "id": me.id,
        "username": profile.username if profile else None,
        "email": (profile.email if profile else None) or me.email,
        "email_verified": profile.email_verified if profile else None,
        "first_name": (profile.first_name if profile else None) or me.first_name or None,
        "last_name": (profile.last_name if profile else None) or me.last_name or None,
        "phone": attr("phone"),
        "street": attr("street"),
        "postcode": attr("postcode"),
        "locality": attr("locality"),
        "siret": attr("siret"),
        "tva": attr("tva"),
        "company": attr("company"),
        "position": attr("position"),
        "company_address": company_address or None,
        "totp": profile.totp
        if profile is not None and profile.totp is not None
        else (app.profile().totp or None),
        "administrator": me.administrator,
        "communities": communities,
        "documents": _usage(me.documents_use, me.documents_quota, human_size),
        "keys": _usage(me.keys_use, me.keys_quota, str),
        "documents_use": me.documents_use,
        "documents_quota": me.documents_quota,
        "keys_use": me.keys_use,
        "keys_quota": me.keys_quota,
        "last_login": me.last_login,
        "creation": me.creation,
    }
    term.print_object(data, PROFILE_COLUMNS)


def _usage(used: Any, quota: Any, fmt: Callable[[Any], str]) -> str | None:
    if used is None and quota is None:
        return None
    return f"{fmt(used) if used is not None else '?'} / {fmt(quota) if quota is not None else '?'}"


@account_app.command("update")
def update(
    ctx: typer.Context,
    first_name: Annotated[
        str | None, typer.Option("--first-name", help=_("First name."), show_default=False)
    ] = None,
    last_name: Annotated[
        str | None, typer.Option("--last-name", help=_("Last name."), show_default=False)
    ] = None,
    phone: Annotated[
        str | None, typer.Option("--phone", help=_("Phone number ('' to remove it)."), show_default=False)
    ] = None,
    street: Annotated[
        str | None, typer.Option("--street", help=_("Street address."), show_default=False)
    ] = None,
    locality: Annotated[
        str | None, typer.Option("--locality", help=_("Locality."), show_default=False)
    ] = None,
    postcode: Annotated[
        str | None, typer.Option("--postcode", help=_("Postcode."), show_default=False)
    ] = None,
    email: Annotated[
        str | None,
        typer.Option("--email", help=_("New e-mail address (to confirm again)."), show_default=False),
    ] = None,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help=_("On the real platform: print the address, open nothing."))
    ] = False,
) -> None:
    """Change your name, phone number, address or e-mail address (checked before sending)."""
    app = _ctx(ctx)
    term = app.terminal
    given = {
        "first_name": first_name,
        "last_name": last_name,
        "phone": phone,
        "street": street,
        "locality": locality,
        "postcode": postcode,
        "email": email,
    }
    changes = {k: v.strip() for k, v in given.items() if v is not None}
    if not changes:
        raise UsageError(
            _(
                "Nothing to update: give --first-name, --last-name, --phone, --street, --locality, "
                "--postcode or --email."
            )
        )
    for required in ("email", "first_name", "last_name"):
        if required in changes and not changes[required]:
            raise UsageError(_("--{option} cannot be empty.").format(option=required.replace("_", "-")))
    problems = [p for key, value in changes.items() if value for p in _check_field(key, value)]
    if problems:
        raise _fail(app, problems)
    if changes.get("phone"):
        changes["phone"] = _normalise_phone(changes["phone"])
    platform, caps = _platform_and_capabilities(app)
    if not caps.accounts:
        _send_to_browser(
            app,
            action_url(platform, "UPDATE_PROFILE"),
            _("On this platform, the profile is edited on its account page; nothing was sent."),
            no_browser=no_browser,
        )
        return
    client = app.client()
    attributes: dict[str, str | list[str] | None] = {
        k: changes[k] for k in ("phone", "street", "locality", "postcode") if k in changes
    }
    profile = client.account.update_profile(
        first_name=changes.get("first_name"),
        last_name=changes.get("last_name"),
        email=changes.get("email"),
        attributes=attributes or None,
    )
    term.success(_("Profile updated."))
    if "email" in changes and profile.email_verified is False:
        # 'account verify' then defaults to the new address.
        _save_json("signup.json", {"email": changes["email"], "api_url": client.platform.api_url})
        term.info(
            _(
                "Confirm the new address with the code sent to it: cartes account verify --email {email}"
            ).format(email=changes["email"])
        )
    row = {
        "username": profile.username,
        "email": profile.email,
        "email_verified": profile.email_verified,
        "first_name": profile.first_name,
        "last_name": profile.last_name,
        "phone": profile.phone,
        "street": profile.street,
        "postcode": profile.postcode,
        "locality": profile.locality,
    }
    term.print_object(row, [c for c in PROFILE_COLUMNS if c.key in row])


# ================================================================================================
# account password
# ================================================================================================


def _identity(profile: Profile) -> tuple[str | None, str | None]:
    user = profile.user
    if not user:
        return None, None
    return (None, user) if "@" in user else (user, None)


@account_app.command("password")
def password(
    ctx: typer.Context,
    stdin: Annotated[
        bool,
        typer.Option("--stdin", help=_("Read three lines from standard input: current, new, new again.")),
    ] = False,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help=_("On the real platform: print the address, open nothing."))
    ] = False,
) -> None:
    """Change your password (asked hidden, or read from standard input with --stdin)."""
    app = _ctx(ctx)
    term = app.terminal
    profile = app.profile()
    username, email = _identity(profile)
    current = new = confirmation = None
    if stdin:
        lines = [sys.stdin.readline().rstrip("\r\n") for _i in range(3)]
        if not all(lines):
            raise UsageError(
                _("--stdin: three lines were expected (current password, new password, new password again).")
            )
        current, new, confirmation = lines
        problems = _check_password(new, username=username, email=email) + _check_confirmation(
            new, confirmation
        )
        if problems:
            raise _fail(app, problems, heading=_("the new password does not meet the rule:"))
    platform, caps = _platform_and_capabilities(app)
    if not caps.accounts:
        _send_to_browser(
            app,
            action_url(platform, "UPDATE_PASSWORD"),
            _("On this platform, the password is changed on its login page; nothing was sent."),
            no_browser=no_browser,
        )
        return
    if current is None and not term.interactive:
        raise UsageError(_("Not on a terminal: give the passwords on standard input with --stdin."))
    client = app.client()
    if current is None:
        current = term.prompt(_("Current password"), secret=True)
        if not current:
            raise UsageError(_("No current password was given."))
        term.info(_("Password rule: {rule}").format(rule=_password_rule()))
        new = _ask_new_password(app, username=username, email=email, label=_("New password"))
        confirmation = new
    assert new is not None
    assert confirmation is not None
    from cartes_cli.errors import InvalidInput

    try:
        client.account.change_password(current, new, confirmation)
    except InvalidInput as exc:
        raise _fail(app, _problems_of(exc), heading=_("the platform refused the new password:")) from None
    current = new = confirmation = None
    term.success(_("Password changed."))
    if os.environ.get("CARTES_PASSWORD"):
        term.warn(_("CARTES_PASSWORD still holds the old password: update it."))


# ================================================================================================
# account 2fa enable / disable
# ================================================================================================


def _seed_from_env() -> str | None:
    from cartes_cli.auth.totp import normalise_secret

    raw = os.environ.get("CARTES_TOTP_SECRET")
    return normalise_secret(raw) if raw else None


def _show_seed(app: AppContext, setup: TotpSetup) -> None:
    term = app.terminal
    seed = setup.secret.get_secret_value()
    uri = setup.otpauth_uri.get_secret_value() if setup.otpauth_uri is not None else None
    if term.rendering == "json":
        term.print_object({"secret": seed, "otpauth_uri": uri, "status": "pending"}, TOTP_COLUMNS)
        return
    term.info(_("Scan this QR code with your authenticator app (or type the seed below):"))
    if uri:
        _print_qr(app, uri)
    term.out(_("Seed: {seed}").format(seed=setup.grouped_secret()))
    if uri:
        term.out(_("URI:  {uri}").format(uri=uri))


def _logged_in_profile(app: AppContext) -> Profile | None:
    profile = app.profile()
    if os.environ.get("CARTES_TOKEN") or not profile.logged_in:
        return None
    return profile


@twofa_app.command("enable")
def twofa_enable(
    ctx: typer.Context,
    code: Annotated[
        str | None,
        typer.Option(
            "--code",
            help=_("A first code from the app, to confirm a set-up started earlier."),
            show_default=False,
        ),
    ] = None,
    store_secret: Annotated[
        bool | None,
        typer.Option(
            "--store-secret/--no-store-secret",
            help=_("Keep the seed in the keyring so logins compute the code (asked on a terminal)."),
            show_default=False,
        ),
    ] = None,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help=_("On the real platform: print the address, open nothing."))
    ] = False,
) -> None:
    """Turn on two-factor authentication: shows the seed and its QR code, then asks for a first code.

    In a script: a first run prints the seed; then confirm with --code, or with the seed in
    CARTES_TOTP_SECRET (which also lets --store-secret keep it). Keep the seed safe: if the app
    is lost, only the support (geoplateforme@ign.fr) can reset it ('cartes account 2fa lost').
    """
    from cartes_cli.auth.totp import current_code, normalise_code

    app = _ctx(ctx)
    term = app.terminal
    if code is not None:
        code = normalise_code(code)
    env_seed = _seed_from_env()
    confirming = bool(code or env_seed)
    if store_secret and confirming and not env_seed:
        raise UsageError(_("--store-secret needs the seed: set CARTES_TOTP_SECRET."))
    platform, caps = _platform_and_capabilities(app)
    if not caps.accounts:
        _send_to_browser(
            app,
            action_url(platform, "CONFIGURE_TOTP"),
            _("On this platform, two-factor authentication is set up on its login page."),
            no_browser=no_browser,
        )
        return
    client = app.client()
    from cartes_cli.errors import InvalidInput

    seed: str | None
    if confirming:
        try:
            client.account.totp_confirm(code or current_code(env_seed or ""))
        except InvalidInput:
            raise UsageError(
                _("The platform refused the code: check the app's clock and the seed, then try again.")
            ) from None
        seed = env_seed
    else:
        setup = client.account.totp_setup()
        _show_seed(app, setup)
        if not term.interactive:
            term.info(
                _(
                    "Two-factor authentication is not on yet: add the seed to your app, then confirm with "
                    "'cartes account 2fa enable --code CODE'."
                )
            )
            return
        for attempt in range(3):
            first = _ask_code(app, _("First 6-digit code from the app"))
            assert first is not None
            try:
                client.account.totp_confirm(first)
                break
            except InvalidInput:
                if attempt == 2:
                    raise CartesError(
                        _("Three wrong codes: two-factor authentication is not on. Run the command again.")
                    ) from None
                term.error(_("Wrong code; check the app's clock, then type the current code."))
        seed = setup.secret.get_secret_value()
    profile = _logged_in_profile(app)
    if profile is not None:
        profile.totp = True
        app.config.save()
    term.success(_("Two-factor authentication is on: each login now asks for a code from the app."))
    if store_secret is None and term.interactive and seed and profile is not None:
        store_secret = _yes(
            app, _("Keep the seed in the keyring, so that 'cartes login' computes the code itself?")
        )
    if store_secret and seed:
        if profile is None or not profile.user:
            term.warn(_("Not logged in with a stored login: the seed was not kept."))
            return
        from cartes_cli.auth.totp import store_totp_secret

        store = app.credential_store(profile.storage)
        store_totp_secret(store, profile.name, profile.user, seed)
        where = _("the system keyring") if store.name == "keyring" else _("the private credential file")
        term.success(
            _("The seed is kept in {where} for profile {profile}.").format(where=where, profile=profile.name)
        )


@twofa_app.command("disable")
def twofa_disable(
    ctx: typer.Context,
    code: Annotated[
        str | None, typer.Option("--code", help=_("A current code from the app."), show_default=False)
    ] = None,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help=_("On the real platform: print the address, open nothing."))
    ] = False,
) -> None:
    """Turn off two-factor authentication (asks for a current code) and forget the stored seed.

    Without the app, there is no current code: ask the support, geoplateforme@ign.fr, to reset
    it ('cartes account 2fa lost').
    """
    from cartes_cli.auth.totp import current_code, load_totp_secret, normalise_code

    app = _ctx(ctx)
    term = app.terminal
    if code is not None:
        code = normalise_code(code)
    env_seed = _seed_from_env()
    platform, caps = _platform_and_capabilities(app)
    if not caps.accounts:
        _send_to_browser(
            app,
            action_url(platform, "CONFIGURE_TOTP"),
            _("On this platform, two-factor authentication is removed on its account page."),
            no_browser=no_browser,
        )
        return
    profile = _logged_in_profile(app)
    stored = None
    if profile is not None and profile.user and code is None and env_seed is None:
        try:
            stored = load_totp_secret(app.credential_store(profile.storage), profile.name, profile.user)
        except CartesError:
            stored = None
    client = app.client()
    if client.account.profile().totp is False:
        # Already off: nothing to ask, nothing to send (exit 0, as for other repeated changes).
        _forget_totp(app, profile)
        term.success(_("Two-factor authentication is already off; nothing changed."))
        return
    if code is None and env_seed is None and stored is None and not term.interactive:
        raise UsageError(_("Not on a terminal: give a current code with --code (or CARTES_TOTP_SECRET)."))
    if code is None:
        seed = env_seed or stored
        code = current_code(seed) if seed else _ask_code(app, _("Current 6-digit code from the app"))
    assert code is not None
    from cartes_cli.errors import Conflict, InvalidInput

    try:
        client.account.totp_disable(code)
    except InvalidInput:
        raise UsageError(_("The platform refused the code; type the current one from the app.")) from None
    except Conflict:  # turned off meanwhile (another session)
        _forget_totp(app, profile)
        term.success(_("Two-factor authentication is already off; nothing changed."))
        return
    _forget_totp(app, profile)
    term.success(_("Two-factor authentication is off."))


def _forget_totp(app: AppContext, profile: Profile | None) -> None:
    """2FA is off: forget the stored seed and the profile's note that a code is needed."""
    from cartes_cli.auth.totp import delete_totp_secret

    if profile is None or not profile.user:
        return
    try:
        delete_totp_secret(app.credential_store(profile.storage), profile.name, profile.user)
    except CartesError as exc:
        app.terminal.warn(_("The stored seed could not be forgotten: {reason}").format(reason=exc.message))
    if profile.totp:
        profile.totp = False
        app.config.save()


# ================================================================================================
# account 2fa lost / reset
# ================================================================================================

LOST_SUBJECT = "[cartes.gouv.fr] Perte de l'application d'authentification"


def lost_factor_draft(username: str, email: str) -> dict[str, str]:
    """The e-mail to the support, in French whatever the locale (the support reads French):
    ``{"to", "subject", "body", "mailto"}``."""
    from urllib.parse import quote

    body = (
        "Bonjour,\n\n"
        "Je n'ai plus accès à l'application d'authentification de mon compte Géoplateforme "
        "(cartes.gouv.fr), par exemple après un changement de téléphone : je ne peux donc plus "
        "saisir le code à usage unique demandé à la connexion.\n\n"
        "Pourriez-vous réinitialiser la double authentification de mon compte ?\n\n"
        f"  Nom d'utilisateur : {username}\n"
        f"  Adresse e-mail du compte : {email}\n\n"
        "J'écris depuis l'adresse e-mail du compte. Une fois reconnecté, je réactiverai la double "
        "authentification avec ma nouvelle application.\n\n"
        "Merci par avance,\n"
    )
    mailto = f"mailto:{SUPPORT_ADDRESS}?subject={quote(LOST_SUBJECT, safe='')}&body={quote(body, safe='')}"
    return {"to": SUPPORT_ADDRESS, "subject": LOST_SUBJECT, "body": body, "mailto": mailto}


def _check_username(value: str) -> list[Any]:
    from cartes_cli.validators import Problem

    text = value.strip()
    if not text or len(text) > 255 or not text.isprintable():
        return [Problem("username", "username.invalid", _("is not a username."))]
    return []


@twofa_app.command("lost")
def twofa_lost(
    ctx: typer.Context,
    username: Annotated[
        str | None,
        typer.Option(
            "--username",
            "-u",
            help=_("The account's username (default: CARTES_USERNAME)."),
            show_default=False,
        ),
    ] = None,
    email: Annotated[
        str | None, typer.Option("--email", help=_("The account's e-mail address."), show_default=False)
    ] = None,
    open_mail: Annotated[
        bool, typer.Option("--open-mail", help=_("Open the draft in the mail program (a mailto: link)."))
    ] = False,
    send: Annotated[
        bool, typer.Option("--send", help=_("On the sandbox: send it (it lands in 'cartes sandbox outbox')."))
    ] = False,
) -> None:
    """Lost your authenticator app? Writes the e-mail asking the support to reset your 2FA.

    No login needed. As the user guide says, the Géoplateforme's support, geoplateforme@ign.fr,
    resets a second factor whose app is lost (a new phone, for instance). This prints a ready
    draft (in French) with the account's username and e-mail: send it from that address.
    """
    from cartes_cli.validators import check_email

    app = _ctx(ctx)
    term = app.terminal
    username = username if username is not None else (os.environ.get("CARTES_USERNAME") or None)
    problems: list[Any] = []
    if username is not None:
        problems += _check_username(username)
    if email is not None:
        problems += check_email(email)
    if problems:
        raise _fail(app, problems)
    if username is None or email is None:
        if not term.interactive:
            raise UsageError(_("Give the account's --username and --email (not on a terminal)."))
        if username is None:
            username = _ask(app, _("Username"), check=_check_username)
        if email is None:
            email = _ask(app, _("The account's e-mail address"), check=check_email)
    assert username is not None
    assert email is not None
    draft = lost_factor_draft(username.strip(), email.strip())
    if send:
        _send_to_support(app, draft)
    if term.rendering == "json":
        term.print_object(draft, SUPPORT_COLUMNS)
    else:
        term.info(
            _("Send this e-mail to the Géoplateforme's support from the account's address:")
            if not send
            else _("The e-mail sent:")
        )
        term.out(_("To: {to}").format(to=draft["to"]))
        term.out(_("Subject: {subject}").format(subject=draft["subject"]))
        term.out("")
        term.out(draft["body"])
    if open_mail:
        if _open_browser(draft["mailto"]):
            term.info(_("The draft was opened in your mail program."))
        else:
            term.info(_("No mail program could be opened; copy the draft above, or open this link:"))
            term.out(draft["mailto"])


def _send_to_support(app: AppContext, draft: dict[str, str]) -> None:
    """Post the draft to a sandbox's support route (the real platform has none: exit 2)."""
    from cartes_cli.client import GeoplateformeClient

    platform = app.platform(app.profile())
    with GeoplateformeClient(platform, debug=app.debug_log()) as client:
        if not client.capabilities().has("support-mail"):
            raise UsageError(
                _(
                    "--send works on the sandbox only: on the Géoplateforme, send the draft to {to} "
                    "yourself (--open-mail opens it)."
                ).format(to=SUPPORT_ADDRESS)
            )
        client.sandbox.support(draft["subject"], draft["body"])
    app.terminal.success(_("Sent to {to}; see it with 'cartes sandbox outbox'.").format(to=draft["to"]))


@twofa_app.command("reset")
def twofa_reset(
    ctx: typer.Context,
    user: Annotated[str, typer.Argument(metavar="USER", help=_("The user: username, e-mail or id."))],
    yes: Annotated[bool, typer.Option("--yes", "-y", help=_("Do not ask for confirmation."))] = False,
) -> None:
    """Staff: remove a user's second factor after a lost app, so they log in with their password.

    What the support (geoplateforme@ign.fr) does when someone lost their authenticator app. The
    sandbox offers it (Keycloak's admin API) and e-mails the user; on the Géoplateforme, staff
    do it in Keycloak's admin console.
    """
    app = _ctx(ctx)
    term = app.terminal
    ref = user.strip()
    if not ref or len(ref) > 255 or not ref.isprintable():
        raise UsageError(_("USER: give a username, an e-mail address or a user id."))
    _platform, caps = _platform_and_capabilities(app)  # before any login is needed
    if not caps.has("admin-credentials"):
        raise UsageError(
            _(
                "On the Géoplateforme, staff reset a second factor in Keycloak's admin console "
                "(Users → the user → Credentials → delete the OTP one)."
            )
        )
    client = app.client()
    target = client.admin.find_user(ref)
    if target is None:
        raise UsageError(_("No user {user!r} on this platform.").format(user=ref))
    label = "".join(ch for ch in f"{target.username} <{target.email or '?'}>" if ch.isprintable())
    second_factors = [c for c in client.admin.credentials(target.id) if c.type == "otp"]
    if not second_factors:
        term.success(_("{user} has no second factor: nothing to reset.").format(user=label))
        return
    question = _("Remove the second factor of {user}? They will log in with their password alone.").format(
        user=label
    )
    if not yes:
        if not term.interactive:
            raise UsageError(_("Add --yes to confirm when not running on a terminal."))
        if not _yes(app, question):
            raise UsageError(_("Cancelled; nothing was changed."))
    for credential in second_factors:
        client.admin.delete_credential(target.id, credential.id)
    term.success(
        _(
            "The second factor of {user} is removed: they log in with their password alone until they "
            "set up a new one ('cartes account 2fa enable')."
        ).format(user=label)
    )
