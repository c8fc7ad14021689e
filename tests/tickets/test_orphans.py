"""The orphan sweep: attachment files no row references, older than the grace period, are deleted.

Orphans are made the way production makes them: ``attachment_add`` inside a transaction that
rolls back leaves its file in storage. Ages are set on the files themselves (mtime).
"""

from __future__ import annotations

import os
import time
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from apps.tickets.attachments import CleanFile, attachment_add
from apps.tickets.models import Attachment
from apps.tickets.orphans import attachments_root, sweep_orphans
from apps.tickets.tasks import sweep_attachments
from tests.tickets.conftest import make_ticket

HOUR = 3600
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


class RolledBack(Exception):
    pass


def stored(ticket, actor) -> Attachment:
    return attachment_add(
        ticket=ticket, uploaded_by=actor, upload=CleanFile(PDF, "application/pdf", "pdf", "letter.pdf")
    )


def orphaned(ticket, actor) -> str:
    """The storage name of a file whose upload transaction rolled back."""
    with pytest.raises(RolledBack), transaction.atomic():
        name = stored(ticket, actor).file.name
        raise RolledBack
    assert not Attachment.objects.filter(file=name).exists()
    return name


def age(media: Path, name: str, hours: float) -> Path:
    path = media / name
    moment = time.time() - hours * HOUR
    os.utime(path, (moment, moment))
    return path


def loose_file(media: Path, name: str, hours: float, content: bytes = PDF) -> Path:
    """A file written straight into storage (as an older month's folder would hold)."""
    path = media / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return age(media, name, hours)


@pytest.fixture
def files(world, media):
    """An old orphan, a fresh orphan, an old referenced file, and an old orphan in another month's folder."""
    ticket = make_ticket(world)
    kept = stored(ticket, world.worker)
    made = {
        "old_orphan": age(media, orphaned(ticket, world.worker), 25),
        "fresh_orphan": age(media, orphaned(ticket, world.worker), 23),
        "referenced": age(media, kept.file.name, 24 * 400),
        "other_month": loose_file(media, "attachments/2024/02/0123456789abcdef0123456789abcdef.pdf", 24 * 700),
        # Not under the attachments folder: never the sweep's business, whatever its age.
        "elsewhere": loose_file(media, "exports/old-report.pdf", 24 * 700),
    }
    assert all(path.is_file() for path in made.values())
    return made


def present(files) -> set[str]:
    return {key for key, path in files.items() if path.is_file()}


def test_the_root_comes_from_the_field():
    assert Attachment._meta.get_field("file").upload_to == "attachments/%Y/%m/"
    assert attachments_root() == "attachments"


def test_old_orphans_go_fresh_and_referenced_files_stay(files):
    report = sweep_orphans()
    assert present(files) == {"fresh_orphan", "referenced", "elsewhere"}
    assert report.as_dict() == {
        "dry_run": False,
        "folders": 2,
        "files": 4,
        "young": 1,
        "referenced": 1,
        "orphans": 2,
        "bytes": 2 * len(PDF),
    }
    # Idempotent: a second run finds nothing more to do.
    assert sweep_orphans().orphans == 0
    assert present(files) == {"fresh_orphan", "referenced", "elsewhere"}


def test_a_shorter_grace_takes_the_fresh_orphan_too(files):
    assert sweep_orphans(older_than=timedelta(hours=2)).orphans == 3
    assert present(files) == {"referenced", "elsewhere"}


def test_a_grace_under_an_hour_is_refused(files):
    with pytest.raises(ValueError, match="at least 1:00:00"):
        sweep_orphans(older_than=timedelta(minutes=59))
    assert len(present(files)) == 5


def test_dry_run_deletes_nothing(files):
    listed = []
    report = sweep_orphans(dry_run=True, on_orphan=lambda name, size: listed.append((name, size)))
    assert (report.dry_run, report.orphans, report.bytes) == (True, 2, 2 * len(PDF))
    assert len(present(files)) == 5
    assert sorted(name for name, _ in listed) == sorted(
        str(files[key].relative_to(files["elsewhere"].parents[1])) for key in ("old_orphan", "other_month")
    )


