"""Print the deadline of a target from a start time, e.g. to check a policy.

python manage.py sla_deadline --start 2025-09-30T16:00 --working-hours 8
2025-10-09T17:00:00+08:00
"""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.errors import NotFound
from apps.sla.calendars import get_calendar


def non_negative(option: str, value: str, kind=float):
    try:
        number = kind(value)
    except ValueError:
        raise CommandError(
            _("%(option)s: %(value)r is not a number; write e.g. %(option)s 8") % {"option": option, "value": value}
        ) from None
    if number < 0:
        raise CommandError(_("%(option)s: must not be negative (got %(value)s)") % {"option": option, "value": value})
    return number


class Command(BaseCommand):
    help = "Print the deadline (ISO 8601 with offset) of a working-time or calendar-time target."

    def add_arguments(self, parser):
        parser.add_argument(
            "--start",
            help="start time, ISO 8601 (2025-09-30T16:00 or 2025-09-30T16:00+08:00); "
            "without an offset it is in the calendar's zone; default now",
        )
        amount = parser.add_mutually_exclusive_group(required=True)
        amount.add_argument("--working-hours", help="a target in working hours")
        amount.add_argument("--working-minutes", help="a target in working minutes")
        amount.add_argument("--calendar-hours", help="a target in calendar (elapsed) hours")
        parser.add_argument("--calendar", help="business calendar code (default: the default calendar)")

    def handle(self, *args, **options):
        try:
            calendar = get_calendar(options.get("calendar"))
        except NotFound as exc:
            raise CommandError(_("--calendar: %(error)s") % {"error": exc.message}) from None
        start = self.parse_start(options.get("start"), calendar.zone)
        if options.get("working_hours") is not None:
            deadline = calendar.add_working(start, 60 * non_negative("--working-hours", options["working_hours"]))
        elif options.get("working_minutes") is not None:
            deadline = calendar.add_working(start, non_negative("--working-minutes", options["working_minutes"], int))
        else:
            deadline = calendar.add_calendar(start, 60 * non_negative("--calendar-hours", options["calendar_hours"]))
        missing = calendar.missing_years(start, deadline)
        if missing:
            self.stderr.write(
                f"warning: calendar {calendar.code} has no holiday data for {', '.join(map(str, sorted(missing)))}; "
                "counted on weekdays alone (run `manage.py sync_holidays` or add the days in the admin)"
            )
        self.stdout.write(deadline.isoformat())

    @staticmethod
    def parse_start(value, zone):
        if not value:
            return timezone.now().astimezone(zone)
        try:
            start = datetime.fromisoformat(value.strip())
        except ValueError:
            raise CommandError(
                _("--start: %(value)r is not an ISO 8601 time; write e.g. 2025-09-30T16:00 or 2025-09-30T16:00+08:00")
                % {"value": value}
            ) from None
        return start.replace(tzinfo=zone) if start.tzinfo is None else start
