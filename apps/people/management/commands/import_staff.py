"""python manage.py import_staff FILE.csv — create or update staff accounts, scopes and grid rosters.

Columns: username,full_name,phone,role,org_code (+ optional email, department_code, deputy, position).
See apps/people/staff_csv.py for the rules of each column. Safe to run again: the second run of
the same file reports every person unchanged.
"""

from __future__ import annotations

import os

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from apps.people.staff_import import StaffImportRefused, read_staff_csv, set_password_link, staff_import

PROGRESS_FROM = 500  # rows; smaller files finish before a bar would help


class Command(BaseCommand):
    help = (
        "Import staff from a UTF-8 CSV with columns username,full_name,phone,role,org_code "
        "(optional: email, department_code, deputy, position). All or nothing; safe to re-run. "
        "New accounts get no usable password: a one-time set-password link is printed for each, "
        "unless --password-from-env names a variable holding their first password. Existing "
        "passwords are never changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV file (UTF-8, with or without BOM)")
        parser.add_argument(
            "--password-from-env",
            metavar="VAR",
            help="give every NEW account the password held in environment variable VAR (never printed)",
        )
        parser.add_argument(
            "--prune",
            action="store_true",
            help="remove scopes and grid roster places that the file no longer lists for the people it "
            "names (people absent from the file are never touched); without it they are kept and counted",
        )
        parser.add_argument("--dry-run", action="store_true", help="check and report, then roll everything back")

    def handle(self, *args, file, password_from_env=None, prune=False, dry_run=False, **options):
        password = self._initial_password(password_from_env)
        if not os.path.isfile(file):
            raise CommandError(_("%(path)s: no such file — check the path") % {"path": file})
        try:
            rows = read_staff_csv(file)
            report = staff_import(
                rows=rows,
                source=file,
                initial_password=password,
                prune=prune,
                dry_run=dry_run,
                progress=self._progress(len(rows)),
            )
        except StaffImportRefused as refused:
            for line in refused.errors:
                self.stderr.write(line)
            raise CommandError(refused.message) from None  # translated by the import

        verb = "would be " if dry_run else ""
        self.stdout.write(
            f"{file}: {len(rows)} rows, {len(report.created) + len(report.updated) + len(report.unchanged)} people"
            + (" (dry run: nothing saved)" if dry_run else "")
        )
        for label, users in (("created", report.created), ("updated", report.updated)):
            for user in users:
                self.stdout.write(f"  {verb}{label}: {user.username} ({user.role})")
        if report.pruned:
            self.stdout.write(f"{verb}removed {report.pruned} scope(s) / roster place(s) no longer in the file")
        if report.kept:
            self.stdout.write(
                f"kept {report.kept} scope(s) / roster place(s) that the file no longer lists (use --prune to remove)"
            )
        if report.created and not dry_run:
            if password:
                self.stdout.write(f"new accounts have the password from ${password_from_env}")
            else:
                self.stdout.write(
                    "one-time set-password links (send each only to its owner; they expire and stop working once used):"
                )
                for user in report.created:
                    self.stdout.write(f"  {user.username}: {set_password_link(user)}")
        # The summary comes last, so a caller that keeps only the last line (seed_demo) keeps it.
        self.stdout.write(
            f"{verb}created: {len(report.created)}, {verb}updated: {len(report.updated)}, "
            f"unchanged: {len(report.unchanged)}"
        )

    def _initial_password(self, variable: str | None) -> str | None:
        if variable is None:
            return None
        password = os.environ.get(variable, "")
        if not password:
            raise CommandError(
                _("--password-from-env %(variable)s: the variable is unset or empty — export it first")
                % {"variable": variable}
            )
        try:
            validate_password(password)
        except DjangoValidationError as exc:
            # The validators' messages describe the rule broken, never the password itself.
            raise CommandError(
                _("--password-from-env %(variable)s: %(error)s")
                % {"variable": variable, "error": " ".join(exc.messages)}
            ) from None
        return password

    def _progress(self, total: int):
        def wrap(items):
            return tqdm(items, desc="importing staff", unit="person", file=self.stderr._out,
                        disable=None if total >= PROGRESS_FROM else True)  # fmt: skip

        return wrap
