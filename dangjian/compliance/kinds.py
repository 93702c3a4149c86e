"""One SELECT per rule kind, producing stored results for every applicable organization at once:
(organization_id, rule_id, year, value, target, status, due_on, computed_at)."""

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, F, IntegerField, QuerySet, Value
from django.db.models.functions import ExtractMonth, ExtractQuarter

from . import metrics
from .clock import PERIODS_IN_YEAR, Clock
from .models import Rollup, Rule, RuleKind, Status
from .sql import Sql, before, day, moment, table


@dataclass(frozen=True)
class Context:
    rule: Rule
    clock: Clock
    now: datetime
    warn_days: int
    orgs: QuerySet[Any]  # applicable organizations, values("id")
    only_org: int | None = None  # a single organization's refresh: narrow the facts too
    settings: Mapping[str, Any] = field(default_factory=dict)  # the rule set's settings

    def head(self, value: str, target: str, status: str) -> Sql:
        return Sql(f"SELECT o.id, %s, %s, {value}, {target}, {status}, ").add(
            "", self.rule.pk, self.clock.year
        )

    def events(self, name: str) -> tuple[metrics.Events, QuerySet[Any]]:
        metric = metrics.get(name)
        assert isinstance(metric, metrics.Events)
        return metric, self._narrow(metric)

    def parts(self, name: str) -> list[tuple[metrics.Events, QuerySet[Any]]]:
        """Each table of an events metric with its rows (one for most metrics)."""
        metric = metrics.get(name)
        assert isinstance(metric, metrics.Events)
        return [(part, self._narrow(part)) for part in metric.parts()]

    def _narrow(self, metric: metrics.Events) -> QuerySet[Any]:
        rows = metric.rows_of(self.clock.year, self.settings).order_by()
        if self.only_org is not None:
            rows = rows.filter(**{metric.org: self.only_org})
        return rows

    def waiting(self, due: Any) -> str:
        """Status of something not yet met that is due on `due`."""
        if self.clock.today > due:
            return Status.OVERDUE
        return Status.AT_RISK if (due - self.clock.today).days <= self.warn_days else Status.ON_TRACK


def union(parts: list[QuerySet[Any]], keys: str, *, distinct: bool = False) -> Sql:
    """The rows of several tables' querysets of the same columns as one subquery: the first
    alone when there is one (the usual case keeps its plain shape); else UNION ALL of them,
    regrouped on `keys` with their counts summed (or UNION of distinct rows). Each member is
    wrapped in `SELECT * FROM (…)`: SQLite refuses parenthesised members of a compound."""
    if len(parts) == 1:
        text, params = parts[0].query.sql_with_params()
        return Sql(text, list(params))
    inner = Sql()
    for i, qs in enumerate(parts):
        if i:
            inner.add(" UNION " if distinct else " UNION ALL ")
        inner.add("SELECT * FROM ").sub(qs).add(f" u{i}")
    if distinct:
        return inner
    summed = Sql(f"SELECT {keys}, SUM(u.cx_n) AS cx_n FROM ")  # noqa: S608  (keys: this module's constants)
    return summed.nest(inner).add(f" u GROUP BY {keys}")


