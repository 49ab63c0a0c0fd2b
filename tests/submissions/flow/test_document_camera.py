"""The document steps offer the camera with the automatic shutter (document-camera.js) beside the
file input, with a guide of the document's proportions, and record the camera errors it meets."""

from __future__ import annotations

import json

import pytest

from submissions import vault
from submissions.flow.state import SESSION_KEY
from submissions.models import Submission
from tests.submissions.flow.helpers import confirm_details, flow_client, post, walk_to_capture
from tests.submissions.flow.test_capture import _upload


def _texts(page: str) -> dict:
    return json.loads(page.split('<script id="lf-doc-camera-texts" type="application/json">')[1].split("</script>")[0])


@pytest.mark.parametrize(("id_type", "aspect"), [("passport", "1.4205"), ("drivers_license", "1.5858")])
def test_the_front_page_offers_the_camera_with_the_documents_proportions(project, id_type, aspect):
    # given
    client = flow_client()
    walk_to_capture(client, project.pid, id_type=id_type)

    # when
    page = client.get("/form/front").content.decode()

    # then: the camera section, its endpoint and guide, and the file input still there
    assert '<section id="lf-doc-camera"' in page
    assert 'data-error-url="/form/front/camera-error"' in page
    assert f'data-aspect="{aspect}"' in page
    assert '<div id="lf-fallback">' in page
    assert 'accept="image/*" capture="environment"' in page
    texts = _texts(page)
    assert texts["blurry"] == "Hold the phone still, a little further away"
    assert texts["errors"]["NotFoundError"].startswith("No back camera was found")


def test_the_back_page_records_its_errors_under_its_own_name(project):
    # given: a two-sided card, its front taken
    client = flow_client()
    walk_to_capture(client, project.pid, id_type="drivers_license")
    assert _upload(client, "front")["Location"] == "/form/back"
    assert 'data-error-url="/form/back/camera-error"' in client.get("/form/back").content.decode()

    # when
    response = post(client, "/form/back/camera-error", {"error": "NotAllowedError"})

    # then
    assert response.json() == {"recorded": "NotAllowedError"}
    state = client.session[SESSION_KEY]
    assert (state["document_camera_errors"], state["camera_errors"]) == (["back:NotAllowedError"], [])


def test_document_camera_errors_are_kept_by_name_unknown_ones_as_other_and_at_most_ten(project):
    client = flow_client()
    walk_to_capture(client, project.pid)

    assert post(client, "/form/front/camera-error", {"error": "NotReadableError"}).json() == {
        "recorded": "NotReadableError"
    }
    assert post(client, "/form/front/camera-error", {"error": "<img>"}).json() == {"recorded": "Other"}
    for _ in range(12):
        post(client, "/form/front/camera-error", {"error": "AbortError"})

    errors = client.session[SESSION_KEY]["document_camera_errors"]
    assert errors[:3] == ["front:NotReadableError", "front:Other", "front:AbortError"]
    assert len(errors) == 10


def test_the_camera_error_endpoint_refuses_get_another_flow_and_another_step(project):
    client = flow_client()
    walk_to_capture(client, project.pid)

    assert client.get("/form/front/camera-error").status_code == 405
    assert client.post("/form/front/camera-error", {"flow": "another-flow", "error": "AbortError"}).status_code != 200
    # the flow is on the front step: the back's endpoint is not this step's
    assert post(client, "/form/back/camera-error", {"error": "AbortError"}).status_code == 302
    assert client.session[SESSION_KEY]["document_camera_errors"] == []


def test_camera_errors_met_before_choosing_photos_stay_with_the_submission(project, api_client, dashboard_client):
    # given: the document camera was refused, then the selfie camera was missing; photos were chosen
    client = flow_client()
    walk_to_capture(client, project.pid)
    post(client, "/form/front/camera-error", {"error": "NotAllowedError"})
    assert _upload(client, "front")["Location"] == "/form/review"
    assert confirm_details(client)["Location"] == "/form/selfie"
    post(client, "/form/selfie/camera-error", {"error": "NotFoundError"})

    # when
    assert _upload(client, "selfie")["Location"] == "/form/processing"

    # then: kept sealed with the submission, shown by GET in the extension and nowhere in data
    submission = Submission.objects.get(project=project)
    metadata = vault.open_json(submission, submission.sealed_metadata, context=vault.METADATA_CONTEXT)
    assert metadata["camera_errors"] == ["front:NotAllowedError", "selfie:NotFoundError"]
    item = api_client.get(f"/v3/submission?submission_id={submission.pk}").json()["Items"][0]
    assert item["idcheck"]["camera_errors"] == ["front:NotAllowedError", "selfie:NotFoundError"]
    assert "camera_errors" not in item.get("data", {})
    page = dashboard_client.get(f"/dashboard/p/{project.pid}/submissions/{submission.pk}/").content.decode()
    assert "front:NotAllowedError, selfie:NotFoundError (the person then chose photos instead)" in page
