from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from apps.people.masking import mask_phone
from apps.people.models import GridMembership, Leave, StaffScope, User


class StaffScopeInline(admin.TabularInline):
    model = StaffScope
    extra = 0
    raw_id_fields = ("org_node", "department")


class GridMembershipInline(admin.TabularInline):
    model = GridMembership
    extra = 0
    raw_id_fields = ("grid",)
    fields = ("grid", "position", "is_deputy")


class LeaveInline(admin.TabularInline):
    model = Leave
    extra = 0
    fields = ("start_date", "end_date", "note")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "full_name", "masked_phone", "role", "duty_status", "is_active")
    list_filter = ("role", "duty_status", "is_active", "is_staff", "is_superuser")
    search_fields = ("username", "full_name", "phone", "email")
    ordering = ("username",)
    inlines = (StaffScopeInline, GridMembershipInline, LeaveInline)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("full_name", "phone", "email")}),
        (_("Work"), {"fields": ("role", "duty_status")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "usable_password", "password1", "password2")}),
        (_("Person"), {"classes": ("wide",), "fields": ("full_name", "phone", "email", "role")}),
    )

    @admin.display(description=_("phone"), ordering="phone")
    def masked_phone(self, obj):
        # The list is seen over shoulders and in screenshots; the edit page shows the number whole.
        return mask_phone(obj.phone)


@admin.register(StaffScope)
class StaffScopeAdmin(admin.ModelAdmin):
    list_display = ("user", "org_node", "department")
    list_select_related = ("user", "org_node", "department")
    search_fields = ("user__username", "user__full_name", "org_node__code", "org_node__name", "department__code")
    list_filter = ("user__role", "org_node__level")
    raw_id_fields = ("user", "org_node", "department")


@admin.register(GridMembership)
class GridMembershipAdmin(admin.ModelAdmin):
    list_display = ("grid", "position", "is_deputy", "user")
    list_select_related = ("grid", "user")
    search_fields = ("grid__code", "grid__name", "user__username", "user__full_name")
    list_filter = ("is_deputy",)
    raw_id_fields = ("grid", "user")
    ordering = ("grid__path", "is_deputy", "position")


@admin.register(Leave)
class LeaveAdmin(admin.ModelAdmin):
    list_display = ("user", "start_date", "end_date", "note")
    list_select_related = ("user",)
    search_fields = ("user__username", "user__full_name", "note")
    list_filter = ("start_date",)
    date_hierarchy = "start_date"
    raw_id_fields = ("user",)
