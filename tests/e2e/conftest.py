"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

CHROMIUM = os.environ.get("IDCHECK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    # Playwright's sync API keeps an event loop in the test thread; the ORM calls the tests
    # make there are still plain synchronous calls, so Django's async guard does not apply.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield from _launch()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _launch() -> Iterator[object]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Browser tests need Chromium at {CHROMIUM} (apt-get install chromium; make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, settings) -> Iterator[object]:
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=live_server.url)
    page = context.new_page()
    yield page
    context.close()


def walk_to_front(page, pid: str) -> None:
    """Open a Liveform link with an e-mail and answer consent, country (EST) and type (passport)."""
    page.goto(f"/form/?pid={pid}&email=person@example.com")
    page.check("input[name=agree]")
    page.click("text=Start")
    page.select_option("select[name=choice]", "EST")
    page.click("text=Continue")
    page.select_option("select[name=choice]", "passport")
    page.click("text=Continue")
    page.wait_for_url("**/form/front")


def sign_in_dashboard(page, user) -> None:
    """Sign ``user`` (with a confirmed TOTP device and the factories' password) in to the
    dashboard the way a person does: e-mail and password, then the authenticator's code."""
    from tests.conftest import totp_code
    from tests.factories import DEFAULT_PASSWORD

    page.goto("/dashboard/login/")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/dashboard/otp/**")
    page.fill("input[name=code]", totp_code(user.totpdevice_set.get(confirmed=True)))
    page.click("button[type=submit]")
