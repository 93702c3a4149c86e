"""Reading whole numbers from query strings and forms without a 500."""

# `str.isdigit()` is true for "²" and "٣", and `int()` refuses the first and any string over
# 4,300 digits: `int(raw) if raw.isdigit()` answered `?year=²` with a 500. Plain ASCII digits,
# at most 18 of them (any id or year fits, and so does a 64-bit column), are what `int()` takes.
MAX_DIGITS = 18


def is_int(raw: str) -> bool:
    """True when `int(raw)` gives a non-negative number that fits a 64-bit column."""
    return raw.isascii() and raw.isdigit() and len(raw) <= MAX_DIGITS
