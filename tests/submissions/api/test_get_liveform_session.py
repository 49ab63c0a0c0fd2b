"""GET shows what a Liveform link carried: the private-mode token as the top-level ``tokenId``
(spec §3.1) and the policy switches in the ``idcheck`` extension, never inside ``data``."""

from __future__ import annotations

from projects.actors import Actor
from submissions.services import SubmissionDetails, submission_create

ACTOR = Actor.system("test")


def _item(api_client, submission) -> dict:
    return api_client.get(f"/v3/submission?submission_id={submission.id}").json()["Items"][0]


def test_a_liveform_sessions_token_and_switches_are_shown_where_they_belong(api_client, project):
    # given
    details = SubmissionDetails(email="p@example.com", cf1="crm-7", token_id="user001a",
                                policy_overrides=(("ageLimit", False), ("rejectDuplicateUser", True)))  # fmt: skip
    submission = submission_create(project=project, source="liveform", actor=ACTOR, images={}, details=details)

    # when
    item = _item(api_client, submission)

    # then
    assert item["tokenId"] == "user001a"
    assert item["idcheck"]["session_overrides"] == {"ageLimit": False, "rejectDuplicateUser": True}
    assert item["data"] == {"cf1": "crm-7"}


def test_a_submission_without_a_link_has_neither(api_client, project):
    submission = submission_create(project=project, source="api", actor=ACTOR, images={},
                                   details=SubmissionDetails(email="p@example.com"))  # fmt: skip

    item = _item(api_client, submission)

    assert "tokenId" not in item
    assert "session_overrides" not in item["idcheck"]
