"""``cartes workspace create NAME``: ask for a new workspace; on the real platform, the web
page to fill in (and for a public one, the argued e-mail to the support)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cartes_cli.cli.options import context_of
from cartes_cli.cli.workspace.common import deliver, person
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.cli.context import AppContext
    from cartes_cli.client import GeoplateformeClient
    from cartes_cli.client.validation import DatastoreRequestInput


@dataclass(frozen=True)
class CreateOptions:
    name: str
    description: str | None = None
    technical_name: str | None = None
    offer: str = "essential"
    public: bool = False
    justification: str | None = None
    open_mail: bool = False


def run(app: AppContext, options: CreateOptions) -> None:
    from cartes_cli.client.validation import check_datastore_request, derive_technical_name
    from cartes_cli.errors import UsageError

    term = app.terminal
    name, public = options.name, options.public
    tech = options.technical_name or derive_technical_name(name)
    checked = check_datastore_request(
        name=name,
        technical_name=tech,
        offer=options.offer,
        public=public,
        justification=options.justification,
        description=options.description,
    )
    if options.open_mail and not public:
        raise UsageError(
            _("--open-mail goes with --public: a private workspace is asked for on the web page only.")
        )
    term.info(_("Technical name: {tech}").format(tech=tech))
    client = app.client()
    if not client.capabilities().has("requests"):
        _create_by_page(app, client, checked, tech, options.open_mail)
        return
    if options.open_mail:
        raise UsageError(
            _("--open-mail is for platforms without a request API; this one takes the request itself.")
        )
    request = client.requests.create_datastore(
        name.strip(),
        technical_name=tech,
        description=options.description,
        offer=options.offer,
        public=public,
        justification=options.justification,
    )
    term.success(
        _(
            "Request sent for the {kind} workspace {name} (request {id}); "
            "staff will create it and reply by e-mail."
        ).format(kind=_("public") if public else _("private"), name=name.strip(), id=request.id)
    )
    term.out(request.id)


def _create_by_page(
    app: AppContext, client: GeoplateformeClient, checked: DatastoreRequestInput, tech: str, open_mail: bool
) -> None:
    """The real platform: new workspaces are asked for on a page of cartes.gouv.fr (which e-mails
    the support); a public one needs an argued e-mail to the support as well."""
    from datetime import UTC, datetime

    from cartes_cli.client.drafts import (
        DATASTORE_REQUEST_PAGE,
        SUPPORT_ADDRESS,
        datastore_request_draft,
        datastore_request_form,
    )

    term = app.terminal
    form = datastore_request_form(
        name=checked.name, technical_name=tech, offer=checked.offer, description=checked.description
    )
    page_text = (
        DATASTORE_REQUEST_PAGE
        + "\n\n"
        + "\n".join(
            f"{label} : {value}" if "\n" not in value else f"{label} :\n{value}"
            for label, value in form.items()
        )
    )
    data: dict[str, Any] = {
        "page": DATASTORE_REQUEST_PAGE,
        "form": {
            "name": checked.name,
            "technical_name": tech,
            "offer": checked.offer,
            "information": checked.description,
        },
    }
    mailto = None
    text = page_text
    if checked.public:
        draft = datastore_request_draft(
            name=checked.name,
            technical_name=tech,
            offer=checked.offer,
            description=checked.description,
            justification=checked.justification or "",
            user=person(client.users.me()),
            when=datetime.now(UTC),
        )
        data.update(draft.as_dict())
        mailto = draft.mailto
        text = page_text + "\n\n" + draft.text()
        term.info(
            _(
                "This platform takes new-workspace requests on its web site: fill in the page below "
                "with this text; a public workspace also needs the argued e-mail below, to {support}."
            ).format(support=SUPPORT_ADDRESS)
        )
    else:
        data.update(sent=False)
        term.info(
            _(
                "This platform takes new-workspace requests on its web site: fill in the page below "
                "with this text."
            )
        )
    deliver(app, data, text, mailto, open_mail)


def command(
    ctx: typer.Context,
    name: Annotated[
        str, typer.Argument(metavar="NAME", help=_("The workspace's name (10 characters at least)."))
    ],
    description: Annotated[
        str | None, typer.Option("--description", "-d", help=_("What it is for."), show_default=False)
    ] = None,
    technical_name: Annotated[
        str | None,
        typer.Option(
            "--technical-name", help=_("Technical name (default: derived from the name)."), show_default=False
        ),
    ] = None,
    offer: Annotated[str, typer.Option("--offer", help=_("essential or premium."))] = "essential",
    public: Annotated[
        bool, typer.Option("--public", help=_("Ask for a public workspace (needs --justification)."))
    ] = False,
    justification: Annotated[
        str | None,
        typer.Option(
            "--justification", help=_("Why it should be public (50 characters at least)."), show_default=False
        ),
    ] = None,
    open_mail: Annotated[
        bool,
        typer.Option(
            "--open-mail",
            help=_("Real platform, with --public: open the e-mail to the support in your mail program."),
        ),
    ] = False,
) -> None:
    """Ask for a new workspace (private by default); platform staff create it and reply by e-mail.

    On the real Géoplateforme, print the web page where to ask and what to type there, and for a
    public workspace the argued e-mail to send to the support.
    """
    options = CreateOptions(
        name=name,
        description=description,
        technical_name=technical_name,
        offer=offer,
        public=public,
        justification=justification,
        open_mail=open_mail,
    )
    run(context_of(ctx), options)
