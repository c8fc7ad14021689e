"""Keep every process's cached calendars and policies honest.

A receiver rather than explicit calls, because these rows are edited through
the admin, the shell and bulk deletes alike; the bump is written in the same
transaction as the change, so a rolled-back edit leaves the old token.
Bulk writes that send no signal (``bulk_create``, ``update()``) call
``calendars.bump_config()`` themselves.
"""

from django.db.models.signals import post_delete, post_save

from .models import BusinessCalendar, CalendarDay, CalendarYear, OrgCalendar, SlaPolicy

WATCHED = (BusinessCalendar, CalendarDay, CalendarYear, OrgCalendar, SlaPolicy)


def _bump(sender, **kwargs):
    from .calendars import bump_config

    bump_config()


def connect() -> None:
    for model in WATCHED:
        post_save.connect(_bump, sender=model, dispatch_uid=f"sla-bump-save-{model.__name__}")
        post_delete.connect(_bump, sender=model, dispatch_uid=f"sla-bump-delete-{model.__name__}")
