"""Where a year stands on a given day: which period is current, how much of it is gone, what is
due next. Statuses depend on the day, so the engine takes `today` and tests pin it."""

from dataclasses import dataclass
from datetime import date, timedelta

PERIODS_IN_YEAR = {"month": 12, "quarter": 4, "year": 1}


@dataclass(frozen=True)
class Clock:
    year: int
    today: date

    @property
    def over(self) -> bool:
        return self.today > date(self.year, 12, 31)

    @property
    def started(self) -> bool:
        return self.today >= date(self.year, 1, 1)

    @property
    def year_end(self) -> date:
        return date(self.year, 12, 31)

    @property
    def as_of(self) -> date:
        """The day a standing condition is judged on: today, or the year's last day if past."""
        return min(self.today, self.year_end)

    def current(self, period: str) -> int:
        """1-based index of the current period; 1 before the year starts; n + 1 once it is over."""
        n = PERIODS_IN_YEAR[period]
        if self.over:
            return n + 1
        if not self.started:
            return 1
        month = self.today.month
        return {"month": month, "quarter": (month - 1) // 3 + 1, "year": 1}[period]

    def period_bounds(self, period: str, index: int) -> tuple[date, date]:
        """First and last day of period `index` of the year."""
        months = 12 // PERIODS_IN_YEAR[period]
        first = date(self.year, (index - 1) * months + 1, 1)
        end_month = index * months
        last = (
            date(self.year + 1, 1, 1) if end_month == 12 else date(self.year, end_month + 1, 1)
        ) - timedelta(days=1)
        return first, last

    def share_gone(self, first: date, last: date) -> float:
        """Share of [first, last] that has passed by the end of today."""
        total = (last - first).days + 1
        gone = (min(self.today, last) - first).days + 1
        return max(0.0, min(1.0, gone / total))

    def deadline(self, mm_dd: str) -> date:
        month, day = (int(x) for x in mm_dd.split("-"))
        return date(self.year, month, day)
