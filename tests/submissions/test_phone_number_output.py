"""The SMS-verified ``phoneNumber`` once on a submission: GET /v3/submission's ``data``, the
approved webhook (§4.5), the dashboard's page, a projection hiding it (§2.13) and a partial
deletion forgetting it (§2.6)."""

from __future__ import annotations

from projects.actors import Actor
from projects.services import projection_save
from submissions import vault
from submissions.services import SubmissionDetails, submission_create, submission_delete_partial
from submissions.webhook_payloads import fill_personal_fields

ACTOR = Actor.system("test")
NUMBER = "+33612345678"


def _submission(project, **details):
    return submission_create(project=project, source="liveform", actor=ACTOR,
                             details=SubmissionDetails(cf1="shop-1", phone_number=NUMBER, **details))  # fmt: skip


def _item(api_client, submission) -> dict:
    [item] = api_client.get("/v3/submission", {"submission_id": submission.id}).json()["Items"]
    return item


def test_get_and_the_approved_webhook_show_the_number(api_client, project):
    submission = _submission(project)
    assert _item(api_client, submission)["data"] == {"phoneNumber": NUMBER, "cf1": "shop-1"}
    payload = fill_personal_fields(project, "approved", submission.id, {"webhook_trigger": "approved"})
    assert payload["phoneNumber"] == NUMBER
    assert "phoneNumber" not in fill_personal_fields(project, "rejected", submission.id, {})  # not in §4.6


def test_a_submission_without_a_number_has_none(api_client, project):
    submission = submission_create(project=project, source="liveform", actor=ACTOR, details=SubmissionDetails(cf1="x"))
    assert _item(api_client, submission)["data"] == {"cf1": "x"}
    assert "phoneNumber" not in fill_personal_fields(project, "approved", submission.id, {})


def test_a_projection_naming_phone_number_hides_it(api_client, project):
    saved = projection_save(project=project, name="no_phone", mode="exclude", fields=["phoneNumber"], actor=ACTOR)
    projection_id = saved.item["projection_id"]
    submission = _submission(project, projection=(projection_id, ("phoneNumber",)))
    # when
    item = _item(api_client, submission)
    payload = fill_personal_fields(project, "approved", submission.id, {})
    # then
    assert item["data"] == {"cf1": "shop-1"}
    assert "phoneNumber" not in payload
    assert payload["cf"] == {"cf1": "shop-1"}


def test_a_partial_deletion_of_phone_number_forgets_only_it(api_client, project):
    submission = _submission(project)
    # when
    submission_delete_partial(project=project, submission_id=submission.id, fields=["data"],
                              data_fields=["phoneNumber"], actor=ACTOR)  # fmt: skip
    # then
    submission.refresh_from_db()
    metadata = vault.open_json(submission, submission.sealed_metadata, context=vault.METADATA_CONTEXT)
    assert "phoneNumber" not in metadata
    assert metadata["cf1"] == "shop-1"
    assert _item(api_client, submission)["data"] == {"cf1": "shop-1"}


def test_the_dashboard_page_shows_the_number(dashboard_client, project):
    submission = _submission(project)
    page = dashboard_client.get(f"/dashboard/p/{project.pid}/submissions/{submission.pk}/").content.decode()
    assert f"<dt>phoneNumber</dt><dd>{NUMBER}</dd>" in page
