"""``x-api-key`` authentication, the API IP allow-list and the per-project rate limit.

Order of refusal, as at the original's gateway: no or bad key → 403 ``Forbidden``; caller
outside the project's allow-list → 403 explicit deny; over a limit → 429.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from idcheck.api_errors import ApiKeyRejected, IpAddressDenied, RateLimited, ServiceUnavailable
from idcheck.lib.netaddr import address_allowed, client_address
from idcheck.middleware import audit_path
from idcheck.ratelimit import LimiterUnavailable, rate_limit_hit
from projects.actors import Actor
from projects.models import ApiKey, Project
from projects.selectors import api_key_authenticate
from projects.services import audit_record

logger = logging.getLogger("idcheck.security")

API_KEY_HEADER = "x-api-key"
# Names under which a key must never travel in a URL (it would land in logs and histories),
# compared case-folded with "-" read as "_".
QUERY_KEY_NAMES = {"x_api_key", "api_key", "apikey"}


@dataclass(frozen=True)
class ApiClient:
    """``request.user`` for API calls: the project behind the presented key."""

    project: Project
    api_key: ApiKey
    is_authenticated: bool = True


def _key_in_query_string(request: Request) -> bool:
    return any(name.lower().replace("-", "_") in QUERY_KEY_NAMES for name in request.query_params)


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[ApiClient, ApiKey]:
        if _key_in_query_string(request):
            audit_record(actor=Actor.from_request(request), action="api.key_in_query_string_refused",
                         target_type="path", target_id=audit_path(request.path))  # fmt: skip
            logger.warning("API key sent in a query string refused")
            raise ApiKeyRejected()
        presented = request.headers.get(API_KEY_HEADER, "")
        api_key = api_key_authenticate(presented) if presented else None
        if api_key is None:
            raise ApiKeyRejected()
        return ApiClient(project=api_key.project, api_key=api_key), api_key

    def authenticate_header(self, request: Request) -> str | None:
        return None  # no WWW-Authenticate: refusals are 403, as at the original's gateway


class HasProjectApiKey(BasePermission):
    """Key present, caller inside the allow-list, within the rate limits."""

    def has_permission(self, request: Request, view: object) -> bool:
        client = request.user
        if not isinstance(client, ApiClient):
            raise ApiKeyRejected()
        project = client.project
        address = client_address(request.META, trusted_proxy_depth=settings.IDCHECK_TRUSTED_PROXY_DEPTH)
        if not address_allowed(address, project.api_ip_allowlist):
            audit_record(
                actor=Actor.from_request(request, api_key=client.api_key),
                action="api.ip_denied",
                project=project,
                target_type="path",
                target_id=audit_path(request.path),
            )
            raise IpAddressDenied()
        try:
            decision = rate_limit_hit(project)
        except LimiterUnavailable:
            raise ServiceUnavailable() from None
        if not decision.allowed:
            raise RateLimited(decision.retry_after)
        return True
