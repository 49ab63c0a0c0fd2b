"""Photos taken before the submission exists, held sealed in the flow's session state.

Each photo passes the G16 intake when it is taken (so a wrong file is refused on its own step,
with the reason), and what is kept is the intake's re-encoding (at most 2,000 px on the long
side), sealed with AES-256-GCM under a key derived from the master key and bound to the flow
and the kind: the session store never holds an image in the clear, and a capture cannot be
moved to another flow. They leave the session as soon as the submission is created or its
images replaced, and expire with the flow.
"""

from __future__ import annotations

import base64

from idcheck.lib.crypto import DecryptionError, seal, unseal
from submissions.flow.state import FlowState
from submissions.pipeline.intake import ImageRejected, decode_image, encode_jpeg

PURPOSE = "liveform.capture"


class CaptureRefused(Exception):
    """The photo failed the intake; ``message`` says why, for the person."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _aad(state: FlowState, kind: str) -> bytes:
    return f"{state.flow}:{kind}".encode()


def capture_keep(state: FlowState, kind: str, data: bytes) -> None:
    try:
        jpeg = encode_jpeg(decode_image(data).image)
    except ImageRejected as refusal:
        raise CaptureRefused(refusal.message) from None
    sealed = seal(jpeg, purpose=PURPOSE, aad=_aad(state, kind))
    state.captures[kind] = {"sealed": base64.b64encode(sealed).decode("ascii")}


def captures_open(state: FlowState) -> dict[str, bytes]:
    """Every kept photo, in the clear; a capture that no longer opens is dropped (taken again)."""
    opened: dict[str, bytes] = {}
    for kind, capture in list(state.captures.items()):
        try:
            opened[kind] = unseal(base64.b64decode(capture["sealed"]), purpose=PURPOSE, aad=_aad(state, kind))
        except (DecryptionError, KeyError, ValueError):
            del state.captures[kind]
    return opened
