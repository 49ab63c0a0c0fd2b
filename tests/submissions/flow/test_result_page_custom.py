"""The Liveform's result page shows the project's own texts and picture (Liveform Customization)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from projects.actors import Actor
from projects.services import project_settings_update, result_page_text_set
from submissions.models import RunState, Submission, SubmissionStatus
from tests.projects.settings.test_liveform_page import picture
from tests.submissions.api.helpers import photo
from tests.submissions.flow.helpers import confirm_details, flow_client, flow_id, walk_to_capture


def _decided(client, project, status: str) -> Submission:
    walk_to_capture(client, project.pid)
    for step in ("front", "selfie"):
        upload = SimpleUploadedFile("photo.jpg", photo(), content_type="image/jpeg")
        client.post(f"/form/{step}", {"flow": flow_id(client), "photo": upload})
        if step == "front":
            confirm_details(client)
    submission = Submission.objects.get(project=project)
    Submission.objects.filter(pk=submission.pk).update(status=status, run_state=RunState.DECIDED)
    return submission


def _customise(project, status: str, **fields) -> None:
    values = {"main_text": "", "sub_text": "", "picture": None, "remove_picture": False, **fields}
    result_page_text_set(project=project, status=status, language="en", actor=Actor.system("test"), **values)


@pytest.fixture
def client():
    return flow_client()


def test_the_result_page_shows_the_projects_texts_and_picture(client, project):
    # given
    _customise(project, "approved", main_text="Welcome aboard!", sub_text="Your account is ready.",
               picture=picture("JPEG", (400, 300)))  # fmt: skip
    _decided(client, project, SubmissionStatus.APPROVED)
    # when
    page = client.get("/form/result")
    image = client.get("/form/result/picture")
    # then
    text = page.content.decode()
    assert "<h1>Welcome aboard!</h1>" in text
    assert "<p>Your account is ready.</p>" in text
    assert '<img class="lf-result-picture" src="/form/result/picture" alt="">' in text
    assert "You are verified" not in text
    assert (image.status_code, image["Content-Type"]) == (200, "image/jpeg")
    assert image.content.startswith(b"\xff\xd8\xff")


def test_another_status_keeps_the_built_in_wording_and_has_no_picture(client, project):
    # given: only the approved page is customised
    _customise(project, "approved", main_text="Welcome aboard!", picture=picture("JPEG", (400, 300)))
    _decided(client, project, SubmissionStatus.PENDING)
    # when
    page = client.get("/form/result").content.decode()
    # then
    assert "We are checking your documents" in page
    assert "Welcome aboard!" not in page
    assert "lf-result-picture" not in page
    assert client.get("/form/result/picture").status_code == 404


def test_a_main_text_alone_keeps_the_built_in_sub_text(client, project):
    _customise(project, "rejected", main_text="Sorry, not this time")
    _decided(client, project, SubmissionStatus.REJECTED)

    page = client.get("/form/result").content.decode()

    assert "<h1>Sorry, not this time</h1>" in page
    assert "Your verification was not accepted." in page


def test_the_picture_is_not_served_before_the_flow_has_a_result(client, project):
    _customise(project, "approved", picture=picture("JPEG", (400, 300)))
    walk_to_capture(client, project.pid)

    assert client.get("/form/result/picture").status_code == 404


def test_result_page_skip_sends_the_person_straight_to_the_return_url(client, project):
    # given
    changes = {"liveform_return_url": "https://shop.example.com/done", "liveform_return_fields": ["kycStatus"],
               "liveform_result_page_skip": True}  # fmt: skip
    project_settings_update(project=project, changes=changes, actor=Actor.system("test"))
    _decided(client, project, SubmissionStatus.APPROVED)
    # when
    response = client.get("/form/result")
    # then
    assert response.status_code == 302
    assert response["Location"] == "https://shop.example.com/done?kycStatus=approved"


def test_result_page_skip_without_a_return_url_shows_the_result_page(client, project):
    project_settings_update(project=project, changes={"liveform_result_page_skip": True}, actor=Actor.system("test"))
    _decided(client, project, SubmissionStatus.APPROVED)

    response = client.get("/form/result")

    assert response.status_code == 200
    assert "You are verified" in response.content.decode()
