"""Django admin for staff, behind the same password + TOTP sign-in as the dashboard (G20)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from projects.models import ApiKey, AuditEvent, CreditLedgerEntry, Invitation, Membership, Project, User


def _admin_has_permission(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff and user.is_verified())


def _admin_login(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    # The stock admin login would bypass OTP: send everyone through the dashboard sign-in.
    next_url = request.GET.get("next") or reverse("admin:index")
    return redirect(f"{reverse('dashboard:login')}?{urlencode({'next': next_url})}")


admin.site.has_permission = _admin_has_permission
admin.site.login = _admin_login
admin.site.site_header = "ID Check staff"


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that only services may write (ledger, Event Log, keys)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["email", "name", "is_staff", "is_active", "date_joined"]
    search_fields = ["email", "name"]
    fields = ["email", "name", "is_staff", "is_active"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivate instead: the Event Log keeps referring to the account


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ["name", "pid", "status", "emergency_stop", "credits", "created_at"]
    search_fields = ["name", "pid"]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["user", "project", "role", "created_at"]


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ["email", "project", "role", "expires_at", "accepted_at", "revoked_at"]
    exclude = ["token_hash"]


@admin.register(ApiKey)
class ApiKeyAdmin(ReadOnlyAdmin):
    list_display = ["id", "project", "created_at", "revoked_at"]
    exclude = ["key_hash", "payload_key_sealed", "prefix"]


@admin.register(CreditLedgerEntry)
class CreditLedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["project", "delta", "balance_after", "reason", "created_at"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "project", "action", "actor_label", "target_type", "target_id", "ip_address"]
    list_filter = ["action"]
