"""In-app browsers (messenger and social apps' web views, which block the camera) are sent to a
page that explains how to open the flow in Safari or Chrome, before consent."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from submissions.flow.inapp import in_app_browser
from submissions.flow.state import SESSION_KEY
from submissions.models import LiveformHandoff
from tests.conftest import TEST_HOST
from tests.submissions.api.helpers import photo
from tests.submissions.flow.helpers import (
    confirm_details,
    flow_client,
    flow_id,
    nothing_written,
    open_link,
    walk_to_capture,
)

IOS = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148"
ANDROID_WV = ("Mozilla/5.0 (Linux; Android 13; SM-S908B Build/TP1A.220624.014; wv) AppleWebKit/537.36 "
              "(KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36")  # fmt: skip
IN_APP_AGENTS = [
    ("Facebook", f"{IOS} [FBAN/FBIOS;FBAV/440.0.0.33.116;FBBV/577390570;FBDV/iPhone14,5;FBMD/iPhone;FBSN/iOS]"),
    ("Facebook", f"{ANDROID_WV} [FB_IAB/FB4A;FBAV/442.0.0.44.115;]"),
    ("Facebook", f"{IOS} [FBAN/MessengerForiOS;FBAV/438.0.0.35.115;FBBV/574186432;FBDV/iPhone14,5]"),
    ("Instagram", f"{IOS} Instagram 307.0.0.20.110 (iPhone14,5; iOS 17_1; en_US; en; scale=3.00; 1170x2532)"),
    ("LINE", f"{IOS} Safari Line/13.15.0"),
    ("KakaoTalk", f"{IOS} KAKAOTALK 10.2.5"),
    ("WeChat", f"{ANDROID_WV} XWEB/1160065 MMWEBSDK/20231202 MicroMessenger/8.0.47.2560(0x28002F30) WeChat/arm64"),
    ("Snapchat", f"{IOS} Snapchat/12.60.0.46 (like Safari/8616.2.9.10.8, panda)"),
    ("TikTok", f"{ANDROID_WV} trill_2023109020 JsSdk/1.0 AppName/musical_ly app_version/31.9.2 BytedanceWebview/d8"),
    ("LinkedIn", f"{IOS} [LinkedInApp]/9.29.2430"),
    ("X (Twitter)", f"{IOS} Twitter for iPhone/9.61"),
    ("X (Twitter)", f"{ANDROID_WV} TwitterAndroid"),
    ("Pinterest", f"{IOS} [Pinterest/iOS]"),
    ("NAVER", f"{IOS} NAVER(inapp; search; 2000; 12.1.5)"),
]
BROWSERS = [
    f"{IOS} Version/17.1 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 "
    "Chrome/121.0 Mobile Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    f"{IOS} CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
    "",
]
FACEBOOK = IN_APP_AGENTS[0][1]


@pytest.mark.parametrize(("app", "agent"), IN_APP_AGENTS)
def test_each_apps_web_view_is_recognised(app, agent):
    assert in_app_browser(agent) == app


@pytest.mark.parametrize("agent", BROWSERS)
def test_browsers_are_not_in_app(agent):
    assert in_app_browser(agent) == ""


def test_an_in_app_browser_is_sent_to_the_explanation_before_consent(project):
    # given
    client = Client(HTTP_HOST=TEST_HOST, HTTP_USER_AGENT=FACEBOOK)
    # when
    response = open_link(client, project.pid)
    page = client.get("/form/open-in-browser")
    # then
    assert response["Location"] == "/form/open-in-browser"
    assert page.status_code == 200
    html = page.content.decode()
    assert "Open this page in your browser" in html
    assert "You opened the link inside Facebook, whose built-in browser does not let this page use your camera." in html
    assert '<button class="lf-button" id="lf-copy" type="button" hidden>Copy link</button>' in html
    assert '<a class="lf-button lf-secondary" href="/form/consent">Continue here anyway</a>' in html
    assert re.search(
        r'id="lf-open-link" type="text" readonly value="http://[^"]+/form/handoff/[A-Za-z0-9_-]{43}"', html
    )
    assert client.session[SESSION_KEY]["consented"] is False
    assert nothing_written(project)


def test_a_browser_goes_straight_to_consent(project):
    client = flow_client()
    assert open_link(client, project.pid)["Location"] == "/form/consent"
    assert not LiveformHandoff.objects.exists()


def test_a_person_who_cannot_leave_the_app_continues_here(project):
    client = Client(HTTP_HOST=TEST_HOST, HTTP_USER_AGENT=FACEBOOK)
    open_link(client, project.pid)
    response = client.get("/form/consent")
    assert response.status_code == 200
    assert "Verify your identity" in response.content.decode()


def test_the_copied_link_continues_the_flow_in_the_browser(project):
    # given: the app's browser on the explanation
    app = Client(HTTP_HOST=TEST_HOST, HTTP_USER_AGENT=FACEBOOK)
    open_link(app, project.pid)
    link = re.search(r"/form/handoff/[A-Za-z0-9_-]+", app.get("/form/open-in-browser").content.decode()).group(0)
    # when: pasted into Safari
    safari = Client(HTTP_HOST=TEST_HOST, HTTP_USER_AGENT=BROWSERS[0])
    response = safari.get(link)
    # then
    assert response["Location"] == "/form/consent"
    assert flow_id(safari) == flow_id(app)
    assert app.get("/form/consent")["Location"] == "/form/phone"
    page = app.get("/form/phone").content.decode()
    assert "Continue in your browser" in page
    assert "Continue on your phone" not in page


def test_the_selfie_page_links_to_the_explanation_for_ios_refusals(project):
    client = flow_client()
    walk_to_capture(client, project.pid)
    upload = SimpleUploadedFile("p.jpg", photo(), content_type="image/jpeg")
    client.post("/form/front", {"flow": flow_id(client), "photo": upload})
    assert confirm_details(client)["Location"] == "/form/selfie"
    html = client.get("/form/selfie").content.decode()
    assert (
        '<p id="lf-live-browser" class="lf-small" hidden><a href="/form/open-in-browser">'
        "How to open this page in Safari or Chrome</a></p>"
    ) in html


def test_a_qr_code_scanned_inside_an_app_leads_to_the_explanation(project):
    # given: a desktop showing its QR code
    desktop = Client(HTTP_HOST=TEST_HOST, HTTP_USER_AGENT="Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0")
    open_link(desktop, project.pid)
    link = re.search(r"/form/handoff/[A-Za-z0-9_-]+", desktop.get("/form/consent").content.decode()).group(0)
    # when: WeChat's scanner opens it in WeChat's browser
    wechat = Client(HTTP_HOST=TEST_HOST, HTTP_USER_AGENT=IN_APP_AGENTS[6][1])
    response = wechat.get(link)
    # then: the flow is attached, and the way out of WeChat is shown first
    assert response["Location"] == "/form/open-in-browser"
    assert flow_id(wechat) == flow_id(desktop)
    assert "You opened the link inside WeChat" in wechat.get("/form/open-in-browser").content.decode()
