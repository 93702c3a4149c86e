"""Tests for dangjian.core.phone and dangjian.core.masking (no database; only error codes are compared)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from dangjian.core.masking import mask_id_number, mask_phone
from dangjian.core.phone import normalize_phone, validate_phone

# --- phone -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13812345678", "13812345678"),
        (" 138 1234 5678 ", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("+86-138-1234-5678", "13812345678"),
        ("008613812345678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        ("＋８６\u3000１３８１２３４５６７８", "13812345678"),
        ("19912345678", "19912345678"),
        ("0731-84561234", "0731-84561234"),
        ("０７３１－８４５６１２３４", "0731-84561234"),
        ("0731 – 84561234", "0731-84561234"),
        ("010-12345678", "010-12345678"),
        ("0755-1234567", "0755-1234567"),
    ],
)
def test_valid_phones(raw: str, expected: str) -> None:
    assert validate_phone(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "12812345678",  # second digit 2
        "1381234567",  # 10 digits
        "138123456789",  # 12 digits
        "073184561234",  # landline without hyphen
        "0731-845612",  # 6-digit local number
        "0731-845612345",  # 9-digit local number
        "07-84561234",  # area code too short
        "07312-84561234",  # area code too long
        "731-84561234",  # no leading 0
        "+1 415 555 0100",
        "1381234567a",
        "١٣٨١٢٣٤٥٦٧٨",  # Arabic-Indic digits
        "(0731)84561234",
    ],
)
def test_invalid_phones(raw: str) -> None:
    with pytest.raises(ValidationError) as exc_info:
        validate_phone(raw)
    assert exc_info.value.code == "phone"


def test_normalize_phone_keeps_landline_hyphen() -> None:
    assert normalize_phone(" 0731-8456 1234") == "0731-84561234"
    assert normalize_phone("138-1234-5678") == "13812345678"


@given(st.text(max_size=20))
def test_validate_phone_only_raises_validation_error(raw: str) -> None:
    try:
        result = validate_phone(raw)
    except ValidationError as exc:
        assert exc.code == "phone"
    else:
        assert validate_phone(result) == result


# --- masking ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("430102199001011234", "430102************"),
        ("11010519491231002X", "110105************"),
        ("130503670401001", "***************"),  # 15 characters: all hidden
        ("12345", "*****"),
        ("12", "**"),
        ("1", "*"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_id_number(value: str | None, expected: str) -> None:
    assert mask_id_number(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13812345678", "138****5678"),
        ("+86 138 1234 5678", "138****5678"),
        ("0731-84561234", "0731-****1234"),
        ("010-1234567", "010-****567"),
        ("12345", "*****"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone(value: str | None, expected: str) -> None:
    assert mask_phone(value) == expected


@given(st.text(min_size=1, max_size=25).map(str.strip).filter(bool))
def test_mask_id_number_preserves_length(value: str) -> None:
    masked = mask_id_number(value)
    assert len(masked) == len(value)
    if len(value) == 18:
        assert masked == value[:6] + "*" * 12
    else:
        assert masked == "*" * len(value)
