"""Admins of a project: invitations valid 7 days, roles, and the last owner (services)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from idcheck.errors import ApplicationError, ConflictError, NotFound
from projects.actors import Actor
from projects.models import AuditEvent, Invitation, Membership, Role, User
from projects.services import invitation_accept, membership_invite, membership_remove, membership_set_role
from projects.services.members import invitation_token_hash
from tests.factories import MembershipFactory, UserFactory

ACTOR = Actor.system("test")
INVITED_AT = dt.datetime(2026, 3, 1, 12, 0, 0, tzinfo=dt.UTC)
NEW_PASSWORD = "a long and unusual passphrase 7"


def _invite_new_person(project, *, email: str = "new.person@example.com"):
    with time_machine.travel(INVITED_AT, tick=False):
        return membership_invite(project=project, email=email, name="New Person", role=Role.REVIEWER, actor=ACTOR)


def _accept(token: str, password: str = NEW_PASSWORD, *, after: dt.timedelta = dt.timedelta(days=1)) -> User:
    with time_machine.travel(INVITED_AT + after, tick=False):
        return invitation_accept(token=token, password=password, actor=ACTOR)


def test_an_existing_user_is_added_at_once(project):
    # given
    user = UserFactory(email="known@example.com")

    # when
    outcome = membership_invite(project=project, email=" Known@Example.com ", name="", role=Role.VIEWER, actor=ACTOR)

    # then
    assert outcome.invitation is None
    assert outcome.token == ""
    assert outcome.membership == Membership.objects.get(project=project, user=user)
    assert outcome.membership.role == Role.VIEWER
    assert not Invitation.objects.exists()
    event = AuditEvent.objects.get(project=project)
    assert (event.action, event.target_id, event.details) == ("membership.added", str(user.pk), {"role": "viewer"})


def test_a_new_email_gets_an_invitation_valid_for_7_days(project):
    # when
    outcome = _invite_new_person(project)

    # then
    invitation = outcome.invitation
    assert outcome.membership is None
    assert (invitation.email, invitation.role, invitation.project) == ("new.person@example.com", Role.REVIEWER, project)
    assert invitation.created_at == INVITED_AT
    assert invitation.expires_at == INVITED_AT + dt.timedelta(days=7)
    assert invitation.token_hash == invitation_token_hash(outcome.token)
    assert outcome.token not in invitation.token_hash
    assert not User.objects.filter(email="new.person@example.com").exists()
    event = AuditEvent.objects.get(project=project)
    assert (event.action, event.target_id, event.details) == (
        "invitation.created",
        str(invitation.pk),
        {"role": "reviewer"},
    )
    assert "new.person@example.com" not in str(event.details)


def test_inviting_again_replaces_the_pending_invitation(project):
    # given
    first = _invite_new_person(project)

    # when
    second = _invite_new_person(project)

    # then
    first.invitation.refresh_from_db()
    assert first.invitation.revoked_at is not None
    with pytest.raises(NotFound):
        _accept(first.token)
    assert _accept(second.token).email == "new.person@example.com"


def test_a_duplicate_member_is_a_conflict(project, owner):
    # given
    memberships_before = list(Membership.objects.values_list("pk", "role"))

    # when
    with pytest.raises(ConflictError) as refused:
        membership_invite(project=project, email=owner.email, name="", role=Role.VIEWER, actor=ACTOR)

    # then
    assert refused.value.code == "already_member"
    assert list(Membership.objects.values_list("pk", "role")) == memberships_before
    assert not AuditEvent.objects.filter(project=project).exists()


@pytest.mark.parametrize(
    ("email", "role", "code"),
    [("not-an-email", Role.VIEWER, "invalid_email"), ("a@example.com", "superuser", "invalid_role")],
)
def test_it_refuses_a_bad_invitation(project, email, role, code):
    with pytest.raises(ApplicationError) as refused:
        membership_invite(project=project, email=email, name="A", role=role, actor=ACTOR)

    assert refused.value.code == code
    assert not Invitation.objects.exists()
    assert not AuditEvent.objects.exists()


def test_the_invitation_works_until_its_last_second(project):
    # given
    outcome = _invite_new_person(project)

    # when
    user = _accept(outcome.token, after=dt.timedelta(days=7, seconds=-1))

    # then
    assert (user.email, user.name) == ("new.person@example.com", "New Person")
    assert user.check_password(NEW_PASSWORD)
    assert Membership.objects.get(user=user).project == project
    assert Membership.objects.get(user=user).role == Role.REVIEWER
    outcome.invitation.refresh_from_db()
    assert outcome.invitation.accepted_at == INVITED_AT + dt.timedelta(days=7, seconds=-1)
    assert AuditEvent.objects.filter(project=project, action="invitation.accepted", actor_user=user).count() == 1


def test_an_expired_invitation_creates_no_account(project):
    # given
    outcome = _invite_new_person(project)

    # when
    with pytest.raises(NotFound):
        _accept(outcome.token, after=dt.timedelta(days=7, seconds=1))

    # then
    assert not User.objects.filter(email="new.person@example.com").exists()
    assert not Membership.objects.filter(project=project).exists()
    assert not AuditEvent.objects.filter(action="invitation.accepted").exists()


def test_an_invitation_is_accepted_once(project):
    # given
    outcome = _invite_new_person(project)
    _accept(outcome.token)

    # when / then
    with pytest.raises(NotFound):
        _accept(outcome.token)
    assert User.objects.filter(email="new.person@example.com").count() == 1


def test_a_weak_password_creates_no_account(project):
    # given
    outcome = _invite_new_person(project)

    # when
    with pytest.raises(ApplicationError) as refused:
        _accept(outcome.token, "short")

    # then
    assert refused.value.code == "weak_password"
    assert not User.objects.filter(email="new.person@example.com").exists()
    outcome.invitation.refresh_from_db()
    assert outcome.invitation.accepted_at is None


def test_an_unknown_token_is_not_found(project):
    with pytest.raises(NotFound):
        invitation_accept(token="no-such-token", password=NEW_PASSWORD, actor=ACTOR)


def test_the_last_owner_cannot_be_removed(project, owner):
    # when
    with pytest.raises(ConflictError) as refused:
        membership_remove(project=project, user_id=owner.pk, actor=ACTOR)

    # then
    assert refused.value.code == "last_owner"
    assert Membership.objects.filter(project=project, user=owner, role=Role.OWNER).exists()
    assert not AuditEvent.objects.filter(project=project).exists()


def test_the_last_owner_cannot_be_demoted(project, owner):
    with pytest.raises(ConflictError):
        membership_set_role(project=project, user_id=owner.pk, role=Role.VIEWER, actor=ACTOR)

    assert Membership.objects.get(project=project, user=owner).role == Role.OWNER
    assert not AuditEvent.objects.filter(project=project).exists()


def test_an_owner_can_be_removed_while_another_remains(project, owner):
    # given
    other = MembershipFactory(project=project, role=Role.OWNER).user

    # when
    membership_remove(project=project, user_id=owner.pk, actor=ACTOR)

    # then
    assert list(Membership.objects.filter(project=project).values_list("user_id", flat=True)) == [other.pk]
    event = AuditEvent.objects.get(project=project)
    assert (event.action, event.target_id) == ("membership.removed", str(owner.pk))


def test_removing_someone_of_another_project_is_not_found(project, owner):
    # given
    stranger = MembershipFactory(role=Role.VIEWER)

    # when / then
    with pytest.raises(NotFound):
        membership_remove(project=project, user_id=stranger.user_id, actor=ACTOR)
    assert Membership.objects.filter(pk=stranger.pk).exists()
