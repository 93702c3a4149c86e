"""Mainland China phone numbers: mobile (13812345678) and landline (0731-84561234).

Pure Python, no database access.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

__all__ = ["LANDLINE_RE", "MOBILE_RE", "is_landline", "is_mobile", "normalize_phone", "validate_phone"]

MOBILE_RE = re.compile(r"1[3-9][0-9]{9}")
LANDLINE_RE = re.compile(r"0[0-9]{2,3}-[0-9]{7,8}")

# Full-width digits, "+" and "-" to ASCII; other dash look-alikes to "-".
_TRANSLATION: dict[int, int] = {
    **{0xFF10 + i: ord("0") + i for i in range(10)},
    0xFF0B: ord("+"),
    0xFF0D: ord("-"),
    **{cp: ord("-") for cp in (0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2212, 0xFE63)},
}
_DIGITS = frozenset("0123456789")


def normalize_phone(value: str) -> str:
    """Canonical form of a phone number as typed.

    Removes all whitespace (including U+3000), maps full-width digits and
    dashes to ASCII, drops a leading ``+86`` / ``0086`` country code and, for
    mobile numbers, the hyphens.  Landline hyphens are kept.  Anything else is
    returned as cleaned up so far; ``validate_phone`` decides whether it is valid.
    """
    cleaned = "".join(ch for ch in value if not ch.isspace()).translate(_TRANSLATION)
    for prefix in ("+86", "0086"):
        if cleaned.startswith(prefix):
            cleaned = cleaned[len(prefix) :].lstrip("-")
            break
    without_hyphens = cleaned.replace("-", "")
    if len(without_hyphens) == 11 and without_hyphens[0] == "1" and _DIGITS.issuperset(without_hyphens):
        return without_hyphens
    return cleaned


def is_mobile(normalized: str) -> bool:
    """True for a normalized mainland mobile number."""
    return MOBILE_RE.fullmatch(normalized) is not None


def is_landline(normalized: str) -> bool:
    """True for a normalized landline number with area code and hyphen."""
    return LANDLINE_RE.fullmatch(normalized) is not None


def validate_phone(value: str) -> str:
    """Return the normalized phone number or raise ``ValidationError`` (code ``phone``)."""
    number = normalize_phone(value)
    if is_mobile(number) or is_landline(number):
        return number
    if not number:
        message = _("Enter a phone number.")
    elif number.startswith("1"):
        message = _("A mobile number must have 11 digits and start with 13-19.")
    elif number.startswith("0") and "-" not in number and _DIGITS.issuperset(number):
        message = _("Put a hyphen between the area code and the landline number, e.g. 0731-84561234.")
    elif number.startswith("0"):
        message = _("A landline number needs a 3-4 digit area code, a hyphen and 7-8 digits.")
    else:
        message = _("Enter an 11-digit mobile number or a landline number such as 0731-84561234.")
    raise ValidationError(message, code="phone")
