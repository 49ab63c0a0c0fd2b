"""The Return URL (spec §7): the project's URL with the dynamic fields it chose appended.

Field names are exactly the spec's (case-sensitive): ``kycStatus``, ``submissionId``,
``userid``, ``email``, ``cf1``–``cf3`` and, on error exits only, ``errorCode``. A field without
a value is left out. With the encrypted option the fields travel as one ``encrypted`` value:
AES-256-ECB (PKCS#7, base64) of their JSON under the project's payload key (§5.1, §5.3: the
SHA-256 of its API key or, per its ``encryption_key`` setting, of its secretKey). A URL that
already has a query string keeps it and gets the fields after ``&``; a fragment stays last.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode, urlsplit, urlunsplit

from idcheck.lib.crypto import payload_encrypt_ecb
from projects.liveform import liveform_settings_get
from projects.models import Project
from projects.selectors import project_payload_key
from submissions.flow.state import FlowState
from submissions.models import Submission, SubmissionStatus


def return_url(project: Project, *, state: FlowState | None, submission: Submission | None,
               error_code: str = "") -> str:  # fmt: skip
    """The URL to send the end user to, or "" when the project has none."""
    settings = liveform_settings_get(project)
    if not settings.return_url:
        return ""
    values = {
        "kycStatus": submission.status if submission and submission.status != SubmissionStatus.INCOMPLETE else "",
        "submissionId": submission.id if submission else "",
        "userid": state.params.userid if state else "",
        "email": state.email if state else "",
        "cf1": state.params.cf1 if state else "",
        "cf2": state.params.cf2 if state else "",
        "cf3": state.params.cf3 if state else "",
        "errorCode": error_code,
    }
    fields = {name: values[name] for name in settings.return_fields if values.get(name)}
    if not fields:
        return settings.return_url
    if settings.return_encrypted:
        key = project_payload_key(project=project)
        if key is None:  # nothing to encrypt with: the fields are not sent in the clear either
            return settings.return_url
        query = urlencode({"encrypted": payload_encrypt_ecb(json.dumps(fields).encode(), key=key)})
    else:
        query = urlencode(fields)
    parts = urlsplit(settings.return_url)
    joined = f"{parts.query}&{query}" if parts.query else query
    return urlunsplit(parts._replace(query=joined))
