"""Consent, e-mail, issuing country and ID type: each step, its skips and its refusals."""

from __future__ import annotations

import pytest

from policy.services import policy_settings_update
from projects.actors import Actor
from submissions.flow.state import SESSION_KEY
from tests.submissions.flow.helpers import encrypted, flow_client, nothing_written, open_link, post


@pytest.fixture
def client(project):
    client = flow_client()
    open_link(client, project.pid)
    return client


def test_consent_must_be_given(client, project):
    response = post(client, "/form/consent")
    assert response.status_code == 400
    assert "Please agree to continue" in response.content.decode()
    assert client.session[SESSION_KEY]["consented"] is False
    assert nothing_written(project)


def test_consent_leads_to_the_email_step(client):
    response = post(client, "/form/consent", {"agree": "on"})
    assert (response.status_code, response["Location"]) == (302, "/form/email")
    assert "Your email address" in client.get("/form/email").content.decode()


def test_a_later_step_sends_back_to_the_step_still_to_do(client):
    response = client.get("/form/selfie")
    assert (response.status_code, response["Location"]) == (302, "/form/consent")


def test_a_bad_email_is_shown_again_with_the_reason(client, project):
    post(client, "/form/consent", {"agree": "on"})
    response = post(client, "/form/email", {"email": "nope"})
    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()
    assert client.session[SESSION_KEY]["email"] == ""
    assert nothing_written(project)


def test_the_email_step_is_skipped_when_the_link_gives_one(project):
    client = flow_client()
    open_link(client, project.pid, email="given@example.com")
    response = post(client, "/form/consent", {"agree": "on"})
    assert response["Location"] == "/form/country"


def test_the_country_list_offers_every_country_and_utopia_in_test_projects(client):
    post(client, "/form/consent", {"agree": "on"})
    post(client, "/form/email", {"email": "a@example.com"})
    page = client.get("/form/country").content.decode()
    assert '<option value="EST">Estonia</option>' in page
    assert '<option value="UTO">Utopia (specimen documents)</option>' in page


def test_an_unknown_country_is_refused(client, project):
    post(client, "/form/consent", {"agree": "on"})
    post(client, "/form/email", {"email": "a@example.com"})
    response = post(client, "/form/country", {"choice": "XYZ"})
    assert response.status_code == 400
    assert "Please choose one of the options." in response.content.decode()
    assert client.session[SESSION_KEY]["country"] == ""


def test_allowed_countries_narrow_the_list(issued_key):
    project = issued_key.api_key.project
    client = flow_client()
    open_link(client, project.pid, encrypted=encrypted(issued_key.plaintext, {"allowedCountries": "EST,FIN"}))
    post(client, "/form/consent", {"agree": "on"})
    post(client, "/form/email", {"email": "a@example.com"})
    page = client.get("/form/country").content.decode()
    assert page.count("<option value=") == 3  # the prompt, Estonia, Finland
    assert post(client, "/form/country", {"choice": "KOR"}).status_code == 400


def test_one_allowed_country_skips_the_country_screen(issued_key):
    project = issued_key.api_key.project
    client = flow_client()
    link = encrypted(issued_key.plaintext, {"allowedCountries": "EST", "email": "a@example.com"})
    open_link(client, project.pid, encrypted=link)
    response = post(client, "/form/consent", {"agree": "on"})
    assert response["Location"] == "/form/id-type"


def test_selected_country_and_id_type_skip_both_screens(project):
    client = flow_client()
    open_link(client, project.pid, email="a@example.com", selectedIssuingCountry="EST", selectedIdType="passport")
    response = post(client, "/form/consent", {"agree": "on"})
    assert response["Location"] == "/form/front"


def test_the_id_types_follow_the_projects_allow_list(client, project):
    # given: Estonia accepts passports and ID cards only
    policy_settings_update(
        project=project, changes={"policy_allowed_id_types": ["EST,passport", "EST,government_id"]},
        actor=Actor.system("test"),
    )  # fmt: skip
    post(client, "/form/consent", {"agree": "on"})
    post(client, "/form/email", {"email": "a@example.com"})
    post(client, "/form/country", {"choice": "EST"})
    # when
    page = client.get("/form/id-type").content.decode()
    # then
    assert page.count("<option value=") == 2
    assert '<option value="passport">Passport</option>' in page
    assert post(client, "/form/id-type", {"choice": "drivers_license"}).status_code == 400


