"""G23: what the logs and the Event Log hold after a full life of a submission, and what a hostile
request can write into a log line. Canary values that only the person or the admin typed, and
the secrets the run handled, must appear in neither; control characters never reach a log line."""

from __future__ import annotations

import base64
import json
import logging
from urllib.parse import quote

import pytest
from django.test import Client

from projects.actors import Actor
from projects.models import AuditEvent
from projects.services import project_settings_update
from tests.conftest import TEST_HOST
from tests.submissions.api.helpers import passport_case
from webhooks.models import WebhookEndpoint
from webhooks.services import webhook_secrets_live

EMAIL = "canary.person.q7f3@example.com"
USERID = "canary-userid-x9k2"
URL = "/v3/submission"


def _audit_text() -> str:
    return json.dumps(list(AuditEvent.objects.values()), default=str)


@pytest.fixture
def everything_logged(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


def test_a_submissions_life_leaves_no_personal_data_or_secret_in_the_logs_or_the_event_log(
    project, owner, issued_key, api_client, everything_logged
):
    # given: a webhook endpoint (its secret is a secret too) and the admin who will delete
    project_settings_update(project=project, changes={"webhook_url": "https://hooks.example.com/in"},
                            actor=Actor.system("test"))  # fmt: skip
    [secret] = webhook_secrets_live(WebhookEndpoint.objects.get(project=project))
    case = passport_case()
    body = {"idImage": base64.b64encode(case.front).decode(), "selfieImage": base64.b64encode(case.selfie).decode(),
            "email": EMAIL, "userid": USERID}  # fmt: skip

    # when: created and verified, read, listed by e-mail, deleted by the admin named in the URL
    created = api_client.post(URL, data=json.dumps(body), content_type="application/json")
    submission_id = created.json()["submissionId"]
    read = api_client.get(f"{URL}?submission_id={submission_id}")
    listed = api_client.get(f"{URL}?email={EMAIL}")
    deleted = api_client.delete(f"{URL}?submission_id={submission_id}&admin_name={owner.email}")

    # then
    assert [r.status_code for r in (created, read, listed, deleted)] == [200, 200, 200, 200]
    assert EMAIL in read.content.decode()  # the canaries did go through the system
    logged = everything_logged.text + "\n".join(record.getMessage() for record in everything_logged.records)
    assert "submission.deleted" in _audit_text()
    for haystack in (logged, _audit_text()):
        for canary in (EMAIL, USERID, owner.email, issued_key.plaintext, secret, secret.removeprefix("whsec_")):
            assert canary not in haystack
        assert "whsec_" not in haystack


@pytest.mark.parametrize(
    "hostile",
    [
        "evil\r\n2026-01-01 00:00:00 INFO idcheck.access [forged] GET /admin 200",
        "colours\x1b[31mred\x1b[0m and a bell\x07",
        "nul\x00byte and a unicode line separator\u2028done",
    ],
)
def test_control_characters_in_the_user_agent_or_the_path_never_reach_a_log_line(issued_key, everything_logged,
                                                                                   hostile):  # fmt: skip
    # given
    client = Client(HTTP_HOST=TEST_HOST, HTTP_USER_AGENT=hostile, HTTP_X_API_KEY=issued_key.plaintext)

    # when: the API, an unknown API path carrying the characters, and the Liveform
    client.get(URL)
    client.get("/v3/" + quote(hostile))
    client.get("/form/", {"pid": issued_key.api_key.project.pid})

    # then: every line is one line of printable characters
    lines = [record.getMessage() for record in everything_logged.records]
    assert any("/v3/" in line for line in lines)
    for line in lines:
        assert line.isprintable(), repr(line)
    assert not [line for line in everything_logged.text.splitlines() if line.startswith("2026-01-01")]
