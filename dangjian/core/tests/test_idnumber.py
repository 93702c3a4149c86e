"""Tests for dangjian.core.idnumber (no database, no settings needed: only error codes are compared)."""

from __future__ import annotations

import random
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from dangjian.core.idnumber import (
    FEMALE,
    MALE,
    IdInfo,
    check_id_consistency,
    checksum_char,
    generate_id_number,
    normalize_id_number,
    parse_id_number,
)

REGIONS = ["110105", "430102", "440305", "650102", "810000", "830000"]
birth_dates = st.dates(min_value=date(1920, 1, 1), max_value=date(2008, 12, 31))
genders = st.sampled_from([MALE, FEMALE])
regions = st.sampled_from(REGIONS)
seeds = st.integers(min_value=0, max_value=2**32 - 1)


def with_check(first17: str) -> str:
    return first17 + checksum_char(first17)


def error_code(value: str, today: date | None = None) -> str | None:
    with pytest.raises(ValidationError) as exc_info:
        parse_id_number(value, today=today)
    return exc_info.value.code


def weighted_checksum(first17: str) -> str:
    """Independent reference: weights 2**(17-i) mod 11, check = (12 - sum mod 11) mod 11, 10 -> X."""
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17))
    check = (12 - total % 11) % 11
    return "X" if check == 10 else str(check)


# --- known numbers (verified by the algorithm above, not guessed) -----------------------------------


@pytest.mark.parametrize(
    ("number", "region", "birth", "gender"),
    [
        # 1*7+1*9+0+1*5+0+5*4+1*2+9*1+4*6+9*3+1*7+2*9+3*10+1*5+0+0+2*2 = 167; 167 % 11 = 2 -> "X"
        ("11010519491231002X", "110105", date(1949, 12, 31), FEMALE),
        ("110101199003077678", "110101", date(1990, 3, 7), MALE),
        ("11010119900307803X", "110101", date(1990, 3, 7), MALE),
    ],
)
def test_known_valid_numbers(number: str, region: str, birth: date, gender: str) -> None:
    assert weighted_checksum(number[:17]) == number[17]
    assert parse_id_number(number) == IdInfo(region=region, birth_date=birth, gender=gender)


def test_lowercase_x_and_surrounding_spaces_accepted() -> None:
    assert parse_id_number(" 11010519491231002x\n").gender == FEMALE


def test_checksum_char_matches_reference() -> None:
    rng = random.Random(1)
    for _ in range(2000):
        first17 = "".join(rng.choice("0123456789") for _ in range(17))
        assert checksum_char(first17) == weighted_checksum(first17)


@pytest.mark.parametrize(
    "bad", ["", "1234567890123456", "123456789012345678", "１２３４５６７８９０１２３４５６７"]
)
def test_checksum_char_rejects_bad_input(bad: str) -> None:
    with pytest.raises(ValueError):
        checksum_char(bad)


# --- normalization ---------------------------------------------------------------------------------


def test_normalize_full_width_and_whitespace() -> None:
    raw = "１１０１０５\u3000１９４９１２３１ ００２ｘ\t"
    assert normalize_id_number(raw) == "11010519491231002X"
    assert normalize_id_number("１１０１０５１９４９１２３１００２Ｘ") == "11010519491231002X"
    assert parse_id_number(raw).birth_date == date(1949, 12, 31)


@given(st.text(max_size=30))
def test_normalize_is_idempotent(raw: str) -> None:
    once = normalize_id_number(raw)
    assert normalize_id_number(once) == once
    assert not any(ch.isspace() for ch in once)


# --- each error code -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("1101051949123100", "length"),
        ("11010519491231002X0", "length"),
        ("", "length"),
        ("1101051949123100AX", "format"),  # letter among the first 17
        ("11010519491231002A", "format"),  # last char neither digit nor X
        ("X10105194912310021", "format"),
        ("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X", "format"),  # Arabic-Indic digits are not ASCII digits
        (with_check("01010519491231002"), "region"),  # first digit 0
        (with_check("93010519491231002"), "region"),  # first digit 9, not 91
        (with_check("19010519491231002"), "region"),  # 19 is not a province
        (with_check("24010519491231002"), "region"),
        (with_check("72010519491231002"), "region"),
        (with_check("11010519490230002"), "birth_date"),  # 30 February
        (with_check("11010519491301002"), "birth_date"),  # month 13
        (with_check("11010500000101002"), "birth_date"),  # year 0
        (with_check("11010518991231002"), "birth_date"),  # before 1900
        ("440524188001010014", "birth_date"),  # well-known 1880 example, checksum is correct
        (with_check("11010529990101002"), "birth_date"),  # future
        ("110105194912310021", "checksum"),
        ("430102199001011234", "checksum"),  # correct check would be 8
    ],
)
def test_error_codes(value: str, code: str) -> None:
    assert error_code(value) == code


