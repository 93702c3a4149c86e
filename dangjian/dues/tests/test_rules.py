"""The dues table of spec/dues.md, its worked examples and every boundary (no database)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from dangjian.dues.rules import DuesCategory, monthly_dues, parse_money

D = Decimal

# The worked examples of spec/dues.md, exactly.
WORKED_EXAMPLES = [
    ("salaried", "3000.00", "15.00"),
    ("salaried", "3000.01", "30.00"),
    ("salaried", "8000.00", "120.00"),
    ("salaried", "12000.00", "240.00"),
    ("retired", "5000.00", "25.00"),
    ("retired", "6000.00", "60.00"),
]


@pytest.mark.parametrize(("category", "base", "amount"), WORKED_EXAMPLES)
def test_worked_examples(category: str, base: str, amount: str) -> None:
    quote = monthly_dues(category, D(base))
    assert quote.amount == D(amount)
    assert str(quote.amount) == amount  # exactly two places


def test_student_worked_example() -> None:
    assert monthly_dues("student").amount == D("0.20")


# Each bracket's edge and the fen above it: the rate applies to the whole base (step function).
BOUNDARIES = [
    ("salaried", "1.00", "0.01", "salaried_le_3000"),
    ("salaried", "3000.00", "15.00", "salaried_le_3000"),
    ("salaried", "3000.01", "30.00", "salaried_le_5000"),
    ("salaried", "5000.00", "50.00", "salaried_le_5000"),
    ("salaried", "5000.01", "75.00", "salaried_le_10000"),
    ("salaried", "10000.00", "150.00", "salaried_le_10000"),
    ("salaried", "10000.01", "200.00", "salaried_gt_10000"),
    ("retired", "5000.00", "25.00", "retired_le_5000"),
    ("retired", "5000.01", "50.00", "retired_gt_5000"),
    ("other", "3000.00", "15.00", "salaried_le_3000"),  # other income: the salaried table
    ("other", "10000.01", "200.00", "salaried_gt_10000"),
]


@pytest.mark.parametrize(("category", "base", "amount", "rule"), BOUNDARIES)
def test_bracket_boundaries(category: str, base: str, amount: str, rule: str) -> None:
    quote = monthly_dues(category, D(base))
    assert (quote.amount, quote.rule) == (D(amount), rule)


@pytest.mark.parametrize(
    ("category", "base", "amount"),
    [
        ("salaried", "1001.00", "5.01"),  # 5.005: half up, not to even
        ("salaried", "1003.00", "5.02"),  # 5.015
        ("salaried", "1000.99", "5.00"),  # 5.00495
        ("salaried", "5000.30", "75.00"),  # 75.0045
        ("salaried", "5001.00", "75.02"),  # 75.015
        ("retired", "4321.10", "21.61"),  # 21.6055
        ("salaried", "3333.33", "33.33"),
    ],
)
def test_rounding_is_half_up_to_the_fen(category: str, base: str, amount: str) -> None:
    assert monthly_dues(category, D(base)).amount == D(amount)


def test_rule_text_names_the_rate() -> None:
    quote = monthly_dues("salaried", D("8000"))
    assert quote.rate == D("0.015") and "1.5%" in quote.text and "8000" not in quote.rule
    assert "0.20" in monthly_dues("relief").text


@pytest.mark.parametrize("category", ["student", "unemployed", "relief"])
def test_flat_categories(category: str) -> None:
    quote = monthly_dues(category)
    assert (quote.amount, quote.rule, quote.rate) == (D("0.20"), "flat_0_20", None)


@pytest.mark.parametrize("fixed", ["0.20", "0.50", "1.00"])
def test_farmer_fixed_amounts_in_range(fixed: str) -> None:
    quote = monthly_dues("farmer", fixed=D(fixed))
    assert (quote.amount, quote.rule) == (D(fixed), "farmer_fixed")


def _refused(field: str, *args: object, **kwargs: object) -> str:
    with pytest.raises(ValidationError) as info:
        monthly_dues(*args, **kwargs)  # type: ignore[arg-type]
    assert list(info.value.message_dict) == [field], info.value.message_dict
    return info.value.message_dict[field][0]


def test_farmer_out_of_range_or_missing_is_refused() -> None:
    assert "0.20 to 1.00" in _refused("fixed", "farmer", fixed=D("0.19"))
    _refused("fixed", "farmer", fixed=D("1.01"))
    _refused("fixed", "farmer", fixed=D("0"))
    _refused("fixed", "farmer")
    _refused("fixed", "farmer", fixed=D("0.505"))  # beyond the fen
    _refused("base", "farmer", base=D("3000"), fixed=D("0.5"))


@pytest.mark.parametrize(
    "base",
    [
        D("-1"),
        D("-0.01"),
        D("0"),
        D("NaN"),
        D("sNaN"),
        D("Infinity"),
        D("-Infinity"),
        D("3000.005"),
        D("0.99"),
    ],
)
def test_bad_bases_are_refused(base: Decimal) -> None:
    _refused("base", "salaried", base)


def test_base_limits_and_precision() -> None:
    assert monthly_dues("salaried", D("8000.000")).amount == D("120.00")  # exactly 8000.00: fine
    assert monthly_dues("salaried", D("9999999999.99")).amount == D("199999999.9998").quantize(D("0.01"))
    assert "too large" in _refused("base", "salaried", D("10000000000.00"))
    assert "two decimal places" in _refused("base", "salaried", D("3000.001"))


def test_missing_or_unused_inputs_are_refused() -> None:
    _refused("base", "salaried")
    _refused("fixed", "salaried", D("3000"), D("0.5"))
    _refused("base", "student", D("3000"))
    _refused("fixed", "student", fixed=D("0.5"))
    _refused("category", "pensioner", D("3000"))
    _refused("category", "", D("3000"))


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("-5", "negative"),
        ("abc", "invalid"),
        ("", "invalid"),
        ("NaN", "invalid"),
        ("inf", "invalid"),
        ("1e3", "invalid"),
        ("8,000", "invalid"),
        ("8000.005", "precision"),
        ("0", "zero"),
        (None, "invalid"),
    ],
)
def test_parse_money_refuses(raw: object, code: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_money(raw, "base")
    assert info.value.error_dict["base"][0].code == code


def test_parse_money_reads_plain_decimals() -> None:
    assert parse_money(" 8000 ", "base") == D("8000.00")
    assert parse_money("3000.01", "base") == D("3000.01")
    assert parse_money("8000.50", "base") == D("8000.50")


def test_every_category_has_a_rule() -> None:
    inputs = {"farmer": {"fixed": D("0.5")}, "salaried": {"base": D("1")}}
    for category in DuesCategory.values:
        kwargs = inputs.get(category) or ({"base": D("1")} if category in ("retired", "other") else {})
        assert monthly_dues(category, **kwargs).amount > 0


@given(st.integers(min_value=100, max_value=10**11))
def test_whole_base_step_function_property(fen: int) -> None:
    """For any base in fen: amount = round_half_up(base × the bracket's rate), never negative,
    and a larger base never pays less within the same bracket."""
    base = D(fen) / 100
    quote = monthly_dues("salaried", base)
    rate = (
        D("0.005")
        if base <= 3000
        else D("0.01")
        if base <= 5000
        else D("0.015")
        if base <= 10000
        else D("0.02")
    )
    assert quote.rate == rate
    exact = base * rate
    assert abs(quote.amount - exact) <= D("0.005")
    assert quote.amount.as_tuple().exponent == -2
