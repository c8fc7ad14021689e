"""The orphan sweep: delete attachment files that no Attachment row references.

``attachment_add`` writes the file before the row, in one transaction; when that transaction
rolls back (a later file of the batch refused, a database error), or when a ticket and its
attachments are deleted, the file stays in storage with nothing pointing at it. This sweep
finds such files under the attachments folder and deletes them.

Only files older than a grace period are candidates, so an upload in flight — written, its
transaction not yet committed — is never taken for an orphan. ``attachment_add`` always writes
a new random name and no code points a row at an existing file, so a file that was an orphan
when its folder was checked cannot gain a row before it is deleted.

It scales by folder: ``upload_to`` spreads files over one folder per month, and each folder is
compared with the names the database holds for it (streamed, only that folder's names kept),
so memory is bounded by one folder, never by the whole table. Safe to run twice or in two
workers at once: deleting a file that is already gone is a no-op.
"""

from __future__ import annotations

import logging
import posixpath
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from apps.tickets.models import Attachment

logger = logging.getLogger(__name__)

DEFAULT_GRACE = timedelta(hours=24)
# Below this an upload whose transaction is still open could be taken for an orphan.
MIN_GRACE = timedelta(hours=1)
# Rows fetched per round trip while streaming one folder's names.
CHUNK_SIZE = 2000


@dataclass
class SweepReport:
    dry_run: bool
    folders: int = 0  # folders holding at least one file
    files: int = 0  # files seen
    young: int = 0  # within the grace period: not looked up
    referenced: int = 0  # old enough, and an Attachment row points at them
    orphans: int = 0  # old enough, no row: deleted (or, in a dry run, only listed)
    bytes: int = 0  # their total size

    def as_dict(self) -> dict:
        return asdict(self)


def attachment_field():
    return Attachment._meta.get_field("file")


def attachments_root() -> str:
    """The fixed part of the field's ``upload_to`` ("attachments/%Y/%m/" → "attachments")."""
    upload_to = attachment_field().upload_to
    fixed = []
    for part in str(upload_to).split("/"):
        if not part or "%" in part:
            break
        fixed.append(part)
    if not fixed:
        # Sweeping the whole storage would take other files for orphans: refuse instead.
        raise ValueError(f"Attachment.file.upload_to {upload_to!r} has no fixed folder to sweep")
    return "/".join(fixed)


def _folders(storage, root: str) -> Iterator[tuple[str, list[str]]]:
    """(folder, file names in it) for ``root`` and every folder below it, depth first."""
    pending = [root]
    while pending:
        folder = pending.pop()
        try:
            subfolders, files = storage.listdir(folder)
        except FileNotFoundError:  # not created yet, or removed meanwhile
            continue
        pending.extend(posixpath.join(folder, name) for name in sorted(subfolders, reverse=True))
        if files:
            yield folder, sorted(files)


def _stored_names(folder: str) -> set[str]:
    """The names the database holds for files directly in ``folder``; only those are kept in memory."""
    prefix = folder + "/"
    names = (
        Attachment.objects.filter(file__startswith=prefix)
        .order_by()
        .values_list("file", flat=True)
        .iterator(chunk_size=CHUNK_SIZE)
    )
    return {name for name in names if "/" not in name[len(prefix) :]}


def _modified(storage, name: str) -> datetime | None:
    try:
        return storage.get_modified_time(name)
    except FileNotFoundError:  # deleted meanwhile (another sweep)
        return None


def _size(storage, name: str) -> int:
    try:
        return storage.size(name)
    except FileNotFoundError:
        return 0


def sweep_orphans(
    *,
    older_than: timedelta = DEFAULT_GRACE,
    dry_run: bool = False,
    now: datetime | None = None,
    on_orphan: Callable[[str, int], None] | None = None,
) -> SweepReport:
    """Delete (or with ``dry_run`` only count) unreferenced attachment files older than ``older_than``.

    ``on_orphan(name, size)`` is called for each orphan, before it is deleted, so a caller can
    list them without this function holding every name.
    """
    if older_than < MIN_GRACE:
        raise ValueError(f"older_than must be at least {MIN_GRACE}; a shorter grace could remove an upload in flight")
    field = attachment_field()
    storage = field.storage
    cutoff = (now or timezone.now()) - older_than
    report = SweepReport(dry_run=dry_run)
    for folder, files in _folders(storage, attachments_root()):
        report.folders += 1
        report.files += len(files)
        old = []
        for file_name in files:
            name = posixpath.join(folder, file_name)
            modified = _modified(storage, name)
            if modified is None:
                continue
            if modified >= cutoff:
                report.young += 1
            else:
                old.append(name)
        if not old:
            continue  # nothing to decide here: no query
        stored = _stored_names(folder)
        for name in old:
            if name in stored:
                report.referenced += 1
                continue
            size = _size(storage, name)
            report.orphans += 1
            report.bytes += size
            if on_orphan is not None:
                on_orphan(name, size)
            if not dry_run:
                storage.delete(name)
    if report.orphans:
        logger.info("attachment sweep: %s", report.as_dict())
    return report