def test_first_birth_date_boundaries() -> None:
    assert parse_id_number(with_check("11010519000101002")).birth_date == date(1900, 1, 1)
    today = date(2024, 2, 29)
    assert parse_id_number(with_check("11010520240229001"), today=today).gender == MALE
    assert error_code(with_check("11010520240301001"), today=today) == "birth_date"


def test_taiwan_residence_permit_83_accepted_foreigner_9x_refused() -> None:
    assert parse_id_number(with_check("83000019491231002")).region == "830000"
    with pytest.raises(ValidationError) as exc_info:
        parse_id_number(with_check("91010519491231002"))
    assert exc_info.value.code == "region"


def test_length_error_carries_count() -> None:
    with pytest.raises(ValidationError) as exc_info:
        parse_id_number("12345")
    assert exc_info.value.params == {"count": 5}


# --- generation and round trip ---------------------------------------------------------------------


@given(seeds, birth_dates, genders, regions)
def test_generated_numbers_parse_back(seed: int, birth: date, gender: str, region: str) -> None:
    number = generate_id_number(random.Random(seed), birth, gender, region)
    assert len(number) == 18
    assert weighted_checksum(number[:17]) == number[17]
    assert parse_id_number(number) == IdInfo(region=region, birth_date=birth, gender=gender)


@given(seeds, birth_dates, genders, regions, st.integers(0, 16), st.integers(1, 9))
def test_changing_one_digit_invalidates(
    seed: int, birth: date, gender: str, region: str, position: int, delta: int
) -> None:
    number = generate_id_number(random.Random(seed), birth, gender, region)
    new_digit = str((int(number[position]) + delta) % 10)
    mutated = number[:position] + new_digit + number[position + 1 :]
    assert mutated != number
    with pytest.raises(ValidationError) as exc_info:
        parse_id_number(mutated)
    assert exc_info.value.code in {"checksum", "region", "birth_date"}


@given(seeds, birth_dates, genders, st.sampled_from("0123456789X"))
def test_changing_check_char_invalidates(seed: int, birth: date, gender: str, check: str) -> None:
    number = generate_id_number(random.Random(seed), birth, gender)
    if check == number[17]:
        return
    assert error_code(number[:17] + check) == "checksum"


def test_generate_is_deterministic_and_default_region() -> None:
    a = [generate_id_number(random.Random(7), date(1980, 5, 17), MALE) for _ in range(3)]
    assert a[0] == a[1] == a[2]
    assert a[0].startswith("43010219800517")
    rng = random.Random(7)
    many = {generate_id_number(rng, date(1980, 5, 17), FEMALE) for _ in range(2000)}
    assert len(many) > 400  # 500 possible sequence/gender combinations
    assert all(int(n[16]) % 2 == 0 for n in many)


@pytest.mark.parametrize(
    ("gender", "region"), [("M", "430102"), ("", "430102"), (MALE, "4301"), (MALE, "43010A")]
)
def test_generate_rejects_bad_arguments(gender: str, region: str) -> None:
    with pytest.raises(ValueError):
        generate_id_number(random.Random(0), date(1980, 1, 1), gender, region)


# --- consistency with entered data -----------------------------------------------------------------


def test_consistency() -> None:
    info = parse_id_number("11010519491231002X")
    assert check_id_consistency(info, date(1949, 12, 31), FEMALE) == []
    assert check_id_consistency(info, None, None) == []
    assert check_id_consistency(info, None, "") == []
    codes = [e.code for e in check_id_consistency(info, date(1949, 12, 30), MALE)]
    assert codes == ["birth_mismatch", "gender_mismatch"]
    assert [e.code for e in check_id_consistency(info, date(1949, 12, 31), MALE)] == ["gender_mismatch"]
    assert [e.code for e in check_id_consistency(info, date(1950, 1, 1), None)] == ["birth_mismatch"]
