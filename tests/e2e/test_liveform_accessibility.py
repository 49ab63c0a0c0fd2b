"""Every Liveform screen passes axe-core's WCAG 2.1 A/AA rules and is kept as a phone-sized
screenshot (``liveform_step``): the longest flow a project can ask for (a two-sided ID, an
unreadable photo so the confirmation page shows, questions, proof of address), the result page
of each status, a messenger's in-app browser, every error page, Arabic, and a dark ``mainColor``.
No worker runs here: the decision is written by the test, the screens are what is checked."""

from __future__ import annotations

import pytest
from django.contrib.sessions.backends.db import SessionStore

from policy.services import policy_settings_update
from projects.actors import Actor
from projects.services import project_settings_update
from submissions.flow.errors import ERROR_PAGES
from submissions.flow.state import SESSION_KEY
from submissions.models import RunState, Submission, SubmissionStatus
from tests.e2e.conftest import PHONE, axe_violations, liveform_step, walk_to_front
from tests.factories import ProjectFactory
from tests.submissions.api.helpers import photo
from tests.submissions.flow.helpers import DETAILS

pytestmark = pytest.mark.django_db(transaction=True)
ACTOR = Actor.system("test")
QUESTIONS = [
    {"id": "occupation", "label": "Your occupation", "type": "text", "required": True},
    {"id": "funds", "label": "Source of funds", "type": "choice", "options": ["Salary", "Savings"]},
    {"id": "pep", "label": "I am not a politically exposed person", "type": "checkbox", "required": True},
]
INSTAGRAM_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 "
    "Instagram 334.0.4.32.98 (iPhone15,3; iOS 17_5; en_US; en; scale=3.00; 1290x2796; 604367138)"
)
DARK_MAIN = "14213d"  # a navy blue: white text on the buttons, dark links and focus rings
LIGHT_MAIN = "ffd60a"  # a sunny yellow: black text on the buttons, links darkened to read on white


def _everything_project():
    project = ProjectFactory(name="Acme Bank", credits=10)
    changes = {"liveform_additional_questions": QUESTIONS, "liveform_return_url": "https://shop.example.com/kyc"}
    project_settings_update(project=project, changes=changes, actor=ACTOR)
    policy_settings_update(project=project, changes={"policy_proof_of_address": True}, actor=ACTOR)
    return project


def _send_photo(page) -> None:
    page.set_input_files("#id_photo", files=[{"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": photo()}])
    page.click("form[enctype='multipart/form-data'] button[type=submit]")  # "Use this photo"


def _type_details(page) -> None:
    """The confirmation page, when nothing could be read: the details typed in, then sent."""
    for name, value in DETAILS.items():
        if name == "sex":
            page.select_option(f"[name={name}]", value)
        else:
            page.fill(f"[name={name}]", value)
    page.click("form button[type=submit]")


def _walk_every_step(page, pid: str, *, theme: str = "", query: str = "") -> None:
    """From the link to the processing page through every step, each shot and audited (as
    ``<screen><theme>``)."""

    def step(screen: str) -> None:
        liveform_step(page, f"{screen}{theme}")

    page.goto(f"/form/?pid={pid}{query}")
    page.wait_for_url("**/form/consent")
    step("consent")
    page.check("input[name=agree]")
    page.click("text=Start")
    page.wait_for_url("**/form/email")
    step("email")
    page.fill("input[name=email]", "person@example.com")
    page.click("text=Continue")
    page.wait_for_url("**/form/country")
    step("country")
    page.select_option("select[name=choice]", "EST")
    page.click("text=Continue")
    page.wait_for_url("**/form/id-type")
    step("id-type")
    page.select_option("select[name=choice]", "government_id")
    page.click("text=Continue")
    _capture_steps(page, step)


def _capture_steps(page, step) -> None:
    page.wait_for_url("**/form/front")
    step("front")
    _send_photo(page)
    page.wait_for_url("**/form/back")
    step("back")
    _send_photo(page)
    page.wait_for_url("**/form/review")  # a plain photo: nothing read, the details typed in
    step("review")
    _type_details(page)
    page.wait_for_url("**/form/questions")
    step("questions")
    page.fill("[name=q_occupation]", "Baker")
    page.check("input[name=q_funds][value=Savings]")
    page.check("input[name=q_pep]")
    page.click("text=Continue")
    page.wait_for_url("**/form/address")
    step("address")
    _send_photo(page)
    page.wait_for_url("**/form/selfie")
    step("selfie")
    page.click("text=I cannot use the camera: choose a photo instead")
    _send_photo(page)
    page.wait_for_url("**/form/processing")
    step("processing")


