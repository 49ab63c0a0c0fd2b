"""An owner manages the Supported ID Types table in Chromium: an upload with a wrong line shows
the report and saves nothing; the corrected file is saved and shown."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from policy.selectors import policy_settings_get
from tests.conftest import totp_code
from tests.factories import DEFAULT_PASSWORD, MembershipFactory, ProjectFactory, TOTPDeviceFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _sign_in(page, email: str, user) -> None:
    page.goto("/dashboard/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/dashboard/otp/**")
    page.fill("input[name=code]", totp_code(TOTPDevice.objects.get(user=user)))
    page.click("button[type=submit]")


def _upload(page, text: str) -> None:
    page.set_input_files("input[type=file]", files=[{"name": "id-types.csv", "mimeType": "text/csv",
                                                     "buffer": text.encode()}])  # fmt: skip
    page.click("button:has-text('Upload')")


def test_an_upload_with_a_wrong_line_is_reported_and_the_fixed_file_is_saved(page):
    # given: an owner on the Supported ID Types page
    project = ProjectFactory(name="Acme KYC")
    owner = UserFactory(email="owner@example.com")
    MembershipFactory(user=owner, project=project, role="owner")
    TOTPDeviceFactory(user=owner)
    _sign_in(page, "owner@example.com", owner)
    page.goto(f"/dashboard/p/{project.pid}/settings/policy/id-types/")

    # when: a file whose third line names an unknown ID type
    _upload(page, "country,id_type\nKOR,passport\nKOR,spaceship_licence\nUSA,drivers_license\n")

    # then: the report names the line and column, and nothing was saved
    report = page.locator("[role=alert]")
    assert "The file was not saved" in report.inner_text()
    row = report.locator("tbody tr").first.inner_text().split("\t")
    assert row[:2] == ["3", "id_type"]
    assert policy_settings_get(project).allowed_id_types.entries == ()

    # when: the corrected file
    _upload(page, "country,id_type\nKOR,passport\nUSA,drivers_license\n")

    # then: saved and shown in the current table
    page.wait_for_selector("text=Saved.")
    assert "KOR" in page.locator("table").first.inner_text()
    assert policy_settings_get(project).allowed_id_types.entries == (("KOR", "passport"), ("USA", "drivers_license"))
