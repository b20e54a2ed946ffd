"""``critic2fan score``, ``critic2fan train`` and ``critic2fan eval``."""

from __future__ import annotations

import json
import signal
import threading
from pathlib import Path
from typing import Annotated

import typer

from critic2fan.cli import app_context


def score_command(
    ctx: typer.Context,
    worker: Annotated[
        bool, typer.Option("--worker", help="Keep running and score new mentions as they arrive.")
    ] = False,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Score at most N mentions, then stop.")
    ] = None,
    lease_seconds: Annotated[
        float,
        typer.Option(
            "--lease-seconds",
            min=1,
            help="With --worker: a claimed batch goes back to the queue if its worker has not "
            "finished it within this time (a killed worker's batch is retried after it).",
        ),
    ] = 300.0,
    threads: Annotated[
        int | None,
        typer.Option(
            "--threads", min=0, help="Compute threads for the model (default: model.threads)."
        ),
    ] = None,
) -> None:
    """Score every mention the configured model has not scored yet."""
    from datetime import timedelta

    from scoring.factory import load_scorer
    from scoring.worker import run_worker, score_pending

    actx = app_context(ctx)
    engine = actx.engine()
    model = actx.settings.model
    if threads is not None:
        model = model.model_copy(update={"threads": threads})
    scorer = load_scorer(model)
    if not worker:
        done = score_pending(
            engine, scorer, batch_size=model.batch_size, limit=limit, progress=True
        )
        typer.echo(f"scored {done} mentions with {scorer.model_name} {scorer.model_version}")
        return
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    typer.echo(f"scoring worker running ({scorer.model_name} {scorer.model_version}); Ctrl-C stops")
    done = run_worker(
        engine,
        scorer,
        stop=stop,
        batch_size=model.batch_size,
        max_wait_ms=model.max_wait_ms,
        lease=timedelta(seconds=lease_seconds),
    )
    typer.echo(f"scored {done} mentions")


def train_command(
    out: Annotated[
        Path | None, typer.Option("--out", help="Folder for adapter + heads (default: bundled).")
    ] = None,
    seed: Annotated[
        int | None, typer.Option(help="Random seed (default: the shipped one).")
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", min=20, help="Rows per task (quick trial runs).")
    ] = None,
) -> None:
    """Re-train the encoder adapter and the heads from the public data packages, from scratch."""
    from scoring.heads import HEADS_DIR
    from scoring.train import SEED, TrainConfig, train_and_save

    cfg = TrainConfig(seed=SEED if seed is None else seed, limit=limit, progress=True)
    metrics = train_and_save(cfg, out or HEADS_DIR)
    typer.echo(json.dumps({"out": str(out or HEADS_DIR), "validation": metrics}))


def eval_command(
    ctx: typer.Context,
    task: Annotated[str, typer.Option("--task", help="sentiment or toxicity.")],
    data: Annotated[Path, typer.Option("--data", help="CSV with columns text,label.")],
    baseline: Annotated[
        str | None, typer.Option("--baseline", help="Also report a baseline: vader.")
    ] = None,
) -> None:
    """Print a per-class report; the last line is one JSON object with the metrics."""
    from core.errors import InputError
    from listener.language import language_of
    from scoring.evaluate import (
        evaluate,
        read_labelled_csv,
        scorer_predictor,
        vader_predictor,
    )
    from scoring.factory import load_scorer

    if baseline not in (None, "vader"):
        raise InputError(f"unknown baseline {baseline!r}: the only one is vader")
    texts, labels = read_labelled_csv(data, task)
    result: dict[str, object] = {}
    if baseline == "vader":
        report, base_metrics = evaluate(vader_predictor(task), task, texts, labels)
        typer.echo(f"== baseline: VADER ({task}, {len(texts)} rows)\n{report}")
        result["baseline"] = {"name": "vader", **base_metrics}
    scorer = load_scorer(app_context(ctx).settings.model)
    predictor = scorer_predictor(scorer, task, language_of=language_of)  # as stored mentions
    report, metrics = evaluate(predictor, task, texts, labels)
    typer.echo(f"== {scorer.model_name} {scorer.model_version} ({task}, {len(texts)} rows)")
    typer.echo(report)
    typer.echo(
        json.dumps(
            {**metrics, "model": scorer.model_name, "model_version": scorer.model_version, **result}
        )
    )


def register(app: typer.Typer) -> None:
    """Add the scoring commands to the CLI."""
    app.command("score")(score_command)
    app.command("train")(train_command)
    app.command("eval")(eval_command)
