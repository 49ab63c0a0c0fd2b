"""G17: what sits at rest after 50 submissions with canary personal data and real photos. The
database, the media tree and Redis hold no canary and no JPEG or PNG; after a master-key rotation
every submission still opens."""

from __future__ import annotations

import secrets

import pytest

from idcheck.lib import crypto
from projects.actors import Actor
from submissions.models import Submission
from submissions.selectors import submission_view
from submissions.services import SubmissionDetails, submission_create
from tests.submissions.api.helpers import photo, stored_files
from tests.submissions.test_submission_delete import database_hits, redis_hits

ACTOR = Actor.system("test")
COUNT = 50
MAGIC = {"JPEG": b"\xff\xd8\xff", "PNG": b"\x89PNG\r\n\x1a\n"}


@pytest.mark.django_db
def test_fifty_submissions_leave_no_canary_or_picture_in_the_clear_and_survive_a_key_rotation(project, settings):
    # given: 50 people, each with their own canaries and photos
    project.credits = COUNT
    project.save()
    tag = secrets.token_hex(4)
    people = {}
    for n in range(COUNT):
        email, userid = f"canary.{tag}.{n}@example.com", f"canary-{tag}-{n:02d}"
        submission = submission_create(project=project, source="api", actor=ACTOR,
                                       images={"id_front": photo(color=(n, 90, 200)), "selfie": photo(fmt="PNG")},
                                       details=SubmissionDetails(email=email, userid=userid))  # fmt: skip
        people[submission.pk] = (email, userid)

    # then: nothing readable in the database, the files or Redis
    assert database_hits(f"canary.{tag}") == []
    assert database_hits(f"canary-{tag}") == []
    assert redis_hits(f"canary.{tag}") == []
    files = stored_files(settings.MEDIA_ROOT)
    assert len(files) == 2 * COUNT
    for path in files:
        content = path.read_bytes()
        assert not any(magic in content for magic in MAGIC.values()), path
        assert tag.encode() not in content

    # when: the master key is rotated
    settings.IDCHECK_MASTER_KEY_PREVIOUS = [settings.IDCHECK_MASTER_KEY]
    settings.IDCHECK_MASTER_KEY = crypto.generate_master_key()
    crypto.reset_key_cache()

    # then: all 50 open, each with its own person
    opened = {
        submission.pk: (view.metadata["email"], view.metadata["userid"])
        for submission in Submission.objects.filter(project=project)
        for view in [submission_view(submission, load_client=False)]
    }
    assert opened == people
