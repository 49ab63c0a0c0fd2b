"""The rows check (G17, G19): decided submissions are whole, deleted ones keep nothing personal."""

from __future__ import annotations

import itertools
from collections import defaultdict

from django.db.models import Exists, OuterRef, Q, QuerySet, TextField
from django.db.models.functions import Cast

from idcheck.lib.crypto import DecryptionError
from policy.evidence import Evidence, EvidenceError
from submissions import vault
from submissions.models import CheckResult, FaceTemplate, RunState, Submission, SubmissionSource, SubmissionStatus
from submissions.reconcile.report import CAP, CheckReport, Finding, Scope, finding_of, found

STEPS_OF_EVERY_RUN = ("document_front", "liveness")  # steps.run_document / run_liveness always store one
DEEP_BATCH = 500


def rows_reconcile(scope: Scope, *, deep: bool = False) -> CheckReport:
    live = scope.of(Submission.objects.filter(wrapped_data_key__isnull=False))
    gone = scope.of(Submission.objects.filter(wrapped_data_key__isnull=True))
    decided = live.filter(run_state=RunState.DECIDED)
    ran = decided.filter(submitted_at__isnull=False).exclude(source=SubmissionSource.MIGRATION)
    kept = (~Q(sealed_metadata=None) | ~Q(sealed_evidence=None) | ~Q(sealed_decision=None) | ~Q(sealed_memo=None)
            | ~Q(email_lookup="") | ~Q(userid_lookup=""))  # fmt: skip
    # A partial deletion of ``applicant_id`` leaves an approval without one on purpose (the JSON
    # list as text: SQLite has no JSON containment).
    unassigned = live.filter(status=SubmissionStatus.APPROVED, applicant_id="").annotate(
        exclusions=Cast("duplicate_exclusions", TextField())
    )
    derived = Exists(CheckResult.objects.filter(submission=OuterRef("pk"))) | Exists(
        FaceTemplate.objects.filter(submission=OuterRef("pk"))
    )
    return CheckReport(
        name="rows",
        goals=("G17", "G19"),
        proves="decided submissions are whole and deleted ones keep nothing personal",
        findings=found(
            finding_of("decided without its sealed decision",
                       decided.exclude(source=SubmissionSource.MIGRATION).filter(sealed_decision=None)),
            finding_of("decided without its sealed evidence",
                       decided.filter(submitted_at__isnull=False, sealed_evidence=None)),
            # one anti-join per step: an OR of two would be probed row by row
            *(finding_of(f"decided run without its {step} check result",
                         ran.filter(~Exists(CheckResult.objects.filter(submission=OuterRef("pk"), step=step))))
              for step in STEPS_OF_EVERY_RUN),
            finding_of("approved without an applicant id", unassigned.exclude(exclusions__contains='"applicant_id"')),
            finding_of("deleted but sealed data or e-mail/userid lookups kept", gone.filter(kept)),
            finding_of("deleted but check results or face templates kept", gone.filter(derived)),
            *(_evidence_findings(ran.exclude(sealed_evidence=None)) if deep else ()),
        ),
    )  # fmt: skip


def _referenced_steps(evidence: Evidence) -> set[str]:
    """The steps whose CheckResult a run stored when its evidence holds what they found
    (``submissions.services.steps``): a face when there was a selfie, an age estimate when the
    faces were compared, the providers' and the bill's readings when they ran."""
    steps = set(STEPS_OF_EVERY_RUN)
    if evidence.face is not None:
        steps.add("face")
        if evidence.face.similarity is not None:
            steps.add("age")
    if evidence.third_party.checks:
        steps.add("third_party")
    if evidence.address.submitted:
        steps.add("address")
    return steps


def _evidence_findings(runs: QuerySet[Submission]) -> tuple[Finding, Finding]:
    """--deep: open each decided run's sealed evidence (a loop over those rows, in batches) and
    compare the steps it references with the CheckResults stored."""
    unopened: list[str] = []
    missing: list[str] = []
    rows = runs.order_by("pk").iterator(chunk_size=DEEP_BATCH)
    while batch := list(itertools.islice(rows, DEEP_BATCH)):
        stored: dict[str, set[str]] = defaultdict(set)
        results = CheckResult.objects.filter(submission_id__in=[row.pk for row in batch])
        for submission_id, step in results.values_list("submission_id", "step"):
            stored[submission_id].add(step)
        for submission in batch:
            try:
                opened = vault.open_json(submission, submission.sealed_evidence, context=vault.EVIDENCE_CONTEXT)
                evidence = Evidence.from_json(opened)
            except (DecryptionError, EvidenceError):
                unopened.append(submission.pk)
                continue
            if _referenced_steps(evidence) - stored[submission.pk]:
                missing.append(submission.pk)
    return (
        Finding("sealed evidence that does not open", len(unopened), tuple(unopened[:CAP])),
        Finding("decided run without a check result its evidence references", len(missing), tuple(missing[:CAP])),
    )