def _decide(project, status: str, **fields) -> None:
    Submission.objects.filter(project=project).update(status=status, **fields)


def _returning_to(url: str):
    project = ProjectFactory(name="Acme Bank", credits=10)
    project_settings_update(project=project, changes={"liveform_return_url": url}, actor=ACTOR)
    return project


def _front_to_processing(page) -> None:
    """From the front photo to the processing page, the shortest way: a passport's unreadable
    photo, the details typed in, a selfie from a file."""
    _send_photo(page)
    page.wait_for_url("**/form/review")
    _type_details(page)
    page.wait_for_url("**/form/selfie")
    page.click("#lf-live-file")
    _send_photo(page)
    page.wait_for_url("**/form/processing")


def _front_to_approved_result(page, project) -> None:
    _front_to_processing(page)
    _decide(project, SubmissionStatus.APPROVED)
    page.wait_for_url("**/form/result")


def test_every_step_of_the_longest_flow_and_each_result_pass_the_audit(page):
    # given: a project asking for everything the flow can ask
    project = _everything_project()
    # when / then: each screen passes on the way (liveform_step fails the test otherwise)
    _walk_every_step(page, project.pid)
    # and the result page of each decision
    _decide(project, SubmissionStatus.APPROVED)
    page.wait_for_url("**/form/result")
    page.click("text=Stay on this page")  # the project's Return URL is not served here
    liveform_step(page, "result-approved")
    _decide(project, SubmissionStatus.PENDING)
    page.reload()
    page.click("text=Stay on this page")
    liveform_step(page, "result-pending")
    _decide(project, SubmissionStatus.REJECTED, kyc_comment=["The document has expired."])
    page.reload()
    page.click("text=Stay on this page")
    assert page.locator("h1").inner_text() == "We could not verify you"
    liveform_step(page, "result-rejected")


def test_a_dark_main_colour_keeps_every_screen_readable(page):
    # given
    project = _everything_project()
    # when / then: buttons, links and focus rings in the project's navy blue pass AA
    _walk_every_step(page, project.pid, theme="-dark-theme", query=f"&mainColor={DARK_MAIN}")
    assert page.evaluate("getComputedStyle(document.body).getPropertyValue('--lf-main').trim()") == f"#{DARK_MAIN}"
    _decide(project, SubmissionStatus.APPROVED)
    page.wait_for_url("**/form/result")
    page.click("#lf-stay")
    liveform_step(page, "result-approved-dark-theme")


def test_a_light_main_colour_keeps_links_and_outlined_buttons_readable(page, live_server):
    # given: a yellow main colour, in which text on white would be unreadable
    project = _returning_to(f"{live_server.url}/healthz?from=liveform")
    # when / then: the photo step's link and outlined button, the result's "Stay on this page"
    walk_to_front(page, project.pid, query=f"&mainColor={LIGHT_MAIN}")
    liveform_step(page, "front-light-theme")
    _front_to_approved_result(page, project)
    liveform_step(page, "result-approved-light-theme")  # within the 5 seconds: the timer's button in view


def test_a_photo_to_take_again_shows_the_reason_and_passes_the_audit(page):
    # given: a flow whose run the worker sent back for a new photo of the document
    project = ProjectFactory(name="Acme Bank", credits=10)
    walk_to_front(page, project.pid)
    _front_to_processing(page)
    Submission.objects.filter(project=project).update(
        run_state=RunState.WAITING, failed_attempts=1, retry_code="id_image_badImage"
    )
    # when: the processing page learns it
    page.wait_for_url("**/form/front")
    # then
    assert page.locator(".lf-notice").inner_text() == (
        "Unable to read the ID image. Please ensure the image is clear and resubmit."
    )
    liveform_step(page, "front-retry")


def test_arabic_screens_pass_the_audit_right_to_left(page):
    # given: an Arabic link (its consent page is shot in test_liveform_languages)
    project = ProjectFactory(name="Acme Bank", credits=10)
    walk_to_front(page, project.pid, query="&lang=ar")
    assert (page.locator("html").get_attribute("dir"), page.locator("html").get_attribute("lang")) == ("rtl", "ar")
    # when / then
    liveform_step(page, "front-rtl")
    _front_to_approved_result(page, project)
    assert page.locator("h1").inner_text() != "You are verified"  # in Arabic
    liveform_step(page, "result-rtl")


