"""The command-line layer: Typer commands, terminal I/O and the exit-code contract."""
