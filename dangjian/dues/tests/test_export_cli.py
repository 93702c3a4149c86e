"""The collection sheet opened with openpyxl, and the `dangjian dues` console command."""

from io import BytesIO, StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from dangjian.core.models import AuditEntry
from dangjian.dues.exports import collection_sheet_xlsx
from dangjian.dues.models import PaymentKind
from dangjian.testing.world import World

from .helpers import NOV, m, pay, salaried


def _world_with_dues(world: World) -> None:
    for member in (world.member, world.member2, world.member_b):
        salaried(member, "8000", m(2026, 1))
    pay(world.member, m(2026, 10), m(2026, 12), receipt_no="Q4", paid_by_proxy="张伟的妻子")
    pay(world.member2, m(2026, 1), m(2026, 5), receipt_no="B1")
    pay(world.member, NOV, amount="1500", kind=PaymentKind.VOLUNTARY, receipt_no="L1")


def test_branch_sheet_cells(world: World) -> None:
    _world_with_dues(world)
    book = load_workbook(BytesIO(collection_sheet_xlsx(world.branch, NOV)))
    assert book.sheetnames == ["Members", "Large voluntary"]
    sheet = book["Members"]
    assert sheet["A1"].value == "第一党支部 · 2026-11 · Party dues collection sheet"
    assert [c.value for c in sheet[2]][:6] == [
        "Name",
        "Dues category",
        "Base",
        "Monthly dues",
        "Rule",
        "State",
    ]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=3, max_row=4, values_only=True)}
    zhang, li = rows["张伟"], rows["李娜"]
    assert zhang[2:4] == (8000, 120) and zhang[5:9] == ("Paid", "Q4", "2026-11-15", "张伟的妻子")
    assert zhang[9:] == (0, None)
    assert li[5] == "Unpaid" and li[6] is None and li[9] == 6 and "art. 9" in li[10]
    assert sheet["D3"].number_format == "0.00"
    assert sheet.cell(row=5, column=1).value == "Total" and sheet.cell(row=5, column=4).value == 240
    assert sheet.cell(row=6, column=4).value == 120  # collected
    assert sheet.cell(row=7, column=4).value == 1500  # voluntary
    large = book["Large voluntary"]
    assert [c.value for c in large[3]] == ["张伟", 1500, "L1", "2026-11-15"]
    assert all(world.member.id_number not in str(c.value) for row in sheet.iter_rows() for c in row)


def test_text_is_never_read_as_a_formula(world: World) -> None:
    from dangjian.members.models import Member

    _world_with_dues(world)
    Member.objects.filter(pk=world.member2.pk).update(name='=HYPERLINK("http://evil.example","x")')
    sheet = load_workbook(BytesIO(collection_sheet_xlsx(world.branch, NOV)))["Members"]
    names = [row[0] for row in sheet.iter_rows(min_row=3, max_row=4)]
    assert [(c.value, c.data_type) for c in names if c.value.startswith("=")] == [
        ('=HYPERLINK("http://evil.example","x")', "s")
    ]


def test_committee_sheet_has_the_rates(world: World) -> None:
    _world_with_dues(world)
    book = load_workbook(BytesIO(collection_sheet_xlsx(world.city, NOV)))
    assert book.sheetnames == ["Organizations"]
    rows = list(book["Organizations"].iter_rows(min_row=3, values_only=True))
    assert rows == [("芙蓉区委", "430102", 1, 2, 50, 0), ("天心区委", "430103", 0, 1, 0, 0)]


def test_cli_quote() -> None:
    out = StringIO()
    call_command("dues", "quote", "--category", "salaried", "--base", "8000", stdout=out)
    assert out.getvalue().startswith("120.00\tsalaried_le_10000\t")
    out = StringIO()
    call_command("dues", "quote", "--category", "farmer", "--fixed", "0.50", stdout=out)
    assert out.getvalue().startswith("0.50\tfarmer_fixed")
    for args, text in [
        (["--category", "salaried", "--base", "-1"], "base: The amount cannot be negative."),
        (["--category", "salaried", "--base", "abc"], "base: Enter an amount"),
        (["--category", "farmer", "--fixed", "0.19"], "fixed: A farmer's dues are from 0.20 to 1.00"),
    ]:
        with pytest.raises(CommandError, match=text):
            call_command("dues", "quote", *args)


def test_cli_sheet_and_flags(world: World, tmp_path: Path) -> None:
    _world_with_dues(world)
    target = tmp_path / "dues.xlsx"
    out = StringIO()
    call_command(
        "dues", "sheet", "--org", world.branch.code, "--month", "2026-11", "--out", str(target), stdout=out
    )
    assert "Wrote" in out.getvalue()
    assert load_workbook(target)["Members"]["A3"].value == "张伟"
    assert AuditEntry.objects.filter(action="dues.export", actor_name="system").count() == 1
    with pytest.raises(CommandError, match="month"):
        call_command("dues", "sheet", "--org", world.branch.code, "--month", "2026-13", "--out", str(target))
    with pytest.raises(CommandError, match="No organization"):
        call_command("dues", "sheet", "--org", "nope", "--out", str(target))
    out = StringIO()
    call_command("dues", "flags", "--org", world.city.code, "--month", "2026-11", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == f"11\tart9\t{world.branch_b.code}\t坡子街党支部\t王芳"
    assert lines[1] == f"6\tart9\t{world.branch.code}\t第一党支部\t李娜"
    assert lines[-1].startswith("2 member(s)")
