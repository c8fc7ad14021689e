"""Business calendars, holidays and make-up days, SLA policies, and the warnings about missing data."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.choices import Priority

from .clock import DEFAULT_SCHEDULE, DEFAULT_TZ, parse_schedule


def default_schedule() -> dict:
    return {key: [list(p) for p in periods] for key, periods in DEFAULT_SCHEDULE.items()}


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class TimeMode(models.TextChoices):
    WORKING = "working", _("Working time")
    CALENDAR = "calendar", _("Calendar time")


class BusinessCalendar(models.Model):
    """Weekly working hours in a time zone, plus its holidays and make-up days (``CalendarDay``)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    timezone = models.CharField(_("time zone"), max_length=64, default=DEFAULT_TZ)
    weekly_schedule = models.JSONField(
        _("weekly working hours"),
        default=default_schedule,
        help_text=_(
            'Per weekday a list of periods, e.g. {"mon": [["09:00", "12:00"], ["13:30", "17:30"]], "sat": []}.'
        ),
    )
    makeup_uses_weekday = models.PositiveSmallIntegerField(
        _("make-up days work the hours of"), choices=Weekday.choices, default=Weekday.MONDAY
    )
    is_default = models.BooleanField(_("default calendar"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        ordering = ["-is_default", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="sla_one_default_calendar"
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def clean(self):
        errors = {}
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            errors["timezone"] = _("Unknown time zone %(tz)s; use an IANA name such as Asia/Shanghai.") % {
                "tz": self.timezone
            }
        try:
            parse_schedule(self.weekly_schedule or {})
        except (ValueError, TypeError, AttributeError) as exc:
            errors["weekly_schedule"] = _("Invalid weekly working hours: %(error)s") % {"error": exc}
        if errors:
            raise ValidationError(errors)


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Public holiday")
    MAKEUP_WORKDAY = "makeup_workday", _("Make-up working day")


class CalendarDay(models.Model):
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=16, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("holiday or make-up day")
        verbose_name_plural = _("holidays and make-up days")
        ordering = ["calendar", "date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="sla_calendar_day_unique")]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()} {self.name}".strip()


class CalendarYear(models.Model):
    """A year whose holidays and make-up days are complete in this calendar."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField(_("year"))
    source = models.CharField(_("source"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("year with holiday data")
        verbose_name_plural = _("years with holiday data")
        ordering = ["calendar", "year"]
        constraints = [models.UniqueConstraint(fields=["calendar", "year"], name="sla_calendar_year_unique")]

    def __str__(self):
        return f"{self.calendar.code} {self.year}"


class OrgCalendar(models.Model):
    """A calendar for an org node and its subtree (e.g. a service center open on Saturdays)."""

    org_node = models.OneToOneField(
        "places.OrgNode", verbose_name=_("org node"), on_delete=models.CASCADE, related_name="sla_calendar"
    )
    calendar = models.ForeignKey(
        BusinessCalendar, verbose_name=_("calendar"), on_delete=models.PROTECT, related_name="org_nodes"
    )

    class Meta:
        verbose_name = _("calendar of an org node")
        verbose_name_plural = _("calendars of org nodes")

    def __str__(self):
        return f"{self.org_node_id} → {self.calendar_id}"


class SlaPolicy(models.Model):
    """Response and resolution targets for a category (a kind or a whole group) and/or priority.

    A policy on a group applies to every kind in it that has no policy of its own.
    The most specific active policy wins (``deadlines.select_policy``):

    1. the ticket's category + its priority,
    2. the ticket's category, any priority,
    3. the category's group + the priority,
    4. the category's group, any priority,
    5. any category + the priority,
    6. the catch-all (no category, no priority).

    The category decides before the priority, so a group's policy beats a
    priority-only one. Among equally specific ones the lowest id wins.
    """

    name = models.CharField(_("name"), max_length=100)
    category = models.ForeignKey(
        "catalog.ServiceCategory",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sla_policies",
        help_text=_(
            "A kind, or a group: a group's policy applies to every kind in it that has no policy of its own. "
            "Empty: any category. The most specific policy wins: the kind with the priority, the kind, "
            "the group with the priority, the group, the priority alone, then the catch-all."
        ),
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, blank=True, help_text=_("Empty: any priority.")
    )
    response_minutes = models.PositiveIntegerField(_("response target (minutes)"))
    response_mode = models.CharField(_("response counted in"), max_length=8, choices=TimeMode.choices)
    resolution_minutes = models.PositiveIntegerField(_("resolution target (minutes)"))
    resolution_mode = models.CharField(_("resolution counted in"), max_length=8, choices=TimeMode.choices)
    warning_ratio = models.FloatField(
        _("warning at share of target"),
        default=0.75,
        # No "%" in a msgid: xgettext would take "75% of" for a python-format placeholder.
        help_text=_("0.75 warns when 75 percent of the target has passed."),
    )
    calendar = models.ForeignKey(
        BusinessCalendar,
        verbose_name=_("calendar"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="policies",
        help_text=_("Empty: the calendar of the ticket's place."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(warning_ratio__gt=0) & models.Q(warning_ratio__lte=1),
                name="sla_policy_warning_ratio_range",
            ),
            models.CheckConstraint(
                condition=models.Q(response_minutes__gt=0) & models.Q(resolution_minutes__gt=0),
                name="sla_policy_targets_positive",
            ),
        ]

    def __str__(self):
        return self.name


class CalendarWarning(models.Model):
    """A deadline was computed across a year for which the calendar has no holiday data."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="warnings")
    year = models.PositiveSmallIntegerField(_("year"))
    first_seen = models.DateTimeField(_("first seen"))
    last_seen = models.DateTimeField(_("last seen"))
    count = models.PositiveIntegerField(_("computations"), default=0)

    class Meta:
        verbose_name = _("calendar warning")
        verbose_name_plural = _("calendar warnings")
        ordering = ["calendar", "year"]
        constraints = [models.UniqueConstraint(fields=["calendar", "year"], name="sla_calendar_warning_unique")]

    def __str__(self):
        return f"{self.calendar.code}: no holiday data for {self.year}"


class SlaConfigStamp(models.Model):
    """A single row whose token changes whenever calendars, org calendars or policies change.

    Every process keeps calendars and policies in memory and compares this token
    (one primary-key read) before using them. A random token rather than a
    counter, so a rolled-back change can never be mistaken for a later one.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    token = models.CharField(max_length=32, default="initial")
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"sla config {self.token}"
