"""An owner manages the Supported ID Types table in Chromium: an upload with a wrong line shows
the report and saves nothing; the corrected file is saved and shown."""

from __future__ import annotations

import pytest

from policy.selectors import policy_settings_get
from tests.e2e.conftest import sign_in_dashboard
from tests.factories import MembershipFactory, ProjectFactory, TOTPDeviceFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


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
    sign_in_dashboard(page, owner)
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
