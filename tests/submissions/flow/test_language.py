"""The Liveform speaks the link's ``lang``, else the browser's language, else English; right to
left where the language is; the dashboard stays English."""

from __future__ import annotations

from tests.submissions.flow.helpers import flow_client, open_link


def _consent_page(client):
    return client.get("/form/consent")


def test_the_links_lang_chooses_and_is_kept_for_the_session(project):
    client = flow_client()

    open_link(client, project.pid, lang="ko")
    page = _consent_page(client)

    assert page["Content-Language"] == "ko"
    assert '<html lang="ko" dir="ltr">' in page.content.decode()


def test_arabic_is_right_to_left(project):
    client = flow_client()

    open_link(client, project.pid, lang="ar")

    assert '<html lang="ar" dir="rtl">' in _consent_page(client).content.decode()


def test_a_chinese_variant_is_matched_and_an_unknown_lang_is_ignored(project):
    hans, other = flow_client(), flow_client()

    open_link(hans, project.pid, lang="zh-Hans")
    open_link(other, project.pid, lang="klingon")

    assert _consent_page(hans)["Content-Language"] == "zh-hans"
    assert _consent_page(other)["Content-Language"] == "en"


def test_without_lang_the_browsers_language_is_used(project):
    client = flow_client()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "de-DE,de;q=0.9,en;q=0.5"

    open_link(client, project.pid)

    assert _consent_page(client)["Content-Language"] == "de"


def test_the_dashboard_stays_english(dashboard_client, project):
    dashboard_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ko"

    response = dashboard_client.get(f"/dashboard/p/{project.pid}/")

    assert "Content-Language" not in response.headers
