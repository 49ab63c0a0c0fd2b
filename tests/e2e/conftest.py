"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("IDCHECK_CHROMIUM", "/usr/bin/chromium")
PHONE = {"width": 390, "height": 844}  # the phone viewport every Liveform test and screenshot uses
# A phone's browser: the Liveform offers desktop visitors a QR code, headless Chromium's own
# user agent reads as a desktop.
PHONE_UA = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36"
)
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
    context = browser.new_context(viewport=PHONE, user_agent=PHONE_UA, base_url=live_server.url)
    page = context.new_page()
    yield page
    context.close()


def walk_to_front(page, pid: str, *, query: str = "") -> None:
    """Open a Liveform link with an e-mail (and ``query``, "&lang=ar"…) and answer consent,
    country (EST) and type (passport), in any language."""
    page.goto(f"/form/?pid={pid}&email=person@example.com{query}")
    page.check("input[name=agree]")
    page.click("form button[type=submit]")
    page.select_option("select[name=choice]", "EST")
    page.click("form button[type=submit]")
    page.select_option("select[name=choice]", "passport")
    page.click("form button[type=submit]")
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


# --- the Liveform's screens: one screenshot and one accessibility audit per step shown ---------

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("IDCHECK_SCREENSHOTS") or REPO / "var" / "screenshots")
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
# WCAG 2.0 and 2.1, levels A and AA, and axe's best practices (landmarks, heading order, one h1).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


# The screens of the longest flow, which test_liveform_accessibility walks with each theme.
WALKED_SCREENS = ("consent", "email", "country", "id-type", "front", "back", "review", "questions", "address", "selfie",
                  "processing", "result-approved")  # fmt: skip


def _screens() -> tuple[str, ...]:
    from submissions.flow.errors import ERROR_PAGES

    flow = (
        "consent", "consent-desktop-qr", "in-app-browser", "email", "phone-number", "phone-code", "country",
        "id-type", "front", "front-camera", "front-camera-error", "front-retry", "back", "review", "questions",
        "address", "selfie", "selfie-live", "processing", "phone-waiting", "phone-done", "result-approved",
        "result-pending", "result-rejected", "consent-rtl", "front-rtl", "result-rtl",
    )  # fmt: skip
    dark = tuple(f"{screen}-dark-theme" for screen in WALKED_SCREENS)
    light = ("front-light-theme", "result-approved-light-theme")  # a light ``mainColor``: its links and outlines
    knowledge_based = ("consent-knowledge-based", "details", "result-knowledge-based")  # spec §6.3
    # the address injection (action=addveri), appended so that no earlier screenshot is renamed
    injection = ("injection-address-missing", "injection-address", "injection-failed", "injection-completed")
    return flow + tuple(f"error-{page}" for page in ERROR_PAGES) + dark + light + knowledge_based + injection


# Every screen the browser tests show, in the flow's order: a screenshot is named after its
# place here (liveform-NN-name.png), so that the files sort like the flow; a new screen goes
# where it belongs, and `make screenshots` renames what follows it.
LIVEFORM_SCREENS = _screens()


def screenshot(page, name: str) -> Path:
    """Keep the whole page as ``SCREENSHOTS/<name>.png``, as a phone shows it: a page opened in
    a wider window (a desktop's) is laid out at the phone's width for the picture."""
    path = SCREENSHOTS / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    viewport = page.viewport_size
    if viewport != PHONE:
        page.set_viewport_size(PHONE)
    page.screenshot(path=path, full_page=True, animations="disabled", caret="initial")
    if viewport != PHONE:
        page.set_viewport_size(viewport)
    return path


def liveform_step(page, screen: str, *, audit: bool = True) -> Path:
    """Keep the page as ``liveform-NN-<screen>.png`` (``screen`` a name of LIVEFORM_SCREENS),
    then fail on any violation axe-core finds on it. ``audit=False`` only where the page is in
    the middle of a timed action (a camera filming a challenge) whose markup is audited before."""
    path = screenshot(page, f"liveform-{LIVEFORM_SCREENS.index(screen) + 1:02d}-{screen}")
    if audit:
        violations = axe_violations(page)
        assert not violations, f"{screen} ({page.url}) breaks accessibility rules:\n" + _axe_report(violations)
    return path


def axe_violations(page) -> list[dict]:
    """axe-core's violations on the page as it is now. The script is evaluated through the
    DevTools protocol, which the Liveform's CSP (script-src 'self') does not govern, and is never
    served by the site: it is a test-only file (tests/e2e/vendor/axe-core)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    return page.evaluate(
        """async tags => {
          const results = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
          return results.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html, summary: n.failureSummary}))}));
        }""",
        AXE_TAGS,
    )


@functools.cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8") + "\n;undefined"


def _axe_report(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            summary = " ".join(node["summary"].split())
            lines.append(f"    {node['target']}: {node['html'][:160]}\n      {summary}")
    return "\n".join(lines)
