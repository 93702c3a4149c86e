"""The standing dues rule (中组发〔2008〕3号, restated in spec/dues.md) as one pure function.

`monthly_dues(category, base=None, fixed=None)` returns the monthly amount and the rule applied.
No database, no clock: the services, the pages, the API quote, the CLI and the tests all call it.

Decisions (the rule leaves them open; the platform fixes them here):
- The rate applies to the *whole* base (a step function, not progressive brackets): 3000.01 on
  the salaried table is 1 % of 3000.01 = 30.00, not 0.5 % of 3000 plus 1 % of 0.01.
- Money is Decimal, never float; the product is rounded to the fen, half up (1001 × 0.5 % =
  5.005 → 5.01).
- A base must be a positive whole number of fen. More than two decimal places is refused, not
  rounded: a base is copied from a pay slip, and a third decimal is a typing error whose silent
  rounding would hide it ("8000.000" is fine: it is exactly 8000.00). Zero is refused too, and
  so is a base under 1.00 (its dues round to 0.00): a member without income pays the flat 0.20
  of the unemployed rule, not 0.5 % of nothing.
  Negative, NaN, infinite, exponent notation and non-numeric bases are refused.
- Categories without a base (farmer, student, unemployed, relief) refuse a base, and the
  categories with one refuse a fixed amount: an ignored field would let a client believe it
  was used.
"""

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

FEN = Decimal("0.01")
# The largest amount a DecimalField(max_digits=12, decimal_places=2) holds.
MAX_MONEY = Decimal("9999999999.99")
FLAT_AMOUNT = Decimal("0.20")
FARMER_MIN = Decimal("0.20")
FARMER_MAX = Decimal("1.00")
# A single voluntary payment of this much or more is recorded separately (大额党费).
LARGE_VOLUNTARY = Decimal("1000")


class DuesCategory(models.TextChoices):
    SALARIED = "salaried", gettext_lazy("Salaried (wage income)")
    RETIRED = "retired", gettext_lazy("Retired (pension)")
    FARMER = "farmer", gettext_lazy("Farmer (fixed amount set by the branch)")
    STUDENT = "student", gettext_lazy("Student")
    UNEMPLOYED = "unemployed", gettext_lazy("Laid off or unemployed")
    RELIEF = "relief", gettext_lazy("Living on relief, bereavement pension or minimum living allowance")
    OTHER = "other", gettext_lazy("Other income (on the salaried table)")


BASE_CATEGORIES = frozenset({DuesCategory.SALARIED, DuesCategory.RETIRED, DuesCategory.OTHER})
FLAT_CATEGORIES = frozenset({DuesCategory.STUDENT, DuesCategory.UNEMPLOYED, DuesCategory.RELIEF})

# (upper bound of the base, inclusive — None for no bound; rate; rule code). The first row whose
# bound is not below the base applies, to the whole base.
SALARIED_TABLE: tuple[tuple[Decimal | None, Decimal, str], ...] = (
    (Decimal("3000"), Decimal("0.005"), "salaried_le_3000"),
    (Decimal("5000"), Decimal("0.01"), "salaried_le_5000"),
    (Decimal("10000"), Decimal("0.015"), "salaried_le_10000"),
    (None, Decimal("0.02"), "salaried_gt_10000"),
)
RETIRED_TABLE: tuple[tuple[Decimal | None, Decimal, str], ...] = (
    (Decimal("5000"), Decimal("0.005"), "retired_le_5000"),
    (None, Decimal("0.01"), "retired_gt_5000"),
)
RULE_FARMER = "farmer_fixed"
RULE_FLAT = "flat_0_20"
# Applied on top of the rule by an approved reduction (see queries.Due), never by this module.
RULE_REDUCED = "reduced"
RULE_EXEMPT = "exempt"


@dataclass(frozen=True)
class Quote:
    amount: Decimal  # per month, in yuan, exactly two decimal places
    rule: str  # a stable code, e.g. "salaried_le_10000"
    text: str  # the rule in words, in the active language
    rate: Decimal | None = None  # the share of the base, when the rule has one


def _invalid(field: str, message: str, code: str) -> ValidationError:
    """An error on `field` whose code survives into `error_dict` (the API and tests read it)."""
    return ValidationError({field: ValidationError(message, code=code)})


_PLAIN_NUMBER = re.compile(r"^\d+(\.\d+)?$")


def parse_money(raw: object, field: str) -> Decimal:
    """A text (query string, CLI, form) → Decimal, or a ValidationError on `field` saying why.

    Only plain decimal notation is read ("8000", "8000.5"): no sign, exponent, spaces inside,
    thousands separators, NaN or infinity."""
    text = str(raw).strip() if raw is not None else ""
    if text.startswith("-") and _PLAIN_NUMBER.match(text[1:]):
        raise _invalid(field, _("The amount cannot be negative."), "negative")
    if not _PLAIN_NUMBER.match(text):
        raise _invalid(field, _("Enter an amount in yuan, e.g. 8000 or 8000.50."), "invalid")
    return check_money(Decimal(text), field)


