"""``cartes completion SHELL``: the script that makes Tab complete cartes commands and options.

The scripts call ``cartes`` back with ``_CARTES_COMPLETE`` set (Typer's completion protocol),
which ``completion_request.py`` answers; the ones generated for each shell are also committed in
``completions/`` (a test checks they match).
"""

from __future__ import annotations

from typing import Annotated

import typer

from cartes_cli.errors import UsageError
from cartes_cli.i18n import _

SHELLS = ("bash", "zsh", "fish", "powershell")
COMPLETE_VAR = "_CARTES_COMPLETE"
INSTALL_HINTS = {
    "bash": "cartes completion bash > ~/.local/share/bash-completion/completions/cartes",
    "zsh": 'cartes completion zsh > "${fpath[1]}/_cartes"',
    "fish": "cartes completion fish > ~/.config/fish/completions/cartes.fish",
    "powershell": "cartes completion powershell >> $PROFILE",
}


def script(shell: str) -> str:
    from typer._completion_shared import get_completion_script

    return get_completion_script(prog_name="cartes", complete_var=COMPLETE_VAR, shell=shell) + "\n"


def completion(
    shell: Annotated[str, typer.Argument(metavar="SHELL", help=_("bash, zsh, fish or powershell."))],
) -> None:
    """Print the Tab-completion script for a shell.

    Install it, for instance: cartes completion bash > ~/.local/share/bash-completion/completions/cartes

    Man pages (man cartes, man cartes-workspace…) go to PREFIX/share/man/man1, beside
    PREFIX/bin/cartes, where man finds them (pipx links them into ~/.local/share/man); the package
    also carries them, in cartes_cli/data/man. 'cartes help COMMAND…' prints the same help.
    """
    name = shell.strip().lower()
    if name == "pwsh":
        name = "powershell"
    if name not in SHELLS:
        raise UsageError(
            _("Unknown shell {shell!r}; choose one of: {choices}.").format(
                shell=shell, choices=", ".join(SHELLS)
            )
        )
    typer.echo(script(name), nl=False)
