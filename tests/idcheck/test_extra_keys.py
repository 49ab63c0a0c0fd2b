"""G10: Hypothesis adds random keys, server-owned names among them, to a valid creation body. The
first key the API does not take is refused by name with 400 ``invalid_parameter``; nothing is
created and no credit taken. (Every write operation with a fixed list of forged server-owned
fields: tests/idcheck/test_mass_assignment.py.)"""

from __future__ import annotations

import base64
import json

from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from submissions.api.create import SubmissionCreateInputSerializer
from submissions.models import Submission
from tests.conftest import TEST_HOST
from tests.submissions.api.helpers import photo

TAKEN = set(SubmissionCreateInputSerializer().fields)
SERVER_OWNED = ["status", "credits", "project", "projectId", "kyc", "result", "score", "submissionId", "id",
                "createdAt", "created_at", "storagePath", "apiKey", "reviewer", "decision", "applicantId"]  # fmt: skip
NAMES = st.one_of(st.sampled_from(SERVER_OWNED), st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,24}", fullmatch=True))
VALUES = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20), st.lists(st.integers(), max_size=3))
IMAGE = base64.b64encode(photo()).decode()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(extra=st.dictionaries(NAMES.filter(lambda name: name not in TAKEN), VALUES, min_size=1, max_size=4))
def test_any_key_the_api_does_not_take_is_refused_and_changes_nothing(issued_key, project, extra):
    # given
    body = {"idImage": IMAGE, "email": "a@example.com", **extra}
    client = Client(HTTP_HOST=TEST_HOST, HTTP_X_API_KEY=issued_key.plaintext)

    # when
    response = client.post("/v3/submission", data=json.dumps(body), content_type="application/json")

    # then
    assert response.status_code == 400
    answer = response.json()
    assert answer["errorCode"] == "invalid_parameter"
    assert answer["message"].removeprefix("invalid parameter: ") in extra
    project.refresh_from_db()
    assert project.credits == 100
    assert not Submission.objects.filter(project=project).exists()
