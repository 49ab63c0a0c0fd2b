from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from submissions.pipeline.face import FaceRefused, detect_faces, single_face
from submissions.pipeline.face.detect import MIN_EYE_DISTANCE
from tests.submissions.pipeline.face_photos import fetch_face_photos, rgb


@pytest.fixture(scope="session")
def face_photos() -> Path:
    return fetch_face_photos()


def test_it_finds_the_one_face_with_landmarks_in_full_resolution_coordinates(face_photos):
    # given a 910 x 1137 portrait: the detector works on a 640 px copy
    image = Image.open(face_photos / "obama.jpg")

    # when
    faces = detect_faces(image)

    # then: one face, mapped back to the photo's own pixels
    assert len(faces) == 1
    face = faces[0]
    assert face.box == pytest.approx((370, 91, 240, 329), abs=6)
    assert face.eye_distance == pytest.approx(115, abs=3)
    assert face.score > 0.9
    right_eye, left_eye, nose, right_mouth, left_mouth = face.landmarks
    assert right_eye[0] < nose[0] < left_eye[0]
    assert max(right_eye[1], left_eye[1]) < nose[1] < min(right_mouth[1], left_mouth[1])
    assert face.as_json()["eye_distance"] == round(face.eye_distance, 1)


def test_it_refuses_an_image_without_a_face():
    # given a plain gradient
    image = np.tile(np.linspace(40, 220, 640, dtype=np.uint8)[None, :, None], (480, 1, 3))

    # when / then
    with pytest.raises(FaceRefused) as refused:
        single_face(image)
    assert refused.value.code == "no_face"
    assert detect_faces(image) == []


def _two_people(face_photos) -> np.ndarray:
    obama = cv2.resize(rgb(face_photos / "obama.jpg"), (455, 568))
    biden = rgb(face_photos / "biden.jpg")[60:760, 220:910]  # the head and shoulders
    biden = cv2.resize(biden, (455, 568))
    return np.hstack([obama, biden])


def test_a_selfie_with_two_people_is_refused(face_photos):
    # given Obama and Biden side by side, faces of similar size
    image = _two_people(face_photos)

    # when / then
    with pytest.raises(FaceRefused) as refused:
        single_face(image, purpose="selfie")
    assert refused.value.code == "several_faces"


def test_on_a_document_the_largest_face_is_taken(face_photos):
    # given the same two faces, the second one small like a ghost portrait
    image = _two_people(face_photos)
    image[:, 455:] = 255
    ghost = cv2.resize(rgb(face_photos / "biden.jpg")[60:760, 220:910], (180, 182))
    image[300:482, 600:780] = ghost

    # when
    faces = detect_faces(image)
    face = single_face(image, purpose="document")

    # then
    assert len(faces) == 2
    assert face == faces[0]
    assert face.box[0] < 455


def test_a_tiny_face_is_refused(face_photos):
    # given obama.jpg scaled so its eyes are 11 px apart, on a 400 px canvas
    photo = rgb(face_photos / "obama.jpg")
    small = cv2.resize(photo, None, fx=11 / 115, fy=11 / 115, interpolation=cv2.INTER_AREA)
    canvas = np.full((400, 400, 3), 128, np.uint8)
    canvas[150 : 150 + small.shape[0], 150 : 150 + small.shape[1]] = small

    # when / then
    with pytest.raises(FaceRefused) as refused:
        single_face(canvas)
    assert refused.value.code == "face_too_small"
    assert detect_faces(canvas)[0].eye_distance < MIN_EYE_DISTANCE


def test_a_face_cut_by_the_frame_is_refused(face_photos):
    with pytest.raises(FaceRefused) as refused:
        single_face(Image.open(face_photos / "obama_partial_face.jpg"))
    assert refused.value.code == "face_cut_off"


def test_a_blurred_face_is_refused_and_a_slightly_soft_one_is_not(face_photos):
    # given obama2 blurred by 15 % and by 3 % of its eye distance (124 px)
    photo = rgb(face_photos / "obama2.jpg")

    # when / then
    with pytest.raises(FaceRefused) as refused:
        single_face(cv2.GaussianBlur(photo, (0, 0), 0.15 * 124))
    assert refused.value.code == "face_blurred"
    assert single_face(cv2.GaussianBlur(photo, (0, 0), 0.03 * 124)).score > 0.9
