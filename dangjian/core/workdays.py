"""Working days for the publicity period (公示期 of at least five working days).

Monday to Friday are working days. The State Council's yearly holiday schedule (public holidays
and the weekend days worked in exchange, 调休) is not modelled: a publicity across a holiday is
counted as if the holiday were worked, so a committee that needs the official count sets a
later end date itself.
"""

from datetime import date, timedelta

PUBLICITY_WORKDAYS = 5


def is_workday(day: date) -> bool:
    return day.weekday() < 5


def nth_workday(start: date, n: int) -> date:
    """The date of the `n`th working day counted from `start` (itself included if a working day)."""
    day, counted = start, 0
    while True:
        if is_workday(day):
            counted += 1
            if counted >= n:
                return day
        day += timedelta(days=1)


def workdays_between(start: date, end: date) -> int:
    """Working days from `start` to `end`, both included (0 when `end` is before `start`)."""
    days = (end - start).days + 1
    return sum(is_workday(start + timedelta(days=i)) for i in range(max(days, 0)))
