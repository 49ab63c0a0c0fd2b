"""The User Submissions CSV export: every page of the filtered list, exact cells, e-mail and
userid only for roles that may see them, formula-safe cells, the bound, one Event Log row."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import time_machine

from projects.models import AuditEvent, Role
from submissions import vault
from submissions.models import Submission
from submissions.selectors import export as export_selectors
from submissions.services import SubmissionDetails, submission_create
from submissions.views import export
from tests.factories import ProjectFactory
from tests.submissions.dashboard.helpers import ACTOR, client_for, member

DAY = dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC)
HEADER = ["Submission", "Created (UTC)", "Status", "Score", "Country", "Nationality", "ID type", "Reviewer",
          "Reject code", "Reject comment", "Decided by"]  # fmt: skip


def _create(project, minutes: int, *, email: str = "", userid: str = "", country: str = "EST") -> Submission:
    with time_machine.travel(DAY + dt.timedelta(minutes=minutes), tick=False):
        return submission_create(project=project, source="api", actor=ACTOR,
                                 details=SubmissionDetails(email=email, userid=userid, issuing_country=country,
                                                           id_type="passport"))  # fmt: skip


def _reject(submission: Submission) -> None:
    """As a run that rejected an expired passport leaves it."""
    submission.status, submission.argos_score, submission.reviewer = "rejected", 40, "system"
    submission.kyc_comment, submission.kyc_comment_code = ["The ID has expired."], ["expired_id"]
    submission.nationality = "EST"
    submission.sealed_decision = vault.seal_json(submission, {"deciding": "reject:expired_id"},
                                                 context=vault.DECISION_CONTEXT)  # fmt: skip
    submission.save()


def _url(project) -> str:
    return f"/dashboard/p/{project.pid}/submissions/export/"


def _rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def _exports(project) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(project=project, action="submissions.exported"))


def test_an_owner_exports_every_row_with_email_userid_and_the_decisions_reasons(project, owner, monkeypatch):
    # given: three submissions read two at a time, one of them rejected
    monkeypatch.setattr(export_selectors, "EXPORT_CHUNK", 2)
    first = _create(project, 1, email="jane@example.com", userid="u-1")
    second = _create(project, 2, email="john@example.com", userid="u-2", country="LVA")
    third = _create(project, 3)
    _reject(first)
    client = client_for(owner)
    last_event = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    # when
    response = client.post(_url(project))
    rows = _rows(response)

    # then
    assert response["Content-Disposition"].startswith(f'attachment; filename="submissions-{project.pid}-')
    assert rows == [
        [*HEADER, "E-mail", "Userid"],
        [third.pk, "2026-11-20 09:03:00", "incomplete", "", "EST", "", "passport", "", "", "", "", "", ""],
        [second.pk, "2026-11-20 09:02:00", "incomplete", "", "LVA", "", "passport", "", "", "", "", "john@example.com",
         "u-2"],
        [first.pk, "2026-11-20 09:01:00", "rejected", "40", "EST", "EST", "passport", "system", "expired_id",
         "The ID has expired.", "reject:expired_id", "jane@example.com", "u-1"],
    ]  # fmt: skip
    [event] = AuditEvent.objects.filter(pk__gt=last_event)  # exactly one Event Log row, of any action
    assert (event.action, event.project, event.actor_user, event.target_type) == (
        "submissions.exported",
        project,
        owner,
        "submission_list",
    )
    assert event.details == {"filters": {}, "rows": 3, "email_userid": True}


def test_a_viewers_export_has_no_email_or_userid(project):
    # given
    only = _create(project, 1, email="jane@example.com", userid="u-1")
    viewer = member(project, Role.VIEWER)

    # when
    response = client_for(viewer).post(_url(project))

    # then
    assert _rows(response) == [HEADER, [only.pk, "2026-11-20 09:01:00", "incomplete", "", "EST", "", "passport", "",
                                        "", "", ""]]  # fmt: skip
    [event] = _exports(project)
    assert event.details == {"filters": {}, "rows": 1, "email_userid": False}


def test_a_reviewer_may_see_email_and_userid(project):
    # given
    _create(project, 1, email="jane@example.com", userid="u-1")
    reviewer = member(project, Role.REVIEWER)

    # when
    rows = _rows(client_for(reviewer).post(_url(project)))

    # then
    assert rows[0][-2:] == ["E-mail", "Userid"]
    assert rows[1][-2:] == ["jane@example.com", "u-1"]


def test_the_export_holds_exactly_the_filtered_rows_and_records_the_filters_without_pii(project, owner):
    # given
    jane = [_create(project, n, email="jane@example.com", userid=f"u-{n}") for n in (1, 2, 3)]
    _create(project, 4, email="john@example.com")
    _create(project, 5, email="jane@example.com", country="LVA")
    _create(ProjectFactory(), 6, email="jane@example.com")

    # when
    response = client_for(owner).post(_url(project), {"q": "Jane@Example.com", "country": "est", "sort": "oldest",
                                                      "created_from": "2026-11-20", "after": "ignored"})  # fmt: skip

    # then
    assert [row[0] for row in _rows(response)[1:]] == [s.pk for s in jane]
    [event] = _exports(project)
    assert event.details == {
        "filters": {"from": "2026-11-20", "country": "EST", "keyword": "email", "sort": "oldest"},
        "rows": 3,
        "email_userid": True,
    }
    assert "jane" not in str(event.details).lower()


def test_a_name_search_is_exported_with_its_matches_only(project, owner):
    # given
    anna = _create(project, 1)
    _create(project, 2)
    anna.sealed_evidence = vault.seal_json(anna, {"document": {"fields": {"surname": "KASK", "given_names": "ANNA"}}},
                                           context=vault.EVIDENCE_CONTEXT)  # fmt: skip
    anna.save()

    # when
    rows = _rows(client_for(owner).post(_url(project), {"q": "Anna Kask"}))

    # then
    assert [row[0] for row in rows[1:]] == [anna.pk]
    assert _exports(project)[0].details == {"filters": {"keyword": "name"}, "rows": 1, "email_userid": True}


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x.example")', "+1+2", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_a_cell_a_spreadsheet_would_run_is_written_as_text(project, owner, text):
    # given
    _create(project, 1, userid=text)

    # when
    rows = _rows(client_for(owner).post(_url(project)))

    # then
    assert rows[1][-1] == "'" + text


def test_an_export_past_the_bound_is_refused_with_the_way_out(project, owner, monkeypatch):
    # given
    monkeypatch.setattr(export, "EXPORT_MAX_ROWS", 2)
    for n in (1, 2, 3):
        _create(project, n)
    client = client_for(owner)

    # when
    response = client.post(_url(project), {"status": "incomplete"}, follow=True)

    # then
    assert response.redirect_chain == [(f"/dashboard/p/{project.pid}/submissions/?status=incomplete", 302)]
    assert ("An export holds at most 2 submissions; narrow the filters (the dates, say) and export again."
            in response.content.decode())  # fmt: skip
    assert _exports(project) == []


def test_the_bound_itself_is_allowed(project, owner, monkeypatch):
    # given
    monkeypatch.setattr(export, "EXPORT_MAX_ROWS", 2)
    _create(project, 1)
    _create(project, 2)

    # when
    rows = _rows(client_for(owner).post(_url(project)))

    # then
    assert len(rows) == 3
    assert len(_exports(project)) == 1


def test_invalid_filters_are_refused_without_an_export(project, owner):
    # given
    _create(project, 1)

    # when
    response = client_for(owner).post(_url(project), {"country": "Estonia"}, follow=True)

    # then
    assert "Fix the filters before exporting." in response.content.decode()
    assert _exports(project) == []


def test_only_members_may_export_and_only_by_post(project, owner, outsider):
    # given
    _create(project, 1)

    # when
    by_get = client_for(owner).get(_url(project))
    by_outsider = client_for(outsider).post(_url(project))

    # then
    assert (by_get.status_code, by_outsider.status_code) == (405, 404)
    assert _exports(project) == []


def test_the_list_offers_the_export_with_its_filters(project, owner):
    # when
    page = client_for(owner).get(f"/dashboard/p/{project.pid}/submissions/", {"status": "pending", "q": "u 1",
                                                                                "after": "x"}).content.decode()  # fmt: skip

    # then
    assert f'action="/dashboard/p/{project.pid}/submissions/export/"' in page
    assert '<input type="hidden" name="status" value="pending">' in page
    assert '<input type="hidden" name="q" value="u 1">' in page
    assert 'name="after" value="x"' not in page
    assert "Export CSV" in page
