"""Creating projects and changing their settings."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ValidationError
from django.db import transaction

from idcheck.errors import ApplicationError
from projects.actors import Actor
from projects.models import Membership, Project, Role, User
from projects.services.audit import audit_record
from projects.services.credits import credits_top_up
from projects.settings_registry import clean_name, get_setting


class InvalidSettings(ApplicationError):
    code = "invalid_settings"

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{key}: {message}" for key, message in errors.items()), extra={"errors": errors})
        self.errors = errors


@transaction.atomic
def project_create(*, name: str, owner: User | None, actor: Actor, credits: int = 0) -> Project:
    """A new project in TEST status; ``owner`` (if any) becomes its first owner."""
    try:
        project = Project(name=clean_name(name))
    except ValidationError as exc:
        raise InvalidSettings({"name": " ".join(exc.messages)}) from None
    project.full_clean()
    project.save()
    if owner is not None:
        Membership.objects.create(user=owner, project=project, role=Role.OWNER)
    audit_record(actor=actor, action="project.created", project=project, target_type="project", target_id=project.pid)
    if credits:
        credits_top_up(project=project, amount=credits, actor=actor, note="initial credits")
        project.refresh_from_db()
    return project


def project_settings_clean(changes: dict[str, Any]) -> dict[str, Any]:
    """Validate every change; all errors at once, keyed by setting."""
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key, value in changes.items():
        try:
            cleaned[key] = get_setting(key).clean(value)
        except ValidationError as exc:
            errors[key] = " ".join(exc.messages)
    if errors:
        raise InvalidSettings(errors)
    return cleaned


def _audit_value(value: Any) -> Any:
    """The value as the Event Log keeps it: a URL loses its user info, query and fragment,
    where integrators put tokens (``https://hooks.example.com/in?token=…``)."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        parts = urlsplit(value)
        host = parts.hostname or ""
        netloc = f"{host}:{parts.port}" if parts.port else host
        hidden = "?…" if parts.query or parts.fragment else ""
        return urlunsplit((parts.scheme, netloc, parts.path, "", "")) + hidden
    return value


def _check_period(project: Project) -> None:
    """A submission period must end after it starts: the other way round would close the project."""
    starts, ends = project.submission_period_start, project.submission_period_end
    if starts is not None and ends is not None and ends <= starts:
        raise InvalidSettings({"submission_period_end": "The submission period must end after it starts."})


@transaction.atomic
def project_settings_update(*, project: Project, changes: dict[str, Any], actor: Actor) -> list[str]:
    """Apply validated changes; returns the keys whose value actually changed."""
    cleaned = project_settings_clean(changes)
    locked = Project.objects.select_for_update().get(pk=project.pk)
    before = {key: get_setting(key).read(locked) for key in cleaned}
    changed = [key for key, value in cleaned.items() if before[key] != value]
    if not changed:
        return []
    for key in changed:
        get_setting(key).write(locked, cleaned[key])
    _check_period(locked)
    locked.save()
    audit_record(
        actor=actor,
        action="project.settings_changed",
        project=locked,
        target_type="project",
        target_id=locked.pid,
        details={
            "changed": changed,
            "before": {key: _audit_value(before[key]) for key in changed},
            "after": {key: _audit_value(cleaned[key]) for key in changed},
        },
    )
    for key in changed:
        get_setting(key).write(project, cleaned[key])
    return changed
