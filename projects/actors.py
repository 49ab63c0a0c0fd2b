"""Who did something, from where: passed to every service that writes the Event Log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpRequest

from idcheck.lib.netaddr import client_address

if TYPE_CHECKING:
    from projects.models import ApiKey, User


@dataclass(frozen=True)
class Actor:
    user: User | None = None
    api_key: ApiKey | None = None
    label: str = "system"
    ip_address: str | None = None
    request_id: str = ""

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        return cls(label=label)

    @classmethod
    def from_request(cls, request: HttpRequest, *, api_key: ApiKey | None = None) -> Actor:
        address = client_address(request.META, trusted_proxy_depth=settings.IDCHECK_TRUSTED_PROXY_DEPTH)
        from projects.models import User

        # DRF wraps the Django request (its ``user`` would re-enter API authentication) and,
        # once authenticated, puts the API client there: only a dashboard account is a user.
        user = getattr(getattr(request, "_request", request), "user", None)
        if not isinstance(user, User) or not user.is_authenticated:
            user = None
        if api_key is not None:
            label = f"api_key:{api_key.id}"
        elif user is not None:
            label = f"user:{user.pk}"
        else:
            label = "anonymous"
        return cls(
            user=user,
            api_key=api_key,
            label=label,
            ip_address=str(address) if address else None,
            request_id=getattr(request, "request_id", ""),
        )
