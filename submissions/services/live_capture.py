"""A live selfie's active challenge, as the Liveform hands it to the submission services.

The Liveform films the challenge plan it was issued; ``LiveCapture`` carries the server's copy
of that plan, what came back (nonce, frames) and when it arrived. ``submission_create`` and
``submission_images_replace`` store it beside the selfie (``live_capture_store``) and mark the
selfie ``live``; the run's liveness step reads it back (``live_capture_load``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from idcheck.errors import ApplicationError
from submissions.models import LivenessCapture, Submission
from submissions.pipeline.liveness import ChallengePlan, Frame
from submissions.pipeline.liveness.bundle import pack_frames, unpack_frames
from submissions.storage import frames_file_read, frames_file_write, image_files_delete

MAX_FRAMES = 240  # 30 s at 8 fps: more than any plan films
MAX_FRAME_BYTES = 400_000  # a 480-px JPEG is 20–60 kB
JPEG_MAGIC = b"\xff\xd8\xff"


@dataclass(frozen=True)
class LiveCapture:
    plan: ChallengePlan  # the server's copy, kept in the flow since it was issued
    nonce_sent: str
    received_at_ms: int  # server clock, when the frames arrived
    frames: tuple[Frame, ...]
    camera_errors: tuple[str, ...] = field(default_factory=tuple)


def live_capture_check(capture: LiveCapture) -> None:
    """Refuse frames that are not a filmed challenge before anything is written."""
    if not capture.frames or len(capture.frames) > MAX_FRAMES:
        raise ApplicationError(f"A live capture needs 1 to {MAX_FRAMES} frames.", code="invalid_frames")
    for frame in capture.frames:
        if len(frame.jpeg) > MAX_FRAME_BYTES or not frame.jpeg.startswith(JPEG_MAGIC):
            raise ApplicationError("Every frame must be a JPEG of at most 400 kB.", code="invalid_frames")


def live_capture_store(submission: Submission, capture: LiveCapture, *, written: list[str]) -> LivenessCapture:
    """Write the sealed frames and the row, replacing an earlier capture (its file goes after
    commit). ``written`` gets the new file, for the caller to delete if the transaction fails."""
    row = frames_file_write(
        submission,
        bundle=pack_frames(capture.frames),
        plan=capture.plan.as_json(),
        nonce_sent=capture.nonce_sent[:64],
        received_at_ms=capture.received_at_ms,
        frame_count=len(capture.frames),
        camera_errors=list(capture.camera_errors),
    )
    written.append(row.storage_name)
    live_capture_drop(submission)
    row.save()
    return row


def live_capture_drop(submission: Submission) -> None:
    """Forget the capture of ``submission`` (a selfie from a file input replaced a live one)."""
    earlier = LivenessCapture.objects.filter(submission=submission)
    files = list(earlier.values_list("storage_name", flat=True))
    earlier.delete()
    transaction.on_commit(lambda: image_files_delete(files))


def live_capture_load(submission: Submission) -> LiveCapture | None:
    """The stored capture of ``submission``, None when its selfie was not filmed live.
    Raises ``DecryptionError`` / ``BundleError`` when the file was altered or shredded."""
    row = LivenessCapture.objects.filter(submission=submission).first()
    if row is None:
        return None
    frames = tuple(unpack_frames(frames_file_read(row)))
    return LiveCapture(
        plan=ChallengePlan.from_json(row.plan),
        nonce_sent=row.nonce_sent,
        received_at_ms=row.received_at_ms,
        frames=frames,
        camera_errors=tuple(row.camera_errors),
    )
