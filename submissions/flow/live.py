"""The live selfie's page context: the endpoints ``live-selfie.js`` calls (``views.live``) and
every word it may show, translated here so that the script holds no text of its own."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from submissions.flow.camera import camera_error_texts
from submissions.flow.state import FlowState


def live_context(state: FlowState) -> dict[str, object]:
    """What the selfie page hands to ``live-selfie.js``: its endpoints and its words."""
    urls = {
        "plan_url": reverse("liveform:live-plan"),
        "upload_url": reverse("liveform:live-upload"),
        "error_url": reverse("liveform:camera-error"),
        "flow": state.flow,
    }
    return {"live": urls, "live_texts": _texts()}


def _texts() -> dict[str, object]:
    return {
        "prompts": {
            "turn_left": _("Turn your head to your left, then back"),
            "turn_right": _("Turn your head to your right, then back"),
            "nod": _("Nod: tilt your head down, then back"),
            "blink": _("Blink your eyes"),
            "approach": _("Move the phone closer to your face"),
        },
        "rest": _("Look straight at the camera and hold still"),
        "done": _("Well done, hold still"),
        "getting_ready": _("Getting ready…"),
        "sending": _("Sending your selfie…"),
        "again": _("Try again"),
        "errors": camera_error_texts(facing="user"),
    }
