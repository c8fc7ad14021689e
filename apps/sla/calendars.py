"""Calendars and policies from the database, cached per process; missing-year warnings.

Every process keeps one immutable snapshot of all calendars (with their
holidays and make-up days), the org-node → calendar map and the active
policies. Before each use it reads the one-row ``SlaConfigStamp`` (a primary
key lookup) and reloads only when the token changed, so a deadline
computation costs one query however many holidays there are.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.errors import NotFound

from . import conf
from .clock import WorkingCalendar, parse_schedule
from .models import (
    BusinessCalendar,
    CalendarDay,
    CalendarWarning,
    CalendarYear,
    DayKind,
    OrgCalendar,
    SlaConfigStamp,
    SlaPolicy,
)
from .seed import DEFAULT_CALENDAR_CODE, SyncResult, sync_days

logger = logging.getLogger("apps.sla")


@dataclass(frozen=True)
class SlaConfig:
    token: str | None
    calendars: dict[str, WorkingCalendar]  # by code
    calendar_ids: dict[str, int]  # code → id
    codes_by_id: dict[int, str]
    default_code: str
    node_calendars: dict[str, str]  # org node code → calendar code
    policies: tuple[SlaPolicy, ...]  # active ones, lowest id first (deadlines.select_policy ranks them)
    policy_category_ids: frozenset[int] = frozenset()  # categories (kinds or groups) some policy names


_lock = threading.Lock()
_config: SlaConfig | None = None
_checked_at = 0.0


def bump_config() -> None:
    """Make every process reload calendars and policies (call after bulk changes)."""
    SlaConfigStamp.objects.update_or_create(id=1, defaults={"token": uuid.uuid4().hex})


def reset_caches() -> None:
    """Forget the in-process snapshot and the warning throttle (tests)."""
    global _config, _checked_at
    with _lock:
        _config, _checked_at = None, 0.0
        _warning_pending.clear()
        _warning_written.clear()


def _builtin_default() -> WorkingCalendar:
    # Only when the database has no calendar at all (e.g. a flushed test database):
    # weekdays alone, and every year is reported as missing.
    return WorkingCalendar(code=DEFAULT_CALENDAR_CODE)


def _load(token: str | None) -> SlaConfig:
    rows = list(BusinessCalendar.objects.all())
    holidays, makeups, years = defaultdict(set), defaultdict(set), defaultdict(set)
    for calendar_id, day, kind in CalendarDay.objects.values_list("calendar_id", "date", "kind"):
        (holidays if kind == DayKind.HOLIDAY else makeups)[calendar_id].add(day)
    for calendar_id, year in CalendarYear.objects.values_list("calendar_id", "year"):
        years[calendar_id].add(year)
    calendars, ids = {}, {}
    for row in rows:
        try:
            weekly = parse_schedule(row.weekly_schedule or {})
            calendars[row.code] = WorkingCalendar(
                tz=row.timezone,
                weekly=weekly,
                holidays=frozenset(holidays[row.id]),
                makeup_workdays=frozenset(makeups[row.id]),
                makeup_weekday=row.makeup_uses_weekday,
                covered_years=frozenset(years[row.id]),
                code=row.code,
            )
        except (ValueError, TypeError, KeyError) as exc:
            # A calendar broken by hand in the database must not stop every ticket.
            logger.error("business calendar %s is invalid and is ignored: %s", row.code, exc)
            continue
        ids[row.code] = row.id
    default_code = next((r.code for r in rows if r.is_default and r.code in calendars), None)
    if default_code is None:
        default_code = DEFAULT_CALENDAR_CODE if DEFAULT_CALENDAR_CODE in calendars else next(iter(calendars), None)
    if default_code is None:
        calendars[DEFAULT_CALENDAR_CODE] = _builtin_default()
        default_code = DEFAULT_CALENDAR_CODE
    node_calendars = {
        node_code: code
        for node_code, code in OrgCalendar.objects.values_list("org_node__code", "calendar__code")
        if code in calendars
    }
    policies = list(SlaPolicy.objects.filter(is_active=True).order_by("id"))
    return SlaConfig(
        token=token,
        calendars=calendars,
        calendar_ids=ids,
        codes_by_id={v: k for k, v in ids.items()},
        default_code=default_code,
        node_calendars=node_calendars,
        policies=tuple(policies),
        policy_category_ids=frozenset(p.category_id for p in policies if p.category_id is not None),
    )


def current_config() -> SlaConfig:
    global _config, _checked_at
    config = _config
    interval = conf.config_check_seconds()
    if config is not None and interval > 0 and time.monotonic() - _checked_at < interval:
        return config
    token = SlaConfigStamp.objects.filter(id=1).values_list("token", flat=True).first()
    if config is not None and token is not None and config.token == token:
        _checked_at = time.monotonic()
        return config
    config = _load(token)
    with _lock:
        _config, _checked_at = config, time.monotonic()
    return config


def default_calendar() -> WorkingCalendar:
    config = current_config()
    return config.calendars[config.default_code]


def get_calendar(code: str | None = None) -> WorkingCalendar:
    """The calendar with this code (the default one for None); NotFound names the known codes."""
    config = current_config()
    if code is None:
        return config.calendars[config.default_code]
    try:
        return config.calendars[code]
    except KeyError:
        raise NotFound(
            _("No business calendar with code %(code)s; known codes: %(known)s.")
            % {"code": code, "known": ", ".join(sorted(config.calendars))},
            fields={"calendar": [_("Unknown calendar code.")]},
        ) from None


def calendar_code_for_node(org_node, config: SlaConfig | None = None) -> str:
    """The nearest calendar attached to this node or one of its ancestors, else the default."""
    config = config or current_config()
    if org_node is not None and config.node_calendars:
        codes = [c for c in (getattr(org_node, "path", "") or "").split("/") if c] or [org_node.code]
        for node_code in reversed(codes):
            if node_code in config.node_calendars:
                return config.node_calendars[node_code]
    return config.default_code


def calendar_for_node(org_node) -> WorkingCalendar:
    config = current_config()
    return config.calendars[calendar_code_for_node(org_node, config)]


@transaction.atomic
def sync_holidays_from_package(*, calendar: BusinessCalendar, years: Iterable[int] | None = None) -> SyncResult:
    """Seed the calendar's holidays and make-up days from ``chinese_calendar``; idempotent.

    ``years`` None means every year the installed package covers (2004–2026 for
    chinese-calendar 1.11). Dates already present are kept as they are; each
    synced year is marked complete and its missing-year warning removed.
    """
    result = sync_days(
        calendar=calendar,
        years=years,
        CalendarDay=CalendarDay,
        CalendarYear=CalendarYear,
        CalendarWarning=CalendarWarning,
    )
    if result.total_days or result.added_years:
        bump_config()  # bulk_create sends no signal
    return result


# -- missing-year warnings -------------------------------------------------------

_warning_pending: dict[tuple[str, int], int] = defaultdict(int)
_warning_written: dict[tuple[str, int], float] = {}


def note_missing_years(calendar: WorkingCalendar | str, years) -> None:
    """Log and record that a computation used a year without holiday data.

    The computation itself went ahead on weekdays alone; this makes the guess
    visible (log line + ``CalendarWarning`` row shown in the admin). Writes are
    throttled per process and (calendar, year); the counts in between are kept.
    """
    if not years:
        return
    code = calendar if isinstance(calendar, str) else calendar.code
    interval = conf.warning_record_seconds()
    now = time.monotonic()
    due = []
    with _lock:
        for year in sorted(years):
            key = (code, year)
            _warning_pending[key] += 1
            last = _warning_written.get(key)
            if last is None or now - last >= interval:
                due.append((year, _warning_pending.pop(key)))
                _warning_written[key] = now
    for year, count in due:
        logger.warning(
            "SLA calendar %s has no holiday data for %s: deadlines counted on weekdays alone "
            "(run `manage.py sync_holidays --calendar %s` or add the year in the admin)",
            code,
            year,
            code,
        )
        _record_warning(code, year, count)


def _record_warning(code: str, year: int, count: int) -> None:
    calendar_id = current_config().calendar_ids.get(code)
    if calendar_id is None:
        return
    now = timezone.now()
    rows = CalendarWarning.objects.filter(calendar_id=calendar_id, year=year)
    if rows.update(last_seen=now, count=F("count") + count):
        return
    try:
        with transaction.atomic():
            CalendarWarning.objects.create(
                calendar_id=calendar_id, year=year, first_seen=now, last_seen=now, count=count
            )
    except IntegrityError:  # another process created it in between
        rows.update(last_seen=now, count=F("count") + count)
