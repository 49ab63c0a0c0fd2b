"""Settings › Integration Info: the Return URL form beside the allow-lists and the API key."""

from __future__ import annotations

from projects.views.settings.integration import RETURN, RETURN_SECTION
from tests.projects.settings.helpers import SettingsPage, page_url, settings_events

PAGE = SettingsPage("integration/", tuple(RETURN.present_keys()))
RETURN_URL = "https://shop.example.com/kyc/done"


def _posted(project, **changes: str) -> dict[str, str]:
    return {**PAGE.form(project, **changes), "section": RETURN_SECTION}


def test_it_shows_the_return_url_form_and_links_to_webhooks(project, dashboard_client):
    page = dashboard_client.get(PAGE.url(project)).content.decode()

    assert "<h2>Return URL</h2>" in page
    assert f'<input type="hidden" name="section" value="{RETURN_SECTION}">' in page
    assert '<label for="id_liveform_return_url">Return URL</label>' in page
    assert "kycStatus, submissionId, userid, email, cf1, cf2, cf3, errorCode</textarea>" in page
    assert f'href="{page_url(project, "webhooks/")}"' in page
    assert '<label for="id_liveform_result_page_skip">Result Page Skip</label>' in page
    assert '<select name="liveform_result_page_skip"' in page
    assert page.count("From a shell:") == 1


def test_it_saves_the_return_url_and_logs_it(project, dashboard_client):
    # when
    changes = {"liveform_return_url": RETURN_URL, "liveform_return_fields": "kycStatus, submissionId"}
    response = dashboard_client.post(PAGE.url(project), _posted(project, **changes), follow=True)
    # then
    assert "Saved." in response.content.decode()
    saved = PAGE.values(project)
    assert (saved["liveform_return_url"], saved["liveform_return_fields"]) == (
        RETURN_URL,
        ["kycStatus", "submissionId"],
    )
    assert settings_events(project)[0]["changed"] == ["liveform_return_url", "liveform_return_fields"]
    assert settings_events(project)[0]["after"]["liveform_return_url"] == RETURN_URL


def test_a_return_url_that_is_not_http_is_refused(project, dashboard_client):
    # given
    before = PAGE.values(project)
    # when
    response = dashboard_client.post(PAGE.url(project), _posted(project, liveform_return_url="ftp://example.com/"))
    # then
    assert "Enter an http:// or https:// URL, or nothing for no Return URL." in response.content.decode()
    assert PAGE.values(project) == before
    assert settings_events(project) == []


def test_a_viewer_cannot_change_the_return_url(project):
    PAGE.viewer_is_refused(project, _posted(project, liveform_return_url=RETURN_URL))


def test_another_projects_owner_gets_404(project):
    PAGE.other_owner_gets_404(project, _posted(project, liveform_return_url=RETURN_URL))
