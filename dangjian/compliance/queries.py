"""Reads for the compliance pages, exports and API: stored rows only (results, rollups,
snapshots), never a scan of the domains' records. Every function here costs a fixed number of
queries whatever the size of the subtree; the one exception is `periods`, the live per-period
detail of a single organization's monthly or quarterly rule (one small grouped query).

A committee's matrix row for a child comes from the child's rollup when it has organizations
below (its whole subtree) and from the child's own result when it is a leaf (one organization).
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.db.models.functions import ExtractMonth, ExtractQuarter
from django.utils.dates import MONTHS
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from dangjian.core.icons import icon
from dangjian.core.tree import ancestor_paths, subtree_q
from dangjian.organizations.models import Organization

from . import metrics
from .clock import PERIODS_IN_YEAR, Clock
from .models import STORED_STATUSES, Result, Rollup, Rule, RuleKind, Snapshot, Status, Tally

# A result the engine has not stored (yet) for an applicable rule: shown, never as passed.
NOT_COMPUTED = "not_computed"
TOP = 20
TERMS_METRIC = "terms.overdue"
DUES_PREFIX = "dues."

# Badge of each status: colour and icon, and always the text (colour is never the only cue).
BADGES: dict[str, tuple[str, str]] = {
    Status.MET: ("text-bg-success", icon("check-circle-fill")),
    Status.ON_TRACK: ("text-bg-info", icon("arrow-right-circle")),
    Status.AT_RISK: ("text-bg-warning", icon("exclamation-triangle-fill")),
    Status.OVERDUE: ("text-bg-danger", icon("x-octagon-fill")),
    Status.NOT_APPLICABLE: ("text-bg-secondary", icon("dash-circle")),
    Status.NOT_MEASURED: ("border border-secondary text-secondary bg-white", icon("circle")),
    NOT_COMPUTED: ("border border-secondary text-secondary bg-white", icon("hourglass")),
}


def status_label(status: str) -> str:
    if status == NOT_COMPUTED:
        return _("Not computed yet")
    return str(Status(status).label)


def rule_title(rule: Rule) -> str:
    """The rule's title in the reader's language (rule files give Chinese and English)."""
    if rule.title_en and (get_language() or "").startswith("en"):
        return rule.title_en
    return rule.title


def metric_names(rule: Rule) -> list[str]:
    spec = rule.spec
    names = list(spec.get("metrics", []))
    for key in ("metric", "population"):
        if spec.get(key):
            names.append(spec[key])
    return names


def records_url(rule: Rule, org: Organization, year: int) -> str:
    """Where the records that count for `rule` are listed, for `org` (no query)."""
    for name in metric_names(rule):
        try:
            metric = metrics.get(name)
        except KeyError:
            continue
        if metric.records is not None:
            return metric.records(org, year)
    return ""


def _sets_for(year: int) -> Q:
    return Q(rule_set__active=True) & (Q(rule_set__year=year) | Q(rule_set__year__isnull=True))


def rules_over(org: Organization, year: int) -> list[Rule]:
    """Rules of the active rule sets of `year` whose scope contains `org` (one query)."""
    paths = [*ancestor_paths(org.path), org.path]
    q = _sets_for(year) & (Q(rule_set__scope__isnull=True) | Q(rule_set__scope__path__in=paths))
    return list(Rule.objects.filter(q).select_related("rule_set").order_by("rule_set__code", "position"))


def rules_within(org: Organization, year: int) -> list[Rule]:
    """Measured rules of the active rule sets of `year` that reach some organization of `org`'s
    subtree: scope above `org`, none, or inside it (one query)."""
    paths = [*ancestor_paths(org.path), org.path]
    scope = Q(rule_set__scope__isnull=True) | Q(rule_set__scope__path__in=paths)
    scope |= subtree_q(org.path, "rule_set__scope__path")
    rows = Rule.objects.filter(_sets_for(year) & scope).exclude(kind=RuleKind.NOT_MEASURED)
    return list(rows.select_related("rule_set").order_by("rule_set__code", "position"))


def applies(rule: Rule, org: Organization) -> bool:
    """`applies_to` of the rule, judged in Python for one organization (the engine does it in SQL)."""
    spec = rule.spec.get("applies_to", {})
    if spec.get("kinds") and org.kind not in spec["kinds"]:
        return False
    if spec.get("sectors") and org.sector not in spec["sectors"]:
        return False
    return not (spec.get("levels") and org.depth not in spec["levels"])


def progress_text(rule: Rule, value: int, target: int) -> str:
    kind, period = rule.kind, rule.spec.get("period")
    n = {"value": value, "target": target}
    if kind == RuleKind.COUNT and period == "month":
        return _("%(value)d of %(target)d months met") % n
    if kind == RuleKind.COUNT and period == "quarter":
        return _("%(value)d of %(target)d quarters met") % n
    if kind == RuleKind.COUNT:
        return _("%(value)d of at least %(target)d") % n
    if kind == RuleKind.DEADLINE:
        return _("%(value)d of %(target)d records in place") % n
    if kind == RuleKind.PER_PERSON:
        return _("%(value)d of %(target)d persons") % n
    if kind == RuleKind.COVERAGE:
        return _("%(value)d of %(target)d organizations met") % n
    if kind == RuleKind.STATE:
        if not value:
            return _("Nothing needs attention")
        return ngettext("%(value)d needs attention", "%(value)d need attention", value) % n
    return ""


@dataclass
class Item:
    """One rule on an organization's checklist."""

    rule: Rule
    status: str
    result: Result | None = None
    records_url: str = ""

    @property
    def title(self) -> str:
        return rule_title(self.rule)

    @property
    def status_label(self) -> str:
        return status_label(self.status)

    @property
    def badge(self) -> str:
        return BADGES[self.status][0]

    @property
    def icon(self) -> str:
        return BADGES[self.status][1]

    @property
    def progress(self) -> str:
        r = self.result
        return progress_text(self.rule, r.value, r.target) if r else ""

    @property
    def due_on(self) -> date | None:
        return self.result.due_on if self.result else None

    @property
    def periodic(self) -> bool:
        return (
            self.rule.kind == RuleKind.COUNT
            and self.rule.spec.get("period") in ("month", "quarter")
            and self.status not in (Status.NOT_APPLICABLE, Status.NOT_MEASURED)
        )


