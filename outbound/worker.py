"""The sender worker: posts each approved reply once, through its platform's sender.

One pass (:meth:`SenderWorker.step`)::

    claim due rows under a lease      committed as `sending`, attempt time stamped (store.outbox)
    for each row:
        reconcile first when an earlier attempt may have posted it:
            Sender.find_sent (a standalone post: find_post) (since = first attempt - margin)
            found       -> record sent (nothing is posted again)
            not found   -> within the platform's echo grace: wait (the listener's echo may link it)
                           after it: stamp a new attempt (committed), then send
        Sender.send (a standalone post: Sender.post)
            receipt          -> sent, with the platform's id and URL
            SendRejected     -> failed, in the platform's words; never retried by itself
            SourceRateLimited-> approved again after the platform's reset; the platform pauses
            SourceUnavailable-> approved again after a backoff, reconciled before the next try
                                (a 5xx or a timeout may come after the post was made)

Exactly once rests on three things: the attempt is on disk before the call, a row whose result
was not recorded is looked up before it is posted again, and every record names the worker's
lease, so a worker that lost its lease cannot overwrite what its successor found. The lease must
outlast a send (the senders' timeouts are far shorter); a row whose lease is half spent is put
back unsent instead of being posted late.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from core.backoff import Backoff
from core.clock import SYSTEM_CLOCK, Clock
from core.errors import SourceAuthError, SourceError, SourceRateLimited
from outbound.base import OutgoingPost, OutgoingReply, Sender, SendRejected, SentReceipt
from store import outbox
from store.outbox import OUTBOX_CHANNEL, Claim
from store.polling import run_until_stopped
from store.wakeup import Wakeup, wakeup_for

log = logging.getLogger(__name__)

#: How long a claim holds a row; a dead worker's rows are reconciled after it.
DEFAULT_LEASE = timedelta(minutes=2)
#: How far before the first attempt a reconciling lookup starts (the platform's clock may lag).
RECONCILE_MARGIN = timedelta(minutes=2)


@dataclass
class SenderStats:
    """What a worker did, for logs and the benchmark."""

    sent: int = 0
    failed: int = 0
    deferred: int = 0
    reconciled: int = 0
    lost_lease: int = 0
    send_seconds: list[float] = field(default_factory=list)


class SenderWorker:
    """Claims approved outbox rows and posts each once through ``senders[platform]``.

    ``echo_grace`` (per platform) is how long after an unrecorded attempt the worker waits for
    the listener's echo before posting again when ``find_sent`` sees nothing: zero where the
    platform's lookup reads the brand's own posts at once, longer where it may lag. ``backoff``
    makes the per-row backoff (its failure count is the row's attempts).
    """

    def __init__(
        self,
        engine: Engine,
        senders: Mapping[str, Sender],
        *,
        worker: str | None = None,
        lease: timedelta = DEFAULT_LEASE,
        batch: int = 5,
        clock: Clock = SYSTEM_CLOCK,
        echo_grace: Mapping[str, timedelta] | None = None,
        backoff: Callable[[], Backoff] | None = None,
        margin: timedelta = RECONCILE_MARGIN,
    ) -> None:
        self.engine = engine
        self.senders = dict(senders)
        self.worker = worker or f"{socket.gethostname()}:{os.getpid()}"
        self.lease = lease
        self.batch = batch
        self.clock = clock
        self.echo_grace = dict(echo_grace or {})
        self.make_backoff = backoff or (lambda: Backoff(base=2.0, cap=300.0, clock=clock))
        self.margin = margin
        self.paused_until: dict[str, datetime] = {}
        self.stats = SenderStats()

    # -- one pass ------------------------------------------------------------------------

    def step(self) -> int:
        """Claim and handle one batch; return how many rows it handled."""
        now = self.clock.now()
        platforms = [p for p in self.senders if self.paused_until.get(p, now) <= now]
        if not platforms:
            return 0
        claims = outbox.claim(
            self.engine,
            worker=self.worker,
            limit=self.batch,
            lease=self.lease,
            now=now,
            platforms=platforms,
        )
        for item in claims:
            self.handle(item, claimed_at=now)
        return len(claims)

    def next_wait(self, idle_s: float) -> float:
        """Seconds to wait when idle: ``idle_s``, or less when a paused platform resumes sooner."""
        now = self.clock.now()
        waits = [(t - now).total_seconds() for t in self.paused_until.values() if t > now]
        return max(0.0, min([idle_s, *waits]))

    def handle(self, item: Claim, *, claimed_at: datetime) -> None:
        """Reconcile if needed, then post ``item`` and record what the platform said."""
        sender = self.senders[item.platform]
        reply = outgoing(item)
        now = self.clock.now()
        paused = self.paused_until.get(item.platform)
        if paused is not None and paused > now:
            self._put_back(item, paused, "the platform's rate limit")
            return
        if now - claimed_at > self.lease / 2:
            self._put_back(item, now, "put back before its lease ran out")
            return
        if item.reconcile and not self._reconcile(sender, item, reply):
            return
        self._send(sender, item, reply)

    def _put_back(self, item: Claim, until: datetime, reason: str) -> None:
        """Return an untried row; one that needed reconciling still does."""
        self._defer(item, until, uncertain=item.reconcile, reason=reason)

    # -- the parts -----------------------------------------------------------------------

    def _reconcile(self, sender: Sender, item: Claim, reply: OutgoingReply | OutgoingPost) -> bool:
        """True: not posted before, a new attempt is stamped, send now. False: handled."""
        now = self.clock.now()
        since = (item.first_attempt_at or item.attempt_at or now) - self.margin
        try:
            if isinstance(reply, OutgoingPost):
                found = sender.find_post(reply, since=since)
            else:
                found = sender.find_sent(reply, since=since)
        except SourceError as exc:
            self._transient(item, exc, uncertain=True)
            return False
        if found is not None:
            log.info("outbox #%d was posted before (%s); recorded", item.id, found.platform_id)
            self.stats.reconciled += 1
            self._sent(item, found)
            return False
        grace = self.echo_grace.get(item.platform, timedelta(0))
        if item.attempt_at is not None and now < item.attempt_at + grace:
            reason = "not found on the platform yet; waiting for its echo"
            self._defer(item, item.attempt_at + grace, uncertain=True, reason=reason)
            return False
        if not outbox.begin_attempt(
            self.engine, item.id, worker=self.worker, lease=self.lease, now=now
        ):
            self._lost(item)
            return False
        return True

    def _send(self, sender: Sender, item: Claim, reply: OutgoingReply | OutgoingPost) -> None:
        started = self.clock.now()
        try:
            receipt = deliver(sender, reply)
        except SendRejected as exc:
            self._failed(item, exc.reason)
        except SourceAuthError as exc:
            self._failed(item, f"the platform refused the brand's credentials: {exc}")
        except SourceRateLimited as exc:
            self._transient(item, exc, uncertain=False)
        except SourceError as exc:
            self._transient(item, exc, uncertain=True)
        except Exception as exc:  # noqa: BLE001  (a sender's bug must not stop the others)
            log.exception("outbox #%d: the %s sender failed", item.id, item.platform)
            self._transient(item, exc, uncertain=True)
        else:
            self.stats.send_seconds.append((self.clock.now() - started).total_seconds())
            self._sent(item, receipt)

    def _sent(self, item: Claim, receipt: SentReceipt) -> None:
        done = outbox.mark_sent(
            self.engine,
            item.id,
            worker=self.worker,
            platform_post_id=receipt.platform_id,
            url=receipt.url,
            now=self.clock.now(),
        )
        if done:
            self.stats.sent += 1
            log.info("outbox #%d sent on %s: %s", item.id, item.platform, receipt.platform_id)
        else:
            self._lost(item)

    def _failed(self, item: Claim, reason: str) -> None:
        log.warning("outbox #%d refused by %s: %s", item.id, item.platform, reason)
        if outbox.mark_failed(
            self.engine, item.id, worker=self.worker, reason=reason, now=self.clock.now()
        ):
            self.stats.failed += 1
        else:
            self._lost(item)

    def _transient(self, item: Claim, exc: BaseException, *, uncertain: bool) -> None:
        now = self.clock.now()
        backoff = self.make_backoff()
        backoff.attempts = max(0, item.attempts - 1)
        until = now + timedelta(seconds=backoff.delay_for(exc, now=now))
        if isinstance(exc, SourceRateLimited):
            self.paused_until[item.platform] = max(until, self.paused_until.get(item.platform, now))
        log.warning(
            "outbox #%d: %s unavailable (%s); again at %s", item.id, item.platform, exc, until
        )
        self._defer(item, until, uncertain=uncertain, reason=str(exc)[:500] or type(exc).__name__)

    def _defer(self, item: Claim, until: datetime, *, uncertain: bool, reason: str) -> None:
        if outbox.defer(
            self.engine,
            item.id,
            worker=self.worker,
            until=until,
            uncertain=uncertain,
            reason=reason,
            now=self.clock.now(),
        ):
            self.stats.deferred += 1
        else:
            self._lost(item)

    def _lost(self, item: Claim) -> None:
        self.stats.lost_lease += 1
        log.warning("outbox #%d: this worker's lease ran out; its successor reconciles", item.id)


def deliver(sender: Sender, what: OutgoingReply | OutgoingPost) -> SentReceipt:
    """Post a reply, or a standalone post, through ``sender``."""
    if isinstance(what, OutgoingPost):
        return sender.post(what)
    return sender.send(what)


def outgoing(item: Claim) -> OutgoingReply | OutgoingPost:
    """What a sender needs from a claimed row: a reply, or a post on the brand's channel."""
    if item.standalone:
        return OutgoingPost(
            idempotency_key=item.idempotency_key, platform=item.platform, text=item.text
        )
    return OutgoingReply(
        idempotency_key=item.idempotency_key,
        platform=item.platform,
        text=item.text,
        private=item.private,
        in_reply_to=item.in_reply_to,
        thread_root=item.thread_root,
        recipient_id=item.recipient_id,
        recipient_handle=item.recipient_handle,
    )


def run_sender(
    engine: Engine,
    senders: Mapping[str, Sender],
    *,
    stop: threading.Event,
    idle_s: float = 5.0,
    wake: Wakeup | None = None,
    **options: object,
) -> SenderWorker:
    """Run a :class:`SenderWorker` until ``stop`` is set; approvals wake it on PostgreSQL."""
    worker = SenderWorker(engine, senders, **options)  # type: ignore[arg-type]
    wake = wake or wakeup_for(engine, [OUTBOX_CHANNEL])
    log.info("sender worker %s started for %s", worker.worker, ", ".join(sorted(senders)))
    try:
        run_until_stopped(
            worker.step,
            stop=stop,
            wake=wake,
            idle_s=lambda: worker.next_wait(idle_s),
            name="sender",
        )
    finally:
        wake.close()
    return worker
