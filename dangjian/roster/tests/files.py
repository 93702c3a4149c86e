"""Roster files made in the tests: messy .xlsx (XlsxWriter), .xls (xlwt), CSV in three encodings."""

import csv
import io
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import xlsxwriter

from dangjian.core.idnumber import generate_id_number

_rng = random.Random(4271)

# The import template's columns, as a branch secretary's sheet has them.
HEAD = [
    "姓名",
    "性别",
    "民族",
    "出生日期",
    "公民身份号码",
    "学历",
    "人员类别",
    "入党时间",
    "转正时间",
    "联系电话",
    "工作岗位",
]


_issued: set[str] = set()


def new_id(birth: date = date(1985, 6, 1), gender: str = "male") -> str:
    """A number not handed out before in this process: 5,000 rows over 12,000 birth dates and
    500 sequence numbers would otherwise repeat one about twice a file, and a file with a repeat
    is refused whole (what the import tests check depends on it being accepted)."""
    for _ in range(50):  # bounded: one birth date and gender have only 500 numbers
        number = generate_id_number(_rng, birth, gender, region="430102")
        if number not in _issued:
            break
    _issued.add(number)
    return number


def person(name: str, *, birth: date | None = None, gender: str = "male", **extra: Any) -> dict[str, Any]:
    """One member row by canonical header (valid unless `extra` spoils it). Birth dates vary:
    a region has only 500 ID numbers per birth date and gender."""
    birth = birth or date(1960, 1, 1) + timedelta(days=_rng.randrange(12000))
    row: dict[str, Any] = {
        "姓名": name,
        "性别": "男" if gender == "male" else "女",
        "民族": "汉族",
        "出生日期": birth.isoformat(),
        "公民身份号码": new_id(birth, gender),
        "学历": "大学本科",
        "人员类别": "正式党员",
        "入党时间": f"{birth.year + 25}-07-01",
        "转正时间": f"{birth.year + 26}-07-01",
        "联系电话": f"139{_rng.randrange(10**8):08d}",
        "工作岗位": "职员",
    }
    row.update(extra)
    return row


def write_csv(
    path: Path, headers: list[str], rows: list[dict[str, Any]], encoding: str = "utf-8-sig"
) -> Path:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(h, "") for h in headers])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(
    path: Path, headers: list[str], rows: list[dict[str, Any]], *, title: str | None = None
) -> Path:
    """A plain workbook: an optional title row, the header, then the rows (values as given:
    str, int/float, date)."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("花名册")
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    r = 0
    if title:
        sheet.merge_range(0, 0, 0, len(headers) - 1, title)
        r = 1
    for c, h in enumerate(headers):
        sheet.write_string(r, c, h)
    for row in rows:
        r += 1
        for c, h in enumerate(headers):
            value = row.get(h, "")
            if isinstance(value, date):
                sheet.write_datetime(r, c, value, day)
            elif isinstance(value, int | float):
                sheet.write_number(r, c, value)
            elif value != "":
                sheet.write_string(r, c, str(value))
    book.close()
    return path


def excel_serial(day: date) -> int:
    return (day - date(1899, 12, 30)).days


def to_fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def messy_xlsx(path: Path, rows: list[list[Any]]) -> Path:
    """A roster as offices keep them: a merged title and a date line above a header merged over
    two rows (group headings on top, 姓名 spanning both), columns in their own order, synonyms,
    full-width and spaced headers, a serial-number column, and a footer.

    `rows`: [序号, 姓名, 性别, 民族, 出生年月, 身份证号码, 党员类别, 入党日期, 转正日期,
    手机号码, 职务, 所在支部], values as given (str, int, float, date).
    """
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("党员名册")
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.merge_range(0, 0, 0, 11, "中共第一党支部党员花名册")
    sheet.write_string(1, 0, "填报日期：2024年3月1日")
    sheet.merge_range(2, 0, 3, 0, "序号")
    sheet.merge_range(2, 1, 3, 1, "＊姓 名")
    sheet.merge_range(2, 2, 2, 5, "基本信息")
    sheet.merge_range(2, 6, 2, 8, "党籍信息")
    sheet.merge_range(2, 9, 2, 11, "其他")
    for col, head in enumerate(
        [
            "性别",
            "民族",
            "出生年月",
            " 身份证号码（18位）",
            "党员类别",
            "入党日期",
            "转正日期",
            "手机号码",
            "职务",
            "所在支部",
        ],
        start=2,
    ):
        sheet.write_string(3, col, to_fullwidth(head) if head == "性别" else head)
    for r, row in enumerate(rows, start=4):
        for c, value in enumerate(row):
            if isinstance(value, date):
                sheet.write_datetime(r, c, value, day)
            elif isinstance(value, int | float):
                sheet.write_number(r, c, value)
            elif value not in ("", None):
                sheet.write_string(r, c, str(value))
    sheet.write_string(4 + len(rows) + 1, 0, "制表人：张三    审核人：李四")
    book.close()
    return path