def checklist(org: Organization, year: int) -> list[Item]:
    """Each rule of the active rule sets of `year` over `org`, in order, with its result
    (two queries)."""
    rules = rules_over(org, year)
    stored = {
        r.rule_id: r
        for r in Result.objects.filter(organization=org, year=year, rule_id__in=[x.pk for x in rules])
    }
    items = []
    for rule in rules:
        result = stored.get(rule.pk)
        status: str
        if not rule.measured:
            status = Status.NOT_MEASURED
        elif result is not None:
            status = result.status
        elif not applies(rule, org) or rule.kind == RuleKind.COVERAGE:
            # A coverage rule has a result only where there are organizations below to cover.
            status = Status.NOT_APPLICABLE
        else:
            status = NOT_COMPUTED
        link = records_url(rule, org, year) if status != Status.NOT_APPLICABLE else ""
        items.append(Item(rule, status, result, link))
    return items


@dataclass
class Period:
    label: str
    count: int
    met: bool
    future: bool
    current: bool = False
    before_start: bool = False  # before the rule's first period: not asked for

    @property
    def missed(self) -> bool:
        return not self.met and not self.future and not self.current and not self.before_start


def periods(item: Item, org: Organization, year: int, today: date) -> list[Period]:
    """Per-period counts of a monthly or quarterly count rule for one organization, computed
    live from the metric's rows (one grouped query per table of the metric, over that
    organization's facts)."""
    spec = item.rule.spec
    period, minimum, start = spec["period"], spec["min"], spec.get("start", 1)
    metric = metrics.get(spec["metric"])
    assert isinstance(metric, metrics.Events)
    index = ExtractMonth if period == "month" else ExtractQuarter
    counts: dict[int, int] = {}
    for part in metric.parts():
        rows = (
            part.rows_of(year, item.rule.rule_set.settings)
            .filter(**{part.org: org.pk})
            .order_by()
            .values(cx_p=index(part.on))
            .annotate(cx_n=Count("*"))
        )
        for row in rows:
            counts[row["cx_p"]] = counts.get(row["cx_p"], 0) + row["cx_n"]
    clock = Clock(year, today)
    current = clock.current(period)
    out = []
    for i in range(1, PERIODS_IN_YEAR[period] + 1):
        label = str(MONTHS[i]) if period == "month" else _("Q%(n)d") % {"n": i}
        n = counts.get(i, 0)
        out.append(Period(label, n, n >= minimum and i >= start, i > current, i == current, i < start))
    return out


