"""Server-side masking of personal identifiers for display to users without full access.

The masked value always has the same length as the input, so no information
leaks beyond the characters that are intentionally kept.
"""

from __future__ import annotations

from dangjian.core.phone import LANDLINE_RE, MOBILE_RE, normalize_phone

__all__ = ["mask_id_number", "mask_phone"]

MASK_CHAR = "*"


def _mask_all_but_last(value: str, keep: int) -> str:
    if len(value) <= keep:
        return MASK_CHAR * len(value)
    return MASK_CHAR * (len(value) - keep) + value[-keep:]


def mask_id_number(value: str | None) -> str:
    """``430102199001011234`` -> ``430102********1234``.

    18-character numbers keep the first 6 (region) and last 4 characters; any
    other input keeps only the last 2 (all masked if 2 or fewer); empty/None -> "".
    """
    if not value:
        return ""
    value = value.strip()
    if len(value) == 18:
        return value[:6] + MASK_CHAR * 8 + value[-4:]
    return _mask_all_but_last(value, 2)


def mask_phone(value: str | None) -> str:
    """``13812345678`` -> ``138****5678``; ``0731-84561234`` -> ``0731-****1234``.

    Mobile numbers keep the first 3 and last 4 digits; landlines keep the area
    code and the last 4 digits; anything else keeps only the last 2 characters.
    Input is normalized first (spaces, +86, full-width digits); empty/None -> "".
    """
    if not value:
        return ""
    number = normalize_phone(value)
    if MOBILE_RE.fullmatch(number):
        return number[:3] + MASK_CHAR * 4 + number[-4:]
    if LANDLINE_RE.fullmatch(number):
        area, local = number.split("-")
        return f"{area}-{MASK_CHAR * (len(local) - 4)}{local[-4:]}"
    return _mask_all_but_last(number, 2)
