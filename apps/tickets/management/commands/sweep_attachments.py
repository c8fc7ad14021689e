"""``manage.py sweep_attachments [--dry-run] [--older-than HOURS]``: delete attachment files no row references."""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from apps.tickets.orphans import DEFAULT_GRACE, MIN_GRACE, sweep_orphans

DEFAULT_HOURS = DEFAULT_GRACE / timedelta(hours=1)
MIN_HOURS = MIN_GRACE / timedelta(hours=1)


class Command(BaseCommand):
    help = (
        "Delete uploaded attachment files that no attachment references (left by a rolled-back upload "
        "or a deleted ticket) and that are older than the grace period."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="only list the orphans; delete nothing")
        parser.add_argument(
            "--older-than",
            type=float,
            default=DEFAULT_HOURS,
            metavar="HOURS",
            help=f"only files last modified more than HOURS ago (default {DEFAULT_HOURS:g}, at least {MIN_HOURS:g}, "
            "so an upload in flight is never removed)",
        )

    def handle(self, *args, dry_run=False, older_than=DEFAULT_HOURS, **options):
        if not older_than >= MIN_HOURS:  # also refuses nan
            raise CommandError(
                f"--older-than {older_than:g} is too short: an upload still in flight could be deleted; "
                f"give at least {MIN_HOURS:g} hour(s)."
            )
        verb = "would delete" if dry_run else "deleted"

        def listed(name: str, size: int) -> None:
            self.stdout.write(f"{verb}\t{name}\t{size}")

        report = sweep_orphans(older_than=timedelta(hours=older_than), dry_run=dry_run, on_orphan=listed)
        self.stdout.write(
            f"{report.files} files in {report.folders} folders: {report.orphans} orphans "
            f"({report.bytes} bytes) {verb}, {report.referenced} referenced, "
            f"{report.young} younger than {older_than:g} h kept."
        )
