"""Dashboard users: accounts, TOTP enrolment, sign-in events."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from idcheck.errors import ApplicationError, ConflictError
from projects.actors import Actor
from projects.models import User
from projects.services.audit import audit_record

TOTP_DEVICE_NAME = "Authenticator app"


@transaction.atomic
def user_create(*, email: str, name: str, password: str, is_staff: bool, actor: Actor) -> User:
    email = email.strip().lower()
    if User.objects.filter(email=email).exists():
        raise ConflictError("A user with this e-mail exists.", code="user_exists")
    user = User(email=email, name=name.strip(), is_staff=is_staff, is_superuser=is_staff)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ApplicationError(" ".join(exc.messages), code="weak_password") from None
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    audit_record(actor=actor, action="user.created", target_type="user", target_id=str(user.pk),
                 details={"is_staff": is_staff})
    return user


@transaction.atomic
def user_totp_device_start(*, user: User) -> TOTPDevice:
    """An unconfirmed device whose secret the set-up page shows as a QR code.

    Starting again replaces any unconfirmed device, so an abandoned set-up leaves no secret behind.
    """
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)


@transaction.atomic
def user_totp_device_confirm(*, user: User, device_id: int, code: str, actor: Actor) -> TOTPDevice:
    device = TOTPDevice.objects.select_for_update().filter(user=user, pk=device_id, confirmed=False).first()
    if device is None:
        raise ApplicationError("Start the set-up again: this code request has expired.", code="otp_setup_expired")
    if not device.verify_token(code.strip().replace(" ", "")):
        audit_record(actor=actor, action="otp.setup_failed", target_type="user", target_id=str(user.pk))
        raise ApplicationError("That code is not right. Check the time on your phone and try again.",
                               code="otp_invalid")
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    # One authenticator per user: a new confirmed device replaces the old ones.
    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    audit_record(actor=actor, action="otp.device_confirmed", target_type="user", target_id=str(user.pk))
    return device


def user_sign_in_record(*, actor: Actor, action: str, user: User | None = None) -> None:
    """Sign-in events (password ok/failed, OTP ok/failed, sign-out) for the Event Log."""
    audit_record(actor=actor, action=action, target_type="user", target_id=str(user.pk) if user else "")
