"""Shared by the test_duplicates_* modules: submissions with a data key, identity evidence."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from policy.evidence import DocumentEvidence, IdentityFields
from submissions import vault
from submissions.models import Submission, SubmissionSource


def keyed_submission(project, *, created_at: dt.datetime | None = None, status: str = "incomplete",
                     decided_at: dt.datetime | None = None, metadata: dict | None = None) -> Submission:  # fmt: skip
    submission = Submission(project=project, source=SubmissionSource.API, status=status, decided_at=decided_at)
    if created_at is not None:
        submission.created_at = created_at
    submission.wrapped_data_key = vault.new_wrapped_data_key(submission.id)
    submission.sealed_metadata = vault.seal_json(submission, metadata or {}, context=vault.METADATA_CONTEXT)
    submission.save()
    return submission


def person(**changes) -> DocumentEvidence:
    values = {
        "issuing_country": "UTO",
        "surname": "Müller-Lüdenscheidt",
        "given_names": "Anna Maria",
        "document_number": "L898902C3",
        "nationality": "UTO",
        "sex": "F",
        "birth_date": dt.date(1990, 1, 31),
        "expiry_date": dt.date(2030, 1, 1),
    }
    values.update(changes)
    return DocumentEvidence(kind="td3", id_type="passport", fields=IdentityFields(**values), mrz_valid=True)


def ago(**delta) -> dt.datetime:
    return timezone.now() - dt.timedelta(**delta)
