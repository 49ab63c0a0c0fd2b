"""Credit movements. Every change is one conditional UPDATE plus one ledger row."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from idcheck.errors import ApplicationError
from projects.actors import Actor
from projects.models import CreditLedgerEntry, Project, ProjectStatus
from projects.models.credits import CreditReason
from projects.services.audit import audit_record

MAX_TOP_UP = 10_000_000


class InsufficientCredits(ApplicationError):
    code = "insufficient_credits"
    http_status = 402

    def __init__(self) -> None:
        super().__init__("The project has no credits left. Top up credits to accept new submissions.")


class SubmissionsPaused(ApplicationError):
    code = "service_blocked"
    http_status = 403


def _refusal(project: Project) -> ApplicationError:
    """Why the conditional debit matched no row, read after it (the row is locked or settled)."""
    current = Project.objects.get(pk=project.pk)
    if current.status == ProjectStatus.CLOSED:
        return SubmissionsPaused("This project is closed and accepts no submissions.", code="project_closed")
    if current.emergency_stop:
        return SubmissionsPaused("Submissions are paused for this project (emergency stop).")
    if not current.in_submission_period(timezone.now()):
        return SubmissionsPaused("This project accepts submissions only during its submission period.",
                                 code="out_of_period")  # fmt: skip
    return InsufficientCredits()


def _balance(project: Project) -> int:
    return Project.objects.values_list("credits", flat=True).get(pk=project.pk)


def credits_debit_for_submission(*, project: Project, submission: object) -> CreditLedgerEntry:
    """Take one credit for ``submission``; must run inside the caller's transaction.

    ``UPDATE … WHERE credits >= 1 AND open`` is race-free under Read Committed: a losing
    writer re-checks the condition against the winner's committed row (RELIABILITY.md A5),
    and an emergency stop committed a moment earlier is seen the same way.
    """
    now = timezone.now()
    in_period = (Q(submission_period_start__isnull=True) | Q(submission_period_start__lte=now)) & (
        Q(submission_period_end__isnull=True) | Q(submission_period_end__gt=now)
    )
    accepting = Q(pk=project.pk, credits__gte=1, emergency_stop=False) & ~Q(status=ProjectStatus.CLOSED) & in_period
    debited = Project.objects.filter(accepting).update(credits=F("credits") - 1)
    if debited != 1:
        raise _refusal(project)
    return CreditLedgerEntry.objects.create(
        project=project,
        delta=-1,
        balance_after=_balance(project),
        reason=CreditReason.SUBMISSION,
        submission=submission,
    )


@transaction.atomic
def credits_top_up(*, project: Project, amount: int, actor: Actor, note: str = "") -> CreditLedgerEntry:
    """Staff add credits to a project (negative amounts are corrections, never below zero)."""
    if amount == 0 or abs(amount) > MAX_TOP_UP:
        raise ApplicationError(f"Amount must be between 1 and {MAX_TOP_UP:,} (or its negative).", code="invalid_amount")
    changed = Project.objects.filter(pk=project.pk, credits__gte=max(0, -amount)).update(credits=F("credits") + amount)
    if changed != 1:
        raise ApplicationError("A correction cannot take the balance below zero.", code="invalid_amount")
    entry = CreditLedgerEntry.objects.create(
        project=project,
        delta=amount,
        balance_after=_balance(project),
        reason=CreditReason.TOP_UP if amount > 0 else CreditReason.ADJUSTMENT,
        actor=actor.user,
        note=note[:200],
    )
    audit_record(
        actor=actor,
        action="credits.topped_up" if amount > 0 else "credits.adjusted",
        project=project,
        target_type="credit_ledger",
        target_id=str(entry.pk),
        details={"delta": amount, "balance_after": entry.balance_after},
    )
    project.credits = entry.balance_after
    return entry
