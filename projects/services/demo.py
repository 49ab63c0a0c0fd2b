"""The demo tenant that ``manage.py seed_demo`` creates (and finds again on later runs)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from projects.actors import Actor
from projects.models import Membership, Project, Role, User
from projects.services.api_keys import api_key_issue
from projects.services.credits import credits_top_up
from projects.services.projects import project_create
from projects.services.users import TOTP_DEVICE_NAME

DEMO_PROJECT_NAME = "Demo project"
DEMO_ADMIN_EMAIL = "admin@example.com"
DEMO_CREDITS = 1000


@dataclass(frozen=True)
class DemoSeed:
    project: Project
    admin: User
    admin_password: str
    api_key: str
    totp_device: TOTPDevice
    created: bool


def _demo_project(admin: User, actor: Actor) -> tuple[Project, bool]:
    membership = (
        Membership.objects.select_related("project")
        .filter(user=admin, role=Role.OWNER, project__name=DEMO_PROJECT_NAME)
        .order_by("project__created_at")
        .first()
    )
    if membership is not None:
        return membership.project, False
    return project_create(name=DEMO_PROJECT_NAME, owner=admin, actor=actor), True


def _confirmed_device(admin: User) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=admin, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=admin, name=TOTP_DEVICE_NAME, confirmed=True)


@transaction.atomic
def demo_seed(*, admin_password: str | None, actor: Actor) -> DemoSeed:
    """Ensure the demo admin, project (TEST, ≥ 1,000 credits), key and TOTP device exist.

    Secrets that are stored only hashed (the API key, the password) cannot be shown again,
    so every run issues them anew; the TOTP secret is kept, so the phone stays enrolled.
    """
    password = admin_password or secrets.token_urlsafe(12)
    admin = User.objects.filter(email=DEMO_ADMIN_EMAIL).first()
    if admin is None:
        admin = User.objects.create_user(DEMO_ADMIN_EMAIL, password, name="Demo Admin", is_staff=True,
                                         is_superuser=True)
    else:
        admin.set_password(password)
        admin.save(update_fields=["password"])
    project, created = _demo_project(admin, actor)
    if project.credits < DEMO_CREDITS:
        credits_top_up(project=project, amount=DEMO_CREDITS - project.credits, actor=actor, note="demo seed")
        project.refresh_from_db()
    issued = api_key_issue(project=project, actor=actor)
    return DemoSeed(
        project=project,
        admin=admin,
        admin_password=password,
        api_key=issued.plaintext,
        totp_device=_confirmed_device(admin),
        created=created,
    )
