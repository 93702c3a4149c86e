"""The roster's columns: which headers name which member field.

The Chinese headers are a file format, not interface text: they are what the organization
department's own forms (党员信息采集表) and every branch's spreadsheet call the columns, so they
are matched (and written in the template and exports) as they are, whatever the interface
language. The first name of each field is the canonical one.
"""

import re
import unicodedata
from typing import Any

# field -> header names, canonical first. Matched after `header_key` (NFKC, no spaces, no
# required-marks or notes in brackets), so "＊身份证号（18位）" is "身份证号".
SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "党员姓名"),
    "gender": ("性别",),
    "ethnicity": ("民族",),
    "birth_date": ("出生日期", "出生年月", "出生年月日"),
    "id_number": ("公民身份号码", "身份证号", "身份证号码", "身份证", "公民身份证号码", "公民身份证号"),
    "education": ("学历", "文化程度", "最高学历"),
    "category": ("人员类别", "党员类别", "党员类型"),
    "join_date": ("入党时间", "入党日期"),
    "full_date": ("转正时间", "转正日期"),
    "phone": ("联系电话", "手机号码", "手机号", "手机", "电话", "电话号码", "联系方式"),
    "job_title": ("工作岗位", "职务", "岗位", "工作单位及职务"),
    "branch": ("所在党支部", "所在支部", "党支部", "所在党组织", "党组织名称"),
    "branch_code": ("所在党支部编码", "党支部编码", "党组织编码", "组织编码"),
}
REQUIRED = ("name", "id_number", "category", "join_date")
# Export-only columns (ignored by the importer, so an export reads back in).
STATUS_HEADER = "党籍状态"

_BY_KEY: dict[str, str] = {}
for _field, _names in SYNONYMS.items():
    for _name in _names:
        _BY_KEY[_name] = _field
    _BY_KEY[_field] = _field  # the code names too: "id_number", "join_date"

_NOTES = re.compile(r"[(（\[【].*?[)）\]】]")


def header_key(value: Any) -> str:
    """A header as compared: NFKC, notes in brackets and required-marks dropped, no spaces."""
    text = unicodedata.normalize("NFKC", str(value or ""))
    text = _NOTES.sub("", text)
    return "".join(ch for ch in text if not ch.isspace() and ch not in "*※:：").lower()


def field_for(header: Any) -> str | None:
    """The member field a header names, or None."""
    key = header_key(header)
    return _BY_KEY.get(key) if key else None


def canonical(field: str) -> str:
    return SYNONYMS[field][0]


TEMPLATE_FIELDS = (
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "id_number",
    "education",
    "category",
    "join_date",
    "full_date",
    "phone",
    "job_title",
    "branch",
    "branch_code",
)
