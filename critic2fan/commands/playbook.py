"""``critic2fan playbook validate FILE`` and ``critic2fan playbook run [--worker]``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from critic2fan.cli import app_context

playbook_app = typer.Typer(help="Check playbooks and work cases.", no_args_is_help=True)


@playbook_app.command("validate")
def validate_command(
    file: Annotated[Path, typer.Argument(help="The playbook YAML file to check.")],
    facts: Annotated[
        Path | None,
        typer.Option("--facts", help="Facts file (default: the playbook's facts_file)."),
    ] = None,
) -> None:
    """Check a playbook and its facts library; print the first problem with its line."""
    from playbooks.loader import load_active_playbook

    playbook = load_active_playbook(file, facts)
    templates = sum(len(t) for t in playbook.templates.values())
    typer.echo(
        f"{file}: ok ({playbook.brand.name}: {len(playbook.topics)} topics, "
        f"{templates} templates, {len(playbook.facts.facts)} facts)"
    )


@playbook_app.command("run")
def run_command(
    ctx: typer.Context,
    worker: Annotated[
        bool, typer.Option("--worker", help="Keep running: process new mentions, fire timers.")
    ] = False,
    interval: Annotated[
        float, typer.Option("--interval", help="Seconds between passes with --worker.")
    ] = 5.0,
) -> None:
    """Work the scored mentions through the playbook once (or keep going with --worker)."""
    from playbooks.loader import load_active_playbook
    from playbooks.runner import run_once, run_worker

    actx = app_context(ctx)
    playbook = load_active_playbook(actx.settings.playbook_path, actx.settings.facts_path)
    engine = actx.engine()
    if worker:
        run_worker(engine, playbook, interval_s=interval)
        return
    summary = run_once(engine, playbook)
    typer.echo(json.dumps(summary.as_dict()))


def register(app: typer.Typer) -> None:
    """Add the ``playbook`` command group."""
    app.add_typer(playbook_app, name="playbook")
