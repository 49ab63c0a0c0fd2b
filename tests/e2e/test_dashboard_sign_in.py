"""An admin signs in on a phone-sized screen: password, authenticator set-up, project pages."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import totp_code
from tests.e2e.conftest import screenshot
from tests.factories import DEFAULT_PASSWORD, MembershipFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _shot(page, name: str) -> None:
    screenshot(page, f"dashboard-{name}")


def test_a_new_admin_connects_an_authenticator_and_reaches_the_project(page):
    # given
    project = ProjectFactory(name="Acme KYC", credits=1000)
    user = UserFactory(email="ops@example.com")
    MembershipFactory(user=user, project=project)
    # when: e-mail and password
    page.goto("/dashboard/")
    _shot(page, "01-sign-in")
    page.fill("input[name=email]", "ops@example.com")
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    # then: the authenticator set-up with a QR code
    page.wait_for_url("**/dashboard/otp/setup/**")
    assert page.locator(".qr img").is_visible()
    _shot(page, "02-otp-setup")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    page.fill("input[name=code]", totp_code(device))
    page.click("button[type=submit]")
    # and the project overview, with its tabs
    page.wait_for_url(f"**/dashboard/p/{project.pid}/")
    assert page.locator("h1").inner_text() == "Acme KYC"
    assert page.locator(".stat-value").first.inner_text() == "1000"
    _shot(page, "03-overview")
    page.click("text=Integration Info")
    page.wait_for_url(f"**/dashboard/p/{project.pid}/integration/")
    assert project.pid in page.locator(".facts").inner_text()
    page.fill("textarea[name=api_ip_allowlist]", "203.0.113.0/24")
    page.click("text=Save allow-lists")
    assert page.locator(".message-success").inner_text() == "Saved."
    _shot(page, "04-integration")
    page.click("text=Admin Settings")
    assert "ops@example.com" in page.locator("table").first.inner_text()
    _shot(page, "05-admins")
    page.click("text=Event Log")
    assert "project.settings_changed" in page.locator("table").inner_text()
    _shot(page, "06-events")