def count(ctx: Context) -> Sql:
    spec, clock = ctx.rule.spec, ctx.clock
    period, minimum = spec["period"], spec["min"]
    # Periods before `start` are not asked for (e.g. monthly activity from the month a rule begins).
    start = spec.get("start", 1)
    n = PERIODS_IN_YEAR[period]
    index = {"month": ExtractMonth, "quarter": ExtractQuarter}.get(period)
    grouped = union(
        [
            rows.values(cx_org=F(metric.org), cx_p=index(metric.on) if index else Value(1, IntegerField()))
            .annotate(cx_n=Count("*"))
            .order_by()
            for metric, rows in ctx.parts(spec["metric"])
        ],
        "u.cx_org, u.cx_p",
    )
    cur = clock.current(period)
    first, last = clock.period_bounds(period, min(cur, n))
    met_before = "COALESCE(a.met_before, 0)"
    cur_n = "COALESCE(a.cur_n, 0)"
    required = n - start + 1
    if n == 1:
        value, target = "COALESCE(a.total, 0)", str(minimum)
    else:
        value, target = f"({met_before} + CASE WHEN {cur_n} >= {minimum} THEN 1 ELSE 0 END)", str(required)
    if clock.over:
        met_all = "COALESCE(a.total, 0)" if n == 1 else met_before
        goal = minimum if n == 1 else required
        status = f"CASE WHEN {met_all} >= {goal} THEN 'met' ELSE 'overdue' END"
        value = met_all
    elif cur < start:
        # Nothing is asked yet: the first period asked for is the next due.
        first, last = clock.period_bounds(period, start)
        value, status = "0", f"'{ctx.waiting(last)}'"
    else:
        at_risk = (last - clock.today).days <= ctx.warn_days and clock.started
        expected = math.floor(minimum * clock.share_gone(first, last)) if clock.started else 0
        late = (
            f"'{Status.AT_RISK}'"
            if at_risk
            else f"CASE WHEN {cur_n} < {expected} THEN 'at_risk' ELSE 'on_track' END"
        )
        status = (
            f"CASE WHEN {met_before} < {cur - start} THEN 'overdue' "
            f"WHEN {cur_n} >= {minimum} THEN 'met' ELSE {late} END"
        )
    # Due: the end of the current period, or of the next one once the current one is met.
    if not clock.over and start <= cur < n:
        next_last = clock.period_bounds(period, cur + 1)[1]
        sql = ctx.head(value, target, status).add(
            f"CASE WHEN {cur_n} >= {minimum} THEN %s ELSE %s END, %s FROM ",
            day(next_last),
            day(last),
            moment(ctx.now),
        )
    else:
        sql = ctx.head(value, target, status).add("%s, %s FROM ", day(last), moment(ctx.now))
    sql.sub(ctx.orgs).add(" o LEFT JOIN (SELECT g.cx_org AS org_id, ")
    sql.add(
        f"SUM(CASE WHEN g.cx_p < {cur} AND g.cx_p >= {start} AND g.cx_n >= {minimum} THEN 1 ELSE 0 END)"
        " AS met_before, "
    )
    sql.add(f"SUM(CASE WHEN g.cx_p = {cur} THEN g.cx_n ELSE 0 END) AS cur_n, SUM(g.cx_n) AS total FROM ")
    return sql.nest(grouped).add(" g GROUP BY g.cx_org) a ON a.org_id = o.id")


def deadline(ctx: Context) -> Sql:
    spec, clock = ctx.rule.spec, ctx.clock
    due = clock.deadline(spec["due"])
    joins = Sql()
    parts = []
    for i, name in enumerate(spec["metrics"]):
        found = union(
            [
                before(rows, metric.on, due).values(cx_org=F(metric.org)).distinct().order_by()
                for metric, rows in ctx.parts(name)
            ],
            "u.cx_org",
            distinct=True,
        )
        joins.add(" LEFT JOIN ").nest(found).add(f" d{i} ON d{i}.cx_org = o.id")
        parts.append(f"CASE WHEN d{i}.cx_org IS NULL THEN 0 ELSE 1 END")
    value, target = "(" + " + ".join(parts) + ")", str(len(parts))
    status = f"CASE WHEN {value} >= {target} THEN 'met' ELSE '{ctx.waiting(due)}' END"
    sql = (
        ctx.head(value, target, status).add("%s, %s FROM ", day(due), moment(ctx.now)).sub(ctx.orgs).add(" o")
    )
    return sql.add(joins.text, *joins.params)


