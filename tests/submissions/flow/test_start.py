"""Opening a Liveform link: every parameter check of spec §6.2 and its error page (§6.7)."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
import time_machine

from idcheck.lib.crypto import seal
from projects.actors import Actor
from projects.models import ApiKey, ProjectStatus
from projects.services import project_settings_update, secret_key_issue
from submissions.flow.state import SESSION_KEY
from tests.factories import ProjectFactory
from tests.submissions.flow.helpers import encrypted, flow_client, nothing_written, open_link

NOW = dt.datetime(2026, 4, 30, 14, 0, tzinfo=dt.UTC)


def _error(client, response) -> tuple[str, int, str]:
    """Where a refused link leads: the error page's path, status and text."""
    assert response.status_code == 302
    page = client.get(response["Location"])
    return response["Location"], page.status_code, page.content.decode()


def test_a_valid_link_starts_the_flow_at_consent(project):
    client = flow_client()
    # when
    response = open_link(client, project.pid)
    # then
    assert (response.status_code, response["Location"]) == (302, "/form/consent")
    page = client.get("/form/consent")
    assert page.status_code == 200
    assert "Verify your identity" in page.content.decode()
    assert nothing_written(project)


def test_a_link_without_pid_is_a_bad_path(db):
    client = flow_client()
    location, status, text = _error(client, client.get("/form/"))
    assert (location, status) == ("/form/error-page/bad-path", 400)
    assert "PV-40001" in text
    assert SESSION_KEY not in client.session


@pytest.mark.parametrize("pid", ["abcdefghij", "not a pid", "ABCDEFGHIJ"])
def test_an_unknown_project_is_page_not_found(db, pid):
    client = flow_client()
    location, status, text = _error(client, open_link(client, pid))
    assert (location, status) == ("/form/error-page/page-not-found", 404)
    assert "NF-10000" in text


def test_a_closed_project_shows_project_closed(db):
    project = ProjectFactory(status=ProjectStatus.CLOSED)
    client = flow_client()
    location, status, text = _error(client, open_link(client, project.pid))
    assert (location, status) == ("/form/error-page/project-closed", 403)
    assert "PV-40030" in text
    assert SESSION_KEY not in client.session
    assert nothing_written(project)


def test_an_emergency_stop_shows_service_blocked(db):
    project = ProjectFactory(emergency_stop=True)
    client = flow_client()
    location, status, text = _error(client, open_link(client, project.pid))
    assert (location, status) == ("/form/error-page/service-blocked", 503)
    assert "SE-50010" in text
    assert nothing_written(project)


@pytest.mark.parametrize(
    ("params", "page"),
    [
        ({"email": "not-an-email"}, "invalid-parameter"),
        ({"userid": "u" * 201}, "invalid-parameter"),
        ({"cf1": "line\nbreak"}, "invalid-parameter"),
        ({"selectedIssuingCountry": "XYZ"}, "invalid-parameter"),
        ({"selectedIdType": "library_card"}, "invalid-parameter"),
        ({"startValidUntil": "2099-01-01T00:00:00Z"}, "invalid-start-valid-until"),  # plain is refused
        ({"encrypted": "not a ciphertext"}, "decryption-failed"),
    ],
)
def test_bad_parameters_are_refused_with_their_page(project, issued_key, params, page):
    client = flow_client()
    location, status, _ = _error(client, open_link(client, project.pid, **params))
    assert (location, status) == (f"/form/error-page/{page}", 400)
    assert SESSION_KEY not in client.session
    assert nothing_written(project)


@time_machine.travel(NOW, tick=False)
def test_an_expired_start_deadline_is_refused_before_anything_else(issued_key):
    # given: a closed project and a bad e-mail too; startValidUntil is checked first
    project = issued_key.api_key.project
    project.status = ProjectStatus.CLOSED
    project.save()
    values = {"startValidUntil": "2026-04-30T13:59:59Z", "email": "bad"}
    client = flow_client()
    # when
    location, status, text = _error(
        client, open_link(client, project.pid, encrypted=encrypted(issued_key.plaintext, values))
    )
    # then
    assert (location, status) == ("/form/error-page/expired-start-valid-until", 403)
    assert "PV-40018" in text
    assert "This link has expired" in text


@time_machine.travel(NOW, tick=False)
def test_a_start_deadline_still_ahead_lets_the_flow_start(issued_key):
    project = issued_key.api_key.project
    values = {"startValidUntil": "2026-04-30T15:00:00Z"}
    client = flow_client()
    response = open_link(client, project.pid, encrypted=encrypted(issued_key.plaintext, values))
    assert response["Location"] == "/form/consent"


@time_machine.travel(NOW, tick=False)
def test_a_malformed_start_deadline_is_refused(issued_key):
    project = issued_key.api_key.project
    client = flow_client()
    response = open_link(
        client, project.pid, encrypted=encrypted(issued_key.plaintext, {"startValidUntil": "tomorrow"})
    )
    assert response["Location"] == "/form/error-page/invalid-start-valid-until"


