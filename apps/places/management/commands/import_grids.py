"""``manage.py import_grids FILE.geojson``: create and update the org tree from a GIS export."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from tqdm import tqdm

from apps.places import conf
from apps.places.models import LEVEL_ORDER
from apps.places.services import GridImportError, ImportReport, import_grids

LIST_LIMIT = 20  # codes listed per level and kind at verbosity 1; all of them at verbosity 2


def read_feature_collection(path: Path) -> list:
    """The ``features`` of a GeoJSON FeatureCollection file, or a CommandError saying what is wrong."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CommandError(_("%(path)s: no such file — check the path") % {"path": path}) from None
    except IsADirectoryError:
        raise CommandError(_("%(path)s: is a directory — give the .geojson file") % {"path": path}) from None
    except UnicodeDecodeError as exc:
        raise CommandError(
            _("%(path)s: not UTF-8 text (%(reason)s) — save the file as UTF-8") % {"path": path, "reason": exc.reason}
        ) from None
    except OSError as exc:
        raise CommandError(_("%(path)s: cannot read (%(error)s)") % {"path": path, "error": exc.strerror}) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CommandError(
            _("%(path)s: not valid JSON at line %(line)d column %(column)d: %(error)s — export the layer as GeoJSON")
            % {"path": path, "line": exc.lineno, "column": exc.colno, "error": exc.msg}
        ) from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        found = data.get("type") if isinstance(data, dict) else type(data).__name__
        raise CommandError(
            _(
                '%(path)s: not a GeoJSON FeatureCollection (top-level "type" is %(found)r) — '
                'the file must be {"type": "FeatureCollection", "features": [...]}'
            )
            % {"path": path, "found": found}
        )
    features = data.get("features")
    if not isinstance(features, list):
        raise CommandError(
            _('%(path)s: "features" is missing or not a list — give the FeatureCollection its features')
            % {"path": path}
        )
    if not features:
        raise CommandError(_("%(path)s: the FeatureCollection has no features — nothing to import") % {"path": path})
    return features


class Command(BaseCommand):
    help = (
        "Import grid boundaries from a GeoJSON FeatureCollection: creates missing districts, subdistricts, "
        "communities and grids, updates changed names, boundaries and parents; all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="GeoJSON FeatureCollection (WGS84, [lng, lat])")
        parser.add_argument(
            "--allow-moves", action="store_true", help="allow a grid to move to another community (and so on up)"
        )
        parser.add_argument(
            "--city-code", default=None, help=f"city of features without city_code ({conf.city_code()})"
        )
        parser.add_argument("--city-name", default=None, help=f"name of that city ({conf.city_name()})")
        parser.add_argument("--dry-run", action="store_true", help="check and report, then roll back")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, **options):
        path: Path = options["file"]
        features = read_feature_collection(path)
        city_code = options["city_code"] or conf.city_code()
        city_name = options["city_name"] or (conf.city_name() if city_code == conf.city_code() else None)
        stream = self.stderr._out
        show_bar = not options["no_progress"] and hasattr(stream, "isatty") and stream.isatty()
        bars: dict[str, tqdm] = {}

        def progress(stage: str, done: int, total: int) -> None:
            bar = bars.get(stage)
            if bar is None:
                bar = bars[stage] = tqdm(total=total, desc=stage, unit="feature", file=stream, leave=False)
            bar.update(done - bar.n)

        try:
            report = import_grids(
                features=features,
                allow_moves=options["allow_moves"],
                default_city_code=city_code,
                default_city_name=city_name or "",
                progress=progress if show_bar else None,
                dry_run=options["dry_run"],
            )
        except GridImportError as exc:
            for p in exc.problems:
                where = _("feature #%(index)d") % {"index": p.index} if p.index is not None else _("file")
                code = " " + _("(code %(code)s)") % {"code": p.code} if p.code else ""
                self.stderr.write(f"{path}: {where}{code}: {p.field}: {p.problem} — {p.fix}")
            count = len(exc.problems)
            raise CommandError(
                ngettext(
                    "%(path)s: %(count)d problem; nothing was imported",
                    "%(path)s: %(count)d problems; nothing was imported",
                    count,
                )
                % {"path": path, "count": count}
            ) from None
        finally:
            for bar in bars.values():
                bar.close()
        self._print_report(path, report, verbosity=options["verbosity"])

    def _print_report(self, path: Path, report: ImportReport, *, verbosity: int) -> None:
        limit = sys.maxsize if verbosity >= 2 else LIST_LIMIT
        for level in LEVEL_ORDER:
            created, updated, unchanged = report.created[level], report.updated[level], report.unchanged[level]
            if not (created or updated or unchanged):
                continue
            self.stdout.write(
                f"{level}: {len(created)} created, {len(updated)} updated, {len(unchanged)} unchanged"
                + (f" ({len(report.moved[level])} moved)" if report.moved[level] else "")
            )
            if verbosity < 1:
                continue
            if created:
                self.stdout.write(f"  created: {_codes(created, limit)}")
            for code in updated[:limit]:
                self.stdout.write(f"  updated: {code} ({', '.join(report.changes.get(code, []))})")
            if len(updated) > limit:
                self.stdout.write(f"  … and {len(updated) - limit} more updated")
        # What moved along with the moved nodes (tickets keep a copy of their place's path).
        for label, count in sorted(report.carried_totals().items()):
            self.stdout.write(f"{label}: {count} moved with their places")
        if verbosity >= 1:
            for code, counts in list(report.carried.items())[:limit]:
                moved = ", ".join(f"{n} {label}" for label, n in sorted(counts.items()))
                self.stdout.write(f"  moved: {code} ({moved or 'nothing else'})")
        if report.dry_run:
            self.stdout.write(self.style.WARNING(f"{path}: dry run — nothing was written"))
        elif report.version is not None:
            self.stdout.write(self.style.SUCCESS(f"{path}: imported; grid version is now {report.version}"))
        else:
            self.stdout.write(self.style.SUCCESS(f"{path}: nothing changed"))


def _codes(codes: list[str], limit: int) -> str:
    shown = ", ".join(codes[:limit])
    return shown + (f", … and {len(codes) - limit} more" if len(codes) > limit else "")
