"""G23: every listed kind of action, done through the real dashboard and API, writes exactly one
Event Log row carrying who (actor), where (project), what (action, target), when (UTC), from where
(source address) and which request (request id)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.test import Client

from projects.actors import Actor
from projects.models import AuditEvent, Role
from projects.services import project_settings_update
from tests.conftest import TEST_HOST, fresh_totp_code
from tests.factories import DEFAULT_PASSWORD
from tests.submissions.dashboard.helpers import client_for, member, pending_policy, pending_submission

OFFICE = "203.0.113.9"
OUTSIDE = "198.51.100.20"
ACTOR = Actor.system("test")


@dataclass(frozen=True)
class Expected:
    action: str
    request_id: str
    project: object | None
    target_id: str
    actor_label: str
    ip_address: str = OFFICE


class Steps:
    """A client from the office address that tags each request with its own request id."""

    def __init__(self) -> None:
        self.client = Client(HTTP_HOST=TEST_HOST, REMOTE_ADDR=OFFICE)
        self.count = 0

    def request_id(self) -> str:
        self.count += 1
        return f"g23-step-{self.count:04d}"

    def post(self, path: str, data: dict | None = None, client: Client | None = None, **extra) -> str:
        request_id = self.request_id()
        (client or self.client).post(path, data or {}, HTTP_X_REQUEST_ID=request_id, **extra)
        return request_id

    def get(self, path: str, client: Client | None = None, **extra) -> str:
        request_id = self.request_id()
        (client or self.client).get(path, HTTP_X_REQUEST_ID=request_id, **extra)
        return request_id


@pytest.fixture
def staff_owner(owner):
    owner.is_staff = True
    owner.save()
    return owner


def test_each_kind_of_action_writes_one_event_with_every_required_key(project, staff_owner, issued_key):
    # given: a submission waiting for review, an endpoint, and an API allow-list for the office
    pending_policy(project)
    pending = pending_submission(project)
    project_settings_update(project=project, changes={"webhook_url": "https://hooks.example.com/in",
                                                      "api_ip_allowlist": ["203.0.113.0/24"]}, actor=ACTOR)  # fmt: skip
    user, pid, steps, expected = staff_owner, project.pid, Steps(), []
    user_label, key_label = f"user:{staff_owner.pk}", f"api_key:{issued_key.api_key.id}"

    def expect(action, request_id, target_id, *, actor_label=user_label, in_project=True, ip_address=OFFICE):
        expected.append(Expected(action, request_id, project if in_project else None, target_id, actor_label,
                                 ip_address))  # fmt: skip

    # when: sign-in failures and successes
    rid = steps.post("/dashboard/login/", {"email": user.email, "password": "wrong-password"})
    expect("auth.password_failed", rid, str(user.pk), actor_label="anonymous", in_project=False)
    rid = steps.post("/dashboard/login/", {"email": user.email, "password": DEFAULT_PASSWORD})
    expect("auth.password_ok", rid, str(user.pk), in_project=False)
    rid = steps.post("/dashboard/otp/", {"code": "000000"})
    expect("auth.otp_failed", rid, str(user.pk), in_project=False)
    rid = steps.post("/dashboard/otp/", {"code": fresh_totp_code(user)})
    expect("auth.otp_ok", rid, str(user.pk), in_project=False)
    # authorisation failures at the API
    api = Client(HTTP_HOST=TEST_HOST, HTTP_X_API_KEY=issued_key.plaintext)
    rid = steps.get("/v3/submission", client=api, REMOTE_ADDR=OUTSIDE)
    expect("api.ip_denied", rid, "/v3/submission", actor_label=key_label, ip_address=OUTSIDE)
    rid = steps.get(f"/v3/submission?x-api-key={issued_key.plaintext}", client=Client(HTTP_HOST=TEST_HOST),
                    REMOTE_ADDR=OUTSIDE)  # fmt: skip
    expect("api.key_in_query_string_refused", rid, "/v3/submission", actor_label="anonymous", in_project=False,
           ip_address=OUTSIDE)  # fmt: skip
    # and in the dashboard: a viewer approving, a non-staff admin topping up credits
    viewer = member(project, Role.VIEWER)
    viewer_client = client_for(viewer)
    path = f"/dashboard/p/{pid}/submissions/{pending.pk}/approve/"
    rid = steps.post(path, client=viewer_client, REMOTE_ADDR=OFFICE)
    expect("dashboard.role_denied", rid, path, actor_label=f"user:{viewer.pk}")
    path = f"/dashboard/staff/projects/{pid}/credits/"
    rid = steps.post(path, {"amount": "5"}, client=viewer_client, REMOTE_ADDR=OFFICE)
    expect("dashboard.role_denied", rid, path, actor_label=f"user:{viewer.pk}", in_project=False)
    # key rotation, IP-list change, webhook endpoint change, credits
    rid = steps.post(f"/dashboard/p/{pid}/integration/rotate-key/", {"code": fresh_totp_code(user)})
    expect("api_key.rotated", rid, None)
    rid = steps.post(f"/dashboard/p/{pid}/webhooks/secret/", {"code": fresh_totp_code(user), "rotate": "1"})
    expect("webhook.secret_rotated", rid, None)
    rid = steps.post(f"/dashboard/staff/projects/{pid}/credits/", {"amount": "25", "note": "PO 7"})
    expect("credits.topped_up", rid, None)
    # review, image view, exports, deletion
    rid = steps.post(f"/dashboard/p/{pid}/submissions/{pending.pk}/approve/")
    expect("submission.reviewed", rid, pending.pk)
    rid = steps.get(f"/dashboard/p/{pid}/submissions/{pending.pk}/images/selfie/")
    expect("submission.image_viewed", rid, pending.pk)
    rid = steps.post(f"/dashboard/p/{pid}/submissions/export/")
    expect("submissions.exported", rid, None)
    rid = steps.post(f"/dashboard/p/{pid}/events/", {})
    expect("event_log.exported", rid, None)
    rid = steps.post(f"/dashboard/p/{pid}/submissions/{pending.pk}/delete/", {"confirm": "on"})
    expect("submission.deleted", rid, pending.pk)

    # then: exactly one row per step, each with every required key
    for want in expected:
        rows = list(AuditEvent.objects.filter(request_id=want.request_id, action=want.action))
        assert len(rows) == 1, (want, list(AuditEvent.objects.filter(request_id=want.request_id).values("action")))
        [row] = rows
        assert row.project == want.project, want
        assert row.actor_label == want.actor_label, want
        assert row.ip_address == want.ip_address, want
        assert row.created_at.utcoffset() == dt.timedelta(0), want
        assert row.target_type, want
        if want.target_id is not None:
            assert row.target_id == want.target_id, want
        else:
            assert row.target_id, want
    # and: nothing else was written by these requests (one row per action)
    assert AuditEvent.objects.filter(request_id__startswith="g23-step-").count() == len(expected)
