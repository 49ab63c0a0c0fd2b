"""URL walk (G20): every dashboard and admin page needs a password *and* a TOTP code."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.conftest import TEST_HOST, sign_in

# Pages that exist to get a person signed in; everything else must refuse them.
SIGN_IN_PAGES = {"login", "otp", "otp_setup", "logout", "invitation_accept"}


def _dashboard_patterns() -> list[URLPattern]:
    resolver = get_resolver()
    dashboard = next(p for p in resolver.url_patterns if isinstance(p, URLResolver) and p.namespace == "dashboard")
    return [p for p in dashboard.url_patterns if isinstance(p, URLPattern)]


def _url(pattern: URLPattern, pid: str) -> str:
    route = str(pattern.pattern).replace("<str:pid>", pid).replace("<str:token>", "x" * 43)
    return f"/dashboard/{route}"


def _protected_urls(pid: str) -> list[str]:
    return [_url(p, pid) for p in _dashboard_patterns() if p.name not in SIGN_IN_PAGES]


def test_the_walk_covers_every_dashboard_page(project):
    # given / when
    names = {p.name for p in _dashboard_patterns()}
    # then: a new page must be added to the walk by existing, not by hand
    assert len(_protected_urls(project.pid)) == len(names - SIGN_IN_PAGES) >= 12


@pytest.mark.parametrize("method", ["get", "post"])
def test_it_sends_anonymous_visitors_to_sign_in(project, method):
    client = Client(HTTP_HOST=TEST_HOST)
    for url in _protected_urls(project.pid):
        # when
        response = getattr(client, method)(url)
        # then
        assert response.status_code == 302, url
        assert response["Location"].startswith("/dashboard/login/?next="), url


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_password_alone_opens_no_page(project, owner, method):
    # given: signed in with the password but no TOTP code yet
    client = sign_in(Client(HTTP_HOST=TEST_HOST), owner, with_otp=False)
    for url in _protected_urls(project.pid):
        # when
        response = getattr(client, method)(url)
        # then
        assert response.status_code == 302, url
        assert response["Location"].startswith("/dashboard/otp/?next="), url


def test_with_the_totp_code_every_get_page_opens(project, owner):
    # given
    owner.is_staff = True
    owner.save()
    client = sign_in(Client(HTTP_HOST=TEST_HOST), owner)
    get_pages = [p for p in _dashboard_patterns() if p.name not in SIGN_IN_PAGES and not _is_post_only(p)]
    for pattern in get_pages:
        # when
        response = client.get(_url(pattern, project.pid))
        # then
        assert response.status_code == 200, pattern.name


def _is_post_only(pattern: URLPattern) -> bool:
    return pattern.name in {
        "member_remove", "member_role", "invitation_cancel", "api_key_rotate", "secret_key_issue", "staff_credits_top_up",
    }  # fmt: skip


def _admin_urls() -> list[str]:
    resolver = get_resolver()
    admin = next(p for p in resolver.url_patterns if isinstance(p, URLResolver) and p.app_name == "admin")
    urls = ["/admin/"]
    for model_resolver in admin.url_patterns:
        if isinstance(model_resolver, URLResolver) and "<" not in str(model_resolver.pattern):
            urls.append(f"/admin/{model_resolver.pattern}")
    return urls


def test_the_admin_site_needs_the_totp_code_too(owner):
    # given: staff, password only
    owner.is_staff = True
    owner.is_superuser = True
    owner.save()
    client = sign_in(Client(HTTP_HOST=TEST_HOST), owner, with_otp=False)
    urls = _admin_urls()
    assert len(urls) >= 8
    for url in urls:
        # when
        response = client.get(url)
        # then
        assert response.status_code == 302, url
        assert response["Location"].startswith("/dashboard/login/") or "/admin/login/" in response["Location"], url
    # and after the code, the admin opens
    device = owner.totpdevice_set.get()
    from tests.conftest import totp_code

    client.post("/dashboard/otp/", {"code": totp_code(device)})
    assert client.get("/admin/").status_code == 200
