"""Quarters of a year (the county assesses each assignment once a quarter)."""

from datetime import date, timedelta


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    first = date(year, 3 * quarter - 2, 1)
    following = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return first, following - timedelta(days=1)


def last_ended(day: date) -> tuple[int, int]:
    """The latest quarter whose last day is `day` or before it (on 31 December: the fourth)."""
    year, quarter = quarter_of(day)
    if day == quarter_bounds(year, quarter)[1]:
        return year, quarter
    return (year - 1, 4) if quarter == 1 else (year, quarter - 1)
