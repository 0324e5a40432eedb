"""``cartes sandbox …``: the self-contained Géoplateforme for demos, tests and offline scripts.

One module per verb: ``serving`` (``serve``, whose options are the sandbox's settings), ``outbox``
and ``captcha``, each with its options, its ``run`` and its Typer declaration. The sandbox itself
(``cartes_cli.sandbox``: FastAPI, uvicorn) is imported only when ``serve`` runs.
"""

from __future__ import annotations

import typer

from cartes_cli.cli.group_help import group_help
from cartes_cli.cli.sandbox import captcha, outbox, serving
from cartes_cli.cli.sandbox.serving import serve

__all__ = ["sandbox_app", "serve"]

sandbox_app = typer.Typer(
    help=group_help("sandbox"),
    no_args_is_help=True,
)
sandbox_app.command("serve")(serving.serve)
sandbox_app.command("outbox")(outbox.command)
sandbox_app.command("captcha")(captcha.command)
