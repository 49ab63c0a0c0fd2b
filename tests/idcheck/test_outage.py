"""Outage answers (idcheck.outage, G15): with the database unreachable every surface answers 503
with its documented body, never a 500 or a traceback; with the broker unreachable a create still
succeeds and leaves its run to the sweeper; a full disk leaves no partial file. The fault
drills (tests/faults/) prove the same against real restarts; these pin each answer quickly."""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import socket
from collections.abc import Iterator

import pytest
from django.db import ProgrammingError, connection
from django.test import Client

from idcheck.celery import app
from projects.models import CreditLedgerEntry
from submissions.models import Submission, SubmissionImage
from tests.conftest import TEST_HOST
from tests.submissions.api.helpers import b64, photo, stored_files

OUTAGE = {"message": "Service Unavailable"}


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens there once the probe is closed


@contextlib.contextmanager
def _database_down(django_db_blocker) -> Iterator[None]:
    """The connection's server is a port where nothing listens: every query fails to connect."""
    with django_db_blocker.unblock():
        saved = connection.settings_dict["PORT"]
        connection.close()
        connection.settings_dict["PORT"] = str(_closed_port())
        try:
            yield
        finally:
            connection.close()
            connection.settings_dict["PORT"] = saved


@pytest.fixture
def browser() -> Client:
    return Client(HTTP_HOST=TEST_HOST, raise_request_exception=False)


def test_a_v3_call_while_the_database_is_down_answers_503_with_the_gateway_body(browser, django_db_blocker, caplog):
    # when
    with _database_down(django_db_blocker), caplog.at_level(logging.WARNING, logger="idcheck.outage"):
        response = browser.get("/v3/submission", {"count": 10}, HTTP_X_API_KEY="k" * 40)

    # then
    assert (response.status_code, response.json(), response["Retry-After"]) == (503, OUTAGE, "5")
    outage_logs = [r.getMessage() for r in caplog.records if r.name == "idcheck.outage"]
    assert outage_logs == ["unavailable during /v3/submission: OperationalError"]


def test_a_liveform_page_while_the_database_is_down_is_its_service_unavailable_page(browser, django_db_blocker):
    # when
    with _database_down(django_db_blocker):
        response = browser.get("/form/", {"pid": "abcdefghij"})

    # then: the Liveform's own error page, with its code, rendered without the database
    body = response.content.decode()
    assert (response.status_code, response["Retry-After"]) == (503, "5")
    assert "SE-50011" in body
    assert "Service temporarily unavailable" in body
    assert "Traceback" not in body
    assert "OperationalError" not in body


def test_a_dashboard_page_while_the_database_is_down_is_a_plain_503(browser, django_db_blocker, settings):
    # given: a signed-in browser (its session is read from the database)
    browser.cookies[settings.SESSION_COOKIE_NAME] = "a" * 32

    # when
    with _database_down(django_db_blocker):
        response = browser.get("/dashboard/")
    # then
    assert (response.status_code, response["Retry-After"]) == (503, "5")
    assert "Temporarily unavailable" in response.content.decode()


def test_a_bug_is_still_a_500_not_an_outage(browser, django_db_blocker):
    # given: a database error that is no outage (a query against a table that does not exist)
    with django_db_blocker.unblock(), pytest.raises(ProgrammingError) as raised, connection.cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table")

    # then
    from idcheck.outage import outage_kind

    assert outage_kind(raised.value) is None
    assert outage_kind(OSError(errno.ENOSPC, "No space left on device")) == "storage_full"
    assert outage_kind(RuntimeError("x")) is None


@pytest.fixture
def broker_down(monkeypatch) -> None:
    """Celery publishes to a port where nothing listens, as when Redis is down."""
    monkeypatch.setattr(app.conf, "broker_url", f"redis://127.0.0.1:{_closed_port()}/0")
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)


@pytest.mark.django_db
def test_a_create_while_the_broker_is_down_answers_200_and_leaves_its_run_to_the_sweeper(
    api_client, project, broker_down, django_capture_on_commit_callbacks, caplog
):
    # when
    body = {"idImage": b64(photo()), "email": "broker@example.com"}
    with django_capture_on_commit_callbacks(execute=True), caplog.at_level(logging.WARNING, logger="idcheck.tasks"):
        response = api_client.post("/v3/submission", data=json.dumps(body), content_type="application/json")

    # then: created, charged once, queued (the sweeper re-sends it once the broker is back)
    assert response.status_code == 200, response.content
    submission = Submission.objects.get(pk=response.json()["submissionId"])
    assert (submission.run_state, submission.attempts) == ("queued", 0)
    assert CreditLedgerEntry.objects.filter(submission=submission).count() == 1
    assert [r.getMessage().split(" (")[0] for r in caplog.records] == [
        f"could not queue submissions.tasks.submission_process_task('{submission.id}',)"
    ]


@pytest.mark.django_db
def test_a_create_on_a_full_disk_answers_507_and_leaves_no_partial_file(api_client, project, full_media_disk):
    # given
    credits = project.credits
    body = {"idImage": b64(photo((1600, 1200))), "email": "full@example.com"}

    # when
    response = api_client.post("/v3/submission", data=json.dumps(body), content_type="application/json")

    # then: the documented answer, and nothing stored or charged, not even part of a file
    assert (response.status_code, response.json(), response["Retry-After"]) == (
        507, {"message": "Insufficient Storage"}, "60")  # fmt: skip
    assert stored_files(full_media_disk / "submissions") == []
    assert (Submission.objects.count(), SubmissionImage.objects.count()) == (0, 0)
    project.refresh_from_db()
    assert project.credits == credits
