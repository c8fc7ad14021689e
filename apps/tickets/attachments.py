"""Attachment intake: the type comes from the content, never the name; photos lose their EXIF.

Accepted: JPEG, PNG and WebP images that Pillow can fully decode within a pixel budget
(an image bomb is refused), and PDF documents. SVG, HTML and anything else are refused.
Files are stored under a random name and served only by a view that checks the ticket's
permission (see apis.AttachmentDownloadView).
"""

from __future__ import annotations

import io
import uuid
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from apps.core.errors import ValidationFailed
from apps.tickets.models import Attachment

IMAGE_FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}
MAX_PIXELS = 40_000_000  # a 40-megapixel photo is plenty; more is a bomb or a mistake


def _refuse(message: str):
    raise ValidationFailed(message, fields={"file": [message]})


def _clean_image(data: bytes) -> tuple[bytes, str, str]:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as probe:
                fmt = probe.format
                if fmt not in IMAGE_FORMATS:
                    _refuse(_("Only JPEG, PNG or WebP photos and PDF documents are accepted."))
                if probe.width * probe.height > MAX_PIXELS:
                    _refuse(_("The image is too large (more than 40 megapixels)."))
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                # Turn the photo upright, then re-encode without metadata: EXIF carries the GPS position.
                image = ImageOps.exif_transpose(image)
                out = io.BytesIO()
                if fmt == "JPEG":
                    image.convert("RGB").save(out, "JPEG", quality=88, optimize=True)
                elif fmt == "PNG":
                    image.save(out, "PNG", optimize=True)
                else:
                    image.save(out, "WEBP", quality=88)
        except ValidationFailed:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            _refuse(_("The image is too large (more than 40 megapixels)."))
        except Exception:
            _refuse(_("The file is not a readable image."))
    content_type, ext = IMAGE_FORMATS[fmt]
    return out.getvalue(), content_type, ext


def too_large_message() -> str:
    return _("The file is larger than %(limit)s MB.") % {"limit": round(settings.MAX_UPLOAD_BYTES / 1048576, 1)}


def sniff_and_clean(data: bytes) -> tuple[bytes, str, str]:
    """Return (content to store, content type, extension) or raise ValidationFailed."""
    if not data:
        _refuse(_("The file is empty."))
    if len(data) > settings.MAX_UPLOAD_BYTES:
        _refuse(too_large_message())
    if data.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-2048:]:
            _refuse(_("The PDF file is incomplete."))
        return data, "application/pdf", "pdf"
    if (
        data[:3] == b"\xff\xd8\xff"
        or data[:8] == b"\x89PNG\r\n\x1a\n"
        or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")
    ):
        return _clean_image(data)
    _refuse(_("Only JPEG, PNG or WebP photos and PDF documents are accepted."))
    raise AssertionError("unreachable")


def safe_name(name: str) -> str:
    """A display name with no path and no control characters (never used as a storage path)."""
    name = (name or "file").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in "<>\"'`")
    return name[:150] or "file"


@dataclass(frozen=True)
class CleanFile:
    """An upload that passed the checks, ready to store."""

    content: bytes
    content_type: str
    ext: str
    name: str


def prepare_upload(upload) -> CleanFile:
    """Check and clean an upload without storing anything (so a batch can be refused whole)."""
    if getattr(upload, "size", 0) > settings.MAX_UPLOAD_BYTES:
        _refuse(too_large_message())
    content, content_type, ext = sniff_and_clean(upload.read())
    return CleanFile(content, content_type, ext, safe_name(getattr(upload, "name", "file")))


@transaction.atomic
def attachment_add(*, ticket, uploaded_by, upload, is_internal: bool = False, event=None) -> Attachment:
    """Store one uploaded file (or an already prepared CleanFile) for a ticket.

    Permission is checked by the caller's selector. Check every file of a batch with
    ``prepare_upload`` first: a file written to storage is not removed if the transaction
    later rolls back.
    """
    clean = upload if isinstance(upload, CleanFile) else prepare_upload(upload)
    attachment = Attachment(
        ticket=ticket,
        uploaded_by=uploaded_by if getattr(uploaded_by, "pk", None) else None,
        original_name=clean.name,
        content_type=clean.content_type,
        size=len(clean.content),
        is_internal=is_internal,
        event=event,
        created_at=timezone.now(),
    )
    attachment.file.save(f"{uuid.uuid4().hex}.{clean.ext}", ContentFile(clean.content), save=False)
    attachment.save()
    return attachment
