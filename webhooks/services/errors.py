"""The error the webhooks services raise for a request they refuse (no endpoint, nothing to
replay, no key to encrypt with); views and commands show its message as it is."""

from __future__ import annotations

from idcheck.errors import ApplicationError


class WebhookError(ApplicationError):
    code = "webhook_error"
