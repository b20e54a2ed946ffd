"""``critic2fan topics``: the complaint topics found in the mentions, and their re-discovery."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from critic2fan.cli import app_context


def topics_command(
    ctx: typer.Context,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="One JSON object a line: id, label, mentions, negative_share, trend.",
        ),
    ] = False,
    discover: Annotated[
        bool,
        typer.Option(
            "--discover",
            help="Re-cluster every scored mention first (the playbook's topics are seeds; "
            "topics found again keep their ids and staff names). Run it on a schedule.",
        ),
    ] = False,
) -> None:
    """List the topics found in the mentions: size, negative share and the last day's trend."""
    from core.clock import SYSTEM_CLOCK
    from playbooks.loader import load_active_playbook
    from scoring.topics.service import rediscover, summaries

    actx = app_context(ctx)
    engine = actx.engine()
    now = SYSTEM_CLOCK.now()
    if discover:
        settings = actx.settings
        playbook = load_active_playbook(settings.playbook_path, settings.facts_path)
        seeds = {name: topic.keywords for name, topic in playbook.topics.items()}
        report = rediscover(engine, seeds=seeds, now=now)
        typer.echo(
            f"discovered {report.topics} topics in {report.mentions} mentions "
            f"({report.kept} kept, {report.new} new; {report.assigned} mentions assigned)",
            err=True,
        )
    listed = summaries(engine, now=now)
    if as_json:
        for s in listed:
            share = None if s.negative_share is None else round(s.negative_share, 3)
            row = {
                "id": s.id,
                "label": s.label,
                "mentions": s.mentions,
                "negative_share": share,
                "trend": s.trend.trend,
            }
            typer.echo(json.dumps(row, ensure_ascii=False))
        return
    if not listed:
        typer.echo("no topics yet: score some mentions, then run `critic2fan topics --discover`")
        return
    typer.echo(f"{'id':>4}  {'mentions':>8}  {'negative':>8}  {'trend':<8}  label")
    for s in listed:
        negative = "-" if s.negative_share is None else f"{s.negative_share:.0%}"
        flag = "  ALERT: " + "; ".join(s.trend.reasons) if s.trend.alert else ""
        typer.echo(
            f"{s.id:>4}  {s.mentions:>8}  {negative:>8}  {s.trend.trend:<8}  {s.label}{flag}"
        )


def register(app: typer.Typer) -> None:
    """Add ``topics`` to the CLI."""
    app.command("topics")(topics_command)
