"""The Liveform in other languages in Chromium: Arabic laid out right to left, Korean chosen by
the browser's own language, every page of the start of the flow translated."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import liveform_step
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_arabic_renders_right_to_left_with_arabic_text(page):
    project = ProjectFactory(name="Acme Bank")

    page.goto(f"/form/?pid={project.pid}&lang=ar&email=person@example.com")

    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    heading = page.locator("h1").inner_text()
    assert any("\u0600" <= char <= "\u06ff" for char in heading), heading
    liveform_step(page, "consent-rtl")


def test_the_browsers_language_is_used_when_the_link_has_none(browser, live_server, settings):
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
    project = ProjectFactory(name="Acme Bank")
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=live_server.url, locale="ko-KR")
    page = context.new_page()

    page.goto(f"/form/?pid={project.pid}&email=person@example.com")

    assert page.locator("html").get_attribute("lang") == "ko"
    assert page.evaluate("getComputedStyle(document.body).direction") == "ltr"
    heading = page.locator("h1").inner_text()
    assert any("\uac00" <= char <= "\ud7a3" for char in heading), heading
    context.close()
