"""``critic2fan run``: listen, score, work the playbook and send replies at once, in one process.

Each stage runs in its own thread over the store, exactly as the separate worker commands do
(``listen``, ``score --worker``, ``playbook run --worker``, ``send``): they share nothing but the
database, so stopping the process at any moment loses nothing and repeats nothing. The sender
runs only when a platform has sending on (``sources.<name>.send``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from critic2fan.context import AppContext

log = logging.getLogger(__name__)


@dataclass
class Pipeline:
    """The running stages and the one event that stops them all."""

    stop: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)
    runner: Any = None
    problems: list[str] = field(default_factory=list)
    #: The platforms replies are sent on (empty: the sender worker is not running).
    sending: list[str] = field(default_factory=list)

    def start_thread(self, name: str, target: Callable[[], Any]) -> None:
        """Run ``target`` in a named thread; an unexpected error is logged and stops the rest."""

        def guarded() -> None:
            try:
                target()
            except Exception:
                log.exception("%s stopped on an unexpected error; stopping the pipeline", name)
                self.shutdown()

        thread = threading.Thread(target=guarded, name=name, daemon=True)
        thread.start()
        self.threads.append(thread)

    def shutdown(self) -> None:
        """Ask every stage to finish its batch, save its place and stop."""
        self.stop.set()
        if self.runner is not None:
            self.runner.stop()

    def join(self, timeout: float = 30.0) -> None:
        """Wait for the stages to stop."""
        deadline = time.monotonic() + timeout
        if self.runner is not None:
            self.runner.join(timeout)
        for thread in self.threads:
            thread.join(max(0.0, deadline - time.monotonic()))


def start_pipeline(
    actx: AppContext, *, sources: list[str], listen: bool = True, interval_s: float = 5.0
) -> Pipeline:
    """Start the configured stages; returns at once with the running pipeline."""
    from critic2fan.senders import build_senders
    from outbound.worker import run_sender
    from playbooks import load_active_playbook
    from playbooks.runner import run_worker as run_playbook
    from scoring.factory import load_scorer
    from scoring.worker import run_worker as run_scorer

    engine: Engine = actx.engine()
    settings = actx.settings
    pipeline = Pipeline()
    playbook = load_active_playbook(settings.playbook_path, settings.facts_path)
    scorer = load_scorer(settings.model)  # fail before anything starts if the model is broken
    senders = build_senders(settings)  # and if a platform with sending on lacks a credential
    if listen:
        from listener.runner import Runner, matcher_for, plan_sources

        plan = plan_sources(settings.sources, settings.brand, sources)
        pipeline.problems = plan.problems
        if plan.sources:
            pipeline.runner = Runner(
                plan.sources, engine, matcher_for(settings.brand, settings.sources)
            )
            pipeline.runner.start()

    def score() -> None:
        run_scorer(
            engine,
            scorer,
            stop=pipeline.stop,
            batch_size=settings.model.batch_size,
            max_wait_ms=settings.model.max_wait_ms,
        )

    pipeline.start_thread("scorer", score)
    pipeline.start_thread(
        "playbook",
        lambda: run_playbook(engine, playbook, interval_s=interval_s, stop=pipeline.stop),
    )
    if senders:
        pipeline.sending = sorted(senders)
        pipeline.start_thread("sender", lambda: run_sender(engine, senders, stop=pipeline.stop))
    return pipeline


def status_line(engine: Engine) -> str:
    """Counts for the terminal: mentions stored and scored, open cases by stage."""
    from store.summary import mention_counts, open_cases_by_stage

    with engine.connect() as conn:
        mentions, scored = mention_counts(conn)
        stages = open_cases_by_stage(conn)
    open_cases = ", ".join(f"{stage} {count}" for stage, count in sorted(stages.items()))
    return f"{mentions} mentions, {scored} scored; open cases: {open_cases or 'none'}"
