"""Checks of the records a fault could leave behind: credits (G1), verification runs (G14, G15)
and webhook events (G3, G4, G7)."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, Subquery

from projects.models import CreditLedgerEntry, Project
from projects.models.credits import CreditReason
from submissions.models import RunState, Submission, SubmissionSource, SubmissionStatus
from submissions.reconcile.report import CAP, SLACK, CheckReport, Finding, Scope, beat_interval, finding_of, found
from submissions.services.process import processing_lease, queued_stale
from webhooks import services as webhook_services
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookOutbox

# The longest incomplete_timeout_hours a project may set (policy.settings: 1–720): an incomplete
# submission older than that was due for the expiry sweep whatever its project's setting.
LONGEST_TIMEOUT = dt.timedelta(hours=720)


# --- 1. credits (G1) ----------------------------------------------------------------------------


def _ledger_breaks(scope: Scope) -> Finding:
    """Entries whose ``balance_after`` is not the previous one's plus ``delta`` (rows of one
    project are written under its row lock, so their ids follow the balance)."""
    where, params = ("WHERE project_id = %s", [scope.project_id]) if scope.project_id is not None else ("", [])
    sql = (
        "SELECT id FROM (SELECT id, balance_after, delta, LAG(balance_after) OVER "
        f"(PARTITION BY project_id ORDER BY id) AS previous FROM projects_creditledgerentry {where}) AS chain "
        "WHERE previous IS NOT NULL AND balance_after <> previous + delta ORDER BY id"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({sql}) AS breaks", params)
        count = cursor.fetchone()[0]
        cursor.execute(f"{sql} LIMIT {CAP}", params)
        ids = tuple(str(row[0]) for row in cursor.fetchall())
    return Finding("ledger entry that does not follow the one before", count, ids)


def credits_reconcile(scope: Scope) -> CheckReport:
    debits = CreditLedgerEntry.objects.filter(reason=CreditReason.SUBMISSION)
    debited = Exists(CreditLedgerEntry.objects.filter(submission=OuterRef("pk")))
    latest = CreditLedgerEntry.objects.filter(project=OuterRef("pk")).order_by("-pk").values("balance_after")[:1]
    projects = Project.objects.filter(Exists(CreditLedgerEntry.objects.filter(project=OuterRef("pk"))))
    if scope.project_id is not None:
        projects = projects.filter(pk=scope.project_id)
    return CheckReport(
        name="credits",
        goals=("G1",),
        proves="every created submission has exactly one debit and the ledger adds up to the balance",
        findings=found(
            finding_of("submission without its debit",
                       scope.of(Submission.objects.exclude(source=SubmissionSource.MIGRATION)).filter(~debited)),
            finding_of("debit without a submission", scope.of(debits.filter(submission__isnull=True))),
            finding_of("debit of a migrated submission (never charged)",
                       scope.of(debits.filter(submission__source=SubmissionSource.MIGRATION))),
            finding_of("submission entry that is not one credit",
                       scope.of(CreditLedgerEntry.objects.filter(submission__isnull=False).filter(
                           ~Q(delta=-1) | ~Q(reason=CreditReason.SUBMISSION)))),
            _ledger_breaks(scope),
            finding_of("project whose balance is not its last ledger entry's",
                       projects.annotate(last=Subquery(latest)).exclude(credits=F("last")), "pid"),
        ),
    )  # fmt: skip


# --- 2. verification runs (G14, G15) ------------------------------------------------------------


def runs_reconcile(scope: Scope) -> CheckReport:
    requeue_every = beat_interval("submissions-requeue-stuck")
    queued_by = scope.now - (queued_stale() + requeue_every + SLACK)
    claimed_by = scope.now - (processing_lease() + requeue_every + SLACK)
    expired_by = scope.now - (LONGEST_TIMEOUT + beat_interval("submissions-expire-incomplete") + SLACK)
    runs = scope.of(Submission.objects.all())
    return CheckReport(
        name="runs",
        goals=("G14", "G15"),
        proves="every queued submission was decided, failed with a visible reason, or is still in flight",
        findings=found(
            finding_of("queued long past the sweeper's re-send", runs.filter(
                Q(queued_at__isnull=True) | Q(queued_at__lt=queued_by), run_state=RunState.QUEUED)),
            finding_of("processing long past its lease", runs.filter(
                Q(claimed_at__isnull=True) | Q(claimed_at__lt=claimed_by), run_state=RunState.PROCESSING)),
            finding_of("decided without a decision", runs.filter(
                Q(decided_at__isnull=True) | Q(status=SubmissionStatus.INCOMPLETE), run_state=RunState.DECIDED)),
            finding_of("failed without a reason", runs.filter(run_state=RunState.FAILED, failure_reason="")),
            finding_of("incomplete long past any timeout (the expiry sweep did not reject it)", runs.filter(
                status=SubmissionStatus.INCOMPLETE, submitted_at__isnull=True, created_at__lt=expired_by)),
        ),
    )  # fmt: skip


# --- 3. webhooks (G3, G4, G7) -------------------------------------------------------------------


def webhooks_reconcile(scope: Scope) -> CheckReport:
    sweep_every = beat_interval("webhooks-sweep-due")
    due_by = scope.now - (sweep_every + webhook_services.WAKE_HOLD + SLACK)
    # An event emitted while the project had its endpoint got a delivery in the same transaction;
    # a delivered one may have been pruned (its event keeps delivered_at), a dead one after KEEP_DEAD.
    endpoint_then = Exists(
        WebhookEndpoint.objects.filter(project=OuterRef("project"), created_at__lte=OuterRef("created_at"))
    )
    undelivered = scope.of(WebhookOutbox.objects.filter(endpoint_then, delivered_at__isnull=True)).filter(
        ~Exists(WebhookDelivery.objects.filter(event=OuterRef("pk"))),
        created_at__gte=scope.now - webhook_services.KEEP_DEAD,
    )
    waiting = scope.of(WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING))
    held = waiting.filter(endpoint__is_active=False).count()
    overdue = waiting.filter(endpoint__is_active=True, next_attempt_at__lt=due_by).exclude(
        webhook_services.earlier_waiting()
    )
    stale_lease = Q(locked_until__isnull=True) | Q(locked_until__lt=scope.now - (sweep_every + SLACK))
    notes = (
        (f"{held} pending deliveries held for a disabled endpoint (sent once its URL is set again)",) if held else ()
    )
    return CheckReport(
        name="webhooks",
        goals=("G3", "G4", "G7"),
        proves="every outbox event is delivered, dead-lettered, or pending and not overdue",
        findings=found(
            finding_of("event without a delivery to its endpoint", undelivered),
            finding_of("delivery overdue (the sweeper did not send it)", overdue, "webhook_id"),
            finding_of("delivery in flight long past its lease",
                       scope.of(WebhookDelivery.objects.filter(stale_lease, status=DeliveryStatus.IN_FLIGHT)),
                       "webhook_id"),
        ),
        notes=notes,
    )  # fmt: skip
