"""Liveform Customization in a browser: the phone preview follows the form as it is typed in."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.e2e.conftest import sign_in_dashboard
from tests.factories import MembershipFactory, ProjectFactory, TOTPDeviceFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _signed_in(page, user) -> None:
    sign_in_dashboard(page, user)
    page.wait_for_url("**/dashboard/**")


def test_the_preview_follows_the_texts_and_the_chosen_picture(page, tmp_path):
    # given
    project = ProjectFactory(name="Acme KYC")
    user = UserFactory()
    MembershipFactory(user=user, project=project)
    TOTPDeviceFactory(user=user)
    png = tmp_path / "logo.png"
    buffer = io.BytesIO()
    Image.new("RGB", (300, 120), (200, 30, 30)).save(buffer, format="PNG")
    png.write_bytes(buffer.getvalue())
    _signed_in(page, user)
    page.goto(f"/dashboard/p/{project.pid}/settings/liveform/?status=approved&language=en")
    assert page.locator("#preview-main").inner_text() == "You are verified"
    assert not page.locator("#preview-picture").is_visible()
    # when
    page.fill("input[name=main_text]", "Welcome aboard!")
    page.set_input_files("input[name=picture]", str(png))
    # then
    assert page.locator("#preview-main").inner_text() == "Welcome aboard!"
    assert page.locator("#preview-picture").is_visible()
    assert page.locator("#preview-picture").get_attribute("src").startswith("blob:")
    # and clearing the text brings the built-in wording back into the preview
    page.fill("input[name=main_text]", "")
    assert page.locator("#preview-main").inner_text() == "You are verified"
    # and saving keeps the picture
    page.fill("input[name=main_text]", "Welcome aboard!")
    page.click("button:has-text('Save')")
    assert page.locator(".message-success").inner_text() == "Saved."
    assert page.locator("#preview-picture").get_attribute("src").startswith("data:image/png;base64,")
