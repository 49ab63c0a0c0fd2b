"""What the Liveform's two cameras share: the error names getUserMedia rejects with, the words
each is shown in, and how a met error is recorded with the flow (issue 6: every camera error is
shown to the person in words and recorded).

The selfie camera faces the person (``user``), the document camera faces away (``environment``):
only the "no camera" wording differs.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from submissions.flow.state import SELFIE, FlowState

# The names getUserMedia rejects with (plus our own for a browser without it), as recorded.
CAMERA_ERRORS = frozenset({
    "NotAllowedError", "NotFoundError", "NotReadableError", "OverconstrainedError", "SecurityError",
    "AbortError", "TypeError", "Unsupported", "PlanRefused", "Other",
})  # fmt: skip
MAX_CAMERA_ERRORS = 10


def camera_error_record(state: FlowState, step: str, name: str) -> str:
    """Keep ``name`` (an unknown one as ``Other``) with the flow; the name kept. The selfie's go
    with its live capture; the document steps' are kept as ``step:name``."""
    if name not in CAMERA_ERRORS:
        name = "Other"
    errors = state.camera_errors if step == SELFIE else state.document_camera_errors
    if len(errors) < MAX_CAMERA_ERRORS:
        errors.append(name if step == SELFIE else f"{step}:{name}")
    return name


def camera_error_texts(*, facing: str) -> dict[str, str]:
    """Every camera error in words; ``facing`` is ``user`` (selfie) or ``environment`` (document)."""
    missing = (
        _("No front camera was found on this device. Choose a photo instead, or open this link on a phone.")
        if facing == "user"
        else _("No back camera was found on this device. Choose a photo instead, or open this link on a phone.")
    )
    return {
        "NotAllowedError": _(
            "You did not allow the camera. Allow it in your browser's settings for this "
            "site and reload the page, or choose a photo instead."
        ),
        "NotFoundError": missing,
        "OverconstrainedError": _("This camera cannot take this photo. Choose a photo instead."),
        "NotReadableError": _("The camera is used by another app. Close it and try again."),
        "SecurityError": _("This page may not use the camera here. Open the link in Safari or Chrome."),
        "AbortError": _("The camera stopped. Please try again."),
        "Unsupported": _(
            "This browser cannot use the camera. Open the link in Safari or Chrome, or choose a photo instead."
        ),
        "PlanRefused": _("We could not start the check. Reload the page and try again."),
        "Other": _("Something went wrong with the camera. Please try again."),
    }
