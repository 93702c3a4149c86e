import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.core.uploads import check_upload, display_name, random_name

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 100
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
PDF = b"%PDF-1.7\n" + b"0" * 100
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [("照片.jpg", JPEG, "jpeg"), ("a.JPEG", JPEG, "jpeg"), ("b.png", PNG, "png"), ("c.pdf", PDF, "pdf")],
)
def test_accepts_files_whose_content_matches_the_name(name: str, content: bytes, kind: str) -> None:
    assert check_upload(SimpleUploadedFile(name, content)).code == kind


def test_accepts_a_word_document() -> None:
    assert check_upload(SimpleUploadedFile("记录.docx", docx_bytes())).code == "docx"


def test_refuses_a_program_renamed_as_a_photo() -> None:
    with pytest.raises(ValidationError) as error:
        check_upload(SimpleUploadedFile("photo.jpg", EXE, content_type="image/jpeg"))
    assert error.value.code == "kind"


def test_refuses_a_pdf_named_as_a_photo() -> None:
    with pytest.raises(ValidationError) as error:
        check_upload(SimpleUploadedFile("photo.jpg", PDF))
    assert error.value.code == "disguised"


def test_refuses_a_zip_that_is_not_a_word_document() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.exe", "MZ")
    with pytest.raises(ValidationError):
        check_upload(SimpleUploadedFile("notes.docx", buffer.getvalue()))


def test_refuses_empty_and_oversized_files_and_kinds_not_allowed() -> None:
    with pytest.raises(ValidationError) as empty:
        check_upload(SimpleUploadedFile("a.pdf", b""))
    assert empty.value.code == "empty"
    with pytest.raises(ValidationError) as large:
        check_upload(SimpleUploadedFile("a.pdf", PDF), max_bytes=50)
    assert large.value.code == "too_large"
    with pytest.raises(ValidationError) as kind:
        check_upload(SimpleUploadedFile("a.pdf", PDF), allowed=("jpeg", "png"))
    assert kind.value.code == "kind"


def test_stored_names_are_random_and_ignore_the_uploaded_name() -> None:
    kind = check_upload(SimpleUploadedFile("../../etc/passwd.pdf", PDF))
    first, second = random_name("attachments", kind), random_name("attachments", kind)
    assert first != second and first.startswith("attachments/") and first.endswith(".pdf")
    assert "passwd" not in first and ".." not in first
    assert display_name(SimpleUploadedFile("..\\..\\evil\\x.pdf", PDF)) == "x.pdf"
