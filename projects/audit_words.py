"""The Event Log in words: what each recorded action means, for the page and its CSV export.

The action names stay the stable record (they are hashed into the chain); the words are only how
the dashboard shows them, so they may be reworded freely. An action without words here (one
added later) is shown by its name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from projects.models import AuditEvent

EVENT_LOG_EXPORTED = "event_log.exported"

ACTION_WORDS: dict[str, str] = {
    "aml.watchlist_imported": "Watch list imported",
    "aml.monitor_records_deleted": "AML monitoring records deleted",
    "api.ip_denied": "API call refused: address not on the allow-list",
    "api.key_in_query_string_refused": "API call refused: key sent in the URL",
    "api_key.created": "API key issued",
    "api_key.revoked": "API key revoked",
    "api_key.rotated": "API key rotated",
    "auth.otp_failed": "Sign-in: wrong authenticator code",
    "auth.otp_ok": "Signed in (authenticator code accepted)",
    "auth.password_failed": "Sign-in: wrong password",
    "auth.password_ok": "Sign-in: password accepted",
    "auth.sign_in_throttled": "Sign-in blocked after too many failures",
    "auth.signed_out": "Signed out",
    "credits.adjusted": "Credits adjusted down",
    "credits.topped_up": "Credits topped up",
    "dashboard.ip_denied": "Dashboard refused: address not on the allow-list",
    "dashboard.role_denied": "Dashboard refused: the admin's role does not allow it",
    EVENT_LOG_EXPORTED: "Event Log exported",
    "invitation.accepted": "Invitation accepted",
    "invitation.created": "Admin invited",
    "invitation.revoked": "Invitation withdrawn",
    "liveform.phone_verified": "Liveform: phone number verified by its SMS code",
    "liveform.result_page_changed": "Liveform result page changed",
    "liveform.sms_code_sent": "Liveform: SMS code sent to verify a phone number",
    "liveform_token.refused": "Liveform link refused: token unknown, malformed or expired",
    "liveform_token.throttled": "Liveform links refused from an address after too many wrong tokens",
    "liveform_tokens.deleted": "Liveform tokens deleted",
    "liveform_tokens.registered": "Liveform tokens registered",
    "media.orphan_files_deleted": "Orphan media files deleted (reconcile)",
    "membership.added": "Admin added",
    "membership.removed": "Admin removed",
    "membership.role_changed": "Admin role changed",
    "otp.device_confirmed": "Authenticator set up",
    "otp.setup_failed": "Authenticator set-up failed",
    "policy.rules_published": "Policy published",
    "project.created": "Project created",
    "project.settings_changed": "Project settings changed",
    "projection.created": "Projection created",
    "projection.deleted": "Projection deleted",
    "projection.updated": "Projection's fields replaced",
    "secret_key.created": "secretKey issued",
    "secret_key.rotated": "secretKey reissued",
    "submission.aml_screened": "Submission screened against the watch lists",
    "submission.aml_monitor_registered": "Submission registered for AML monitoring",
    "submission.aml_monitor_rescreened": "AML monitoring raised new matches",
    "submission.aml_monitor_match_resolved": "AML monitoring match resolved",
    "submission.address_injected": "Address replaced by a Liveform injection",
    "submission.address_injection_failed": "Liveform address injection refused by a check",
    "submission.created": "Submission created",
    "submission.decided": "Submission decided automatically",
    "submission.deleted": "Submission deleted",
    "submission.image_viewed": "Submission image viewed",
    "submission.images_replaced": "Submission images replaced",
    "submission.injection_requested": "Liveform address injection received",
    "submission.memo_set": "Submission memo changed",
    "submission.migrated": "Submission imported with its result (migration)",
    "submission.partially_deleted": "Submission data partly deleted",
    "submission.processing_failed": "Submission processing failed",
    "submission.retry": "Submission sent back for new photos",
    "submission.reviewed": "Submission approved or rejected by a reviewer",
    "submission.updated": "Submission corrected",
    "submissions.exported": "Submission list exported",
    "user.created": "Account created",
    "webhook.endpoint_disabled": "Webhook endpoint disabled after failures",
    "webhook.recipient_added": "Webhook recipient added",
    "webhook.recipient_removed": "Webhook recipient removed",
    "webhook.replayed": "Webhook delivery sent again",
    "webhook.resent": "Webhook event sent again",
    "webhook.secret_rotated": "Webhook secret rotated",
    "webhook.test_sent": "Test webhook sent",
}

# Actions that remove data or take it out of the dashboard: the page marks them so that a
# reader scanning the log cannot miss them.
NOTABLE_ACTIONS = frozenset(
    {
        "submission.deleted",
        "submission.partially_deleted",
        "liveform_tokens.deleted",
        EVENT_LOG_EXPORTED,
        "submissions.exported",
        "api_key.revoked",
        "membership.removed",
        "projection.deleted",  # the submissions that chose it show every field again
        "media.orphan_files_deleted",
    }
)


def action_words(action: str) -> str:
    return ACTION_WORDS.get(action, action)


def action_choices() -> list[tuple[str, str]]:
    """The known actions for a select, by their words."""
    return sorted(ACTION_WORDS.items(), key=lambda item: item[1])


def actor_words(event: AuditEvent) -> str:
    """Who: the admin's e-mail, the API key, or the label of an automatic actor."""
    if event.actor_user_id is not None:
        return event.actor_user.email
    if event.actor_api_key_id is not None:
        return f"API key {event.actor_api_key_id}"
    return event.actor_label


@dataclass(frozen=True)
class EventRow:
    event: AuditEvent
    words: str
    by: str
    notable: bool


def event_rows(events: Iterable[AuditEvent]) -> list[EventRow]:
    return [
        EventRow(event, action_words(event.action), actor_words(event), event.action in NOTABLE_ACTIONS)
        for event in events
    ]
