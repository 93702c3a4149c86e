"""Cells to values: what is unambiguous is normalized, what is not is refused."""

from datetime import date, datetime

import pytest

from dangjian.roster import normalize
from dangjian.roster.columns import field_for
from dangjian.roster.normalize import Day, Refused


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2017-04-28", Day(date(2017, 4, 28))),
        ("2017/4/28", Day(date(2017, 4, 28))),
        ("2017.04.28", Day(date(2017, 4, 28))),
        ("2017年4月28日", Day(date(2017, 4, 28))),
        (" ２０１７年４月２８日 ", Day(date(2017, 4, 28))),
        ("2017-04-28 00:00:00", Day(date(2017, 4, 28))),
        ("20170428", Day(date(2017, 4, 28))),
        ("2017.04", Day(date(2017, 4, 1), month_only=True)),
        ("2017年4月", Day(date(2017, 4, 1), month_only=True)),
        ("201704", Day(date(2017, 4, 1), month_only=True)),
        (201704.0, Day(date(2017, 4, 1), month_only=True)),
        (42853.0, Day(date(2017, 4, 28))),  # Excel serial
        (42853.75, Day(date(2017, 4, 28))),  # serial with a time of day
        ("42853", Day(date(2017, 4, 28))),  # serial that lost its format in a CSV
        (date(2017, 4, 28), Day(date(2017, 4, 28))),
        (datetime(2017, 4, 28, 9, 30), Day(date(2017, 4, 28))),
        ("", None),
        (None, None),
    ],
)
def test_dates(cell: object, expected: Day | None) -> None:
    assert normalize.day(cell) == expected


@pytest.mark.parametrize(
    "cell", ["17.4.28", "2017-13-01", "2017-02-30", "去年", "28/04/2017", "1899-12-31", True]
)
def test_dates_refused(cell: object) -> None:
    with pytest.raises(Refused):
        normalize.day(cell)


def test_numeric_id_numbers_are_refused_with_the_reason() -> None:
    with pytest.raises(Refused, match="stored as a number"):
        normalize.id_number(4.30102199001011e17)
    with pytest.raises(Refused, match="stored as a number"):
        normalize.id_number(430102199001011234)
    with pytest.raises(Refused, match="scientific notation"):
        normalize.id_number("4.30102E+17")


def test_id_numbers_as_text() -> None:
    assert normalize.id_number(" ４３０１０２１９９００１０１１２３x ") == "43010219900101123X"
    assert normalize.id_number("'430102199001011234") == "430102199001011234"
    assert normalize.id_number('="430102199001011234"') == "430102199001011234"


def test_text_phone_and_names() -> None:
    assert normalize.name(" 张　三 ") == "张三"
    assert normalize.name("阿卜杜拉·艾力") == "阿卜杜拉·艾力"
    assert normalize.name(" John  Smith ") == "John Smith"
    assert normalize.phone(13812345678.0) == "13812345678"
    assert normalize.phone("１３８ １２３４ ５６７８") == "13812345678"
    assert normalize.ethnicity("汉") == "汉族" and normalize.ethnicity("蒙古族") == "蒙古族"


def test_choices() -> None:
    assert normalize.choice("正式", normalize.CATEGORIES, "category") == "full"
    assert normalize.choice("预备党员", normalize.CATEGORIES, "category") == "probationary"
    assert normalize.choice("女", normalize.GENDERS, "gender") == "female"
    assert normalize.choice("本科", normalize.EDUCATION, "education") == "bachelor"
    assert normalize.choice("", normalize.EDUCATION, "education") == ""
    with pytest.raises(Refused):
        normalize.choice("积极分子", normalize.CATEGORIES, "category")


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("公民身份号码", "id_number"),
        ("身份证号", "id_number"),
        (" 身份证号码（18位）", "id_number"),
        ("＊姓 名", "name"),
        ("出生年月", "birth_date"),
        ("党员类别", "category"),
        ("入党日期", "join_date"),
        ("转正时间", "full_date"),
        ("手机号码", "phone"),
        ("职务", "job_title"),
        ("所在支部", "branch"),
        ("备注", None),
    ],
)
def test_header_synonyms(header: str, field: str | None) -> None:
    assert field_for(header) == field
