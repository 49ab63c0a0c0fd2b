"""The Event Log's filters (actor, action, prefix, UTC days) and its keyset pages, with exact rows."""

from __future__ import annotations

import datetime as dt

import time_machine

from projects.actors import Actor
from projects.models import AuditEvent
from projects.services import api_key_issue, audit_record, membership_remove
from tests.conftest import sign_in
from tests.factories import MembershipFactory, ProjectFactory, UserFactory

DAY = dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC)


def _record(project, action: str, at: dt.datetime, actor: Actor) -> int:
    with time_machine.travel(at, tick=False):
        return audit_record(actor=actor, action=action, project=project, target_type="submission").pk


def _ids(response) -> list[int]:
    return [row.event.pk for row in response.context["rows"]]


def test_each_filter_selects_exactly_the_matching_events(project, owner, issued_key, client):
    # given: events by the owner, the API key and the system over three days
    by_owner, by_key, by_system = (
        Actor(user=owner, label=f"user:{owner.pk}"),
        Actor(api_key=issued_key.api_key),
        Actor.system(),
    )
    issued = AuditEvent.objects.get(project=project, action="api_key.created").pk  # now, after the others
    reviewed = _record(project, "submission.reviewed", DAY, by_owner)
    created = _record(project, "submission.created", DAY + dt.timedelta(days=1), by_key)
    deleted = _record(project, "submission.deleted", DAY + dt.timedelta(days=1, hours=13, minutes=59), by_owner)
    decided = _record(project, "submission.decided", DAY + dt.timedelta(days=2), by_system)
    other = ProjectFactory()
    _record(other, "submission.deleted", DAY + dt.timedelta(days=1), by_owner)
    client = sign_in(client, owner)
    url = f"/dashboard/p/{project.pid}/events/"

    # when / then
    assert _ids(client.get(url, {"actor": f"user:{owner.pk}"})) == [deleted, reviewed]
    assert _ids(client.get(url, {"actor": "api_key"})) == [created]
    assert _ids(client.get(url, {"actor": "system"})) == [issued, decided]
    assert _ids(client.get(url, {"action": "submission.deleted"})) == [deleted]
    assert _ids(client.get(url, {"prefix": "submission."})) == [decided, deleted, created, reviewed]
    assert _ids(client.get(url, {"day_from": "2026-11-21", "day_to": "2026-11-21"})) == [deleted, created]
    assert _ids(client.get(url, {"day_from": "2026-11-21", "actor": f"user:{owner.pk}"})) == [deleted]
    assert _ids(client.get(url, {"day_to": "2026-11-20", "prefix": "submission"})) == [reviewed]


def test_a_deletion_reads_in_words_and_is_marked(project, owner, client):
    # given
    _record(project, "submission.deleted", DAY, Actor(user=owner, label=f"user:{owner.pk}"))
    client = sign_in(client, owner)

    # when
    response = client.get(f"/dashboard/p/{project.pid}/events/", {"action": "submission.deleted"})

    # then
    row = response.context["rows"][0]
    assert (row.words, row.by, row.notable) == ("Submission deleted", owner.email, True)
    assert '<span class="badge badge-danger">Submission deleted</span>' in response.content.decode()


def test_pages_follow_each_other_by_keyset_without_gaps_or_repeats(project, owner, client, monkeypatch):
    # given: seven events at the same second and three later, pages of four
    monkeypatch.setattr("projects.views.event_log.EVENTS_PER_PAGE", 4)
    same = [_record(project, "submission.created", DAY, Actor.system()) for _ in range(7)]
    later = [_record(project, "submission.created", DAY + dt.timedelta(minutes=m), Actor.system()) for m in (1, 2, 3)]
    expected = [*reversed(later), *reversed(same)]
    client = sign_in(client, owner)
    url = f"/dashboard/p/{project.pid}/events/"

    # when
    seen, query = [], "prefix=submission"
    while query:
        response = client.get(f"{url}?{query}")
        seen.append(_ids(response))
        query = response.context["next_query"]

    # then
    assert seen == [expected[:4], expected[4:8], expected[8:]]


def test_invalid_filters_show_their_errors_and_filter_nothing(project, owner, client):
    # given
    only = _record(project, "submission.created", DAY, Actor.system())
    client = sign_in(client, owner)

    # when
    response = client.get(
        f"/dashboard/p/{project.pid}/events/",
        {"day_from": "2026-11-21", "day_to": "2026-11-20", "prefix": "DROP TABLE", "actor": "user:999999"},
    )

    # then
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"day_to", "prefix", "actor"}
    assert "The last day comes before the first." in response.content.decode()
    assert _ids(response) == [only]


def test_a_removed_admin_and_one_api_key_stay_selectable(project, owner, issued_key, client):
    # given: an admin who acted and was removed, and a second key after the first was rotated
    former = UserFactory(email="former@example.com")
    MembershipFactory(user=former, project=project)
    by_former = _record(project, "submission.reviewed", DAY, Actor(user=former, label=f"user:{former.pk}"))
    membership_remove(project=project, user_id=former.pk, actor=Actor(user=owner, label=f"user:{owner.pk}"))
    first_key = issued_key.api_key
    by_first = _record(project, "submission.created", DAY, Actor(api_key=first_key))
    second_key = api_key_issue(project=project, actor=Actor.system()).api_key
    by_second = _record(project, "submission.created", DAY + dt.timedelta(hours=1), Actor(api_key=second_key))
    client = sign_in(client, owner)
    url = f"/dashboard/p/{project.pid}/events/"

    # when
    response = client.get(url)

    # then
    choices = dict(response.context["form"].fields["actor"].choices)
    assert choices[f"user:{former.pk}"] == "former@example.com (no longer an admin)"
    assert choices[f"api_key:{first_key.id}"] == f"API key of {first_key.created_at:%Y-%m-%d} (revoked)"
    assert _ids(client.get(url, {"actor": f"user:{former.pk}"})) == [by_former]
    assert _ids(client.get(url, {"actor": f"api_key:{first_key.id}"})) == [by_first]
    assert _ids(client.get(url, {"actor": f"api_key:{second_key.id}"})) == [by_second]
    assert _ids(client.get(url, {"actor": "api_key"})) == [by_second, by_first]
