"""One cell to one value, per field: normalize what is unambiguous, refuse what is not.

Every text goes through NFKC first (full-width digits, letters and punctuation to ASCII; the
ideographic space to a space). Dates come as date cells, Excel serial numbers, or text in the
ways people type them: 2017-04-28, 2017/4/28, 2017.04.28, 2017年4月28日, 20170428 — and the month
alone (2017.04, 2017年4月, 201704), which rosters use for joining and full membership and which
is stored as the month's first day. Two-digit years are refused (17.4.28 could be 1917).

An ID number in a numeric cell is refused: Excel keeps 15 significant digits, so the last three
of the 18 are already lost (430102199001011234 comes back as 430102199001011000).
"""

import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from dangjian.core.idnumber import normalize_id_number
from dangjian.core.phone import normalize_phone
from dangjian.members.models import Education, Gender, MemberCategory

EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 1900-01-01, past Excel's phantom 1900-02-29
EARLIEST = date(1900, 1, 1)


class Refused(ValueError):
    """A cell whose meaning is not certain; the message says why, for the report."""


@dataclass(frozen=True)
class Day:
    """A date as read, and whether the cell gave only its month."""

    value: date
    month_only: bool = False


def text(value: Any) -> str:
    """A cell as clean text: NFKC, outer spaces off, inner runs of spaces to one (so no tab or
    line break is left in any value)."""
    if value.__class__ is not str:
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        value = str(value)
    if not unicodedata.is_normalized("NFKC", value):
        value = unicodedata.normalize("NFKC", value)
    return " ".join(value.split())


def name(value: Any) -> str:
    """Chinese names have no spaces ("张 三" is 张三); others (with ·) keep single spaces."""
    cleaned = text(value)
    if any("\u4e00" <= ch <= "\u9fff" for ch in cleaned):
        cleaned = cleaned.replace(" ", "")
    return cleaned


_FULL = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?"
)
_MONTH = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?")
_DIGITS = re.compile(r"\d{5,8}")


def _day(year: int, month: int, day: int, month_only: bool = False) -> Day:
    try:
        value = date(year, month, day)
    except ValueError:
        raise Refused(_("%(value)s is not a date.") % {"value": f"{year}-{month}-{day}"}) from None
    if value < EARLIEST:
        raise Refused(_("The date %(value)s is before 1900.") % {"value": value.isoformat()})
    return Day(value, month_only)


def _serial(number: float) -> Day:
    if not number.is_integer() and number % 1 > 1e-9:
        number = float(int(number))  # a date-time: the day is the integer part
    day = EXCEL_EPOCH + timedelta(days=int(number))
    return _day(day.year, day.month, day.day)


def day(value: Any) -> Day | None:
    """A date cell; None when empty; Refused when not a date or not certain."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return _day(value.year, value.month, value.day)
    if isinstance(value, date):
        return _day(value.year, value.month, value.day)
    if isinstance(value, bool):
        raise Refused(_("%(value)s is not a date.") % {"value": value})
    if isinstance(value, int | float):
        digits = str(int(value)) if float(value).is_integer() else ""
        if len(digits) in (6, 8):  # 201704 or 20170428 typed into a number cell
            return day(digits)
        if 0 < value < 2958466:  # Excel's serial numbers (days since 1899-12-30) up to 9999
            return _serial(float(value))
        raise Refused(_("%(value)s is not a date.") % {"value": value})
    cleaned = text(value)
    if not cleaned:
        return None
    if m := _FULL.fullmatch(cleaned):
        return _day(int(m[1]), int(m[2]), int(m[3]))
    if m := _MONTH.fullmatch(cleaned):
        return _day(int(m[1]), int(m[2]), 1, month_only=True)
    if _DIGITS.fullmatch(cleaned):
        if len(cleaned) == 8:
            return _day(int(cleaned[:4]), int(cleaned[4:6]), int(cleaned[6:]))
        if len(cleaned) == 6:
            return _day(int(cleaned[:4]), int(cleaned[4:]), 1, month_only=True)
        if len(cleaned) == 5:  # a serial number that lost its date format on the way to CSV
            return _serial(float(cleaned))
    raise Refused(
        _("%(value)s is not a date in a known form (e.g. 2017-04-28, 2017/4/28, 2017年4月28日, 2017.04).")
        % {"value": cleaned}
    )


_SCIENTIFIC = re.compile(r"\d(\.\d+)?e\+?\d+", re.IGNORECASE)


def id_number(value: Any) -> str:
    """The ID number as text, or Refused when the cell held it as a number."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise Refused(
            _(
                "The ID number is stored as a number, so Excel has already lost its last digits "
                "(%(value)s). Format the column as text and enter the number again."
            )
            % {"value": text(value) if isinstance(value, int) or value < 1e15 else f"{value:.15g}"}
        )
    cleaned = text(value)
    # Ways spreadsheets keep long digits as text: '430… (apostrophe) and ="430…" (CSV export).
    if cleaned.startswith("'"):
        cleaned = cleaned[1:]
    if cleaned.startswith('="') and cleaned.endswith('"'):
        cleaned = cleaned[2:-1]
    if _SCIENTIFIC.fullmatch(cleaned.replace(" ", "")):
        raise Refused(
            _(
                "The ID number is in scientific notation (%(value)s): its last digits are lost. "
                "Format the column as text and enter the number again."
            )
            % {"value": cleaned}
        )
    return normalize_id_number(cleaned)


