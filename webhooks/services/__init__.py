"""Writes of the webhooks app (G3–G8), one module per concept: ``emit`` (the event and its
delivery in the caller's transaction, the wake-up after commit), ``endpoints`` (the URL and its
signing secrets), ``replay`` (test sends, replays and resends an owner asks for), ``due`` (what
may be attempted now, the sweep, the claim), ``send`` (one attempt and its outcome) and
``prune``. Every name is importable from here.

Delivery in short: ``webhook_event_emit`` writes the event and its delivery rows in the
caller's transaction and, after commit, wakes ``webhook_delivery_send_task``. The task claims
the row with a conditional UPDATE (pending and due, or in flight with an expired lease, and no
earlier event of the same resource still waiting: G5), renders and seals the body at the first
attempt, signs, POSTs through ``idcheck.lib.http`` and records the attempt. The beat task
``webhook_deliveries_sweep_task`` re-sends whatever is due, so a lost Celery message or a dead
worker only delays a delivery (RELIABILITY.md A7).
"""

from webhooks.services.due import (
    LEASE,
    SWEEP_BATCH,
    WAKE_HOLD,
    WORKER_LOST,
    earlier_waiting,
    webhook_deliveries_due,
    webhook_deliveries_sweep,
    webhook_delivery_claim,
)
from webhooks.services.emit import next_sequence, wake, wake_after_commit, webhook_event_emit
from webhooks.services.endpoints import (
    ROTATION_OVERLAP,
    SECRET_PURPOSE,
    webhook_endpoint_get,
    webhook_endpoint_set,
    webhook_secret_rotate,
    webhook_secrets_live,
    webhook_url_of,
)
from webhooks.services.errors import WebhookError
from webhooks.services.prune import KEEP_DEAD, KEEP_DELIVERED, webhook_deliveries_prune
from webhooks.services.replay import (
    TEST_EVENT,
    webhook_deliveries_replay_range,
    webhook_delivery_replay,
    webhook_event_resend,
    webhook_test_send,
)
from webhooks.services.send import BODY_PURPOSE, DISABLE_AFTER, AttemptResult, webhook_delivery_send

__all__ = [
    "AttemptResult",
    "BODY_PURPOSE",
    "DISABLE_AFTER",
    "KEEP_DEAD",
    "KEEP_DELIVERED",
    "LEASE",
    "ROTATION_OVERLAP",
    "SECRET_PURPOSE",
    "SWEEP_BATCH",
    "TEST_EVENT",
    "WAKE_HOLD",
    "WORKER_LOST",
    "WebhookError",
    "earlier_waiting",
    "next_sequence",
    "wake",
    "wake_after_commit",
    "webhook_deliveries_due",
    "webhook_deliveries_prune",
    "webhook_deliveries_replay_range",
    "webhook_deliveries_sweep",
    "webhook_delivery_claim",
    "webhook_delivery_replay",
    "webhook_delivery_send",
    "webhook_endpoint_get",
    "webhook_endpoint_set",
    "webhook_event_emit",
    "webhook_event_resend",
    "webhook_secret_rotate",
    "webhook_secrets_live",
    "webhook_test_send",
    "webhook_url_of",
]
