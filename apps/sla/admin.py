"""Admin for calendars, holidays, policies and the missing-year warnings."""

from django.contrib import admin, messages
from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .calendars import sync_holidays_from_package
from .models import (
    BusinessCalendar,
    CalendarDay,
    CalendarWarning,
    CalendarYear,
    OrgCalendar,
    SlaPolicy,
)


def open_warnings():
    """Warnings for years that still have no data (adding the year settles them)."""
    covered = CalendarYear.objects.filter(calendar=OuterRef("calendar"), year=OuterRef("year"))
    return CalendarWarning.objects.filter(~Exists(covered))


def warn_about_missing_years(request) -> None:
    rows = list(open_warnings().select_related("calendar").order_by("calendar__code", "year")[:20])
    if rows:
        listed = ", ".join(f"{w.calendar.code} {w.year}" for w in rows)
        messages.warning(
            request,
            _(
                "Deadlines were computed for years without holiday data, on weekdays alone: %(list)s. "
                "Add the holidays and make-up days of those years and mark the years complete "
                "(or run `manage.py sync_holidays`)."
            )
            % {"list": listed},
        )


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "timezone", "is_default", "years_covered", "missing_years"]
    search_fields = ["code", "name"]
    readonly_fields = ["created_at", "updated_at"]
    actions = ["sync_from_package"]

    def get_queryset(self, request):
        per_calendar = (
            open_warnings().filter(calendar=OuterRef("pk")).order_by().values("calendar").annotate(n=Count("id"))
        )
        years = CalendarYear.objects.filter(calendar=OuterRef("pk")).order_by().values("calendar")
        return (
            super()
            .get_queryset(request)
            .annotate(
                year_count=Coalesce(Subquery(years.annotate(n=Count("id")).values("n")), 0),
                open_warning_count=Coalesce(Subquery(per_calendar.values("n")), 0),
            )
        )

    @admin.display(description=_("years with data"), ordering="year_count")
    def years_covered(self, obj):
        return obj.year_count

    @admin.display(description=_("warnings: years without data"), ordering="open_warning_count")
    def missing_years(self, obj):
        if not obj.open_warning_count:
            return "—"
        years = open_warnings().filter(calendar=obj).values_list("year", flat=True)
        return "⚠ " + ", ".join(str(y) for y in years)

    def changelist_view(self, request, extra_context=None):
        warn_about_missing_years(request)
        return super().changelist_view(request, extra_context)

    @admin.action(description=_("Add holidays and make-up days from chinese_calendar"))
    def sync_from_package(self, request, queryset):
        for calendar in queryset:
            result = sync_holidays_from_package(calendar=calendar)
            self.message_user(
                request,
                ngettext(
                    "%(code)s: %(count)d day added.",
                    "%(code)s: %(count)d days added.",
                    result.total_days,
                )
                % {"code": calendar.code, "count": result.total_days},
            )


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "name", "calendar"]
    list_filter = ["calendar", "kind"]
    date_hierarchy = "date"
    search_fields = ["name"]
    ordering = ["calendar", "-date"]


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["calendar", "year", "source", "created_at"]
    list_filter = ["calendar"]
    ordering = ["calendar", "-year"]


@admin.register(OrgCalendar)
class OrgCalendarAdmin(admin.ModelAdmin):
    list_display = ["org_node", "calendar"]
    list_select_related = ["org_node", "calendar"]
    list_filter = ["calendar"]
    raw_id_fields = ["org_node"]
    search_fields = ["org_node__name", "org_node__code"]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "category",
        "priority",
        "response_minutes",
        "response_mode",
        "resolution_minutes",
        "resolution_mode",
        "warning_ratio",
        "calendar",
        "is_active",
    ]
    list_select_related = ["category", "calendar"]
    list_filter = ["is_active", "priority", "response_mode", "resolution_mode"]
    search_fields = ["name", "category__name", "category__code"]
    raw_id_fields = ["category"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(CalendarWarning)
class CalendarWarningAdmin(admin.ModelAdmin):
    list_display = ["calendar", "year", "count", "first_seen", "last_seen"]
    list_filter = ["calendar"]
    readonly_fields = ["calendar", "year", "count", "first_seen", "last_seen"]

    def has_add_permission(self, request):
        return False

    def changelist_view(self, request, extra_context=None):
        warn_about_missing_years(request)
        return super().changelist_view(request, extra_context)