# --- the committee's matrix -------------------------------------------------------------------


@dataclass
class Cell:
    applicable: int = 0
    met: int = 0
    on_track: int = 0
    at_risk: int = 0
    overdue: int = 0

    @property
    def share(self) -> float | None:
        return self.met / self.applicable if self.applicable else None

    @property
    def percent(self) -> int | None:
        share = self.share
        return None if share is None else round(share * 100)

    @property
    def tone(self) -> str:
        """Background class by share met: green at 100 %, light green from 80 %, amber from 50 %,
        red below; grey when the rule applies to none."""
        p = self.percent
        if p is None:
            return "dj-na"
        return "dj-good" if p >= 100 else "dj-fair" if p >= 80 else "dj-weak" if p >= 50 else "dj-bad"

    def counts(self) -> dict[str, int]:
        return {s.value: getattr(self, s.value) for s in STORED_STATUSES}

    def add(self, other: "Cell") -> None:
        self.applicable += other.applicable
        for s in STORED_STATUSES:
            setattr(self, s.value, getattr(self, s.value) + getattr(other, s.value))


@dataclass
class Row:
    org: Organization
    cells: list[Cell]
    total: Cell = field(default_factory=Cell)


@dataclass
class Column:
    rule: Rule

    @property
    def title(self) -> str:
        return rule_title(self.rule)


@dataclass
class Matrix:
    org: Organization
    year: int
    columns: list[Column]
    rows: list[Row]
    own: list[Cell]  # the committee's own rollups: its whole subtree, itself included
    total: Cell
    most_overdue: list[dict[str, Any]]
    terms_overdue: list[Result]
    dues_at_risk: list[Result]
    trend: list[Snapshot]


def _cell(source: Any) -> Cell:
    return Cell(source.applicable, source.met, source.on_track, source.at_risk, source.overdue)


def _of_status(status: str) -> Cell:
    """The cell of one organization's own result."""
    cell = Cell(applicable=1)
    setattr(cell, status, 1)
    return cell


def _org_filter(prefix: str, sector: str | None, kind: str | None) -> Q:
    q = Q()
    if sector:
        q &= Q(**{f"{prefix}sector": sector})
    if kind:
        q &= Q(**{f"{prefix}kind": kind})
    return q


def matrix(org: Organization, year: int, *, sector: str | None = None, kind: str | None = None) -> Matrix:
    with serial_plans():
        return _matrix(org, year, sector=sector, kind=kind)