def per_person(ctx: Context) -> Sql:
    spec, clock = ctx.rule.spec, ctx.clock
    population = metrics.get(spec["population"])
    assert isinstance(population, metrics.Population)
    people = population.rows(clock.year).order_by()
    if ctx.only_org is not None:
        people = people.filter(**{population.org: ctx.only_org})
    metric, rows = (
        ctx.events(spec["metric"])
        if ctx.only_org is None
        else _events_of(ctx, spec["metric"], people, population)
    )
    people_q = people.values(cx_org=F(population.org), cx_person=F(population.person)).distinct().order_by()
    counts = rows.values(cx_person=F(metric.person)).annotate(cx_n=Count("*")).order_by()
    share, minimum = spec["share"], spec["min"]
    status = (
        f"CASE WHEN pp.ok * 100 >= {share} * pp.persons THEN 'met' ELSE '{ctx.waiting(clock.year_end)}' END"
    )
    sql = ctx.head("pp.ok", "pp.persons", status).add("%s, %s FROM ", day(clock.year_end), moment(ctx.now))
    sql.sub(ctx.orgs).add(" o JOIN (SELECT p.cx_org AS org_id, COUNT(*) AS persons, ")
    sql.add(f"SUM(CASE WHEN COALESCE(e.cx_n, 0) >= {minimum} THEN 1 ELSE 0 END) AS ok FROM ").sub(people_q)
    sql.add(" p LEFT JOIN ").sub(counts).add(" e ON e.cx_person = p.cx_person GROUP BY p.cx_org) pp")
    return sql.add(" ON pp.org_id = o.id")


def _events_of(
    ctx: Context, name: str, people: QuerySet[Any], population: metrics.Population
) -> tuple[metrics.Events, QuerySet[Any]]:
    # A person's facts may sit at another organization (a leader's lecture at a branch): narrow
    # by the persons of this organization, not by the organization.
    metric = metrics.get(name)
    assert isinstance(metric, metrics.Events)
    rows = metric.rows_of(ctx.clock.year, ctx.settings).order_by()
    return metric, rows.filter(**{f"{metric.person}__in": people.values(population.person)})


def state(ctx: Context) -> Sql:
    metric = metrics.get(ctx.rule.spec["metric"])
    assert isinstance(metric, metrics.State)
    as_of = ctx.clock.as_of
    joins = Sql()
    for alias, source in (("b", metric.bad), ("w", metric.warn)):
        if source is None:
            continue
        rows = source(ctx.clock.year, as_of).order_by()
        if ctx.only_org is not None:
            rows = rows.filter(**{metric.org: ctx.only_org})
        grouped = rows.values(cx_org=F(metric.org)).annotate(cx_n=Count("*")).order_by()
        joins.add(" LEFT JOIN ").sub(grouped).add(f" {alias} ON {alias}.cx_org = o.id")
    bad = "COALESCE(b.cx_n, 0)"
    warn = "COALESCE(w.cx_n, 0)" if metric.warn is not None else "0"
    status = f"CASE WHEN {bad} > 0 THEN 'overdue' WHEN {warn} > 0 THEN 'at_risk' ELSE 'met' END"
    sql = ctx.head(bad, "0", status).add("NULL, %s FROM ", moment(ctx.now)).sub(ctx.orgs).add(" o")
    return sql.add(joins.text, *joins.params)


def coverage(ctx: Context, of_rule: Rule) -> Sql:
    share, clock = ctx.rule.spec["share"], ctx.clock
    reachable = f"(u.applicable - u.overdue) * 100 < {share} * u.applicable"
    status = (
        f"CASE WHEN u.met * 100 >= {share} * u.applicable THEN 'met' "
        f"WHEN {reachable} THEN 'overdue' ELSE '{ctx.waiting(clock.year_end)}' END"
    )
    sql = ctx.head("u.met", "u.applicable", status).add("%s, %s FROM ", day(clock.year_end), moment(ctx.now))
    sql.sub(ctx.orgs).add(f" o JOIN {table(Rollup)} u ON u.organization_id = o.id")
    return sql.add(" AND u.rule_id = %s AND u.year = %s AND u.applicable > 0", of_rule.pk, clock.year)


BUILDERS: dict[str, Callable[[Context], Sql]] = {
    RuleKind.COUNT: count,
    RuleKind.DEADLINE: deadline,
    RuleKind.PER_PERSON: per_person,
    RuleKind.STATE: state,
}
