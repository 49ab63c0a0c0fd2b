"""The User Submissions search box (e-mail, userid, submission id, name), the nationality filter
and the indexes that serve them, with exact ids and the pages of a bounded name search."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from submissions import vault
from submissions.forms import keyword_kind
from submissions.models import Submission
from submissions.selectors import SubmissionFilters, submission_search
from submissions.selectors import search as name_search
from submissions.services import SubmissionDetails, submission_create, submission_delete, submission_delete_partial
from tests.factories import ProjectFactory
from tests.submissions.dashboard.helpers import ACTOR, client_for, pending_policy, pending_submission

DAY = dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC)


def _create(project, minutes: int, *, email: str = "", userid: str = "", holder: tuple[str, str] | None = None) -> str:
    """A submission; ``holder`` (surname, given names) seals an evidence naming them, as a run would."""
    with time_machine.travel(DAY + dt.timedelta(minutes=minutes), tick=False):
        submission = submission_create(project=project, source="api", actor=ACTOR,
                                       details=SubmissionDetails(email=email, userid=userid))  # fmt: skip
    if holder is not None:
        evidence = {"document": {"fields": {"surname": holder[0], "given_names": holder[1]}}}
        submission.sealed_evidence = vault.seal_json(submission, evidence, context=vault.EVIDENCE_CONTEXT)
        submission.save(update_fields=["sealed_evidence"])
    return submission.pk


def _ids(response) -> list[str]:
    assert response.status_code == 200
    return [s.pk for s in response.context["page"].items]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ("", "")),
        ("  ", ("", "")),
        (" Jane@Example.com ", ("email", "Jane@Example.com")),
        ("EVCKA62MES3UGZB_MG", ("id", "evcka62mes3ugzb_mg")),
        ("evcka62mes3ugzb_m", ("userid", "evcka62mes3ugzb_m")),
        ("Tomas Horvath", ("name", "Tomas Horvath")),
        ("Müller-Lüdenscheidt Jürgen", ("name", "Müller-Lüdenscheidt Jürgen")),
        ("O'Brien Seán", ("name", "O'Brien Seán")),
        ("Horvath", ("userid", "Horvath")),
        ("user 42", ("userid", "user 42")),
        ("u-123", ("userid", "u-123")),
        ("name: Horvath", ("name", "Horvath")),
        ("USERID:Anna Kask", ("userid", "Anna Kask")),
        ("email: jane", ("email", "jane")),
        ("id: EVCKA62MES3UGZB_MG", ("id", "EVCKA62MES3UGZB_MG")),
        ("name:", ("name", "")),
    ],
)
def test_it_recognises_what_the_search_box_holds(text, expected):
    assert keyword_kind(text) == expected


def test_it_finds_by_email_userid_and_submission_id(project, owner):
    # given
    jane = [_create(project, n, email="jane@example.com", userid="u-1") for n in (1, 3)]
    john = _create(project, 2, email="john@example.com", userid="Anna Kask")
    _create(ProjectFactory(), 4, email="jane@example.com", userid="u-1")
    client = client_for(owner)
    url = f"/dashboard/p/{project.pid}/submissions/"

    # when / then
    assert _ids(client.get(url, {"q": "JANE@example.com"})) == [jane[1], jane[0]]
    assert _ids(client.get(url, {"q": "u-1", "sort": "oldest"})) == jane
    assert _ids(client.get(url, {"q": "U-1"})) == []
    assert _ids(client.get(url, {"q": "userid: Anna Kask"})) == [john]
    assert _ids(client.get(url, {"q": "Anna Kask"})) == []  # a name: nobody's document says so
    assert _ids(client.get(url, {"q": f"id:{john}"})) == [john]
    assert _ids(client.get(url, {"q": "nobody@example.com"})) == []


def test_a_name_matches_whole_words_of_the_holder_in_any_order_without_accents(project, owner):
    # given
    horvath = _create(project, 1, holder=("HORVATH", "TOMAS"))
    muller = _create(project, 2, holder=("MÜLLER", "JÜRGEN KARL"))
    _create(project, 3, holder=("HORVATHOVA", "TOMAS"))
    _create(project, 4)  # not decided: no evidence, no name
    client = client_for(owner)
    url = f"/dashboard/p/{project.pid}/submissions/"

    # when / then
    assert _ids(client.get(url, {"q": "tomas horvath"})) == [horvath]
    assert _ids(client.get(url, {"q": "Horváth Tomáš"})) == [horvath]
    assert _ids(client.get(url, {"q": "Karl Muller"})) == [muller]
    assert _ids(client.get(url, {"q": "name: Jürgen"})) == [muller]
    assert _ids(client.get(url, {"q": "Tom Horvath"})) == []


def test_an_empty_or_letterless_name_is_refused_and_filters_nothing(project, owner):
    # given
    only = _create(project, 1, holder=("HORVATH", "TOMAS"))
    client = client_for(owner)
    url = f"/dashboard/p/{project.pid}/submissions/"

    # when
    empty = client.get(url, {"q": "name:"})
    letterless = client.get(url, {"q": "name: --"})

    # then
    assert "Type what to search for after name:." in empty.content.decode()
    assert "A name needs letters." in letterless.content.decode()
    assert _ids(empty) == _ids(letterless) == [only]


def test_a_name_search_stops_at_its_bound_and_the_next_page_goes_on(project, owner, monkeypatch):
    # given: five decided submissions, the holder asked for only in the oldest; a bound of 2
    monkeypatch.setattr(name_search, "NAME_SCAN_ROWS", 2)
    wanted = _create(project, 1, holder=("KASK", "ANNA"))
    others = [_create(project, n, holder=("TAMM", "MARI")) for n in (2, 3, 4, 5)]
    filters = SubmissionFilters(name="Anna Kask")

    # when
    pages, after = [], None
    for _ in range(4):
        page = submission_search(project=project, filters=filters, count=50, after=after)
        pages.append(([s.pk for s in page.items], page.scan_stopped))
        if page.next_key is None:
            break
        after = (page.next_key.created_at, page.next_key.pk)

    # then: two rows opened per page, newest first; the last page reaches the end
    assert pages == [([], True), ([], True), ([wanted], False)]
    assert after == (Submission.objects.get(pk=others[0]).created_at, others[0])


def test_a_name_page_ends_at_its_last_match_when_more_follow(project):
    # given
    anna = [_create(project, n, holder=("KASK", "ANNA")) for n in (1, 2, 3)]

    # when
    first = submission_search(project=project, filters=SubmissionFilters(name="anna kask"), count=2)
    key = (first.next_key.created_at, first.next_key.pk)
    second = submission_search(project=project, filters=SubmissionFilters(name="anna kask"), count=2, after=key)

    # then
    assert [s.pk for s in first.items] == [anna[2], anna[1]]
    assert (first.next_key.pk, first.scan_stopped) == (anna[1], False)
    assert ([s.pk for s in second.items], second.next_key) == ([anna[0]], None)


def test_the_list_says_where_a_stopped_name_search_ended(project, owner, monkeypatch):
    # given
    monkeypatch.setattr(name_search, "NAME_SCAN_ROWS", 1)
    _create(project, 1, holder=("KASK", "ANNA"))
    _create(project, 2, holder=("TAMM", "MARI"))

    # when
    response = client_for(owner).get(f"/dashboard/p/{project.pid}/submissions/", {"q": "Anna Kask"})

    # then
    page = response.content.decode()
    assert "This name search opened 1 submissions, up to 2026-11-20 09:02 UTC, and stopped there." in page
    assert "Next page" in page


def test_a_run_sets_the_nationality_and_deletions_clear_it(project, owner):
    # given: the passport specimen (EST) through a real run
    pending_policy(project)
    first = pending_submission(project)
    second = pending_submission(project, email="other@example.com")
    client = client_for(owner)
    url = f"/dashboard/p/{project.pid}/submissions/"

    # when / then
    assert (Submission.objects.get(pk=first.pk).nationality, second.nationality) == ("EST", "EST")
    assert _ids(client.get(url, {"nationality": "est"})) == [second.pk, first.pk]
    assert _ids(client.get(url, {"nationality": "LVA"})) == []
    submission_delete_partial(project=project, submission_id=first.pk, fields=["data"], data_fields=["nationality"],
                              actor=ACTOR)  # fmt: skip
    assert Submission.objects.get(pk=first.pk).nationality == ""
    submission_delete(project=project, submission_id=second.pk, actor=ACTOR)
    assert Submission.objects.get(pk=second.pk).nationality == ""
    assert _ids(client.get(url, {"nationality": "EST"})) == []


def test_an_invalid_nationality_shows_its_error_and_filters_nothing(project, owner):
    only = _create(project, 1)

    response = client_for(owner).get(f"/dashboard/p/{project.pid}/submissions/", {"nationality": "Estonia"})

    assert "Nationality: Three letters, e.g. EST." in response.content.decode()
    assert _ids(response) == [only]


def _seed(project, rows: int) -> None:
    """``rows`` submissions in which each filtered value is rare (as in a real table), analysed."""
    codes = [f"{chr(65 + n // 26)}{chr(65 + n % 26)}X" for n in range(60)]
    Submission.objects.bulk_create(
        Submission(
            project=project,
            source="api",
            created_at=DAY - dt.timedelta(minutes=n),
            status="pending" if n % 97 == 0 else "approved",
            nationality=codes[n % 60],
            claimed_issuing_country=codes[(n + 7) % 60],
            claimed_id_type="visa" if n % 89 == 0 else "passport",
            email_lookup=f"{n:064x}",
            userid_lookup=f"{n + rows:064x}",
        )  # fmt: skip
        for n in range(rows)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE submissions_submission")


@pytest.mark.parametrize(
    ("filters", "index"),
    [
        (SubmissionFilters(), "submissions_project_"),
        (SubmissionFilters(status="pending"), "submission_status_idx"),
        (SubmissionFilters(nationality="ABX"), "submission_nationality_idx"),
        (SubmissionFilters(issuing_country="ABX"), "submission_country_idx"),
        (SubmissionFilters(id_type="visa"), "submission_id_type_idx"),
        (SubmissionFilters(email="jane@example.com"), "submission_email_lookup_idx"),
        (SubmissionFilters(userid="u-1"), "submission_userid_lookup_idx"),
        (SubmissionFilters(nationality="ABX", oldest_first=True), "submission_nationality_idx"),
    ],
)
def test_each_filter_is_served_by_its_index(project, filters, index):
    # given: 5000 rows, and the page query the list runs after a cursor (the rows all ahead of it)
    _seed(project, 5000)
    after = (DAY - dt.timedelta(days=30), "") if filters.oldest_first else (DAY, "zzzzzzzzzzzzzzz_zz")
    with CaptureQueriesContext(connection) as queries:
        submission_search(project=project, filters=filters, count=50, after=after)
    [sql] = [q["sql"] for q in queries.captured_queries if 'FROM "submissions_submission"' in q["sql"]]

    # when
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())

    # then
    assert index in plan, plan
    assert "Seq Scan" not in plan, plan


def test_the_aml_filter_keeps_red_flags_clean_screenings_or_the_unscreened(project, owner):
    # given: a Red Flag, a screening that matched nothing, and a submission never screened
    from submissions.models import AmlScreening

    flagged, clean, unscreened = (_create(project, minutes) for minutes in (1, 2, 3))
    for sid, status, risk in ((flagged, "Red Flag", "HIGH"), (clean, "Not Screened", "Not Screened")):
        AmlScreening.objects.create(submission_id=sid, project=project, current_status=status,
                                    risk_level_summary=risk, threshold=90)  # fmt: skip
    client = client_for(owner)
    url = f"/dashboard/p/{project.pid}/submissions/"

    # when / then
    assert _ids(client.get(url, {"aml": "red_flag"})) == [flagged]
    assert _ids(client.get(url, {"aml": "clean"})) == [clean]
    assert _ids(client.get(url, {"aml": "not_screened"})) == [unscreened]
    assert _ids(client.get(url)) == [unscreened, clean, flagged]
