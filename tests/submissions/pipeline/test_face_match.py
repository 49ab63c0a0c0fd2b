from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import cv2
import numpy as np
import pytest

from submissions.evaluation.face_set import portrait_source
from submissions.pipeline.face import DEFAULT_THRESHOLD, FaceRefused, compare_faces, embed_face, single_face
from submissions.specimens import compose_document
from submissions.specimens.photograph import photograph
from tests.submissions.pipeline.face_photos import fetch_face_photos, rgb


@pytest.fixture(scope="session")
def face_photos() -> Path:
    return fetch_face_photos()


def test_the_embedding_is_128_floats_of_unit_length(face_photos):
    photo = rgb(face_photos / "obama.jpg")

    vector = embed_face(photo, single_face(photo))

    assert vector.shape == (128,)
    assert vector.dtype == np.float32
    assert float(np.linalg.norm(vector)) == pytest.approx(1.0, abs=1e-5)


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [("obama.jpg", "obama2.jpg", 74.2), ("obama.jpg", "obama3.jpg", 78.1), ("obama2.jpg", "obama3.jpg", 76.8)],
)
def test_three_photos_of_the_same_person_match(face_photos, first, second, expected):
    result = compare_faces(rgb(face_photos / first), rgb(face_photos / second), purposes=("selfie", "selfie"))

    # the measured values; the int8 model and the fixed photos make them reproducible
    assert result.similarity == pytest.approx(expected, abs=0.5)
    assert result.match is True
    assert result.threshold == DEFAULT_THRESHOLD


@pytest.mark.parametrize(("obama", "expected"), [("obama.jpg", 14.3), ("obama2.jpg", 27.5), ("obama3.jpg", 19.1)])
def test_different_people_do_not_match(face_photos, obama, expected):
    result = compare_faces(rgb(face_photos / "biden.jpg"), rgb(face_photos / obama), purposes=("selfie", "selfie"))

    assert result.similarity == pytest.approx(expected, abs=0.5)
    assert result.match is False


def test_a_specimen_id_card_matches_its_portraits_source_and_not_someone_else(face_photos, tmp_path):
    # given a TD1 card front printed with obama.jpg as the portrait, photographed on a table
    portrait = portrait_source(face_photos / "obama.jpg", tmp_path, "obama")
    card = compose_document("td1", 7, seed=3, today=dt.date(2026, 11, 1), face=portrait).sides[1]
    assert card.kind == "td1_front"
    capture = photograph(np.asarray(card.page.image), condition="clear", rng=random.Random(5))
    photo = cv2.cvtColor(cv2.imdecode(np.frombuffer(capture.jpeg, np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)

    # when
    same = compare_faces(photo, rgb(face_photos / "obama3.jpg"))
    other = compare_faces(photo, rgb(face_photos / "biden.jpg"))

    # then: a different photo of the same man matches, Biden does not
    assert same.match is True
    assert same.similarity > 65
    assert other.match is False
    assert other.similarity < 25
    assert same.faces[0].eye_distance < 100  # the portrait's face, not a large one
    assert set(same.timing_ms) == {"detect", "embed", "total"}


def test_a_refusal_names_the_image(face_photos):
    blank = np.full((400, 400, 3), 200, np.uint8)

    with pytest.raises(FaceRefused) as refused:
        compare_faces(rgb(face_photos / "obama.jpg"), blank)

    assert (refused.value.code, refused.value.image) == ("no_face", "b")
