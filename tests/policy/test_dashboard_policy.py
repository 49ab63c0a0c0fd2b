"""The dashboard's Policy page: settings through the registry, rules JSON, versions, publish."""

from __future__ import annotations

import json

from django.test import Client

from policy.models import PolicyRuleSet, ProjectPolicy
from policy.project_settings import POLICY_KEYS
from policy.selectors import policy_settings_get
from projects.models import Role
from tests.conftest import TEST_HOST, sign_in
from tests.factories import MembershipFactory, TOTPDeviceFactory

RULE = {"id": "low-ocr", "when": [{"condition": "ocr_confidence_below", "value": 0.6}],
        "then": {"action": "force_status", "status": "pending"}}  # fmt: skip


def _form(project, **changes) -> dict:
    from projects.settings_registry import get_setting

    data = {item.key: get_setting(item.key).render(get_setting(item.key).read(project)) for item in POLICY_KEYS}
    return {**data, **changes}


def test_the_page_needs_an_otp_session(project, owner):
    response = sign_in(Client(HTTP_HOST=TEST_HOST), owner, with_otp=False).get(
        f"/dashboard/p/{project.pid}/settings/policy/"
    )

    assert response.status_code == 302


def test_an_owner_changes_settings_and_publishes_rules(project, dashboard_client):
    url = f"/dashboard/p/{project.pid}/settings/policy/"
    # given
    page = dashboard_client.get(url)
    assert page.status_code == 200
    assert b"ARGOS score threshold" in page.content
    assert b"Allowed ID types (CSV)" in page.content

    # when
    saved = dashboard_client.post(url, _form(project, policy_threshold="open",
                                             policy_allowed_id_types="country,id_type\r\nKOR,passport\r\n"))  # fmt: skip
    published = dashboard_client.post(f"{url}rules/publish/", {"rules": json.dumps([RULE]), "based_on_version": 0})

    # then
    assert (saved.status_code, published.status_code) == (302, 302)
    settings = policy_settings_get(project)
    assert (settings.threshold, settings.allowed_id_types.entries) == (40, (("KOR", "passport"),))
    assert PolicyRuleSet.objects.get(project=project).version == 1
    page = dashboard_client.get(url)
    assert b"version 1" in page.content
    assert b"low-ocr" in page.content


def test_invalid_rules_show_their_paths_and_publish_nothing(project, dashboard_client):
    bad = [{**RULE, "when": [{"condition": "ocr_confidence_below", "value": 7}]}]

    response = dashboard_client.post(
        f"/dashboard/p/{project.pid}/settings/policy/rules/publish/", {"rules": json.dumps(bad), "based_on_version": 0}
    )

    assert response.status_code == 200
    assert b"rules[0].when[0].value: must be a number from 0 to 1, got 7" in response.content
    assert not PolicyRuleSet.objects.exists()


def test_a_viewer_reads_but_cannot_change(project):
    # given
    viewer = MembershipFactory(project=project, role=Role.VIEWER).user
    TOTPDeviceFactory(user=viewer)
    client = sign_in(Client(HTTP_HOST=TEST_HOST), viewer)
    url = f"/dashboard/p/{project.pid}/settings/policy/"

    # when
    responses = [
        client.post(url, _form(project, policy_threshold="open")),
        client.post(f"{url}rules/publish/", {"rules": json.dumps([RULE]), "based_on_version": 0}),
    ]

    # then
    assert [r.status_code for r in responses] == [403, 403]
    assert client.get(url).status_code == 200
    assert not ProjectPolicy.objects.exists()
    assert not PolicyRuleSet.objects.exists()


def test_the_project_navigation_links_to_the_policy_page(project, dashboard_client):
    url = f"/dashboard/p/{project.pid}/settings/policy/"
    overview = dashboard_client.get(f"/dashboard/p/{project.pid}/")
    assert f'href="{url}"'.encode() in overview.content
    page = dashboard_client.get(url)
    assert f'href="{url}" aria-current="page">Policy</a>'.encode() in page.content
