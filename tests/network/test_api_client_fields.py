"""``POST /v3/submission`` relays the end user's ``ipAddress`` and ``userAgent``."""

from __future__ import annotations

import json

from network.models import SubmissionClient
from submissions.models import Submission
from tests.submissions.api.helpers import b64, photo

URL = "/v3/submission"


def _post(client, body):
    return client.post(URL, data=json.dumps(body), content_type="application/json")


def test_the_declared_end_user_address_and_agent_are_kept_not_the_callers(api_client, project):
    # when
    response = _post(api_client, {"idImage": b64(photo()), "ipAddress": "2001:db8::7", "userAgent": "UA/1.0"})

    # then
    assert response.status_code == 200, response.content
    submission = Submission.objects.get(project=project)
    client = SubmissionClient.objects.get(submission_id=submission.id)
    assert (client.ip_address, client.ip_origin, client.user_agent) == ("2001:db8::7", "declared", "UA/1.0")


def test_without_the_fields_the_callers_address_is_not_taken_for_the_end_users(api_client, project):
    # when
    response = _post(api_client, {"idImage": b64(photo())})

    # then
    assert response.status_code == 200, response.content
    client = SubmissionClient.objects.get(submission_id=response.json()["submissionId"])
    assert (client.ip_address, client.ip_origin, client.user_agent) == (None, "", "")


def test_an_address_that_does_not_parse_is_refused(api_client, project):
    # when
    response = _post(api_client, {"idImage": b64(photo()), "ipAddress": "300.1.1.1"})

    # then
    assert response.status_code == 400
    assert response.json()["errorCode"] == "invalid_format"
    assert "ipAddress" in response.json()["message"]
    assert not Submission.objects.filter(project=project).exists()
