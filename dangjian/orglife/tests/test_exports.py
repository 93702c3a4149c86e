from datetime import timedelta
from io import BytesIO

from django.test import Client
from django.utils import timezone

from dangjian.core.models import AuditEntry
from dangjian.orglife.services import record_attendance, schedule_meeting
from dangjian.testing.world import World


def held_meeting(world: World):  # type: ignore[no-untyped-def]
    start = timezone.now() - timedelta(days=1)
    m = schedule_meeting(
        world.branch,
        {
            "kind": "branch_assembly",
            "topic": "学习党章并讨论",
            "place": "党员活动室",
            "starts_at": start,
            "ends_at": start + timedelta(hours=2),
        },
        acting_user=world.secretary,
    )
    rows = list(m.attendances.order_by("id"))
    record_attendance(
        m,
        [
            {"attendance": rows[0].pk, "status": "present"},
            {"attendance": rows[1].pk, "status": "leave", "reason": "外出务工"},
        ],
        acting_user=world.secretary,
    )
    return m


def test_record_and_signin_pdfs_carry_the_chinese_text(world: World) -> None:
    from pypdf import PdfReader

    m = held_meeting(world)
    client = Client()
    client.force_login(world.county_staff)
    for name in ("record", "signin"):
        response = client.get(f"/meetings/{m.pk}/{name}.pdf")
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        text = "".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
        assert "学习党章并讨论" in text and "张伟" in text
    assert AuditEntry.objects.filter(action="meeting.export").count() == 2
    outsider = Client()
    outsider.force_login(world.outsider)
    assert outsider.get(f"/meetings/{m.pk}/record.pdf").status_code == 404


def test_meetings_sheet(world: World) -> None:
    from openpyxl import load_workbook

    m = held_meeting(world)
    client = Client()
    client.force_login(world.secretary)
    today = timezone.localdate()
    response = client.get(
        f"/orgs/{world.branch.pk}/meetings.xlsx?from={today - timedelta(days=7)}&to={today}"
    )
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert len(rows) == 1
    assert rows[0][2] == m.topic and rows[0][6:10] == (2, 1, 1, 0)


def test_a_topic_that_looks_like_a_formula_stays_text(world: World) -> None:
    from openpyxl import load_workbook

    m = held_meeting(world)
    type(m).objects.filter(pk=m.pk).update(topic='=HYPERLINK("http://x","y")')
    client = Client()
    client.force_login(world.secretary)
    today = timezone.localdate()
    response = client.get(
        f"/orgs/{world.branch.pk}/meetings.xlsx?from={today - timedelta(days=7)}&to={today}"
    )
    cell = load_workbook(BytesIO(response.content)).active.cell(row=3, column=3)
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("http://x","y")'


def test_exports_say_to_be_recorded_for_a_past_planned_meeting(world: World) -> None:
    """The pages show a planned meeting whose start has passed as 待记录; so do the record PDF and
    the sheet, not the stored 待召开."""
    from openpyxl import load_workbook
    from pypdf import PdfReader

    start = timezone.now() - timedelta(days=1)
    m = schedule_meeting(
        world.branch,
        {
            "kind": "branch_assembly",
            "topic": "过期未记",
            "starts_at": start,
            "ends_at": start + timedelta(hours=2),
        },
        acting_user=world.secretary,
    )
    assert m.status == "planned" and m.display_status == "to_record"
    client = Client()
    client.cookies["django_language"] = "zh-hans"
    client.force_login(world.secretary)
    pdf = client.get(f"/meetings/{m.pk}/record.pdf")
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(pdf.content)).pages)
    assert "待记录" in text and "待召开" not in text
    today = timezone.localdate()
    sheet = client.get(f"/orgs/{world.branch.pk}/meetings.xlsx?from={today - timedelta(days=7)}&to={today}")
    rows = list(load_workbook(BytesIO(sheet.content)).active.iter_rows(min_row=3, values_only=True))
    assert rows[0][2] == "过期未记" and rows[0][10] == "待记录"