def phone(value: Any) -> str:
    """Digits typed into a number cell are a phone number all the same (11 digits are exact)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return normalize_phone(text(value))


GENDERS = {"男": Gender.MALE, "男性": Gender.MALE, "male": Gender.MALE, "m": Gender.MALE}
GENDERS |= {"女": Gender.FEMALE, "女性": Gender.FEMALE, "female": Gender.FEMALE, "f": Gender.FEMALE}
CATEGORIES = {
    "正式党员": MemberCategory.FULL,
    "正式": MemberCategory.FULL,
    "full": MemberCategory.FULL,
    "预备党员": MemberCategory.PROBATIONARY,
    "预备": MemberCategory.PROBATIONARY,
    "probationary": MemberCategory.PROBATIONARY,
}
EDUCATION = {
    **dict.fromkeys(
        ("研究生", "博士", "博士研究生", "硕士", "硕士研究生", "postgraduate"), Education.POSTGRADUATE
    ),
    **dict.fromkeys(("大学本科", "本科", "大学", "bachelor"), Education.BACHELOR),
    **dict.fromkeys(("大学专科", "大专", "专科", "高职", "associate"), Education.ASSOCIATE),
    **dict.fromkeys(
        ("高中及中专", "高中", "中专", "中技", "职高", "技校", "中等专科", "secondary"), Education.SECONDARY
    ),
    **dict.fromkeys(("初中及以下", "初中", "小学", "文盲", "junior"), Education.JUNIOR),
}
# The 56 ethnic groups: "汉" is 汉族 (rosters often drop the 族).
_ETHNIC_NAMES = (
    "汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 "
    "畲 高山 拉祜 水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 "
    "阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 "
    "门巴 珞巴 基诺"
)
ETHNIC_GROUPS = frozenset(_ETHNIC_NAMES.split(" "))


@functools.cache
def _labels(table_id: int) -> dict[str, str]:
    """The model's own labels in every interface language (an export made in English says
    "Full member"), keyed as `choice` compares them."""
    choices = {id(GENDERS): Gender, id(CATEGORIES): MemberCategory, id(EDUCATION): Education}[table_id]
    labels: dict[str, str] = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            labels.update({str(label).replace(" ", "").lower(): value for value, label in choices.choices})
    return labels


def choice(value: Any, table: dict[str, str], what: str) -> str:
    """A label (男, 正式党员, 本科, Male…) to its code; "" when empty; Refused when unknown."""
    cleaned = text(value).replace(" ", "")
    if not cleaned:
        return ""
    found = table.get(cleaned) or table.get(cleaned.lower()) or _labels(id(table)).get(cleaned.lower())
    if found is None:
        raise Refused(_("%(value)s is not a known %(what)s.") % {"value": cleaned, "what": what})
    return found


def ethnicity(value: Any) -> str:
    cleaned = text(value).replace(" ", "")
    return cleaned + "族" if cleaned in ETHNIC_GROUPS else cleaned