def check_money(value: Decimal, field: str, *, allow_zero: bool = False) -> Decimal:
    """`value` as an amount in fen (two places), or a ValidationError on `field`."""
    try:
        finite = value.is_finite()
    except AttributeError:  # not a Decimal at all (a float would already have lost the fen)
        finite = False
    if not finite:
        raise _invalid(field, _("Enter an amount in yuan, e.g. 8000 or 8000.50."), "invalid")
    if value < 0:
        raise _invalid(field, _("The amount cannot be negative."), "negative")
    if value == 0 and not allow_zero:
        raise _invalid(field, _("The amount must be more than 0."), "zero")
    try:
        exact = value.quantize(FEN)
    except InvalidOperation:  # more digits than the context holds: far beyond MAX_MONEY anyway
        exact = None
    if exact is None or exact > MAX_MONEY:
        raise _invalid(field, _("The amount is too large."), "too_large")
    if exact != value:
        raise _invalid(
            field, _("Give the amount in yuan with at most two decimal places (fen)."), "precision"
        )
    return exact


def _percent(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}%"


def _step(table: tuple[tuple[Decimal | None, Decimal, str], ...], base: Decimal) -> tuple[Decimal, str]:
    for bound, rate, code in table:
        if bound is None or base <= bound:
            return rate, code
    raise AssertionError("the last row of a rate table has no bound")  # pragma: no cover


def _rule_text(category: str, rule: str, rate: Decimal | None) -> str:
    texts = {
        "salaried_le_3000": _("base up to 3000"),
        "salaried_le_5000": _("base over 3000 up to 5000"),
        "salaried_le_10000": _("base over 5000 up to 10000"),
        "salaried_gt_10000": _("base over 10000"),
        "retired_le_5000": _("pension up to 5000"),
        "retired_gt_5000": _("pension over 5000"),
    }
    if rule == RULE_FARMER:
        return _("Farmer: a fixed amount from 0.20 to 1.00 a month, set by the branch")
    if rule == RULE_FLAT:
        return _("%(category)s: 0.20 a month") % {"category": DuesCategory(category).label}
    table = _("salaried table") if rule.startswith("salaried") else _("retired table")
    return _("%(category)s, %(bracket)s: %(rate)s of the whole base (%(table)s)") % {
        "category": DuesCategory(category).label,
        "bracket": texts[rule],
        "rate": _percent(rate or Decimal(0)),
        "table": table,
    }


def monthly_dues(category: str, base: Decimal | None = None, fixed: Decimal | None = None) -> Quote:
    """The monthly dues of a member of `category` with monthly after-tax `base` (salaried,
    retired, other) or the branch's `fixed` amount (farmer). Raises ValidationError, keyed by
    `category`, `base` or `fixed`, for anything the rule does not define."""
    if category not in DuesCategory.values:
        raise _invalid("category", _("Choose a valid dues category."), "category")
    if category in BASE_CATEGORIES:
        if fixed is not None:
            raise _invalid(
                "fixed", _("Only farmers pay a fixed amount; this category pays on its base."), "not_used"
            )
        if base is None:
            raise _invalid("base", _("Enter the monthly base (after tax)."), "required")
        base = check_money(base, "base")
        table = RETIRED_TABLE if category == DuesCategory.RETIRED else SALARIED_TABLE
        rate, rule = _step(table, base)
        amount = (base * rate).quantize(FEN, rounding=ROUND_HALF_UP)
        if amount == 0:  # a base under 1.00: no income to speak of
            raise _invalid(
                "base",
                _("This base gives no dues; a member without income pays 0.20 (unemployed)."),
                "too_small",
            )
        return Quote(amount, rule, _rule_text(category, rule, rate), rate)
    if base is not None:
        raise _invalid("base", _("This category pays a fixed amount; no base is used."), "not_used")
    if category == DuesCategory.FARMER:
        if fixed is None:
            raise _invalid("fixed", _("Enter the amount the branch set, from 0.20 to 1.00."), "required")
        fixed = check_money(fixed, "fixed")
        if not FARMER_MIN <= fixed <= FARMER_MAX:
            raise _invalid("fixed", _("A farmer's dues are from 0.20 to 1.00 a month."), "out_of_range")
        return Quote(fixed, RULE_FARMER, _rule_text(category, RULE_FARMER, None))
    if fixed is not None:
        raise _invalid("fixed", _("Only farmers pay a fixed amount; this category pays 0.20."), "not_used")
    return Quote(FLAT_AMOUNT, RULE_FLAT, _rule_text(category, RULE_FLAT, None))