@contextmanager
def serial_plans() -> Iterator[None]:
    """Read without parallel workers on PostgreSQL. The top lists are top-20 reads of stored
    rows; for a province or a city the planner chose parallel plans whose workers cost more to
    start than they saved on two cores (the province dashboard's queries: 222 → 138 ms)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        yield


def _matrix(org: Organization, year: int, *, sector: str | None = None, kind: str | None = None) -> Matrix:
    """The committee's children × measured rules, its totals, top lists and trend (ten queries,
    whatever the number of children). `sector` and `kind` narrow the organizations listed."""
    rules = rules_within(org, year)
    ids = [r.pk for r in rules]
    children = list(
        Organization.objects.filter(subtree_q(org.path), depth=org.depth + 1)
        .filter(_org_filter("", sector, kind))
        .order_by("path")
    )
    inner = [c.pk for c in children if c.numchild]
    leaves = [c.pk for c in children if not c.numchild]
    rolled = Rollup.objects.filter(organization_id__in=inner, year=year, rule_id__in=ids)
    by_org: dict[tuple[int, int], Cell] = {(u.organization_id, u.rule_id): _cell(u) for u in rolled}
    # A township lists a couple of hundred branches × rules: read bare tuples, not model objects.
    leaf_rows = Result.objects.filter(organization_id__in=leaves, year=year, rule_id__in=ids)
    for org_id, rule_id, status in leaf_rows.values_list("organization_id", "rule_id", "status"):
        by_org[(org_id, rule_id)] = _of_status(status)
    rows = []
    for child in children:
        cells = [by_org.get((child.pk, rule_id), Cell()) for rule_id in ids]
        row = Row(child, cells)
        for cell in cells:
            row.total.add(cell)
        rows.append(row)
    own_rollups = {
        u.rule_id: _cell(u) for u in Rollup.objects.filter(organization=org, year=year, rule_id__in=ids)
    }
    own = [own_rollups.get(rule_id, Cell()) for rule_id in ids]
    total = Cell()
    for cell in own:
        total.add(cell)
    return Matrix(
        org,
        year,
        [Column(r) for r in rules],
        rows,
        own,
        total,
        most_overdue(org, year, ids, sector=sector, kind=kind),
        _state_results(
            org, year, [r.pk for r in rules if _state_of(r, lambda m: m == TERMS_METRIC)], sector, kind
        ),
        _state_results(
            org,
            year,
            [r.pk for r in rules if _state_of(r, lambda m: m.startswith(DUES_PREFIX))],
            sector,
            kind,
        ),
        trend(org, year),
    )


def _state_of(rule: Rule, test: Any) -> bool:
    return rule.kind == RuleKind.STATE and bool(test(rule.spec.get("metric", "")))


def _below(org: Organization) -> Q:
    return subtree_q(org.path, "organization__path") & ~Q(organization_id=org.pk)


def most_overdue(
    org: Organization,
    year: int,
    rule_ids: Iterable[int],
    *,
    sector: str | None = None,
    kind: str | None = None,
) -> list[dict[str, Any]]:
    """The organizations below `org` with the most overdue results (top 20, one query over the
    stored per-organization tallies; `rule_ids` are all the year's active rules, which is what
    the tallies count)."""
    rows = (
        Tally.objects.filter(_below(org), year=year, overdue__gt=0)
        .filter(_org_filter("organization__", sector, kind))
        .values("organization_id", "overdue")
        .annotate(
            name=F("organization__name"),
            code=F("organization__code"),
            numchild=F("organization__numchild"),
        )
        .order_by("-overdue", "organization__path")[:TOP]
    )
    return [dict(row) for row in rows]


def _state_results(
    org: Organization, year: int, rule_ids: list[int], sector: str | None, kind: str | None
) -> list[Result]:
    """Results of standing-condition rules that count something wrong now (a term overdue,
    members unpaid for six months), worst first: one query."""
    rows = Result.objects.filter(
        subtree_q(org.path, "organization__path"), year=year, rule_id__in=rule_ids, value__gt=0
    ).filter(_org_filter("organization__", sector, kind))
    return list(rows.select_related("organization").order_by("-value", "organization__path")[:TOP])


def trend(org: Organization, year: int) -> list[Snapshot]:
    """The month-end totals of `org` for the year, by month (one query)."""
    return list(Snapshot.objects.filter(organization=org, year=year).order_by("month"))


def is_committee_view(org: Organization) -> bool:
    """A supervision dashboard needs organizations below."""
    return bool(org.numchild)
