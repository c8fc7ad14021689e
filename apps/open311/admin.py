"""Admin for Open311 keys: issue (the key is shown once), list, revoke. Keys are never deleted:
the requests an application sent keep pointing at its key."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from apps.open311.keys import api_key_revoke, assign_new_key
from apps.open311.models import ApiKey, SubmittedRequest


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("application", "prefix", "contact_email", "is_active", "created_at", "last_used_at")
    list_filter = ("is_active",)
    search_fields = ("application", "prefix", "contact_email")
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("application", "contact_email")
        return ("application", "contact_email", "prefix", "is_active", "created_at", "last_used_at", "revoked_at")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        # Revoking goes through the action, so it is recorded with its time.
        return ("prefix", "is_active", "created_at", "last_used_at", "revoked_at")

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        raw_key = assign_new_key(obj)
        super().save_model(request, obj, form, change)
        messages.warning(
            request,
            _(
                "The key for “%(application)s” is %(key)s — copy it now: "
                "it is stored only as a digest and will not be shown again."
            )
            % {"application": obj.application, "key": raw_key},
        )

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request, queryset):
        prefixes = list(queryset.filter(is_active=True).values_list("prefix", flat=True))
        for prefix in prefixes:
            api_key_revoke(prefix=prefix)
        self.message_user(
            request,
            ngettext("%(count)d key revoked.", "%(count)d keys revoked.", len(prefixes)) % {"count": len(prefixes)},
            messages.SUCCESS,
        )


@admin.register(SubmittedRequest)
class SubmittedRequestAdmin(admin.ModelAdmin):
    """Read-only: what each Open311 request came with (contact details stay here, never published)."""

    list_display = ("ticket", "api_key", "created_at", "token")
    list_filter = ("api_key",)
    search_fields = ("ticket__code", "token")
    list_select_related = ("ticket", "api_key")
    readonly_fields = (
        "ticket", "api_key", "token", "media_url", "address_id", "email", "device_id", "account_id", "created_at",
    )  # fmt: skip

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
