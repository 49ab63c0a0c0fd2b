"""Template context every dashboard page needs: the projects this admin can switch to."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def dashboard(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not getattr(user, "is_verified", lambda: False)():
        return {}
    from projects.selectors import project_list_for_user

    return {"switchable_projects": project_list_for_user(user=user)}
