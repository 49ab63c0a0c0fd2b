"""The submission period (spec §8.14): set on System Operation, checked when a Liveform link is
opened ("period" page) and when a submission is created (API 403 out_of_period), nothing
written outside it."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from projects.actors import Actor
from projects.models import AuditEvent, CreditLedgerEntry
from projects.services import InvalidSettings, project_settings_update
from projects.settings_registry import get_setting
from submissions.models import Submission
from tests.submissions.api.helpers import photo
from tests.submissions.flow.helpers import flow_client, open_link

ACTOR = Actor.system("test")
START, END = dt.datetime(2026, 12, 1, tzinfo=dt.UTC), dt.datetime(2026, 12, 24, 18, tzinfo=dt.UTC)


@pytest.fixture
def period(project):
    project_settings_update(project=project, changes={"submission_period_start": START, "submission_period_end": END},
                            actor=ACTOR)  # fmt: skip
    project.refresh_from_db()
    return project


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2026-12-01", START), ("2026-12-24T18:00:00Z", END), ("2026-12-24T19:00:00+01:00", END), ("none", None)],
)
def test_the_setting_reads_dates_and_times_in_utc(text, expected):
    setting = get_setting("submission_period_start")
    assert setting.clean(setting.parse(text)) == expected


def test_the_setting_refuses_what_is_not_a_date_and_shows_utc():
    setting = get_setting("submission_period_end")
    with pytest.raises(Exception, match="Expected a date"):
        setting.parse("next monday")
    assert setting.render(END) == "2026-12-24T18:00:00Z"
    assert setting.render(None) == "none"


def test_a_period_that_ends_before_it_starts_is_refused_and_nothing_changes(project):
    before = AuditEvent.objects.filter(project=project).count()

    with pytest.raises(InvalidSettings) as refused:
        project_settings_update(project=project, changes={"submission_period_start": END,
                                                          "submission_period_end": START}, actor=ACTOR)  # fmt: skip

    assert refused.value.errors == {"submission_period_end": "The submission period must end after it starts."}
    project.refresh_from_db()
    assert (project.submission_period_start, project.submission_period_end) == (None, None)
    assert AuditEvent.objects.filter(project=project).count() == before


@pytest.mark.parametrize("moment", [START - dt.timedelta(seconds=1), END])
def test_outside_the_period_a_link_shows_the_period_page(period, moment):
    with time_machine.travel(moment, tick=False):
        client = flow_client()
        response = open_link(client, period.pid)
        page = client.get(response["Location"])

    assert response["Location"] == "/form/error-page/period"
    assert page.status_code == 403
    assert "PV-40031" in page.content.decode()


def test_inside_the_period_a_link_starts_the_flow(period):
    with time_machine.travel(START + dt.timedelta(days=1), tick=False):
        response = open_link(flow_client(), period.pid)

    assert response["Location"] == "/form/consent"


def test_outside_the_period_the_api_creates_nothing(period, api_client):
    period.credits = 5
    period.save(update_fields=["credits"])

    with time_machine.travel(END + dt.timedelta(minutes=1), tick=False):
        response = api_client.post("/v3/submission", {"idImage": _upload(), "selfieImage": _upload()})

    assert response.status_code == 403
    assert response.json() == {"errorCode": "out_of_period",
                               "message": "This project accepts submissions only during its submission period."}  # fmt: skip
    period.refresh_from_db()
    assert (period.credits, Submission.objects.filter(project=period).count()) == (5, 0)
    assert not CreditLedgerEntry.objects.filter(project=period).exists()


def _upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("photo.jpg", photo(), content_type="image/jpeg")
