"""Server-side masking of personal identifiers for display to users without an audited reveal.

The masked value always has the same length as the input. What a mask keeps is chosen so that,
together with everything else a role may see (the disclosure policy in docs/architecture.md),
at least ~10,000 candidates remain:

* an 18-character ID number keeps only its region (first 6): the birth date, sequence (whose
  parity is the gender) and checksum are all hidden; any other length is hidden entirely;
* a phone number hides 4 digits (10,000 candidates), never fewer.
"""

from __future__ import annotations

from datetime import date

from dangjian.core.phone import LANDLINE_RE, MOBILE_RE, normalize_phone

__all__ = ["REGION_DIGITS", "birth_year", "birth_year_month", "mask_id_number", "mask_phone"]

MASK_CHAR = "*"
REGION_DIGITS = 6
PHONE_HIDDEN_DIGITS = 4


def mask_id_number(value: str | None) -> str:
    """``430102199001011234`` -> ``430102************``.

    18-character numbers keep the region (first 6 characters) only: members of a county branch
    are mostly born in that county, so the region tells little, while the last 4 characters
    (sequence and checksum) would leave ~1 candidate once the birth date is known. Any other
    input (15-character numbers of the old format, typos) is masked entirely; empty/None -> "".
    """
    if not value:
        return ""
    value = value.strip()
    if len(value) == 18:
        return value[:REGION_DIGITS] + MASK_CHAR * (18 - REGION_DIGITS)
    return MASK_CHAR * len(value)


def mask_phone(value: str | None) -> str:
    """``13812345678`` -> ``138****5678``; ``0731-84561234`` -> ``0731-****1234``.

    Mobile numbers keep the first 3 and last 4 digits; landlines keep the area code and hide
    4 digits of the local number (a 7-digit local number shows its last 3). Anything else is
    masked entirely. Input is normalized first (spaces, +86, full-width digits); empty/None -> "".
    """
    if not value:
        return ""
    number = normalize_phone(value)
    if MOBILE_RE.fullmatch(number):
        return number[:3] + MASK_CHAR * PHONE_HIDDEN_DIGITS + number[-4:]
    if LANDLINE_RE.fullmatch(number):
        area, local = number.split("-")
        kept = len(local) - PHONE_HIDDEN_DIGITS
        return f"{area}-{MASK_CHAR * PHONE_HIDDEN_DIGITS}{local[-kept:] if kept else ''}"
    return MASK_CHAR * len(number)


def birth_year_month(value: date | None) -> str:
    """``1980-05-04`` -> ``1980-05``: with a region-only ID number and the gender, ~15,000
    candidate ID numbers remain (30 days x 500 sequence numbers)."""
    return f"{value.year:04d}-{value.month:02d}" if value else ""


def birth_year(value: date | None) -> str:
    """``1980-05-04`` -> ``1980`` (~182,500 candidates with the gender)."""
    return f"{value.year:04d}" if value else ""
