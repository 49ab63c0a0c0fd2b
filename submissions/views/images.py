"""A submission's image, decrypted from the sealed store for a member of its project only.

Never cached (``private, no-store``), never sniffed, sandboxed if opened on its own; every view
is an Event Log entry (G23 "staff view of an image"), ids and the image kind only."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from projects.access import otp_required
from projects.actors import Actor
from submissions.models import ImageKind
from submissions.services.images import ImageNotFound, submission_image_read
from submissions.views.common import member_submission


@otp_required
@require_GET
def submission_image(request: HttpRequest, pid: str, sid: str, kind: str) -> HttpResponse:
    membership, submission = member_submission(request, pid, sid)
    if kind not in ImageKind.values:
        raise Http404("No such image kind")
    try:
        image = submission_image_read(project=membership.project, submission_id=submission.pk, kind=kind,
                                      actor=Actor.from_request(request))  # fmt: skip
    except ImageNotFound:
        raise Http404("No such image") from None
    response = HttpResponse(image.data, content_type=image.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
