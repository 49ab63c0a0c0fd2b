"""The document camera's page context: where ``document-camera.js`` records a camera error, the
shape of the framing guide, and every word it may show, translated here so that the script
holds no text of its own.

The guide has the document's own proportions (ISO/IEC 7810: ID-1 cards 85.60 × 53.98 mm, a
passport's data page, ID-3, 125 × 88 mm), so a person who fills it holds the document at the
distance the reader wants.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from submissions.flow.camera import camera_error_texts
from submissions.flow.state import BACK, FRONT, FlowState

ID1_ASPECT = 85.60 / 53.98
ID3_ASPECT = 125.0 / 88.0
PASSPORT_TYPES = frozenset({"passport"})
ERROR_URLS = {FRONT: "liveform:front-camera-error", BACK: "liveform:back-camera-error"}


def document_camera_context(state: FlowState, step: str) -> dict[str, object]:
    """What the front and back pages hand to ``document-camera.js``; nothing on other steps."""
    if step not in ERROR_URLS:
        return {}
    aspect = ID3_ASPECT if state.id_type in PASSPORT_TYPES else ID1_ASPECT
    camera = {"error_url": reverse(ERROR_URLS[step]), "flow": state.flow, "aspect": f"{aspect:.4f}"}
    return {"document_camera": camera, "document_camera_texts": _texts()}


def _texts() -> dict[str, object]:
    return {
        "frame": _("Fit the whole document inside the frame"),
        "dark": _("Too dark: find more light"),
        "bright": _("Too bright: move away from the lamp or the sun"),
        "blurry": _("Hold the phone still, a little further away"),
        "steady": _("Hold still…"),
        "taken": _("Photo taken. Check that every corner is in it and the text is sharp."),
        "errors": camera_error_texts(facing="environment"),
    }
