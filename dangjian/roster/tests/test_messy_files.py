"""Real files made in the test: a messy .xlsx, CSV in three encodings, .xls, wrong formats."""

from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from python_calamine import CalamineWorkbook

from dangjian.core.scoping import SYSTEM
from dangjian.members.models import Member
from dangjian.roster.reading import open_table, sniff_format
from dangjian.roster.services import import_roster
from dangjian.testing.world import World

from .files import HEAD, excel_serial, messy_xlsx, new_id, person, to_fullwidth, write_csv, write_xlsx

B1, B2 = "第一党支部", "430102001002"  # by name, by code (第二党支部)


def report_rows(path: Path) -> list[list[object]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(1).to_python()[1:]


def messy_rows() -> list[list[object]]:
    b = date(1985, 6, 11)
    # Distinct: one birth date and gender leave 500 numbers, and 8 draws collide ~5 % of the time
    # (the second would be refused as a duplicate), depending on what the tests before drew.
    ids: list[str] = []
    while len(ids) < 8:
        if (drawn := new_id(b, "male")) not in ids:
            ids.append(drawn)
    # The last goes into a number cell: one ending in X could not be typed there (and float()
    # would fail on it, making this test depend on which tests drew numbers before it).
    while (numeric := new_id(b, "female")).endswith("X"):
        pass
    ids.append(numeric)
    rows: list[list[object]] = [
        # 序号, 姓名, 性别, 民族, 出生年月, 身份证号码, 党员类别, 入党日期, 转正日期, 手机号码, 职务, 所在支部
        [
            1,
            "赵 一",
            "男",
            "汉",
            "1985.06",
            ids[0],
            "正式党员",
            "2017-04-28",
            "2018-04-28",
            "13800000001",
            "村主任",
            B1,
        ],
        [2, "钱二", "男", "汉族", b, ids[1], "正式党员", "2017/4/28", "2018/5/2", 13800000002.0, "", B2],
        [3, "孙三", "男", "土家", b, ids[2], "正式", "2017.04", "2018.05", "", "", B1],
        [
            4,
            "李四",
            "男",
            "汉族",
            "1985年6月11日",
            ids[3],
            "正式党员",
            "2017年4月28日",
            "2018年4月28日",
            "",
            "",
            B1,
        ],
        [5, "周五", "男", "汉族", b, ids[4], "正式党员", "201704", "201805", "", "", B1],
        [
            6,
            "吴六",
            "男",
            "汉族",
            excel_serial(b),
            ids[5],
            "正式党员",
            excel_serial(date(2017, 4, 28)),
            "",
            "",
            "",
            B1,
        ],
        [
            7,
            "郑七",
            "男",
            "汉族",
            b,
            to_fullwidth(ids[6]),
            "预备党员",
            date(2025, 3, 1),
            "",
            to_fullwidth("13800000007"),
            "",
            B1,
        ],
        [
            8,
            "王八",
            "男",
            "汉族",
            b,
            to_fullwidth("２０１７－０４－２８"),
            "正式党员",
            "2017-04-28",
            "",
            "",
            "",
            B1,
        ],
        [9, "冯九", "女", "汉族", b, float(ids[8]), "正式党员", "2017-04-28", "", "", "", B1],
    ]
    rows[7][5] = ids[7]
    rows[7][7] = to_fullwidth("2017-04-28")
    return rows


def test_messy_workbook_is_read_normalized_and_the_numeric_id_refused(world: World, tmp_path: Path) -> None:
    path = messy_xlsx(tmp_path / "名册.xlsx", messy_rows())
    table = open_table(path)
    assert table.format == "xlsx" and table.header_row == 4
    assert set(table.fields) >= {
        "name",
        "gender",
        "birth_date",
        "id_number",
        "category",
        "join_date",
        "branch",
    }

    result = import_roster(
        path, world.township, acting_user=SYSTEM, report_path=tmp_path / "r.xlsx", partial=True
    )
    assert (result.total, result.new, result.refused, result.blank) == (9, 8, 1, 2)  # empty line, footer
    zhao = Member.objects.get(name="赵一")
    assert zhao.birth_date == date(1985, 6, 11)  # month only: the day from the ID number
    assert zhao.join_date == date(2017, 4, 28) and zhao.ethnicity == "汉族"
    assert zhao.organization == world.branch and zhao.job_title == "村主任"
    qian = Member.objects.get(name="钱二")
    assert qian.organization == world.branch2 and qian.phone == "13800000002"
    assert Member.objects.get(name="孙三").join_date == date(2017, 4, 1)
    assert Member.objects.get(name="孙三").ethnicity == "土家族"
    assert Member.objects.get(name="李四").full_date == date(2018, 4, 28)
    assert Member.objects.get(name="周五").join_date == date(2017, 4, 1)
    assert Member.objects.get(name="吴六").join_date == date(2017, 4, 28)
    zheng = Member.objects.get(name="郑七")
    assert zheng.category == "probationary" and zheng.phone == "13800000007"
    assert Member.objects.get(name="王八").join_date == date(2017, 4, 28)
    (refused,) = report_rows(tmp_path / "r.xlsx")
    assert refused[0] == 13 and refused[2] == "冯九"
    assert "stored as a number" in str(refused[-1])


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_in_each_encoding(world: World, tmp_path: Path, encoding: str) -> None:
    rows = [person("欧阳修"), person("上官婉儿", gender="female", 出生日期="", 性别="")]
    path = write_csv(tmp_path / "a.csv", HEAD, rows, encoding=encoding)
    result = import_roster(path, world.branch, acting_user=SYSTEM, report_path=tmp_path / "r.xlsx")
    assert (result.new, result.refused, result.format) == (2, 0, "csv")
    assert Member.objects.get(name="上官婉儿").gender == "female"  # from the ID number


def test_csv_with_semicolons_and_a_title_line(world: World, tmp_path: Path) -> None:
    row = person("曾巩")
    text = "第一党支部名册;;\n" + ";".join(HEAD) + "\n" + ";".join(str(row[h]) for h in HEAD) + "\n"
    path = tmp_path / "semi.csv"
    path.write_bytes(text.encode("gb18030"))
    result = import_roster(path, world.branch, acting_user=SYSTEM, report_path=tmp_path / "r.xlsx")
    assert result.new == 1


def test_xls_written_by_xlwt(world: World, tmp_path: Path) -> None:
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    sheet = book.add_sheet("名册")
    sheet.write_merge(0, 0, 0, len(HEAD) - 1, "党员名册")
    rows = [person("苏轼"), person("苏辙")]
    for c, h in enumerate(HEAD):
        sheet.write(1, c, h)
    day = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for r, row in enumerate(rows, start=2):
        for c, h in enumerate(HEAD):
            value = row[h]
            if h == "出生日期":
                sheet.write(r, c, date.fromisoformat(value), day)
            else:
                sheet.write(r, c, value)
    path = tmp_path / "old.xls"
    book.save(str(path))
    with path.open("rb") as stream:
        assert sniff_format(stream) == "xls"
    result = import_roster(path, world.branch, acting_user=SYSTEM, report_path=tmp_path / "r.xlsx")
    assert (result.new, result.format) == (2, "xls")


def test_a_branch_merged_down_its_rows(world: World, tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "merged.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    heads = ["姓名", "公民身份号码", "人员类别", "入党时间", "所在党支部"]
    for c, h in enumerate(heads):
        sheet.write_string(0, c, h)
    for r, name in enumerate(["韩愈", "柳宗元", "王安石"], start=1):
        row = person(name)
        for c, h in enumerate(heads[:4]):
            sheet.write_string(r, c, row[h])
    sheet.merge_range(1, 4, 3, 4, "第二党支部")
    book.close()
    result = import_roster(path, world.township, acting_user=SYSTEM, report_path=tmp_path / "r.xlsx")
    assert result.new == 3
    assert set(
        Member.objects.filter(name__in=["韩愈", "柳宗元", "王安石"]).values_list("organization", flat=True)
    ) == {world.branch2.pk}


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("a.xlsx", b"%PDF-1.4 not a roster", "format"),
        ("a.csv", b"\x89PNG\r\n\x1a\n" + bytes(64), "format"),
        ("a.xlsx", b"PK\x03\x04 broken zip", "format"),
        ("a.csv", "标题\n随便写点什么\n".encode(), "no_header"),
    ],
)
def test_wrong_files_are_refused_and_nothing_changes(
    world: World, tmp_path: Path, name: str, content: bytes, code: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    before = Member.objects.count()
    with pytest.raises(ValidationError) as exc:
        import_roster(path, world.branch, acting_user=SYSTEM, report_path=tmp_path / "r.xlsx")
    assert exc.value.code == code
    assert Member.objects.count() == before


def test_word_document_is_not_a_workbook(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "a.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
        archive.writestr("[Content_Types].xml", "<t/>")
    with path.open("rb") as stream:
        assert sniff_format(stream) is None


def test_missing_required_columns_refuse_the_file(world: World, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "a.xlsx", ["姓名", "身份证号", "联系电话"], [person("欧阳修")])
    with pytest.raises(ValidationError, match="人员类别"):
        import_roster(path, world.branch, acting_user=SYSTEM, report_path=tmp_path / "r.xlsx")


def test_committee_needs_a_branch_column(world: World, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", HEAD, [person("欧阳修")])
    with pytest.raises(ValidationError, match="所在党支部"):
        import_roster(path, world.township, acting_user=SYSTEM, report_path=tmp_path / "r.xlsx")
