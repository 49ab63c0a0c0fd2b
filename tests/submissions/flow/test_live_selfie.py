"""The live selfie's endpoints: the challenge issued and kept server-side, the filmed frames handed
to the submission with that copy, camera errors recorded, malformed uploads refused."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from submissions.flow.state import SESSION_KEY
from submissions.models import LivenessCapture, SelfieCapture, Submission
from submissions.pipeline.liveness.active import STEPS
from submissions.pipeline.liveness.bundle import pack_frames
from submissions.pipeline.liveness.types import Frame
from tests.submissions.api.helpers import photo
from tests.submissions.flow.helpers import (
    confirm_details,
    flow_client,
    flow_id,
    nothing_written,
    post,
    walk_to_capture,
)
from tests.submissions.flow.test_capture import _upload


@pytest.fixture
def client(project):
    client = flow_client()
    walk_to_capture(client, project.pid, email="person@example.com")
    assert _upload(client, "front")["Location"] == "/form/review"
    assert confirm_details(client)["Location"] == "/form/selfie"
    return client


def _film(client, plan: dict, *, count: int = 12, bundle: bytes | None = None, still: bool = True):
    if bundle is None:
        bundle = pack_frames([Frame(plan["issued_at"] + 1000 + 125 * k, photo()) for k in range(count)])
    data = {"flow": flow_id(client), "nonce": plan["nonce"],
            "frames": SimpleUploadedFile("frames.bin", bundle, content_type="application/octet-stream")}  # fmt: skip
    if still:
        data["photo"] = SimpleUploadedFile("selfie.jpg", photo(), content_type="image/jpeg")
    return client.post("/form/selfie/live", data)


def test_the_selfie_page_offers_the_live_camera_with_the_file_input_as_fallback(client):
    page = client.get("/form/selfie").content.decode()

    assert '<section id="lf-live"' in page
    assert 'data-plan-url="/form/selfie/plan"' in page
    assert 'data-upload-url="/form/selfie/live"' in page
    assert '<div id="lf-fallback">' in page
    assert 'accept="image/*" capture="user"' in page
    texts = json.loads(page.split('<script id="lf-live-texts" type="application/json">')[1].split("</script>")[0])
    assert texts["prompts"]["blink"] == "Blink your eyes"
    assert sorted(texts["prompts"]) == ["approach", "blink", "nod", "turn_left", "turn_right"]


def test_a_plan_is_issued_and_its_server_copy_kept_with_the_deadline_hidden(client):
    # when
    response = post(client, "/form/selfie/plan")

    # then
    issued = response.json()
    kept = client.session[SESSION_KEY]["live_plan"]
    assert response.status_code == 200
    assert sorted(issued) == ["issued_at", "nonce", "steps"]
    assert len(issued["steps"]) == STEPS
    assert {key: kept[key] for key in issued} == issued
    assert kept["deadline"] > issued["issued_at"]


def test_the_filmed_frames_create_the_submission_with_the_servers_plan(client, project):
    # given
    plan = post(client, "/form/selfie/plan").json()
    post(client, "/form/selfie/camera-error", {"error": "NotReadableError"})
    kept = client.session[SESSION_KEY]["live_plan"]

    # when
    response = _film(client, plan)

    # then
    assert (response.status_code, response.json()) == (200, {"next": "/form/processing"})
    submission = Submission.objects.get(project=project)
    assert submission.selfie_capture == SelfieCapture.LIVE
    capture = LivenessCapture.objects.get(submission=submission)
    assert (capture.plan, capture.nonce_sent, capture.frame_count) == (kept, plan["nonce"], 12)
    assert capture.camera_errors == ["NotReadableError"]
    assert client.session[SESSION_KEY]["live_plan"] == {}


def test_an_upload_without_an_issued_plan_is_refused_and_nothing_is_written(client, project):
    response = _film(client, {"issued_at": 1_795_000_000_000, "nonce": "forged"})

    assert (response.status_code, response.json()) == (409, {"error": "The challenge expired. Please start again."})
    assert nothing_written(project)


@pytest.mark.parametrize(
    ("bundle", "still"),
    [
        (b"JPEG....", True),  # not a bundle
        (pack_frames([Frame(1, b"\xff\xd8\xff" * 10)])[:-1], True),  # cut short
        (None, False),  # no still
    ],
)
def test_a_recording_that_does_not_arrive_whole_is_refused_and_nothing_is_written(client, project, bundle, still):
    plan = post(client, "/form/selfie/plan").json()

    response = _film(client, plan, bundle=bundle, still=still)

    assert response.status_code == 400
    assert response.json() == {"error": "The recording did not arrive complete. Please try again."}
    assert nothing_written(project)
    assert client.session[SESSION_KEY]["live_plan"]["nonce"] == plan["nonce"]  # may be filmed again


def test_frames_that_are_not_jpegs_are_refused_with_the_reason(client, project):
    plan = post(client, "/form/selfie/plan").json()

    response = _film(client, plan, bundle=pack_frames([Frame(plan["issued_at"] + 1000, b"GIF89a....")]))

    assert (response.status_code, response.json()) == (400, {"error": "Every frame must be a JPEG of at most 400 kB."})
    assert nothing_written(project)


def test_camera_errors_are_recorded_by_name_and_unknown_names_as_other(client):
    assert post(client, "/form/selfie/camera-error", {"error": "NotAllowedError"}).json() == {
        "recorded": "NotAllowedError"
    }
    assert post(client, "/form/selfie/camera-error", {"error": "<script>"}).json() == {"recorded": "Other"}

    assert client.session[SESSION_KEY]["camera_errors"] == ["NotAllowedError", "Other"]


def test_the_endpoints_refuse_get_and_another_flows_posts(client, project):
    assert client.get("/form/selfie/plan").status_code == 405
    response = client.post("/form/selfie/plan", {"flow": "another-flow"})
    assert response["Location"] == "/form/error-page/hash_problem"
    assert "live_plan" not in client.session[SESSION_KEY] or client.session[SESSION_KEY]["live_plan"] == {}