def test_a_single_allowed_id_type_skips_the_screen(client, project):
    policy_settings_update(project=project, changes={"policy_allowed_id_types": ["*,passport"]},
                           actor=Actor.system("test"))  # fmt: skip
    post(client, "/form/consent", {"agree": "on"})
    post(client, "/form/email", {"email": "a@example.com"})
    post(client, "/form/country", {"choice": "FIN"})
    response = client.get("/form/id-type")
    assert response["Location"] == "/form/front"
    assert client.session[SESSION_KEY]["id_type"] == "passport"


def _linked(issued_key, **values):
    client = flow_client()
    response = open_link(client, issued_key.api_key.project.pid,
                         encrypted=encrypted(issued_key.plaintext, {"email": "a@example.com", **values}))  # fmt: skip
    return client, response


def test_the_links_allowed_id_types_narrow_the_projects_list(issued_key):
    # given: the project accepts every type; the link only passports and driving licences
    client, _ = _linked(issued_key, allowedCountries="EST", allowedIdTypes="passport, drivers_license")
    assert post(client, "/form/consent", {"agree": "on"})["Location"] == "/form/id-type"

    # when
    page = client.get("/form/id-type").content.decode()

    # then
    assert page.count("<option value=") == 2
    assert '<option value="drivers_license">' in page
    assert post(client, "/form/id-type", {"choice": "government_id"}).status_code == 400
    assert client.session[SESSION_KEY]["id_type"] == ""


def test_one_allowed_id_type_in_a_json_list_skips_the_screen(issued_key):
    client, _ = _linked(issued_key, allowedCountries="EST", allowedIdTypes=["passport"])
    post(client, "/form/consent", {"agree": "on"})

    assert client.get("/form/id-type")["Location"] == "/form/front"
    assert client.session[SESSION_KEY]["id_type"] == "passport"


def test_a_link_allowing_only_types_the_project_refuses_here_is_an_invalid_parameter(issued_key):
    project = issued_key.api_key.project
    policy_settings_update(project=project, changes={"policy_allowed_id_types": ["EST,government_id"]},
                           actor=Actor.system("test"))  # fmt: skip
    client, _ = _linked(issued_key, allowedCountries="EST", allowedIdTypes="passport")
    post(client, "/form/consent", {"agree": "on"})

    assert client.get("/form/id-type")["Location"] == "/form/error-page/invalid-parameter"


@pytest.mark.parametrize("values", [{"allowedIdTypes": "passport,spaceship"}, {"allowedIdTypes": 7},
                                    {"allowedIdTypes": "passport", "selectedIdType": "drivers_license"}])  # fmt: skip
def test_a_bad_allowed_id_types_is_an_invalid_parameter(issued_key, values):
    client, response = _linked(issued_key, **values)

    assert response["Location"] == "/form/error-page/invalid-parameter"
    assert SESSION_KEY not in client.session


def test_a_plain_allowed_id_types_is_ignored(project):
    client = flow_client()
    open_link(client, project.pid, allowedIdTypes="passport")

    assert client.session[SESSION_KEY]["params"]["allowed_id_types"] == []


def test_a_form_of_another_flow_shows_hash_problem(client, project):
    # given: the link opened again (another tab) starts a new flow
    old_flow = client.session[SESSION_KEY]["flow"]
    open_link(client, project.pid)
    # when: the first tab posts
    response = client.post("/form/consent", {"flow": old_flow, "agree": "on"})
    # then
    assert response["Location"] == "/form/error-page/hash_problem"
    page = client.get(response["Location"])
    assert (page.status_code, "RT-60002" in page.content.decode()) == (409, True)
    assert client.session[SESSION_KEY]["consented"] is False
