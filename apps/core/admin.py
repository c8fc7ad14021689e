from django.contrib import admin

from apps.core.models import Heartbeat


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ("name", "beat_at")
    readonly_fields = ("name", "beat_at")
