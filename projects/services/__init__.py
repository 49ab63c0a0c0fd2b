"""Writes of the projects app: one function per business action (``<entity>_<action>``)."""

from __future__ import annotations

from projects.services.api_keys import IssuedApiKey, api_key_issue, api_key_revoke
from projects.services.audit import audit_record
from projects.services.credits import (
    InsufficientCredits,
    SubmissionsPaused,
    credits_debit_for_submission,
    credits_top_up,
)
from projects.services.members import (
    InvitationOutcome,
    invitation_accept,
    invitation_revoke,
    membership_invite,
    membership_remove,
    membership_set_role,
)
from projects.services.projections import (
    ProjectionError,
    ProjectionNotFound,
    ProjectionSaved,
    projection_delete,
    projection_save,
)
from projects.services.projects import InvalidSettings, project_create, project_settings_clean, project_settings_update
from projects.services.result_pages import (
    InvalidResultPage,
    result_page_picture_clean,
    result_page_text_get,
    result_page_text_set,
)
from projects.services.secret_keys import IssuedSecretKey, secret_key_issue
from projects.services.tokens import (
    TokenError,
    liveform_tokens_delete,
    liveform_tokens_delete_before,
    liveform_tokens_generate,
    liveform_tokens_register,
)
from projects.services.users import (
    user_create,
    user_sign_in_record,
    user_totp_device_confirm,
    user_totp_device_start,
)

__all__ = [
    "InsufficientCredits",
    "InvalidResultPage",
    "InvalidSettings",
    "InvitationOutcome",
    "ProjectionError",
    "ProjectionNotFound",
    "ProjectionSaved",
    "TokenError",
    "SubmissionsPaused",
    "IssuedApiKey",
    "IssuedSecretKey",
    "api_key_issue",
    "api_key_revoke",
    "audit_record",
    "credits_debit_for_submission",
    "credits_top_up",
    "invitation_accept",
    "invitation_revoke",
    "liveform_tokens_delete",
    "liveform_tokens_delete_before",
    "liveform_tokens_generate",
    "liveform_tokens_register",
    "membership_invite",
    "membership_remove",
    "membership_set_role",
    "project_create",
    "projection_delete",
    "projection_save",
    "project_settings_clean",
    "project_settings_update",
    "result_page_picture_clean",
    "result_page_text_get",
    "result_page_text_set",
    "secret_key_issue",
    "user_create",
    "user_sign_in_record",
    "user_totp_device_confirm",
    "user_totp_device_start",
]
