"""The cross-project permission matrix (RELIABILITY.md G9/G20, issue 8): an owner of project A
reaches nothing of project B, over EVERY dashboard URL.

The URLs are read from the resolver, includes and all (submissions, policy, webhooks,
preverification, settings), so a page added later is walked by existing. Each ``<…>`` of a route
is filled with a real object of project B (a submission, its image, a webhook event and delivery,
a notification recipient); a route naming an object this test cannot make fails the walk, and so
does a route outside any project that the walk has not classified. A positive control opens
every page as B's own owner first, so a 404 below cannot come from a missing object.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver

from projects.actors import Actor
from projects.models import Project
from tests.factories import ProjectFactory
from tests.submissions.dashboard.helpers import client_for, member, specimen_submission
from webhooks.notifications import webhook_recipient_add
from webhooks.services import webhook_endpoint_set, webhook_event_emit

ACTOR = Actor.system("test")
# Routes outside any project, each with what an owner of A gets there.
SIGN_IN_PAGES = {"login", "otp", "otp_setup", "logout", "invitation_accept"}  # not walked: they sign people in or out
STAFF_PAGES = {"staff_projects", "project_new", "staff_credits_top_up"}  # 403: staff only, whichever project
HOME = "home"  # A's own projects only
# What a form on any page could be sent, so a page that failed to refuse would act.
POST_DATA = {
    "comment": "No.", "status": "approved", "text": "memo", "confirm": "on", "parts": "email", "role": "viewer",
    "email": "someone@example.com", "name": "Someone", "url": "https://hooks.example.com/x", "start": "2026-01-01T00:00",
    "end": "2026-12-31T00:00", "value": "1", "amount": "5", "reason": "test",
}  # fmt: skip
_PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


@dataclass(frozen=True)
class Route:
    name: str
    route: str  # "/dashboard/p/<str:pid>/submissions/<str:sid>/"

    def url(self, values: dict[str, str]) -> str:
        def fill(match: re.Match) -> str:
            if match["name"] not in values:
                pytest.fail(f"{self.name}: no object of project B for <{match[0][1:-1]}>; make one in theirs()")
            return values[match["name"]]

        return _PARAM.sub(fill, self.route)


def dashboard_routes() -> list[Route]:
    """Every URL pattern under the ``dashboard`` namespace, includes walked recursively."""
    resolver = get_resolver()
    dashboard = next(p for p in resolver.url_patterns if isinstance(p, URLResolver) and p.namespace == "dashboard")
    return list(_walk(dashboard.url_patterns, f"/{dashboard.pattern}"))


def _walk(patterns: list, prefix: str):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield Route(pattern.name, prefix + str(pattern.pattern))


@pytest.fixture
def theirs(db) -> tuple[Project, dict[str, str]]:
    """Project B with one of everything a route can name, and the value for each ``<name>``."""
    project = ProjectFactory()
    submission = specimen_submission(project, email="b-person@example.com")
    webhook_endpoint_set(project=project, url="https://hooks.example.com/b")
    with transaction.atomic():
        event = webhook_event_emit(project=project, event="submission.updated", resource_id=submission.pk, payload={})
    recipient = webhook_recipient_add(project=project, name="B admin", email="b-admin@example.com", actor=ACTOR)
    match = _monitor_match(project, submission)
    values = {
        "pid": project.pid,
        "sid": submission.pk,
        "kind": "selfie",
        "event_id": str(event.pk),
        "webhook_id": event.deliveries.get().webhook_id,
        "recipient_id": str(recipient.pk),
        "match_id": str(match.pk),
    }
    return project, values


def _monitor_match(project: Project, submission: Any) -> Any:
    """An open AML monitoring match of ``project`` (the rows monitoring writes, made directly)."""
    from policy.aml.models import AmlMonitorMatch, AmlMonitorRecord, AmlWorklist

    worklist = AmlWorklist.objects.create(id=f"wl{project.pid}", project=project, name="B", is_default=True)
    record = AmlMonitorRecord.objects.create(id=f"{worklist.id}_{submission.pk}", worklist=worklist, project=project,
                                             submission=submission)  # fmt: skip
    return AmlMonitorMatch.objects.create(record=record, project=project, source="b-list", external_id="x1",
                                          list_version=1, profile_sha256="0" * 64, category="SAN", score=95)  # fmt: skip


def snapshot(project: Project) -> dict[str, Any]:
    """Every row of every model that belongs to ``project`` (by a foreign key to it), and the
    project's own row: what a request of an outsider must leave as it was."""
    rows: dict[str, Any] = {"project": Project.objects.values().get(pk=project.pk)}
    for model in apps.get_models():
        fields = [f.name for f in model._meta.concrete_fields if f.is_relation and f.related_model is Project]
        for field in fields:
            found = model._base_manager.filter(**{field: project}).order_by("pk").values()
            rows[f"{model._meta.label}.{field}"] = [_comparable(row) for row in found]
    return rows


