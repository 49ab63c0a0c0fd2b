"""The link's mainColor / innerColor colour the Liveform through a stylesheet of its own (the
CSP allows no inline style); text on the main colour is black or white for contrast."""

from __future__ import annotations

import pytest

from submissions.flow.state import SESSION_KEY
from tests.submissions.flow.helpers import flow_client, open_link


def test_the_colours_of_the_link_reach_the_pages_stylesheet(project):
    client = flow_client()

    open_link(client, project.pid, mainColor="#0A7C3E", innerColor="fafafa")
    page = client.get("/form/consent").content.decode()
    css = client.get("/form/theme.css")

    assert '<link rel="stylesheet" href="/form/theme.css">' in page
    assert css["Content-Type"] == "text/css"
    assert css.content.decode() == (
        ":root { --lf-main: #0a7c3e; --lf-on-main: #fff; --lf-main-ink: #0a7c3e; --lf-inner: #fafafa; }\n"
    )


def test_a_light_main_colour_gets_black_text_and_a_darker_ink_for_links(project):
    client = flow_client()

    open_link(client, project.pid, mainColor="ffd60a")

    # the yellow mixed with 50 % black: 5.2:1 on white, 4.8:1 on the page's #f4f5f7 (yellow: 1.4 and 1.3)
    assert client.get("/form/theme.css").content.decode() == (
        ":root { --lf-main: #ffd60a; --lf-on-main: #000; --lf-main-ink: #806b05; }\n"
    )


def test_a_dark_inner_colour_does_not_darken_the_ink(project):
    client = flow_client()

    open_link(client, project.pid, mainColor="ffd60a", innerColor="101010")

    # against white alone (the outlined buttons' background): no ink reads on #101010, black neither
    assert client.get("/form/theme.css").content.decode() == (
        ":root { --lf-main: #ffd60a; --lf-on-main: #000; --lf-main-ink: #806b05; --lf-inner: #101010; }\n"
    )


def test_without_colours_the_page_links_no_theme(project):
    client = flow_client()

    open_link(client, project.pid)

    assert "/form/theme.css" not in client.get("/form/consent").content.decode()
    assert client.get("/form/theme.css").content == b""


@pytest.mark.parametrize("value", ["red", "#12345", "url(x)", "#1234567"])
def test_a_colour_that_is_not_six_hex_digits_is_an_invalid_parameter(project, value):
    client = flow_client()

    response = open_link(client, project.pid, mainColor=value)

    assert response["Location"] == "/form/error-page/invalid-parameter"
    assert SESSION_KEY not in client.session
