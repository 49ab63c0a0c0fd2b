"""Every Liveform step stays light on a cheap phone (issue 6): its HTML with the stylesheets and
scripts it loads weighs under 150 KB before images."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders

from tests.submissions.flow.helpers import confirm_details, flow_client, walk_to_capture
from tests.submissions.flow.test_capture import _upload

LIMIT = 150 * 1024
ASSET = re.compile(r'(?:src|href)="' + re.escape(settings.STATIC_URL) + r'([^"?]+)"')


def _weight(html: str) -> int:
    assets = {name for name in ASSET.findall(html) if name.endswith((".css", ".js"))}
    return len(html.encode()) + sum(Path(finders.find(name)).stat().st_size for name in assets)


def test_every_step_weighs_under_150_kb_before_images(project):
    # given: a flow walked through its steps, each page fetched as a phone would
    client = flow_client()
    walk_to_capture(client, project.pid, email="person@example.com")
    pages = {"front": client.get("/form/front").content.decode()}
    assert _upload(client, "front")["Location"] == "/form/review"
    pages["review"] = client.get("/form/review").content.decode()
    assert confirm_details(client)["Location"] == "/form/selfie"
    pages["selfie"] = client.get("/form/selfie").content.decode()

    # when / then
    weights = {step: _weight(html) for step, html in pages.items()}
    assert all(weight < LIMIT for weight in weights.values()), weights
    # the assets were found and counted: the selfie page loads the stylesheet and two scripts
    assert weights["selfie"] - len(pages["selfie"].encode()) > 10 * 1024
