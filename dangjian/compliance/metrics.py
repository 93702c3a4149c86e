"""The facts rules measure, by name. A rule file says `metric: meetings.branch_assembly`; this
registry says which rows that means. Each domain's facts are declared in `sources/`, reading the
domain's querysets, so the engine composes them into set-based SQL and never loops per
organization.

Three shapes:
- Events: dated rows belonging to an organization (a closed meeting, a study plan, a link);
  optionally to a person (a leader's article). Count and deadline rules count them. One fact may
  live in several tables (a branch publishes notices and discussion posts): `more` lists the
  other tables' rows, counted together with the first (UNION ALL), for count and deadline rules.
- Population: the persons a per-person rule covers (the leaders of a committee, the members of
  a branch), with the organization they count under.
- State: organizations with something wrong now (`bad`) or about to be (`warn`), e.g. a term
  overdue or due within six months.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils.functional import Promise

RowsForYear = Callable[[int], QuerySet[Any]]
# Rows that depend on the rule set's settings too (e.g. the read share of point 10).
RowsForYearAndSettings = Callable[[int, Mapping[str, Any]], QuerySet[Any]]
StateRows = Callable[[int, date], QuerySet[Any]]
RecordsLink = Callable[[Any, int], str]


@dataclass(frozen=True)
class Events:
    name: str
    label: "str | Promise"
    rows: RowsForYear  # rows of the year (callers narrow further by date and organization)
    org: str  # lookup of the organization id, e.g. "organization_id"
    on: str  # lookup of the date or datetime that places the row in a period
    person: str = ""  # lookup of the person id, for per-person rules
    topics: tuple[str, ...] = ()  # change events that can alter the count
    records: RecordsLink | None = None  # URL of the records that count, for the checklist
    more: tuple["Events", ...] = ()  # the same facts kept in other tables (no persons)
    # Set instead of `rows` when the rows read the rule set's settings.
    tuned: RowsForYearAndSettings | None = None
    shape: str = field(default="events", init=False)

    def parts(self) -> tuple["Events", ...]:
        return (self, *self.more)

    def rows_of(self, year: int, settings: Mapping[str, Any]) -> QuerySet[Any]:
        return self.tuned(year, settings) if self.tuned is not None else self.rows(year)


@dataclass(frozen=True)
class Population:
    name: str
    label: "str | Promise"
    rows: RowsForYear
    org: str
    person: str
    topics: tuple[str, ...] = ()
    records: RecordsLink | None = None
    shape: str = field(default="population", init=False)


@dataclass(frozen=True)
class State:
    name: str
    label: "str | Promise"
    bad: StateRows  # one row per offending thing (a member unpaid six months)
    org: str
    warn: StateRows | None = None
    topics: tuple[str, ...] = ()
    records: RecordsLink | None = None
    shape: str = field(default="state", init=False)


Metric = Events | Population | State


def by_year_end(unfinished: Callable[[int], QuerySet[Any]]) -> tuple[StateRows, StateRows]:
    """(bad, warn) of a State metric "finished by the year's end": `unfinished(year)` are the
    year's rows still open. The engine judges a past year on its last day (`Clock.as_of`), so a
    row still open on 31 December is wrong; in December before that, it warns. The rows are
    compiled into the engine's SQL, so "none" is year 0, a filter no row meets (not `.none()`)."""

    def bad(year: int, as_of: date) -> QuerySet[Any]:
        return unfinished(year if as_of >= date(year, 12, 31) else 0)

    def warn(year: int, as_of: date) -> QuerySet[Any]:
        return unfinished(year if date(year, 12, 1) <= as_of < date(year, 12, 31) else 0)

    return bad, warn


METRICS: dict[str, Metric] = {}


def register(*metrics: Metric) -> None:
    for metric in metrics:
        METRICS[metric.name] = metric


def get(name: str) -> Metric:
    _load_sources()
    return METRICS[name]


def all_metrics() -> dict[str, Metric]:
    _load_sources()
    return METRICS


def _load_sources() -> None:
    # Imported on first use, not at app loading, so domain models are ready.
    from . import sources  # noqa: F401
