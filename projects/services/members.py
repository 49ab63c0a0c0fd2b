"""Admins of a project: invitations (7 days), roles, removal."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from idcheck.errors import ApplicationError, ConflictError, NotFound
from projects.actors import Actor
from projects.models import Invitation, Membership, Project, Role, User
from projects.services.audit import audit_record


@dataclass(frozen=True)
class InvitationOutcome:
    membership: Membership | None  # set when the person already had an account
    invitation: Invitation | None  # set when they were invited by e-mail
    token: str = ""  # the invitation link's secret, shown/sent once


def invitation_token_hash(token: str) -> str:
    # The token has 256 bits of entropy, so a plain digest suffices to hide it at rest.
    return hashlib.sha256(token.encode()).hexdigest()


def _clean_role(role: str) -> str:
    if role not in Role.values:
        raise ApplicationError(f"Role must be one of {', '.join(Role.values)}.", code="invalid_role")
    return role


@transaction.atomic
def membership_invite(*, project: Project, email: str, name: str, role: str, actor: Actor) -> InvitationOutcome:
    """Add an existing user at once, or create a 7-day invitation for a new one."""
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ApplicationError("Enter a valid e-mail address.", code="invalid_email") from None
    role = _clean_role(role)
    name = name.strip()[:150]
    existing = User.objects.filter(email=email, is_active=True).first()
    if existing is not None:
        try:
            with transaction.atomic():
                membership = Membership.objects.create(user=existing, project=project, role=role)
        except IntegrityError:
            raise ConflictError("This person is already an admin of the project.", code="already_member") from None
        audit_record(
            actor=actor, action="membership.added", project=project, target_type="user", target_id=str(existing.pk),
            details={"role": role},
        )
        return InvitationOutcome(membership=membership, invitation=None)
    if not name:
        raise ApplicationError("Enter the person's name.", code="invalid_name")
    Invitation.objects.filter(project=project, email=email, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        project=project, email=email, name=name, role=role, token_hash=invitation_token_hash(token),
        invited_by=actor.user,
    )
    audit_record(
        actor=actor, action="invitation.created", project=project, target_type="invitation",
        target_id=str(invitation.pk), details={"role": role},
    )
    link = invitation_link(token)
    transaction.on_commit(lambda: _send_invitation_email(invitation, link))
    return InvitationOutcome(membership=None, invitation=invitation, token=token)


def invitation_link(token: str) -> str:
    return f"{settings.IDCHECK_PUBLIC_URL}/dashboard/invitations/{token}/"


def _send_invitation_email(invitation: Invitation, link: str) -> None:
    context = {"invitation": invitation, "link": link}
    send_mail(
        subject=f"You are invited to administer {invitation.project.name} on ID Check",
        message=render_to_string("emails/invitation.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
        fail_silently=False,
    )


def _pending_invitation(token: str) -> Invitation:
    invitation = (
        Invitation.objects.select_for_update().select_related("project").filter(token_hash=invitation_token_hash(token)).first()
    )
    if invitation is None or not invitation.is_pending():
        raise NotFound("This invitation is not valid any more. Ask a project owner for a new one.", code="invitation_invalid")
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, password: str, actor: Actor) -> User:
    """The invited person creates their account; the membership is created with it."""
    invitation = _pending_invitation(token)
    if User.objects.filter(email=invitation.email).exists():
        raise ConflictError("An account with this e-mail exists: sign in and ask to be added.", code="account_exists")
    user = User(email=invitation.email, name=invitation.name)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ApplicationError(" ".join(exc.messages), code="weak_password") from None
    user.set_password(password)
    user.save()
    Membership.objects.create(user=user, project=invitation.project, role=invitation.role)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    audit_record(
        actor=Actor(user=user, label=f"user:{user.pk}", ip_address=actor.ip_address, request_id=actor.request_id),
        action="invitation.accepted", project=invitation.project, target_type="invitation",
        target_id=str(invitation.pk),
    )
    return user


@transaction.atomic
def invitation_revoke(*, project: Project, invitation_id: int, actor: Actor) -> None:
    changed = Invitation.objects.filter(
        project=project, pk=invitation_id, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    if not changed:
        raise NotFound("No pending invitation with this id.", code="invitation_not_found")
    audit_record(
        actor=actor, action="invitation.revoked", project=project, target_type="invitation", target_id=str(invitation_id)
    )


def _ensure_an_owner_remains(project: Project, leaving: Membership) -> None:
    if leaving.role != Role.OWNER:
        return
    others = Membership.objects.filter(project=project, role=Role.OWNER).exclude(pk=leaving.pk)
    if not others.exists():
        raise ConflictError("A project needs at least one owner.", code="last_owner")


@transaction.atomic
def membership_remove(*, project: Project, user_id: int, actor: Actor) -> None:
    membership = Membership.objects.select_for_update().filter(project=project, user_id=user_id).first()
    if membership is None:
        raise NotFound("This person is not an admin of the project.", code="membership_not_found")
    # Lock every owner row so two owners removing each other cannot both succeed.
    list(Membership.objects.select_for_update().filter(project=project, role=Role.OWNER))
    _ensure_an_owner_remains(project, membership)
    membership.delete()
    audit_record(actor=actor, action="membership.removed", project=project, target_type="user", target_id=str(user_id))


@transaction.atomic
def membership_set_role(*, project: Project, user_id: int, role: str, actor: Actor) -> Membership:
    role = _clean_role(role)
    membership = Membership.objects.select_for_update().filter(project=project, user_id=user_id).first()
    if membership is None:
        raise NotFound("This person is not an admin of the project.", code="membership_not_found")
    list(Membership.objects.select_for_update().filter(project=project, role=Role.OWNER))
    if role != Role.OWNER:
        _ensure_an_owner_remains(project, membership)
    membership.role = role
    membership.save(update_fields=["role"])
    audit_record(
        actor=actor, action="membership.role_changed", project=project, target_type="user", target_id=str(user_id),
        details={"role": role},
    )
    return membership
