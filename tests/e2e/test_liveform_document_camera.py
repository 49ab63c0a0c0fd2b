"""A person photographs the document with the camera: Chromium's fake camera shows a passport
held still on a dark table, the page's automatic shutter takes the photo by itself, and the
flow keeps it as the front; without a camera the page says why in words and records it."""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from django.contrib.sessions.backends.db import SessionStore

from submissions.flow.state import SESSION_KEY
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, PHONE_UA, liveform_step, walk_to_front
from tests.factories import ProjectFactory
from tests.submissions.api.helpers import passport_case

pytestmark = pytest.mark.django_db(transaction=True)
FILM_SIZE = (1280, 960)  # width, height: a landscape camera, as phones' back cameras report


def _film_of_document(jpeg: bytes, path: Path, *, frames: int = 10) -> Path:
    """A still passport on a dark table, in the middle of the picture, as a Y4M film."""
    document = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    width, height = FILM_SIZE
    scale = 0.8 * width / document.shape[1]
    document = cv2.resize(document, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    table = np.full((height, width, 3), 38, np.uint8)
    top, left = (height - document.shape[0]) // 2, (width - document.shape[1]) // 2
    table[top : top + document.shape[0], left : left + document.shape[1]] = document
    yuv = cv2.cvtColor(table, cv2.COLOR_BGR2YUV_I420).tobytes()
    with path.open("wb") as film:
        film.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            film.write(b"FRAME\n" + yuv)
    return path


def _flow_state(page) -> dict:
    [cookie] = [c for c in page.context.cookies() if c["name"] == "sessionid"]
    return SessionStore(session_key=cookie["value"]).load()[SESSION_KEY]


def _recorded_errors(page, *, timeout_s: float = 5.0) -> list[str]:
    """The page reports the error after showing it: wait for the report to land."""
    deadline = time.monotonic() + timeout_s
    while not (errors := _flow_state(page)["document_camera_errors"]) and time.monotonic() < deadline:
        time.sleep(0.1)
    return errors


@pytest.fixture
def camera_page(browser, live_server, settings, tmp_path: Path):
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
    film = _film_of_document(passport_case().front, tmp_path / "document.y4m")
    camera = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
              f"--use-file-for-fake-video-capture={film}"]  # fmt: skip
    with_camera = browser.browser_type.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *camera])
    context = with_camera.new_context(viewport=PHONE, user_agent=PHONE_UA, base_url=live_server.url,
                                      permissions=["camera"])  # fmt: skip
    yield context.new_page()
    with_camera.close()


def test_the_camera_takes_the_documents_photo_by_itself_and_the_flow_keeps_it(camera_page):
    # given: the front step, the file input in view until the camera opens
    page = camera_page
    project = ProjectFactory(name="Acme Bank", credits=10)
    walk_to_front(page, project.pid)
    assert page.locator("#lf-fallback").is_visible()

    # when: the camera opens on a steady, sharp, well-lit document
    page.click("text=Open the camera")

    # then: the shutter fires by itself and the photo is shown, ready to send
    page.wait_for_selector("#lf-doc-taken:not([hidden])", timeout=15_000)
    assert page.locator("#lf-doc-camera").is_hidden()
    assert page.evaluate("document.getElementById('id_photo').files[0].type") == "image/jpeg"
    assert page.evaluate("document.getElementById('lf-doc-preview').naturalWidth") == FILM_SIZE[0]
    liveform_step(page, "front-camera")

    # when: sent with the form's own button
    page.click("text=Use this photo")

    # then: the intake kept it as the front, and the flow went on to the OCR confirmation
    page.wait_for_url("**/form/review")
    state = _flow_state(page)
    assert sorted(state["captures"]) == ["id_front"]
    assert state["document_camera_errors"] == []


def test_without_a_camera_the_page_says_why_and_records_it(page):
    # given: a browser with no camera at all
    project = ProjectFactory(name="Acme Bank", credits=10)
    walk_to_front(page, project.pid)

    # when
    page.click("text=Open the camera")

    # then: the reason in words, the file input back, the error kept with the flow
    problem = page.locator("#lf-doc-problem")
    problem.wait_for(state="visible", timeout=10_000)
    assert page.locator("#lf-fallback").is_visible()
    errors = _recorded_errors(page)
    assert errors == ["front:NotFoundError"]  # headless Chromium without a fake device has no camera
    assert problem.text_content() == (
        "No back camera was found on this device. Choose a photo instead, or open this link on a phone."
    )
    liveform_step(page, "front-camera-error")
