"""Face duplicates: sealed templates, the per-process index built from the database, found among
10,000 faces, forgotten on deletion, and kept in step across processes (two index instances)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from django.utils import timezone

from submissions import vault
from submissions.duplicates import (
    applicant_assign,
    duplicates_forget,
    face_duplicates,
    face_index_forget,
    face_indexes_reset,
    face_templates_store,
    project_face_index,
)
from submissions.duplicates.face_index import ProjectFaceIndex, open_embedding, seal_embedding
from submissions.models import FaceTemplate, Submission, SubmissionSource
from submissions.pipeline.face_index.bench import planted_queries, random_unit
from tests.factories import ProjectFactory
from tests.submissions.duplicates_helpers import ago, keyed_submission

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_indexes():
    face_indexes_reset()
    yield
    face_indexes_reset()


def _near(rng, vector: np.ndarray, cosine: float = 0.7) -> np.ndarray:
    _, query = planted_queries(rng, vector[None, :], 1, low=cosine, high=cosine)
    return query[0]


def test_an_embedding_is_sealed_with_the_submissions_data_key():
    project = ProjectFactory()
    submission = keyed_submission(project)
    vector = random_unit(np.random.default_rng(1), 1)[0]

    face_templates_store(submission, {"selfie": vector})

    blob = bytes(FaceTemplate.objects.get(submission=submission).sealed_embedding)
    assert vector.astype("<f4").tobytes() not in blob
    assert np.allclose(open_embedding(submission, "selfie", blob), vector)
    # crypto-shredded: the face cannot be read any more, and the index skips it
    Submission.objects.filter(pk=submission.pk).update(wrapped_data_key=None)
    with pytest.raises(vault.DataKeyDestroyed):
        open_embedding(Submission.objects.get(pk=submission.pk), "selfie", blob)
    index = ProjectFaceIndex(project.pk)
    index.sync()
    assert len(index) == 0


def test_a_face_duplicate_is_found_among_10000_stored_faces_and_forgotten_after_deletion():
    # given: 10,000 earlier submissions with one stored selfie each (synthetic unit vectors)
    rng = np.random.default_rng(20261126)
    project = ProjectFactory()
    stored = random_unit(rng, 10_000)
    created = ago(days=1)
    submissions = []
    for _ in range(10_000):
        submission = Submission(project=project, source=SubmissionSource.API, status="approved", created_at=created,
                                decided_at=created)  # fmt: skip
        submission.wrapped_data_key = vault.new_wrapped_data_key(submission.id)
        submissions.append(submission)
    Submission.objects.bulk_create(submissions, batch_size=2000)
    FaceTemplate.objects.bulk_create(
        [
            FaceTemplate(project=project, submission=s, kind="selfie", sealed_embedding=seal_embedding(s, "selfie", v))
            for s, v in zip(submissions, stored, strict=True)
        ],
        batch_size=2000,
    )
    target = 4321
    new = keyed_submission(project)
    face_templates_store(new, {"selfie": _near(rng, stored[target], 0.7)})

    # when
    found = face_duplicates(new)

    # then: exactly the planted one (random impostors sit near cosine 0), with its similarity
    assert [m.submission_id for m in found] == [submissions[target].pk]
    assert found[0].status == "approved"
    assert found[0].similarity == pytest.approx(70.0, abs=0.1)
    assert len(project_face_index(project.pk)) == 10_001

    # when: the earlier submission is deleted (the deletion service's call)
    duplicates_forget(submissions[target])

    # then: not found any more, neither in this process nor after a rebuild
    assert face_duplicates(new) == ()
    assert not FaceTemplate.objects.filter(submission=submissions[target]).exists()
    face_indexes_reset()
    assert face_duplicates(new) == ()
    assert len(project_face_index(project.pk)) == 10_000


def test_a_face_stored_or_forgotten_by_another_process_is_seen_at_the_next_search():
    # given: two worker processes' indexes of one project, both built
    rng = np.random.default_rng(3)
    project = ProjectFactory()
    worker_a, worker_b = ProjectFaceIndex(project.pk), ProjectFaceIndex(project.pk)
    old = keyed_submission(project, created_at=ago(hours=1))
    face_templates_store(old, {"selfie": random_unit(rng, 1)[0]})
    worker_a.sync()
    worker_b.sync()

    # when: another process (here: the module's own index) stores a new face
    face = random_unit(rng, 1)[0]
    fresh = keyed_submission(project, created_at=ago(minutes=30), status="approved", decided_at=ago(minutes=30))
    face_templates_store(fresh, {"selfie": face, "portrait": _near(rng, face, 0.8)})

    # then: both catch up before searching (high-water mark)
    for worker in (worker_a, worker_b):
        assert worker.search(face, min_cosine=0.394) == []  # not yet synced
        worker.sync()
        assert [key for key, _ in worker.search(face, min_cosine=0.394)] == [fresh.pk + ":selfie", fresh.pk]

    # when: one process forgets the selfie (a partial deletion of selfie_image)
    duplicates_forget(fresh, fields=["selfie_image"])

    # then: the other drops it at its next catch-up; the portrait stays
    worker_b.sync()
    assert [key for key, _ in worker_b.search(face, min_cosine=0.394)] == [fresh.pk]


def test_a_late_commit_below_the_high_water_mark_is_still_loaded():
    # given: an index whose mark is already past a row that commits later (ids are taken before commit)
    rng = np.random.default_rng(4)
    project = ProjectFactory()
    worker = ProjectFaceIndex(project.pk)
    worker.sync()
    late = keyed_submission(project)
    face_templates_store(late, {"selfie": random_unit(rng, 1)[0]})
    worker.high_water = FaceTemplate.objects.get(submission=late).pk + 10

    # when
    worker.sync()

    # then: the look-back found it, and a second catch-up does not load it again
    assert len(worker) == 1
    before = dict(worker._recent)
    worker.sync()
    assert worker._recent == before
    # past the look-back window the row is left alone (it was loaded)
    worker.sync(now=timezone.now() + dt.timedelta(hours=1))
    assert len(worker) == 1


def test_face_index_forget_is_harmless_when_repeated():
    project = ProjectFactory()
    submission = keyed_submission(project)
    face_templates_store(submission, {"selfie": random_unit(np.random.default_rng(5), 1)[0]})
    assert face_index_forget(submission) == 1
    assert face_index_forget(submission) == 0


def test_an_approved_submission_joins_the_earliest_approved_same_face_applicant():
    # given: an approved applicant and a new approved submission with the same face
    rng = np.random.default_rng(6)
    project = ProjectFactory()
    face = random_unit(rng, 1)[0]
    first = keyed_submission(project, created_at=ago(days=1), status="approved", decided_at=ago(days=1))
    face_templates_store(first, {"selfie": face})
    first.applicant_id = applicant_assign(first, _dups(first))
    first.save()
    second = keyed_submission(project, status="approved")
    face_templates_store(second, {"selfie": _near(rng, face, 0.6)})
    stranger = keyed_submission(project, status="approved")
    face_templates_store(stranger, {"selfie": random_unit(rng, 1)[0]})

    # then
    assert len(first.applicant_id) == 20
    assert applicant_assign(second, _dups(second)) == first.applicant_id
    assert applicant_assign(stranger, _dups(stranger)) not in ("", first.applicant_id)
    pending = keyed_submission(project, status="pending")
    assert applicant_assign(pending, _dups(pending)) == ""


def _dups(submission):
    from policy.evidence import DuplicateEvidence

    return DuplicateEvidence(face=face_duplicates(submission))


def test_an_undecided_earlier_submission_catches_a_later_same_face_that_ran_first():
    # given: two runs of one face; the later-created one searched before the earlier one stored
    rng = np.random.default_rng(7)
    project = ProjectFactory()
    face = random_unit(rng, 1)[0]
    earlier = keyed_submission(project, created_at=ago(hours=2))
    later = keyed_submission(project, created_at=ago(hours=1))
    face_templates_store(later, {"selfie": face})
    assert face_duplicates(later) == ()

    # when
    face_templates_store(earlier, {"selfie": _near(rng, face, 0.8)})
    found = face_duplicates(earlier)

    # then: one of the two is caught, never neither
    assert [m.submission_id for m in found] == [later.pk]


def test_a_decided_submission_verified_again_does_not_catch_a_later_same_face():
    rng = np.random.default_rng(8)
    project = ProjectFactory()
    face = random_unit(rng, 1)[0]
    earlier = keyed_submission(project, created_at=ago(hours=2), status="approved", decided_at=ago(hours=2))
    face_templates_store(earlier, {"selfie": face})
    later = keyed_submission(project, created_at=ago(hours=1))
    face_templates_store(later, {"selfie": _near(rng, face, 0.8)})

    assert [m.submission_id for m in face_duplicates(later)] == [earlier.pk]
    assert face_duplicates(earlier) == ()