def test_no_attachments_folder_yet_is_nothing_to_do(db, media):
    assert sweep_orphans().as_dict()["files"] == 0


def test_one_query_per_folder_whatever_the_number_of_files(world, media, django_assert_max_num_queries):
    ticket = make_ticket(world)
    for month in ("2023/01", "2023/02", "2023/03"):
        for number in range(40):
            loose_file(media, f"attachments/{month}/{number:032x}.pdf", 24 * 1000)
    kept = [age(media, stored(ticket, world.worker).file.name, 48) for _ in range(5)]
    with django_assert_max_num_queries(4):
        report = sweep_orphans()
    assert (report.folders, report.orphans, report.referenced) == (4, 120, 5)
    assert all(path.is_file() for path in kept)


def test_a_stray_file_directly_under_the_root_is_swept_too(world, media):
    # The root's query streams every name under it but keeps only the root's own: the same answer.
    kept = stored(make_ticket(world), world.worker)
    age(media, kept.file.name, 48)
    stray = loose_file(media, f"attachments/{Path(kept.file.name).name}", 48)
    assert sweep_orphans().orphans == 1
    assert not stray.exists()
    assert (media / kept.file.name).is_file()


def run(*args) -> str:
    out = StringIO()
    call_command("sweep_attachments", *args, stdout=out)
    return out.getvalue()


def orphan_names(files) -> list[str]:
    media = files["elsewhere"].parents[1]
    return sorted(str(files[key].relative_to(media)) for key in ("old_orphan", "other_month"))


def test_the_command_dry_run_lists_and_keeps(files):
    lines = run("--dry-run").splitlines()
    assert sorted(lines[:-1]) == [f"would delete\t{name}\t{len(PDF)}" for name in orphan_names(files)]
    assert lines[-1] == (
        f"4 files in 2 folders: 2 orphans ({2 * len(PDF)} bytes) would delete, 1 referenced, 1 younger than 24 h kept."
    )
    assert len(present(files)) == 5


def test_the_command_deletes(files):
    names = orphan_names(files)
    lines = run().splitlines()
    assert sorted(lines[:-1]) == [f"deleted\t{name}\t{len(PDF)}" for name in names]
    assert lines[-1].startswith("4 files in 2 folders: 2 orphans")
    assert present(files) == {"fresh_orphan", "referenced", "elsewhere"}


def test_the_command_takes_older_than_in_hours(files):
    out = run("--older-than", "22.5")
    assert out.splitlines()[-1].endswith(
        f"3 orphans ({3 * len(PDF)} bytes) deleted, 1 referenced, 0 younger than 22.5 h kept."
    )
    assert present(files) == {"referenced", "elsewhere"}


@pytest.mark.parametrize("hours", ["0.5", "0", "-3", "nan"])
def test_the_command_refuses_a_grace_under_an_hour(files, hours):
    with pytest.raises(CommandError, match=r"too short: an upload still in flight could be deleted; give at least 1"):
        run("--older-than", hours)
    assert len(present(files)) == 5


def test_the_task_sweeps_the_same_way(files):
    assert sweep_attachments() == {
        "dry_run": False,
        "folders": 2,
        "files": 4,
        "young": 1,
        "referenced": 1,
        "orphans": 2,
        "bytes": 2 * len(PDF),
    }
    assert present(files) == {"fresh_orphan", "referenced", "elsewhere"}
    assert sweep_attachments()["orphans"] == 0


def test_the_task_is_scheduled_daily(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["tickets-sweep-attachments"]
    assert entry["task"] == sweep_attachments.name == "apps.tickets.tasks.sweep_attachments"
    assert entry["schedule"] == 24 * HOUR
