"""The Settings group of the project navigation."""

from __future__ import annotations

from tests.projects.settings.helpers import page_url

PAGES = {
    "KYC Process": "settings/kyc/",
    "Blacklist Countries": "settings/blacklist/",
    "Anti-fraud": "settings/anti-fraud/",
    "Authentication Data": "settings/authentication/",
    "Additional Info": "settings/additional-info/",
    "Supported ID Types": "settings/policy/id-types/",
    "Integration Info": "integration/",
    "Security": "settings/security/",
    "System Operation": "settings/",
}


def test_every_settings_page_links_to_every_other_and_marks_itself(project, dashboard_client):
    for label, suffix in PAGES.items():
        # when
        page = dashboard_client.get(page_url(project, suffix)).content.decode()
        # then
        assert '<nav class="tabs subtabs" aria-label="Settings">' in page, label
        assert f'<a href="{page_url(project, suffix)}" aria-current="page">{label}</a>' in page, label
        for other in PAGES.values():
            assert f'href="{page_url(project, other)}"' in page, (label, other)


def test_the_project_tabs_lead_to_the_settings(project, dashboard_client):
    overview = dashboard_client.get(page_url(project, "")).content.decode()

    assert f'<a href="{page_url(project, "settings/")}">Settings</a>' in overview
    assert '<nav class="tabs subtabs"' not in overview
