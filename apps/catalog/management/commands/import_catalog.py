"""``manage.py import_catalog FILE.json``: load the service catalog from a JSON file."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from apps.catalog.services import CatalogImportRefused, import_catalog

LIST_LIMIT = 30  # codes listed per kind at verbosity 1; all of them at verbosity 2


def read_catalog_file(path: Path):
    """The parsed JSON of a catalog file, or a CommandError saying what is wrong and how to fix it."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CommandError(_("%(path)s: no such file — check the path") % {"path": path}) from None
    except IsADirectoryError:
        raise CommandError(_("%(path)s: is a directory — give the .json file") % {"path": path}) from None
    except UnicodeDecodeError as exc:
        raise CommandError(
            _("%(path)s: not UTF-8 text (%(reason)s) — save the file as UTF-8") % {"path": path, "reason": exc.reason}
        ) from None
    except OSError as exc:
        raise CommandError(_("%(path)s: cannot read (%(error)s)") % {"path": path, "error": exc.strerror}) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CommandError(
            _("%(path)s: not valid JSON at line %(line)d column %(column)d: %(error)s")
            % {"path": path, "line": exc.lineno, "column": exc.colno, "error": exc.msg}
        ) from None


class Command(BaseCommand):
    help = (
        "Import the service catalog from a JSON list of categories: creates and updates categories, replaces "
        "their attributes; all or nothing. Categories missing from the file are kept (and reported)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="JSON list of categories (see demo/catalog.json)")
        parser.add_argument(
            "--deactivate-missing",
            action="store_true",
            help="switch off active categories that are not in the file (they are never deleted)",
        )
        parser.add_argument("--dry-run", action="store_true", help="check and report, then roll back")

    def handle(self, *args, **options):
        path: Path = options["file"]
        entries = read_catalog_file(path)
        try:
            report = import_catalog(
                entries=entries, deactivate_missing=options["deactivate_missing"], dry_run=options["dry_run"]
            )
        except CatalogImportRefused as refused:
            for problem in refused.problems:
                self.stderr.write(f"{path}: {problem}")
            raise CommandError(_("%(path)s: %(error)s") % {"path": path, "error": refused.message}) from None

        limit = None if options["verbosity"] >= 2 else LIST_LIMIT
        prefix = "[dry run] " if options["dry_run"] else ""
        self.stdout.write(
            f"{prefix}{path}: {len(report.created)} created, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged"
        )
        for label, codes in (("created", report.created), ("updated", report.updated)):
            if codes and options["verbosity"] >= 1:
                self.stdout.write(f"  {label}: {_codes(codes, limit)}")
        if report.deactivated:
            self.stdout.write(f"  switched off (not in the file): {_codes(report.deactivated, limit)}")
        kept = [code for code in report.missing if code not in report.deactivated]
        if kept:
            self.stdout.write(
                f"  not in the file, kept as they are: {_codes(kept, limit)} "
                "(use --deactivate-missing to switch them off)"
            )


def _codes(codes: list[str], limit: int | None) -> str:
    if limit is None or len(codes) <= limit:
        return ", ".join(codes)
    return ", ".join(codes[:limit]) + f" … and {len(codes) - limit} more (-v 2 lists all)"
