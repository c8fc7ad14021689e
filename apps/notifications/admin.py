from django.contrib import admin

from apps.notifications.models import Notification, Preference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "channel", "recipient", "address", "state", "attempts", "sent_at")
    list_filter = ("channel", "state", "kind")
    search_fields = ("subject", "address", "recipient__username", "ticket__code")
    raw_id_fields = ("recipient", "ticket", "event")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "email", "sms", "language")
    raw_id_fields = ("user",)