def test_the_in_app_browser_page_passes_the_audit(browser, live_server, settings):
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
    project = ProjectFactory(name="Acme Bank")
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, user_agent=INSTAGRAM_UA, is_mobile=True)
    try:
        page = context.new_page()
        page.goto(f"/form/?pid={project.pid}")
        page.wait_for_url("**/form/open-in-browser")
        assert page.locator("h1").inner_text() == "Open this page in your browser"
        liveform_step(page, "in-app-browser")
    finally:
        context.close()


def test_every_error_page_passes_the_audit(page):
    # given: a flow of a project with a Return URL, so that each page offers its "Go back" button
    project = _everything_project()
    page.goto(f"/form/?pid={project.pid}")
    page.wait_for_url("**/form/consent")
    for error, expected in ERROR_PAGES.items():
        # when
        response = page.goto(f"/form/error-page/{error}")
        # then
        assert (response.status, page.locator(".lf-code").inner_text()) == (expected.status, expected.code), error
        assert page.locator("a.lf-button").inner_text() == "Go back"
        liveform_step(page, f"error-{error}")


def test_axe_finds_what_a_page_gets_wrong(page):
    # given: the consent page, then a field without a label and grey text on grey
    project = ProjectFactory(name="Acme Bank")
    page.goto(f"/form/?pid={project.pid}&email=person@example.com")
    page.wait_for_url("**/form/consent")
    assert axe_violations(page) == []
    # when
    page.evaluate("""() => {
        const field = document.createElement("input");
        document.querySelector("form").append(field);
        document.querySelector("h1").style.color = "#b0b0b0";
    }""")
    # then: both are reported, by rule
    assert sorted(violation["id"] for violation in axe_violations(page)) == ["color-contrast", "label"]


FOCUS = """() => {
  const element = document.activeElement, style = getComputedStyle(element);
  return {name: element.name || element.id || element.tagName,
          ring: element.matches(":focus-visible") && style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0};
}"""


def _tab_to(page, selector: str, *, limit: int = 10) -> None:
    """Press Tab until ``selector`` has the focus, every element on the way showing a focus ring."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUS)
        assert focused["ring"], f"{focused['name']} has the focus but shows no focus ring"
        if page.evaluate("selector => document.activeElement.matches(selector)", selector):
            return
    raise AssertionError(f"{selector} cannot be reached with Tab on {page.url}")


def test_the_flow_can_be_done_with_the_keyboard_up_to_the_first_photo(page):
    # given: a link without an e-mail, so that every step before the photo is shown
    project = ProjectFactory(name="Acme Bank")
    page.goto(f"/form/?pid={project.pid}")
    page.wait_for_url("**/form/consent")
    # when: Tab, Space and Enter (and typing the first letters of an option, as in any list)
    _tab_to(page, "input[name=agree]")
    page.keyboard.press("Space")
    _tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    for step, field, typed, key in [("email", "input[name=email]", "person@example.com", "Enter"),
                                    ("country", "select[name=choice]", "Estonia", "Enter"),
                                    ("id-type", "select[name=choice]", "Passport", "Space")]:  # fmt: skip
        page.wait_for_url(f"**/form/{step}")
        _tab_to(page, field)
        page.keyboard.type(typed)
        _tab_to(page, "button[type=submit]")
        page.keyboard.press(key)
    # then: at the first photo, with what was chosen
    page.wait_for_url("**/form/front")
    _tab_to(page, "#lf-doc-start")  # the camera's button, then the file input
    _tab_to(page, "#id_photo")
    [cookie] = [c for c in page.context.cookies() if c["name"] == "sessionid"]
    state = SessionStore(session_key=cookie["value"]).load()[SESSION_KEY]
    assert (state["email"], state["country"], state["id_type"]) == ("person@example.com", "EST", "passport")


def test_the_result_page_returns_by_itself_unless_the_person_stays(page, live_server):
    # given: a decided flow of a project with a Return URL
    project = _returning_to(f"{live_server.url}/healthz?from=liveform")
    walk_to_front(page, project.pid)
    _front_to_approved_result(page, project)
    # when: the person stays
    page.click("text=Stay on this page")
    page.wait_for_timeout(6_000)
    # then: still on the result page, the countdown gone
    assert page.url.endswith("/form/result")
    assert page.locator("#lf-return-timer").is_hidden()
    # when: the page is opened again and left alone
    page.reload()
    # then: after 5 seconds, the Return URL
    page.wait_for_url(f"{live_server.url}/healthz?from=liveform**", timeout=8_000)
