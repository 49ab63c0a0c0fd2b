"""The Liveform's error pages, ``/form/error-page/<type>``, each with its ``CATEGORY-NNNNN`` code.

Spec §6.7 names the pages and the code families but gives a number for only some of them
(``PV-40018``, ``NF-10000``); the other numbers are ours, chosen inside the right family and
listed in docs/liveform.md. A refusal never writes anything: it happens before the flow keeps
any state, or leaves the state as it was.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ErrorPage:
    code: str
    status: int
    title: str
    message: str


ERROR_PAGES: dict[str, ErrorPage] = {
    "bad-path": ErrorPage(
        "PV-40001", 400, _("This link is incomplete"), _("The verification link has no project. Ask for a new link.")
    ),
    "page-not-found": ErrorPage(
        "NF-10000", 404, _("Page not found"), _("This verification link does not lead anywhere. Ask for a new link.")
    ),
    "invalid-parameter": ErrorPage(
        "PV-40002",
        400,
        _("This link is not valid"),
        _("The verification link carries a value we cannot use. Ask for a new link."),
    ),
    "decryption-failed": ErrorPage(
        "PV-40010",
        400,
        _("This link is not valid"),
        _("The protected part of the verification link could not be read. Ask for a new link."),
    ),
    "invalid-start-valid-until": ErrorPage(
        "PV-40017",
        400,
        _("This link is not valid"),
        _("The link's start deadline must be protected and be a UTC date and time. Ask for a new link."),
    ),
    "expired-start-valid-until": ErrorPage(
        "PV-40018",
        403,
        _("This link has expired"),
        _("The verification had to be started earlier. Ask for a new link."),
    ),
    "project-closed": ErrorPage(
        "PV-40030", 403, _("Verification closed"), _("This service no longer accepts identity verifications.")
    ),
    "period": ErrorPage(
        "PV-40031",
        403,
        _("Verification not open"),
        _("This service accepts identity verifications only during its submission period. Please try again then."),
    ),
    "service-blocked": ErrorPage(
        "SE-50010",
        503,
        _("Verification paused"),
        _("Identity verification is paused for this service. Please try again later."),
    ),
    # PostgreSQL, Redis or the media disk is away (idcheck.outage): shown without reading anything.
    "service-unavailable": ErrorPage(
        "SE-50011",
        503,
        _("Service temporarily unavailable"),
        _("We cannot take your verification right now, and nothing was saved. Please try again in a few minutes."),
    ),
    "refresh": ErrorPage(
        "RT-60001",
        409,
        _("Your session has ended"),
        _("The verification was interrupted or took too long. Open the link you were given to start again."),
    ),
    "hash_problem": ErrorPage(
        "RT-60002",
        409,
        _("Verification open elsewhere"),
        _("This verification was started again in another tab or window. Please continue there."),
    ),
    # Private mode (spec §6.5): the link's token, judged when the flow starts.
    "token-missing": ErrorPage(
        "TK-10000",
        403,
        _("This link needs a token"),
        _("This service opens only verification links it issued, each with its own token. Ask for a new link."),
    ),
    "token-expired": ErrorPage(
        "TK-10001",
        403,
        _("This link has expired"),
        _("This verification link has already been used or is too old. Ask for a new link."),
    ),
    "token-not-found": ErrorPage(
        "TK-10002",
        403,
        _("This link is not valid"),
        _("This verification link's token is not known to the service. Ask for a new link."),
    ),
    "token-invalid": ErrorPage(
        "TK-10003",
        400,
        _("This link is not valid"),
        _("This verification link's token is malformed. Ask for a new link."),
    ),
    "token-approved": ErrorPage(
        "TK-10004",
        409,
        _("Verification already done"),
        _("A verification with this link has already been approved. There is nothing more to do."),
    ),
    "token-pending": ErrorPage(
        "TK-10005",
        409,
        _("Verification already sent"),
        _("A verification with this link is already being reviewed. Please wait for its result."),
    ),
    "token-rejected": ErrorPage(
        "TK-10006",
        409,
        _("Verification already done"),
        _("A verification with this link has already been decided. Ask for a new link to try again."),
    ),
    "token-throttled": ErrorPage(
        "TK-10007",
        429,
        _("Too many attempts"),
        _("Too many verification links were tried from your network. Wait 10 minutes, then open your link again."),
    ),
    "handoff-expired": ErrorPage(
        "RT-60003",
        410,
        _("This QR code has expired"),
        _("A QR code works once and for 10 minutes. Scan the new one shown on your computer."),
    ),
    # Appended last: the browser tests number their screenshots by this order (tests/e2e/conftest.py).
    "auxid-conflict": ErrorPage(
        "PV-40020",
        400,
        _("This link is not valid"),
        _("The verification link asks for a phone number together with a preselected document. Ask for a new link."),
    ),
    # The Knowledge-Based pipeline's parameters (``flow.knowledge``): same words as invalid-parameter.
    **{
        page: ErrorPage(
            code,
            400,
            _("This link is not valid"),
            _("The verification link carries a value we cannot use. Ask for a new link."),
        )  # fmt: skip
        for page, code in (
            ("knowledge-field", "PV-40040"),  # knowledgeField malformed or naming an unknown field
            ("knowledge-prefill", "PV-40041"),  # knowledgePrefill malformed, unknown field or value
            ("knowledge-missing", "PV-40042"),  # an identity value neither asked for nor prefilled
            ("pipeline-parameter", "PV-40043"),  # a parameter of the project's other pipeline
        )
    },
    # Address injection (``action=addveri``, spec §6.6): the spec's sentences are the titles.
    "injection-invalid": ErrorPage(
        "PV-40101",
        400,
        _("Invalid required"),
        _("The address verification link carries a value we cannot use. Ask for a new link."),
    ),
    "injection-missing": ErrorPage(
        "PV-40102",
        400,
        _("Required field is missing"),
        _("The address verification link does not name the project and the verification. Ask for a new link."),
    ),
    "injection-invalid-submission": ErrorPage(
        "NF-10101",
        404,
        _("Invalid submissionId"),
        _("The address verification link names no verification that can take an address. Ask for a new link."),
    ),
    "injection-invalid-project": ErrorPage(
        "NF-10102",
        404,
        _("Invalid projectId"),
        _("The address verification link names no service. Ask for a new link."),
    ),
    "injection-error": ErrorPage(
        "PV-40103",
        409,
        _("Error in injecting address"),
        _("Your address could not be recorded now. Please open the link again in a few minutes."),
    ),
}
NOT_FOUND = "page-not-found"
# ``submissions.services.TokenRefused.reason`` → the page that says so.
TOKEN_PAGES = {
    "missing": "token-missing",
    "expired": "token-expired",
    "not_registered": "token-not-found",
    "invalid": "token-invalid",
    "approved": "token-approved",
    "pending": "token-pending",
    "rejected": "token-rejected",
    "throttled": "token-throttled",
}


class FlowRefused(Exception):
    """The flow cannot go on: show the error page ``page`` (a key of ``ERROR_PAGES``)."""

    def __init__(self, page: str):
        assert page in ERROR_PAGES, page
        super().__init__(page)
        self.page = page
