"""G21: every route of the URLconf, walked with a signed-in staff owner who also holds an API key,
answers with the security headers and never a 5xx, whatever its status."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.conftest import TEST_HOST, sign_in

# A value for each kind of path parameter: ids that name nothing still reach the view's checks.
PARAMETER_VALUES = {
    "int": "987654321",
    "str": "x" * 18,
    "path": "x",
    "slug": "x",
    "uuid": "00000000-0000-4000-8000-000000000000",
}
_PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")


def _routes(patterns, prefix: str = "") -> list[str]:
    routes = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            routes.extend(_routes(pattern.url_patterns, route))
        elif (
            isinstance(pattern, URLPattern) and "^" not in route and "(?" not in route
        ):  # regex routes: admin internals
            routes.append(route)
    return routes


def _url(route: str, pid: str) -> str:
    def value(match: re.Match) -> str:
        converter, name = match.group(1) or "str", match.group(2)
        return pid if name == "pid" else PARAMETER_VALUES.get(converter, "x")

    return "/" + _PARAMETER.sub(value, route).lstrip("^").rstrip("$")


def test_every_route_answers_with_the_security_headers(project, owner, issued_key):
    # given: ids in the routes name nothing (a route once answered 500 for an unknown device)
    owner.is_staff = True
    owner.save()
    client = sign_in(Client(HTTP_HOST=TEST_HOST, HTTP_X_API_KEY=issued_key.plaintext), owner)
    urls = sorted({_url(route, project.pid) for route in _routes(get_resolver().url_patterns)})
    assert len(urls) > 100

    # when / then
    failures, statuses = {}, {}
    for url in urls:
        response = client.get(url)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        problems = [
            problem
            for problem, ok in [
                ("5xx", response.status_code < 500),
                (
                    "csp",
                    all(
                        d in response.get("Content-Security-Policy", "")
                        for d in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'")
                    ),
                ),  # fmt: skip
                ("nosniff", response.get("X-Content-Type-Options") == "nosniff"),
                ("referrer", response.get("Referrer-Policy") == "same-origin"),
                ("no-store", url.startswith("/static/") or "no-store" in response.get("Cache-Control", "")),
            ]
            if not ok
        ]
        if problems:
            failures[url] = (response.status_code, problems)
    assert failures == {}
    assert statuses.get(200, 0) >= 30  # the walk reaches real pages, not only refusals
