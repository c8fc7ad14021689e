"""Seed holidays and make-up working days from the chinese_calendar package (idempotent)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from apps.sla.calendars import bump_config, sync_holidays_from_package
from apps.sla.models import BusinessCalendar, CalendarDay, CalendarYear, SlaPolicy
from apps.sla.seed import create_defaults, package_years


def parse_years(value: str) -> list[int]:
    years = []
    for part in value.split(","):
        part = part.strip()
        if not part:
            continue
        low, _dash, high = part.partition("-")
        try:
            first, last = int(low), int(high or low)
        except ValueError:
            raise CommandError(
                _("--years: %(part)r is not a year; write e.g. --years 2025,2026 or 2004-2026") % {"part": part}
            ) from None
        if first > last:
            raise CommandError(
                _("--years: range %(part)r runs backwards; write the smaller year first") % {"part": part}
            )
        years.extend(range(first, last + 1))
    if not years:
        raise CommandError(_("--years is empty; write e.g. --years 2025,2026 or leave it out for every year"))
    return years


class Command(BaseCommand):
    help = "Add the statutory holidays and make-up working days of chinese_calendar to a business calendar."

    def add_arguments(self, parser):
        parser.add_argument("--calendar", help="calendar code (default: the default calendar)")
        parser.add_argument("--years", help="comma-separated years or ranges, e.g. 2025,2026 (default: all covered)")

    def handle(self, *args, calendar=None, years=None, **options):
        if not calendar and not BusinessCalendar.objects.exists():
            # A database emptied after migrating (a flush, a restore of other data): put back
            # the default calendar and policies the migration creates.
            create_defaults(
                BusinessCalendar=BusinessCalendar,
                CalendarDay=CalendarDay,
                CalendarYear=CalendarYear,
                SlaPolicy=SlaPolicy,
            )
            bump_config()
            self.stdout.write("created the default calendar and time-limit policies")
        queryset = BusinessCalendar.objects.all()
        target = queryset.filter(code=calendar).first() if calendar else queryset.filter(is_default=True).first()
        if target is None:
            known = ", ".join(queryset.values_list("code", flat=True)) or _("none")
            if calendar:
                message = _("--calendar: no calendar with code %(code)r; known codes: %(known)s")
            else:
                message = _("--calendar: no default calendar; known codes: %(known)s")
            raise CommandError(message % {"code": calendar, "known": known})
        wanted = parse_years(years) if years else None
        result = sync_holidays_from_package(calendar=target, years=wanted)
        covered = sorted(package_years())
        for year in result.unknown_years:
            self.stderr.write(
                f"{year}: not in the installed chinese_calendar (it covers {covered[0]}–{covered[-1]}); "
                "add that year's days in the admin or upgrade the package"
            )
        for year, count in sorted(result.added_days.items()):
            self.stdout.write(f"{target.code} {year}: added {count} days")
        if result.added_years:
            self.stdout.write(f"{target.code}: years marked complete: {', '.join(map(str, result.added_years))}")
        if not result.total_days and not result.added_years:
            self.stdout.write(f"{target.code}: nothing to add, already up to date")