def test_encrypted_values_are_used_and_plain_ones_ignored(issued_key):
    # given: encryption-only mode, a plain userid beside the encrypted one
    project = issued_key.api_key.project
    values = {"email": "enc@example.com", "userid": "u-enc", "cf1": "c1", "allowedCountries": "EST"}
    client = flow_client()
    # when
    open_link(client, project.pid, encrypted=encrypted(issued_key.plaintext, values), userid="u-plain")
    # then
    params = client.session[SESSION_KEY]["params"]
    assert (params["email"], params["userid"], params["cf1"]) == ("enc@example.com", "u-enc", "c1")
    assert (params["allowed_countries"], params["country"]) == (["EST"], "EST")


def test_the_spec_gcm_vector_opens_with_the_spec_key(project):
    # given: the project's key is the spec's fake key (§5.4)

    from projects.services.api_keys import payload_key_aad

    key_string = "TESTAPIKEY0123456789abcdefghijklmnopqrst"
    api_key = ApiKey(project=project, prefix=key_string[:8], key_hash="x")
    api_key.payload_key_sealed = seal(
        hashlib.sha256(key_string.encode()).digest(), purpose="api-key-payload-key", aad=payload_key_aad(api_key.id)
    )
    api_key.save()
    client = flow_client()
    # when
    open_link(client, project.pid, encrypted="AAECAwQFBgcICQoLKmWJADq+eE7O/FHYg4Fq47oKsIDBZmc7Cu4ZqFVu7w==")
    # then
    assert client.session[SESSION_KEY]["params"]["userid"] == "u1"


def test_encrypted_without_an_api_key_cannot_be_read(project):
    client = flow_client()
    location, status, _ = _error(client, open_link(client, project.pid, encrypted="0LggZ8SFnWfM4yzf+ZXqug=="))
    assert (location, status) == ("/form/error-page/decryption-failed", 400)


def test_with_the_secret_key_as_encryption_key_only_a_link_under_it_opens(issued_key):
    # given
    project = issued_key.api_key.project
    secret_key = secret_key_issue(project=project, actor=Actor.system("test")).plaintext
    project_settings_update(project=project, changes={"encryption_key": "secret_key"}, actor=Actor.system("test"))
    values = {"userid": "u-secret"}
    refused_client, client = flow_client(), flow_client()
    # when
    refused = _error(
        refused_client, open_link(refused_client, project.pid, encrypted=encrypted(issued_key.plaintext, values))
    )
    opened = open_link(client, project.pid, encrypted=encrypted(secret_key, values))
    # then: the API key's link no longer opens; the secretKey's does
    assert refused[:2] == ("/form/error-page/decryption-failed", 400)
    assert SESSION_KEY not in refused_client.session
    assert opened["Location"] == "/form/consent"
    assert client.session[SESSION_KEY]["params"]["userid"] == "u-secret"


def test_a_secret_key_issued_but_not_chosen_leaves_the_api_key_in_use(issued_key):
    project = issued_key.api_key.project
    secret_key_issue(project=project, actor=Actor.system("test"))
    client = flow_client()
    open_link(client, project.pid, encrypted=encrypted(issued_key.plaintext, {"userid": "u-api"}))
    assert client.session[SESSION_KEY]["params"]["userid"] == "u-api"


def test_a_plain_allowed_countries_is_ignored(project):
    client = flow_client()
    open_link(client, project.pid, allowedCountries="EST")
    assert client.session[SESSION_KEY]["params"]["allowed_countries"] == []


def test_an_unknown_form_path_is_page_not_found(db):
    response = flow_client().get("/form/nowhere")
    assert response.status_code == 404
    assert "NF-10000" in response.content.decode()


def test_an_unknown_error_page_is_page_not_found(db):
    response = flow_client().get("/form/error-page/nothing-like-this")
    assert response.status_code == 404
    assert "NF-10000" in response.content.decode()


def test_a_step_without_a_flow_shows_refresh(db):
    client = flow_client()
    response = client.get("/form/email")
    assert response["Location"] == "/form/error-page/refresh"
    page = client.get(response["Location"])
    assert page.status_code == 409
    assert "RT-60001" in page.content.decode()


def test_a_flow_the_code_no_longer_understands_shows_refresh(project):
    client = flow_client()
    open_link(client, project.pid)
    session = client.session
    session[SESSION_KEY] = {"flow": "x", "unknown": 1}
    session.save()
    assert client.get("/form/consent")["Location"] == "/form/error-page/refresh"


def test_a_flow_older_than_its_lifetime_shows_refresh(project):
    client = flow_client()
    with time_machine.travel(NOW, tick=False):
        open_link(client, project.pid)
    with time_machine.travel(NOW + dt.timedelta(hours=2, seconds=1), tick=False):
        assert client.get("/form/consent")["Location"] == "/form/error-page/refresh"
