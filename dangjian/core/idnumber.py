"""Chinese resident ID numbers (公民身份号码, GB 11643-1999).

Layout of the 18 characters::

    RRRRRR YYYYMMDD SSG C
    |      |        | | +-- check character, ISO 7064 MOD 11-2 ("0"-"9" or "X")
    |      |        | +---- gender digit: odd = male, even = female
    |      |        +------ sequence number
    |      +--------------- birth date
    +---------------------- administrative region code (GB/T 2260)

Pure Python, no database access.  Errors are raised as Django
``ValidationError`` instances with a stable ``code`` so that forms and API
serializers can react to them; the messages are lazy translation strings.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

__all__ = [
    "FEMALE",
    "GENDERS",
    "MALE",
    "PROVINCE_CODES",
    "IdInfo",
    "check_id_consistency",
    "checksum_char",
    "generate_id_number",
    "normalize_id_number",
    "parse_id_number",
]

MALE = "male"
FEMALE = "female"
GENDERS = (MALE, FEMALE)

ID_LENGTH = 18
EARLIEST_BIRTH_DATE = date(1900, 1, 1)

# ISO 7064 MOD 11-2: weight of position i (0-based, left to right) is 2**(17 - i) mod 11.
_WEIGHTS: tuple[int, ...] = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_DIGITS = frozenset("0123456789")

# Province-level codes (first two digits of the region code).  71 = Taiwan,
# 81/82 = Hong Kong/Macao, 83 = Taiwan residents' residence permits,
# 91 = the legacy "abroad" code still found in older records.
PROVINCE_CODES: frozenset[str] = frozenset(
    [
        *(str(n) for n in range(11, 16)),
        *(str(n) for n in range(21, 24)),
        *(str(n) for n in range(31, 38)),
        *(str(n) for n in range(41, 47)),
        *(str(n) for n in range(50, 55)),
        *(str(n) for n in range(61, 66)),
        "71",
        "81",
        "82",
        "83",
    ]
)

# Whitespace is removed with str.isspace() (covers U+3000 ideographic space);
# full-width digits and Latin letters are mapped to ASCII.
_FULLWIDTH_TABLE: dict[int, int] = {
    **{0xFF10 + i: ord("0") + i for i in range(10)},
    **{0xFF21 + i: ord("A") + i for i in range(26)},
    **{0xFF41 + i: ord("a") + i for i in range(26)},
}


@dataclass(frozen=True)
class IdInfo:
    """What an ID number tells about its holder."""

    region: str  # six-digit administrative region code
    birth_date: date
    gender: str  # "male" | "female"


def normalize_id_number(value: str) -> str:
    """Remove all whitespace, map full-width characters to ASCII, upper-case a final ``x``."""
    cleaned = "".join(ch for ch in value if not ch.isspace()).translate(_FULLWIDTH_TABLE)
    if cleaned.endswith("x"):
        cleaned = cleaned[:-1] + "X"
    return cleaned


def _checksum(first17: str) -> str:
    """Check character for 17 ASCII digits (no validation)."""
    total = 0
    for ch, weight in zip(first17, _WEIGHTS, strict=True):
        total += (ord(ch) - 48) * weight
    return _CHECK_CHARS[total % 11]


def checksum_char(first17: str) -> str:
    """Return the ISO 7064 MOD 11-2 check character ("0"-"9" or "X") for the first 17 digits."""
    if len(first17) != 17 or not _DIGITS.issuperset(first17):
        raise ValueError("checksum_char() needs exactly 17 ASCII digits")
    return _checksum(first17)


def parse_id_number(value: str, *, today: date | None = None) -> IdInfo:
    """Normalize and validate an ID number and return what it encodes.

    ``today`` (default: ``date.today()``) is the reference date for rejecting
    birth dates in the future.  Raises ``ValidationError`` with one of the codes
    ``length``, ``format``, ``region``, ``birth_date``, ``checksum``.
    """
    number = normalize_id_number(value)

    if len(number) != ID_LENGTH:
        raise ValidationError(
            _("The ID number must have 18 characters, not %(count)d."),
            code="length",
            params={"count": len(number)},
        )
    first17 = number[:17]
    if not _DIGITS.issuperset(first17):
        raise ValidationError(_("The first 17 characters of the ID number must be digits."), code="format")
    if number[17] not in _DIGITS and number[17] != "X":
        raise ValidationError(_("The last character of the ID number must be a digit or X."), code="format")

    region = number[:6]
    if region[:2] not in PROVINCE_CODES:
        if region[0] not in "12345678":
            message = _("The first digit of the ID number (region code) must be 1-8.")
        else:
            message = _("The first two digits of the ID number are not a valid province code.")
        raise ValidationError(message, code="region")

    try:
        birth_date = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            _("The birth date (digits 7-14) of the ID number is not a valid date."), code="birth_date"
        ) from None
    if birth_date < EARLIEST_BIRTH_DATE:
        raise ValidationError(
            _("The birth date (digits 7-14) of the ID number is before 1900."), code="birth_date"
        )
    if birth_date > (today or date.today()):
        raise ValidationError(
            _("The birth date (digits 7-14) of the ID number is in the future."), code="birth_date"
        )

    if _checksum(first17) != number[17]:
        raise ValidationError(
            _("The check character (last character) of the ID number is wrong; please check every digit."),
            code="checksum",
        )

    gender = MALE if (ord(number[16]) - 48) % 2 else FEMALE
    return IdInfo(region=region, birth_date=birth_date, gender=gender)


def check_id_consistency(info: IdInfo, birth_date: date | None, gender: str | None) -> list[ValidationError]:
    """Compare an entered birth date and gender with those encoded in the ID number.

    ``None`` or an empty gender means "not entered" and is not checked.
    Returns a (possibly empty) list of errors with codes ``birth_mismatch`` and
    ``gender_mismatch``.
    """
    errors: list[ValidationError] = []
    if birth_date is not None and birth_date != info.birth_date:
        errors.append(
            ValidationError(
                _("The birth date does not match the ID number, which gives %(id_birth_date)s."),
                code="birth_mismatch",
                params={"id_birth_date": info.birth_date.isoformat()},
            )
        )
    if gender and gender != info.gender:
        errors.append(
            ValidationError(
                _("The gender does not match the ID number (digit 17 is odd for men, even for women)."),
                code="gender_mismatch",
            )
        )
    return errors


def _partial_sum(digits: str, offset: int) -> int:
    """Weighted digit sum of ``digits`` placed at position ``offset`` of the first 17."""
    total = 0
    for ch, weight in zip(digits, _WEIGHTS[offset : offset + len(digits)], strict=True):
        total += (ord(ch) - 48) * weight
    return total


# Positions 15-17 (sequence + gender digit) for each of the 500 draws, per gender parity:
# _SUFFIXES[parity][draw] = (three digits, their weighted sum).
_SUFFIXES: tuple[tuple[tuple[str, int], ...], ...] = tuple(
    tuple(
        (suffix, _partial_sum(suffix, 14))
        for suffix in (f"{draw // 5:02d}{(draw % 5) * 2 + parity}" for draw in range(500))
    )
    for parity in (0, 1)
)


@lru_cache(maxsize=512)
def _region_part(region: str) -> int:
    if len(region) != 6 or not _DIGITS.issuperset(region):
        raise ValueError(f"region must be six ASCII digits, not {region!r}")
    return _partial_sum(region, 0)


@lru_cache(maxsize=65536)
def _birth_part(birth_date: date) -> tuple[str, int]:
    digits = f"{birth_date.year:04d}{birth_date.month:02d}{birth_date.day:02d}"
    return digits, _partial_sum(digits, 6)


def generate_id_number(rng: random.Random, birth_date: date, gender: str, region: str = "430102") -> str:
    """Build a valid ID number: region + birth date + random sequence + gender digit + check character.

    Deterministic for a given ``rng`` state (exactly one ``rng.random()`` call
    per number).  Weighted sums of the region, the birth date and all 1000
    possible sequence/gender suffixes are precomputed or cached, so bulk
    generation costs about a microsecond per number.
    """
    if gender == MALE:
        suffixes = _SUFFIXES[1]
    elif gender == FEMALE:
        suffixes = _SUFFIXES[0]
    else:
        raise ValueError(f"gender must be {MALE!r} or {FEMALE!r}, not {gender!r}")
    region_sum = _region_part(region)
    birth_digits, birth_sum = _birth_part(birth_date)
    # One draw in [0, 500): sequence 00-99 x 5 gender digits of the right parity.
    suffix, suffix_sum = suffixes[int(rng.random() * 500)]
    return region + birth_digits + suffix + _CHECK_CHARS[(region_sum + birth_sum + suffix_sum) % 11]
