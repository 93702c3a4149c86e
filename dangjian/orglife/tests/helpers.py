"""Files and meetings shared by the record tests (minutes, attachments, revisions)."""

import io
import zipfile
from datetime import timedelta
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from dangjian.accounts.models import User
from dangjian.orglife.models import Meeting
from dangjian.orglife.services import close_meeting, record_attendance, schedule_meeting
from dangjian.testing.world import World

PDF = b"%PDF-1.7\n" + b"0" * 100
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100


def png_bytes(colour: str = "red") -> bytes:
    """A real (tiny) PNG: the record PDF embeds photos, so they must decode."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), colour).save(buffer, "PNG")
    return buffer.getvalue()


def pixels(image: bytes) -> bytes:
    """What a picture shows, whatever file it was written to (photos are stored re-encoded)."""
    with Image.open(io.BytesIO(image)) as decoded:
        return decoded.convert("RGB").tobytes()


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), "blue").save(buffer, "JPEG")
    return buffer.getvalue()


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_files(root: Path) -> list[Path]:
    """Every file under MEDIA_ROOT: what a refused upload must not leave behind."""
    return [p for p in root.rglob("*") if p.is_file()]


def past_meeting(world: World, **extra: object) -> Meeting:
    start = timezone.now() - timedelta(days=1)
    data = {
        "kind": "branch_assembly",
        "topic": "学习党章",
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
    }
    return schedule_meeting(world.branch, data | extra, acting_user=world.secretary)


def close(world: World, m: Meeting) -> Meeting:
    """Everyone present, then the record closed."""
    entries = [{"attendance": a.pk, "status": "present"} for a in m.attendances.all()]
    record_attendance(m, entries, acting_user=world.secretary)
    return close_meeting(m, acting_user=world.secretary)


def closed_meeting(world: World, **extra: object) -> Meeting:
    return close(world, past_meeting(world, **extra))


def client_for(user: User) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client
