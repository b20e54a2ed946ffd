"""Replies that reach the critic: the senders, the rules checked before approval, the sender worker.

A stage package beside ``listener`` (it imports only ``core`` and ``store``). Staff and the engine
write to the outbox (``store.outbox``); the sender worker claims approved rows and posts each once
through the platform's :class:`~outbound.base.Sender`; the listener later sees the brand's own
post come back and links it to its outbox row (the echo).
"""