def _comparable(row: dict[str, Any]) -> dict[str, Any]:
    return {key: bytes(value) if isinstance(value, memoryview) else value for key, value in row.items()}


def _project_routes() -> list[Route]:
    return [route for route in dashboard_routes() if "<str:pid>" in route.route]


def test_the_walk_reaches_every_included_page():
    # given / when
    routes = dashboard_routes()
    names = {route.name for route in routes}
    # then: the includes are walked, not only the top level
    assert {"submission_detail", "submission_webhook_resend", "policy_rules_publish", "webhook_replay",
            "webhook_recipient_remove", "preverification_network_detail", "preverification_device_detail",
            "settings_kyc", "settings_liveform"} <= names  # fmt: skip
    assert len(names) == len(routes)  # one route a name, so each is reported by name
    # and every route outside a project is classified
    outside = {route.name for route in routes if "<str:pid>" not in route.route}
    assert outside <= SIGN_IN_PAGES | STAFF_PAGES | {HOME}, outside - SIGN_IN_PAGES - STAFF_PAGES - {HOME}


def test_an_owner_of_project_a_reaches_nothing_of_project_b(project, owner, theirs):
    # given: B's owner opens every page of B (so every object the URLs name exists)
    other, values = theirs
    b_owner = client_for(member(other, "owner"))
    for route in _project_routes():
        status = b_owner.get(route.url(values)).status_code
        assert status != 404, f"{route.name}: the positive control found nothing ({status})"
    before = snapshot(other)
    client = client_for(owner)
    secrets = [other.pid.encode(), values["sid"].encode(), b"b-person@example.com", b"b-admin@example.com"]
    mine = {**values, "pid": project.pid}

    for route in _project_routes():
        for method in ("get", "post"):
            # when: B's pid, B's objects
            response = getattr(client, method)(route.url(values), POST_DATA if method == "post" else None)
            # then: 404 (403 on a staff page), or 405 for a method the route never answers
            refusal = {403} if route.name in STAFF_PAGES else {404}
            assert response.status_code in refusal | {405}, f"{method.upper()} {route.name}: {response.status_code}"
            assert not any(secret in response.content for secret in secrets), f"{method.upper()} {route.name}"
            if len(_PARAM.findall(route.route)) > 1:
                # when: A's own pid with B's objects
                response = getattr(client, method)(route.url(mine), POST_DATA if method == "post" else None)
                # then: refused, or an action of A's that found nothing, back on A's own page
                assert response.status_code in {404, 405, 302}, f"{method.upper()} {route.name} in A"
                if response.status_code == 302:
                    assert response["Location"].startswith(f"/dashboard/p/{project.pid}/"), route.name
                    response = client.get(response["Location"])
                assert not any(secret in response.content for secret in secrets), f"{method.upper()} {route.name} in A"
    # and nothing of B changed
    assert snapshot(other) == before


def test_outside_any_project_an_owner_of_a_sees_only_a(project, owner, theirs):
    # given
    other, values = theirs
    client = client_for(owner)
    routes = {route.name: route for route in dashboard_routes()}
    before = snapshot(other)
    # when
    home = client.get(routes[HOME].url(values))
    # then: A's own project, never B
    assert home.status_code == 302
    assert home["Location"] == f"/dashboard/p/{project.pid}/"
    for name in STAFF_PAGES:
        for method in ("get", "post"):
            response = getattr(client, method)(routes[name].url(values), POST_DATA if method == "post" else None)
            assert response.status_code in ({403, 405} if method == "get" else {403}), f"{method} {name}"
            assert other.pid.encode() not in response.content, name
    assert snapshot(other) == before
