"""What a person reading a download sees: the text of a page, a CSV, a workbook's cells, a PDF's
text. Checks that something is absent must search this, never the raw bytes: an .xlsx is a zip
archive and a PDF compresses its streams, so a full ID number in them never shows as bytes."""

import io
import zipfile
from typing import Any

XLSX_SIGNATURE = b"PK\x03\x04"
PDF_SIGNATURE = b"%PDF-"


def body_of(response: Any) -> bytes:
    """The whole body of a response, streamed (files, CSV) or not."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return bytes(response.content)


def workbook_text(data: bytes) -> str:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    lines = []
    for sheet in book.worksheets:
        lines.append(sheet.title)
        for row in sheet.iter_rows(values_only=True):
            lines.append("\t".join("" if v is None else str(v) for v in row))
    book.close()
    return "\n".join(lines)


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def zip_text(data: bytes) -> str:
    """Any other archive: the decoded text of every member (and of workbooks inside it)."""
    parts = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            inner = archive.read(name)
            parts.append(
                readable_text(inner)
                if inner.startswith((XLSX_SIGNATURE, PDF_SIGNATURE))
                else inner.decode(errors="replace")
            )
    return "\n".join(parts)


def readable_text(source: Any) -> str:
    """The text of a response or of raw bytes, whatever the format."""
    data = source if isinstance(source, bytes) else body_of(source)
    if data.startswith(PDF_SIGNATURE):
        return pdf_text(data)
    if data.startswith(XLSX_SIGNATURE):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            is_workbook = "xl/workbook.xml" in archive.namelist()
        return workbook_text(data) if is_workbook else zip_text(data)
    return data.decode("utf-8-sig", errors="replace")
