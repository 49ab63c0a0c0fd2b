"""A JSON body past DATA_UPLOAD_MAX_MEMORY_SIZE is a 413 on every JSON endpoint, never a 500,
and changes nothing."""

from __future__ import annotations

import json

import pytest

from projects.models import AuditEvent
from webhooks.models import WebhookOutbox


@pytest.mark.parametrize(
    ("method", "path"),
    [("patch", "/v3/submission"), ("post", "/v3/submission/review"), ("post", "/v3/submission/tokens"),
     ("post", "/v3/submission/migration")],
)  # fmt: skip
def test_an_oversized_json_body_is_refused_with_413(api_client, project, settings, method, path):
    # given: a body just past the limit
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    body = json.dumps({"submissionId": "x", "admin": "a@example.com", "data": {"fullName": "A" * 4096}})
    before = (AuditEvent.objects.filter(project=project).count(), WebhookOutbox.objects.count())

    # when
    response = getattr(api_client, method)(path, body, content_type="application/json")

    # then
    assert (response.status_code, response.json()) == (413, {"message": "Request Entity Too Large"})
    assert (AuditEvent.objects.filter(project=project).count(), WebhookOutbox.objects.count()) == before
