"""Images through the authorised view: the exact decrypted bytes, never cached, one Event Log row."""

from __future__ import annotations

import hashlib

from projects.actors import Actor
from projects.models import AuditEvent, Role
from projects.services import project_settings_update
from submissions.models import SubmissionImage
from submissions.storage import image_file_read
from tests.submissions.dashboard.helpers import client_for, member, specimen_submission


def test_a_member_gets_the_exact_decrypted_image_with_no_store(project):
    # given: a viewer (read-only) of the project
    submission = specimen_submission(project)
    selfie = SubmissionImage.objects.get(submission=submission, kind="selfie")
    client = client_for(member(project, Role.VIEWER))

    # when
    response = client.get(f"/dashboard/p/{project.pid}/submissions/{submission.pk}/images/selfie/")

    # then
    assert response.status_code == 200
    assert response.content == image_file_read(selfie)
    assert (hashlib.sha256(response.content).hexdigest(), len(response.content)) == (selfie.sha256, selfie.size)
    assert response.content[:3] == b"\xff\xd8\xff"
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    viewed = AuditEvent.objects.get(project=project, action="submission.image_viewed")
    assert (viewed.target_id, viewed.details) == (submission.pk, {"kind": "selfie"})


def test_an_image_the_submission_does_not_have_is_404(project, owner):
    # given
    submission = specimen_submission(project)
    client = client_for(owner)

    # when
    missing = client.get(f"/dashboard/p/{project.pid}/submissions/{submission.pk}/images/id_back/")
    unknown = client.get(f"/dashboard/p/{project.pid}/submissions/{submission.pk}/images/passport/")

    # then
    assert (missing.status_code, unknown.status_code) == (404, 404)
    assert not AuditEvent.objects.filter(action="submission.image_viewed").exists()


def test_privacy_display_shows_the_images_blurred_until_revealed(project, owner):
    # given: a submission with its document and selfie
    submission = specimen_submission(project)
    url = f"/dashboard/p/{project.pid}/submissions/{submission.pk}/"
    client = client_for(owner)
    assert 'class="privacy-blur"' not in client.get(url).content.decode()

    # when: the project asks for privacy display (Settings › Security)
    project_settings_update(project=project, changes={"privacy_display": True}, actor=Actor.system("test"))

    # then: every image is blurred, each with its own reveal switch
    page = client.get(url).content.decode()
    assert page.count('<figure class="privacy-blur">') == 2
    assert '<input class="privacy-reveal" type="checkbox" id="reveal-id_front" aria-label="Show ID front">' in page
    assert '<label for="reveal-selfie">show / hide</label>' in page
