"""Dashboard pages: roles, tenant isolation, admins, integration info, settings, credits."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from projects.models import ApiKey, AuditEvent, CreditLedgerEntry, Invitation, Membership, Project, Role
from projects.selectors import api_key_authenticate
from tests.conftest import TEST_HOST, sign_in, totp_code
from tests.factories import MembershipFactory, ProjectFactory, TOTPDeviceFactory, UserFactory


def _member(project: Project, role: str):
    user = UserFactory()
    MembershipFactory(user=user, project=project, role=role)
    TOTPDeviceFactory(user=user)
    return user


def _client_for(user) -> Client:
    return sign_in(Client(HTTP_HOST=TEST_HOST), user)


def test_an_outsider_gets_404_for_another_projects_pages(project, outsider):
    client = _client_for(outsider)
    for suffix in ["", "events/", "credits/", "admins/", "integration/", "settings/"]:
        # when
        response = client.get(f"/dashboard/p/{project.pid}/{suffix}")
        # then
        assert response.status_code == 404, suffix
        assert project.name.encode() not in response.content


def test_a_viewer_reads_but_cannot_change_anything(project):
    # given
    viewer = _member(project, Role.VIEWER)
    client = _client_for(viewer)
    before = Project.objects.values().get(pk=project.pk)
    # when
    responses = [
        client.post(f"/dashboard/p/{project.pid}/settings/", {"name": "Renamed", "status": "OPEN",
                                                              "emergency_stop": "true"}),
        client.post(f"/dashboard/p/{project.pid}/integration/", {"api_ip_allowlist": "10.0.0.0/8"}),
        client.post(f"/dashboard/p/{project.pid}/admins/", {"email": "new@example.com", "name": "N", "role": "owner"}),
        client.post(f"/dashboard/p/{project.pid}/integration/rotate-key/", {"code": "123456"}),
    ]
    # then
    assert [r.status_code for r in responses] == [403, 403, 403, 403]
    assert client.get(f"/dashboard/p/{project.pid}/settings/").status_code == 200
    assert Project.objects.values().get(pk=project.pk) == before
    assert Invitation.objects.count() == 0
    assert ApiKey.objects.count() == 0


def test_an_owner_invites_a_new_admin_who_joins_within_seven_days(
    project, dashboard_client, django_capture_on_commit_callbacks
):
    # when: the e-mail leaves only once the invitation is committed
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = dashboard_client.post(f"/dashboard/p/{project.pid}/admins/",
                                         {"email": "New.Admin@Example.com", "name": "New Admin", "role": "reviewer"},
                                         follow=True)
    assert len(callbacks) == 1
    # then: an e-mail with the link, shown once to the owner too
    assert response.status_code == 200
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role) == ("new.admin@example.com", "reviewer")
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/dashboard/invitations/(\S+)/", mail.outbox[0].body)
    assert link is not None
    assert link.group(0) in response.content.decode()
    # and the invited person sets a password, then connects an authenticator
    newcomer = Client(HTTP_HOST=TEST_HOST)
    page = newcomer.get(f"/dashboard/invitations/{link.group(1)}/")
    assert page.status_code == 200
    response = newcomer.post(f"/dashboard/invitations/{link.group(1)}/",
                             {"password": "a long new password 9", "password_again": "a long new password 9"})
    assert response["Location"] == "/dashboard/otp/setup/"
    membership = Membership.objects.get(user__email="new.admin@example.com")
    assert (membership.project_id, membership.role) == (project.pk, "reviewer")
    # the link is single-use
    assert Client(HTTP_HOST=TEST_HOST).get(f"/dashboard/invitations/{link.group(1)}/").status_code == 404


def test_an_existing_user_is_added_at_once(project, dashboard_client, outsider):
    # when
    dashboard_client.post(f"/dashboard/p/{project.pid}/admins/", {"email": outsider.email, "name": "", "role": "viewer"})
    # then
    assert Membership.objects.filter(user=outsider, project=project, role="viewer").exists()
    assert Invitation.objects.count() == 0
    assert len(mail.outbox) == 0


def test_the_last_owner_cannot_be_removed(project, owner, dashboard_client):
    # when
    response = dashboard_client.post(f"/dashboard/p/{project.pid}/admins/remove/", {"user_id": owner.pk}, follow=True)
    # then
    assert "A project needs at least one owner." in response.content.decode()
    assert Membership.objects.filter(user=owner, project=project).exists()


def test_rotating_the_key_needs_a_fresh_code_and_shows_the_key_once(project, owner, dashboard_client):
    # given: a wrong code changes nothing
    response = dashboard_client.post(f"/dashboard/p/{project.pid}/integration/rotate-key/", {"code": "000000"})
    assert response.status_code == 200
    assert ApiKey.objects.count() == 0
    # when
    device = owner.totpdevice_set.get()
    device.refresh_from_db()
    device.last_t = -1  # the sign-in used this time step; a rotation needs a code of its own
    device.throttling_failure_count = 0
    device.save()
    response = dashboard_client.post(f"/dashboard/p/{project.pid}/integration/rotate-key/", {"code": totp_code(device)})
    # then
    key = re.search(r'<code class="secret key">([A-Za-z0-9]{40})</code>', response.content.decode())
    assert key is not None
    assert api_key_authenticate(key.group(1)).project_id == project.pk
    page = dashboard_client.get(f"/dashboard/p/{project.pid}/integration/").content.decode()
    assert key.group(1) not in page
    assert AuditEvent.objects.filter(project=project, action="api_key.created").count() == 1


def test_allow_lists_are_validated_like_the_cli(project, dashboard_client):
    # when: host bits set
    response = dashboard_client.post(f"/dashboard/p/{project.pid}/integration/",
                                     {"api_ip_allowlist": "10.0.0.1/8", "dashboard_ip_allowlist": ""})
    # then
    assert response.status_code == 200
    assert "has host bits set" in response.content.decode()
    project.refresh_from_db()
    assert project.api_ip_allowlist == []
    # when: valid, one per line
    dashboard_client.post(f"/dashboard/p/{project.pid}/integration/",
                          {"api_ip_allowlist": "10.0.0.0/8\n2001:db8::/32", "dashboard_ip_allowlist": ""})
    project.refresh_from_db()
    assert project.api_ip_allowlist == ["10.0.0.0/8", "2001:db8::/32"]


def test_an_owner_cannot_lock_themself_out_of_the_dashboard(project, dashboard_client):
    # when: the list excludes 127.0.0.1, the test client's address
    response = dashboard_client.post(f"/dashboard/p/{project.pid}/integration/",
                                     {"api_ip_allowlist": "", "dashboard_ip_allowlist": "192.0.2.0/24"})
    # then
    assert "you would lock yourself out" in response.content.decode()
    project.refresh_from_db()
    assert project.dashboard_ip_allowlist == []


def test_the_dashboard_allow_list_keeps_other_networks_out(project, dashboard_client):
    # given
    Project.objects.filter(pk=project.pk).update(dashboard_ip_allowlist=["192.0.2.0/24"])
    # when
    response = dashboard_client.get(f"/dashboard/p/{project.pid}/")
    # then
    assert response.status_code == 403
    assert AuditEvent.objects.filter(project=project, action="dashboard.ip_denied").count() == 1


def test_owners_change_general_settings(project, dashboard_client):
    # when
    dashboard_client.post(f"/dashboard/p/{project.pid}/settings/", {
        "name": "Acme KYC", "status": "OPEN", "emergency_stop": "true",
        "rate_limit_per_second": "50", "rate_limit_per_day": "default",
    })
    # then
    project.refresh_from_db()
    assert (project.name, project.status, project.emergency_stop) == ("Acme KYC", "OPEN", True)
    assert (project.rate_limit_per_second, project.rate_limit_per_day) == (50, None)
    event = AuditEvent.objects.get(project=project, action="project.settings_changed")
    assert event.details["changed"] == ["name", "status", "emergency_stop", "rate_limit_per_second"]
    assert (event.details["before"]["status"], event.details["after"]["status"]) == ("TEST", "OPEN")


def test_a_bad_setting_changes_nothing(project, dashboard_client):
    before = Project.objects.values().get(pk=project.pk)
    response = dashboard_client.post(f"/dashboard/p/{project.pid}/settings/", {
        "name": "Fine", "status": "OPEN", "emergency_stop": "false",
        "rate_limit_per_second": "0", "rate_limit_per_day": "default",
    })
    assert response.status_code == 200
    assert "Expected a whole number from 1 to 100,000" in response.content.decode()
    assert Project.objects.values().get(pk=project.pk) == before


@pytest.mark.parametrize("is_staff", [True, False])
def test_only_staff_top_up_credits(project, owner, is_staff):
    owner.is_staff = is_staff
    owner.save()
    client = _client_for(owner)
    # when
    client.post(f"/dashboard/p/{project.pid}/credits/", {"amount": "250", "note": "invoice 7"})
    # then
    project.refresh_from_db()
    assert project.credits == (350 if is_staff else 100)
    assert CreditLedgerEntry.objects.filter(project=project).count() == (1 if is_staff else 0)


def test_staff_create_projects_and_others_cannot(owner):
    client = _client_for(owner)
    assert client.get("/dashboard/staff/projects/new/").status_code == 403
    owner.is_staff = True
    owner.save()
    # when
    response = client.post("/dashboard/staff/projects/new/", {"name": "Beta", "owner_email": "", "credits": "20"})
    # then
    created = Project.objects.get(name="Beta")
    assert response["Location"] == f"/dashboard/p/{created.pid}/"
    assert created.credits == 20
    assert Membership.objects.get(project=created).user == owner


def test_the_project_switcher_lists_only_my_projects(project, owner, dashboard_client):
    mine = ProjectFactory(name="Mine too")
    MembershipFactory(user=owner, project=mine)
    ProjectFactory(name="Somebody else's")
    # when
    page = dashboard_client.get(f"/dashboard/p/{project.pid}/").content.decode()
    # then
    assert "Mine too" in page
    assert "Somebody else" not in page


def test_staff_top_up_any_project_from_the_staff_list(owner):
    # given: staff who is not an admin of the customer's project
    owner.is_staff = True
    owner.save()
    customer = ProjectFactory(name="Customer", credits=5)
    client = _client_for(owner)
    # when
    response = client.post(f"/dashboard/staff/projects/{customer.pid}/credits/", {"amount": "95", "note": "PO 12"})
    # then
    assert response["Location"] == "/dashboard/staff/projects/"
    customer.refresh_from_db()
    assert customer.credits == 100
    entry = CreditLedgerEntry.objects.get(project=customer)
    assert (entry.delta, entry.balance_after, entry.note, entry.actor_id) == (95, 100, "PO 12", owner.pk)
    assert AuditEvent.objects.filter(project=customer, action="credits.topped_up").count() == 1


def test_non_staff_cannot_use_the_staff_top_up(project, owner, dashboard_client):
    customer = ProjectFactory(credits=5)
    response = dashboard_client.post(f"/dashboard/staff/projects/{customer.pid}/credits/", {"amount": "95"})
    assert response.status_code == 403
    customer.refresh_from_db()
    assert customer.credits == 5
    assert CreditLedgerEntry.objects.count() == 0


def test_owners_change_roles_and_withdraw_invitations(project, owner, dashboard_client, outsider):
    # given
    MembershipFactory(user=outsider, project=project, role=Role.VIEWER)
    dashboard_client.post(f"/dashboard/p/{project.pid}/admins/", {"email": "late@example.com", "name": "Late",
                                                                  "role": "viewer"})
    invitation = Invitation.objects.get()
    # when
    dashboard_client.post(f"/dashboard/p/{project.pid}/admins/role/", {"user_id": outsider.pk, "role": "reviewer"})
    dashboard_client.post(f"/dashboard/p/{project.pid}/admins/invitations/withdraw/",
                          {"invitation_id": invitation.pk})
    response = dashboard_client.post(f"/dashboard/p/{project.pid}/admins/remove/", {"user_id": "not-a-number"},
                                     follow=True)
    # then
    assert Membership.objects.get(user=outsider, project=project).role == "reviewer"
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert "That request was not valid." in response.content.decode()
    assert Membership.objects.filter(project=project).count() == 2
