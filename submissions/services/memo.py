"""The reviewers' memo of a submission (spec §3.1 ``memo``: ``{"text", "updated_at"}``, the
dashboard's note), kept in ``Submission.sealed_memo`` under the submission's data key like every
other free text about the person: a full deletion destroys it with the key.

One memo per submission; setting it replaces the text, an empty text removes it. The Event Log
entry (``submission.memo_set``) says that the memo changed and its length, never the text, which
may quote personal data. No webhook: the spec has none for the memo.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from idcheck.errors import ApplicationError
from idcheck.lib.crypto import DecryptionError
from projects.actors import Actor
from projects.models import Project
from projects.services import audit_record
from submissions import vault
from submissions.models import Submission
from submissions.services.submission_access import locked_submission

MEMO_CONTEXT = vault.MEMO_CONTEXT
MAX_MEMO_LENGTH = 2000


class MemoTooLong(ApplicationError):
    code = "memo_too_long"


@dataclass(frozen=True)
class Memo:
    text: str
    updated_at: dt.datetime


def memo_open(submission: Submission) -> Memo | None:
    """The memo, or None when there is none or it can no longer be read (deleted submission)."""
    try:
        stored = vault.open_json(submission, submission.sealed_memo, context=MEMO_CONTEXT)
    except DecryptionError:
        return None
    if not stored:
        return None
    return Memo(text=stored["text"], updated_at=dt.datetime.fromisoformat(stored["updated_at"]))


def submission_memo_set(*, project: Project, submission_id: str, text: str, actor: Actor) -> Memo | None:
    """Replace the memo of one submission of ``project`` with ``text`` ("" removes it); returns
    the memo now stored. ``SubmissionNotFound`` for an unknown or deleted submission."""
    text = (text or "").strip()
    if len(text) > MAX_MEMO_LENGTH:
        raise MemoTooLong(f"The memo is longer than {MAX_MEMO_LENGTH} characters.")
    return _set(project, submission_id, text, actor)


@transaction.atomic
def _set(project: Project, submission_id: str, text: str, actor: Actor) -> Memo | None:
    submission = locked_submission(project, submission_id)
    current = memo_open(submission)
    if (current.text if current else "") == text:
        return current
    now = timezone.now()
    memo = Memo(text=text, updated_at=now) if text else None
    sealed = (
        vault.seal_json(submission, {"text": text, "updated_at": now.isoformat()}, context=MEMO_CONTEXT)
        if memo
        else None
    )
    # updated_at stays: the memo is the reviewers' note and has its own time, not a change of the submission
    Submission.objects.filter(pk=submission.pk).update(sealed_memo=sealed)
    audit_record(actor=actor, action="submission.memo_set", project=project, target_type="submission",
                 target_id=submission.pk, details={"length": len(text), "removed": memo is None})  # fmt: skip
    return memo
