"""What the Settings page tests share: the form as a page posts it, clients per persona, and the
registry values a refused post must leave alone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.test import Client

from projects.models import AuditEvent, Project, Role
from projects.settings_registry import get_setting
from tests.conftest import TEST_HOST, sign_in
from tests.factories import MembershipFactory, ProjectFactory, TOTPDeviceFactory, UserFactory


def page_url(project: Project, suffix: str) -> str:
    return f"/dashboard/p/{project.pid}/{suffix}"


def form_data(project: Project, keys: list[str], **changes: str) -> dict[str, str]:
    """Every field as the page shows it (rendered current values), with ``changes`` typed in."""
    data = {key: get_setting(key).render(get_setting(key).read(project)) for key in keys}
    return {**data, **changes}


def values(project: Project, keys: list[str]) -> dict[str, Any]:
    return {key: get_setting(key).read(Project.objects.get(pk=project.pk)) for key in keys}


def member_client(project: Project, role: str = Role.VIEWER) -> Client:
    user = UserFactory()
    MembershipFactory(user=user, project=project, role=role)
    TOTPDeviceFactory(user=user)
    return sign_in(Client(HTTP_HOST=TEST_HOST), user)


def other_project_owner_client() -> Client:
    return member_client(ProjectFactory(), Role.OWNER)


def settings_events(project: Project) -> list[dict[str, Any]]:
    events = AuditEvent.objects.filter(project=project, action="project.settings_changed").order_by("sequence")
    return [event.details for event in events]


EDITABLE_FORM = '<form method="post" class="form-grid"'


def viewer_is_refused(project: Project, url: str, data: dict[str, Any], keys: list[str]) -> None:
    """A viewer's post is refused with 403 and changes nothing; the page shows no form to them."""
    client = member_client(project, Role.VIEWER)
    before = values(project, keys)
    refused = client.post(page_url(project, url), data)
    assert refused.status_code == 403
    assert values(project, keys) == before
    assert settings_events(project) == []
    page = client.get(page_url(project, url)).content.decode()
    assert "Only project owners can change these settings." in page
    assert EDITABLE_FORM not in page


def other_owner_gets_404(project: Project, url: str, data: dict[str, Any], keys: list[str]) -> None:
    """An owner of another project learns nothing of this one and changes nothing."""
    client = other_project_owner_client()
    before = values(project, keys)
    responses = [client.get(page_url(project, url)), client.post(page_url(project, url), data)]
    assert [r.status_code for r in responses] == [404, 404]
    assert project.name.encode() not in responses[0].content
    assert values(project, keys) == before


@dataclass(frozen=True)
class SettingsPage:
    """One Settings page under test: its URL (after ``/dashboard/p/<pid>/``) and its keys."""

    suffix: str
    keys: tuple[str, ...]

    def url(self, project: Project) -> str:
        return page_url(project, self.suffix)

    def form(self, project: Project, **changes: str) -> dict[str, str]:
        return form_data(project, list(self.keys), **changes)

    def values(self, project: Project) -> dict[str, Any]:
        return values(project, list(self.keys))

    def viewer_is_refused(self, project: Project, data: dict[str, Any]) -> None:
        viewer_is_refused(project, self.suffix, data, list(self.keys))

    def other_owner_gets_404(self, project: Project, data: dict[str, Any]) -> None:
        other_owner_gets_404(project, self.suffix, data, list(self.keys))
