"""Attachments: type from the content, hostile files refused, EXIF stripped, random names, guarded downloads."""

from __future__ import annotations

import io
import re
import struct
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.tickets.attachments import attachment_add
from apps.tickets.models import Attachment, TicketEvent
from tests.tickets.conftest import api_client, bring_to, make_ticket, snapshot

GPS_IFD = 0x8825


def jpeg_bytes(*, gps: bool = False, size=(32, 24)) -> bytes:
    image = Image.new("RGB", size, (200, 80, 40))
    out = io.BytesIO()
    if gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        exif[0x8825] = {1: "N", 2: (36.0, 39.0, 12.5), 3: "E", 4: (117.0, 0.0, 30.0)}
        image.save(out, "JPEG", exif=exif)
    else:
        image.save(out, "JPEG")
    return out.getvalue()


def png_bytes(size=(16, 16), mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size).save(out, "PNG")
    return out.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A tiny valid PNG whose header is patched to claim width × height (CRC fixed up)."""
    data = bytearray(png_bytes((1, 1)))
    ihdr_start = 8 + 8  # signature, then length + "IHDR"
    data[ihdr_start : ihdr_start + 8] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[12 : ihdr_start + 13])) & 0xFFFFFFFF
    data[ihdr_start + 13 : ihdr_start + 17] = struct.pack(">I", crc)
    return bytes(data)


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def upload(client, ticket, content: bytes, name: str, **extra):
    return client.post(
        f"/api/v1/tickets/{ticket.pk}/attachments/",
        {"file": SimpleUploadedFile(name, content, content_type="image/jpeg"), **extra},
        format="multipart",
    )


def stored_files(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


HOSTILE = {
    "html_renamed_jpg": (b"<!doctype html><html><script>alert(document.cookie)</script></html>", "cat.jpg"),
    "svg_with_script": (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "map.svg",
    ),
    "svg_renamed_png": (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "map.png"),
    "png_bomb_header": (png_declaring(50_000, 50_000), "bomb.png"),
    "png_just_over_budget": (png_declaring(8_000, 6_000), "big.png"),
    "truncated_pdf": (pdf_bytes()[:-7], "report.pdf"),
    "empty": (b"", "empty.jpg"),
    "jpeg_magic_then_garbage": (b"\xff\xd8\xff\xe0" + b"\x00" * 200, "broken.jpg"),
    "gif": (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "anim.gif"),
    "exe": (b"MZ\x90\x00" + b"\x00" * 100, "photo.jpg"),
}


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_hostile_files_are_refused_and_nothing_is_stored(world, media, kind):
    content, name = HOSTILE[kind]
    ticket = make_ticket(world)
    before = snapshot(ticket)
    response = upload(api_client(world.worker), ticket, content, name)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "validation_error"
    assert list(response.json()["fields"]) == ["file"]
    assert snapshot(ticket) == before
    assert stored_files(media) == []


def test_a_compressed_one_bit_image_bomb_is_refused(world, media):
    content = png_bytes((10_000, 5_000), mode="1")  # 50 megapixels in a few kilobytes
    assert len(content) < 100_000
    ticket = make_ticket(world)
    response = upload(api_client(world.worker), ticket, content, "innocent.png")
    assert response.status_code == 400
    assert "too large" in response.json()["fields"]["file"][0]
    assert Attachment.objects.count() == 0 and stored_files(media) == []


def test_an_oversized_file_is_refused(world, media, settings):
    settings.MAX_UPLOAD_BYTES = 2048
    ticket = make_ticket(world)
    content = pdf_bytes().replace(b"endobj", b"endobj\n" + b"%" * 4000)
    response = upload(api_client(world.worker), ticket, content, "big.pdf")
    assert response.status_code == 400
    assert response.json()["fields"]["file"][0].startswith("The file is larger than")
    assert Attachment.objects.count() == 0 and stored_files(media) == []


def test_a_file_at_the_limit_is_accepted(world, settings):
    content = pdf_bytes()
    settings.MAX_UPLOAD_BYTES = len(content)
    response = upload(api_client(world.worker), make_ticket(world), content, "ok.pdf")
    assert response.status_code == 201


def test_missing_file_field_is_a_field_error(world):
    ticket = make_ticket(world)
    response = api_client(world.worker).post(f"/api/v1/tickets/{ticket.pk}/attachments/", {}, format="multipart")
    assert response.status_code == 400 and list(response.json()["fields"]) == ["file"]


def test_photo_loses_its_exif_and_gps(world):
    original = jpeg_bytes(gps=True)
    with Image.open(io.BytesIO(original)) as probe:
        assert probe.getexif().get_ifd(GPS_IFD)  # the fixture really carries a position
    ticket = make_ticket(world)
    client = api_client(world.resident)
    response = upload(client, ticket, original, "IMG_0001.JPG")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["content_type"], body["original_name"], body["is_internal"]) == ("image/jpeg", "IMG_0001.JPG", False)
    download = client.get(body["url"])
    assert download.status_code == 200
    stored = b"".join(download.streaming_content)
    assert b"Exif" not in stored and b"PhoneMaker" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG" and image.size == (32, 24)
        assert len(image.getexif()) == 0
    assert Attachment.objects.get().size == len(stored)


def test_stored_under_a_random_name_never_the_uploaded_one(world, media):
    ticket = make_ticket(world)
    names = []
    for name in ("../../../etc/passwd.jpg", "photo.jpg", "photo.jpg"):
        response = upload(api_client(world.worker), ticket, jpeg_bytes(), name)
        assert response.status_code == 201
        names.append(Attachment.objects.get(pk=response.json()["id"]))
    stored = [a.file.name for a in names]
    assert all(re.fullmatch(r"attachments/\d{4}/\d{2}/[0-9a-f]{32}\.jpg", s) for s in stored), stored
    assert len(set(stored)) == 3
    assert [a.original_name for a in names] == ["passwd.jpg", "photo.jpg", "photo.jpg"]
    assert all(Path(media, s).is_file() for s in stored)
    assert not any("passwd" in str(p) or "photo" in str(p) for p in stored_files(media))


def test_png_and_pdf_are_accepted_with_types_from_the_content(world):
    ticket = make_ticket(world)
    client = api_client(world.worker)
    as_png = upload(client, ticket, png_bytes(), "scan.pdf")  # a PNG named .pdf is a PNG
    as_pdf = upload(client, ticket, pdf_bytes(), "letter.jpg")  # a PDF named .jpg is a PDF
    assert (as_png.status_code, as_png.json()["content_type"]) == (201, "image/png")
    assert (as_pdf.status_code, as_pdf.json()["content_type"]) == (201, "application/pdf")
    assert Attachment.objects.get(pk=as_pdf.json()["id"]).file.name.endswith(".pdf")


def test_download_headers(world):
    ticket = make_ticket(world)
    client = api_client(world.worker)
    body = upload(client, ticket, pdf_bytes(), 'report"<x>.pdf').json()
    response = client.get(body["url"])
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/pdf"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == pdf_bytes()


@pytest.mark.parametrize("role", ["other_resident", "worker2", "worker_far", "other_supervisor", "department_staff"])
def test_download_is_404_out_of_scope(world, role):
    ticket = make_ticket(world)
    attachment = attachment_add(
        ticket=ticket, uploaded_by=world.worker, upload=SimpleUploadedFile("a.jpg", jpeg_bytes())
    )
    client = api_client(getattr(world, role))
    response = client.get(f"/api/v1/tickets/{ticket.pk}/attachments/{attachment.pk}/download/")
    assert response.status_code == 404
    missing = client.get(f"/api/v1/tickets/{ticket.pk}/attachments/999999/download/")
    assert response.json() == missing.json()


def test_download_checks_the_attachment_belongs_to_the_ticket(world):
    mine = make_ticket(world)
    other = make_ticket(world, resident="other_resident")
    attachment = attachment_add(
        ticket=other, uploaded_by=world.worker, upload=SimpleUploadedFile("a.jpg", jpeg_bytes())
    )
    # The resident can see their own ticket but must not reach another ticket's file through it.
    response = api_client(world.resident).get(f"/api/v1/tickets/{mine.pk}/attachments/{attachment.pk}/download/")
    assert response.status_code == 404


def test_download_of_an_internal_attachment_is_404_for_the_resident(world):
    ticket = make_ticket(world)
    internal = attachment_add(
        ticket=ticket, uploaded_by=world.worker, upload=SimpleUploadedFile("a.jpg", jpeg_bytes()), is_internal=True
    )
    url = f"/api/v1/tickets/{ticket.pk}/attachments/{internal.pk}/download/"
    assert api_client(world.resident).get(url).status_code == 404
    assert api_client(world.worker).get(url).status_code == 200


def test_upload_to_an_out_of_scope_ticket_is_404_and_stores_nothing(world, media):
    ticket = make_ticket(world)
    response = upload(api_client(world.worker_far), ticket, jpeg_bytes(), "a.jpg")
    assert response.status_code == 404
    assert Attachment.objects.count() == 0 and stored_files(media) == []


def test_no_public_media_url(world, settings):
    ticket = make_ticket(world)
    body = upload(api_client(world.worker), ticket, jpeg_bytes(), "a.jpg").json()
    assert body["url"] == f"/api/v1/tickets/{ticket.pk}/attachments/{body['id']}/download/"
    stored = Attachment.objects.get(pk=body["id"]).file.name
    assert api_client(world.worker).get(f"/{settings.MEDIA_URL.strip('/')}/{stored}").status_code == 404


def test_resolve_with_photos_links_them_to_the_resolve_event(world):
    ticket = bring_to(world, make_ticket(world), "in_progress", by=world.worker)
    response = api_client(world.worker).post(
        f"/api/v1/tickets/{ticket.pk}/resolve/",
        {
            "note": "已填平",
            "photos": [SimpleUploadedFile("before.jpg", jpeg_bytes()), SimpleUploadedFile("after.png", png_bytes())],
        },
        format="multipart",
    )
    assert response.status_code == 200, response.content
    event = TicketEvent.objects.get(ticket=ticket, action="resolve")
    photos = list(Attachment.objects.filter(ticket=ticket).order_by("id"))
    assert [(p.original_name, p.event_id, p.uploaded_by) for p in photos] == [
        ("before.jpg", event.pk, world.worker),
        ("after.png", event.pk, world.worker),
    ]
    assert sorted(a["event"] for a in response.json()["attachments"]) == [event.pk, event.pk]
    assert response.json()["state"] == "resolved"


def test_resolve_with_a_hostile_photo_changes_nothing(world):
    ticket = bring_to(world, make_ticket(world), "in_progress", by=world.worker)
    before = snapshot(ticket)
    response = api_client(world.worker).post(
        f"/api/v1/tickets/{ticket.pk}/resolve/",
        {"note": "已填平", "photos": [SimpleUploadedFile("x.jpg", HOSTILE["html_renamed_jpg"][0])]},
        format="multipart",
    )
    assert response.status_code == 400
    assert snapshot(ticket) == before


def test_resolve_refused_midway_leaves_no_file_behind(world, media):
    ticket = bring_to(world, make_ticket(world), "in_progress", by=world.worker)
    response = api_client(world.worker).post(
        f"/api/v1/tickets/{ticket.pk}/resolve/",
        {
            "note": "已填平",
            "photos": [SimpleUploadedFile("ok.jpg", jpeg_bytes()), SimpleUploadedFile("x.jpg", b"<html></html>")],
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert Attachment.objects.count() == 0
    assert stored_files(media) == []


def test_the_service_refuses_hostile_content_directly(world):
    from apps.core.errors import ValidationFailed

    ticket = make_ticket(world)
    with pytest.raises(ValidationFailed) as refused:
        attachment_add(ticket=ticket, uploaded_by=world.worker, upload=SimpleUploadedFile("a.svg", b"<svg/>"))
    assert list(refused.value.fields) == ["file"]
