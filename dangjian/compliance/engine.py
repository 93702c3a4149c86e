"""Computing and storing results: a full recompute of a subtree in set-based SQL, and the
incremental refresh of one organization after a write, with its ancestors' rollups adjusted by
the difference.

Full recompute, per rule set and year: for every measured rule, one DELETE and one
INSERT … SELECT over all applicable organizations; then the rollups bottom-up, one statement per
tree level; then coverage rules (they read the rollups) and their own rollups.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from dangjian.core.tree import STEPLEN, subtree_q
from dangjian.organizations.models import Organization

from . import kinds, rollups
from .clock import Clock
from .models import Result, Rollup, Rule, RuleKind, RuleSet, Snapshot, Tally
from .sql import Sql, table

RESULT_COLUMNS = "(organization_id, rule_id, year, value, target, status, due_on, computed_at)"


@dataclass
class Summary:
    rules: int = 0
    results: int = 0
    rollups: int = 0


def active_rule_sets(year: int) -> list[RuleSet]:
    sets = RuleSet.objects.filter(active=True).filter(Q(year=year) | Q(year__isnull=True))
    return list(sets.select_related("scope").prefetch_related("rules"))


def applicable(rule: Rule, rule_set: RuleSet) -> Q:
    q = Q()
    if rule_set.scope_id:
        q &= subtree_q(rule_set.scope.path)  # type: ignore[union-attr]
    applies = rule.spec.get("applies_to", {})
    if applies.get("kinds"):
        q &= Q(kind__in=applies["kinds"])
    if applies.get("sectors"):
        q &= Q(sector__in=applies["sectors"])
    if applies.get("levels"):
        q &= Q(depth__in=applies["levels"])
    return q


def _orgs(q: Q) -> QuerySet[Any]:
    return Organization.objects.filter(q).order_by().values("id")


def _context(
    rule: Rule, rule_set: RuleSet, clock: Clock, orgs: Q, only_org: int | None = None
) -> kinds.Context:
    warn = rule.spec.get("warn_days", rule_set.settings.get("warn_days", 14))
    return kinds.Context(
        rule,
        clock,
        timezone.now(),
        warn,
        _orgs(applicable(rule, rule_set) & orgs),
        only_org=only_org,
        settings=rule_set.settings,
    )


def _insert(select: Sql) -> int:
    return Sql(f"INSERT INTO {table(Result)} {RESULT_COLUMNS} ").add(select.text, *select.params).execute()


def recompute(year: int, within: Organization | None = None, today: date | None = None) -> Summary:
    """Results and rollups of `year` for every organization of `within`'s subtree (all when
    None), and the rollups of `within`'s ancestors, in one transaction."""
    clock = Clock(year, today or timezone.localdate())
    summary = Summary()
    where = subtree_q(within.path) if within else Q()
    with transaction.atomic():
        # Results of replaced versions would otherwise linger beside the active version's.
        replaced = list(Rule.objects.filter(rule_set__active=False).values_list("pk", flat=True))
        Result.objects.filter(year=year, rule_id__in=replaced).delete()
        Rollup.objects.filter(year=year, rule_id__in=replaced).delete()
        for rule_set in active_rule_sets(year):
            rules = [r for r in rule_set.rules.all() if r.measured]
            plain = [r for r in rules if r.kind != RuleKind.COVERAGE]
            cover = [r for r in rules if r.kind == RuleKind.COVERAGE]
            summary.results += _replace(plain, rule_set, clock, where)
            summary.rollups += rollups.rebuild([r.pk for r in plain], year, within)
            by_code = {r.code: r for r in rules}
            for rule in cover:
                ctx = _context(rule, rule_set, clock, where)
                Result.objects.filter(rule=rule, year=year).filter(_in_subtree(within)).delete()
                summary.results += _insert(kinds.coverage(ctx, by_code[rule.spec["of"]]))
            summary.rollups += rollups.rebuild([r.pk for r in cover], year, within)
            summary.rules += len(rules)
        rollups.tally(year, within)
        if clock.today.year == year:
            rollups.snapshot(year, clock.today.month, within)
        _analyze()
    return summary


def _analyze() -> None:
    """Fresh planner statistics for the tables just rewritten. Without them PostgreSQL
    estimated 1,300 rows where 2 million had just been inserted, and read a township's results
    by scanning every result of its rules (330 ms) instead of by organization (1 ms)."""
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(table(m) for m in (Result, Rollup, Tally, Snapshot))
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")


def _in_subtree(within: Organization | None) -> Q:
    return subtree_q(within.path, "organization__path") if within else Q()


def _replace(rules: list[Rule], rule_set: RuleSet, clock: Clock, where: Q) -> int:
    # One INSERT … SELECT per rule. Rules counting kinds of meetings each read their own kind
    # through the (kind, status, starts_at) index, so together they read each meeting once;
    # grouping the meetings once into a temporary table for all of them was measured slower.
    written = 0
    for rule in rules:
        ctx = _context(rule, rule_set, clock, where)
        Result.objects.filter(rule=rule, year=clock.year, organization_id__in=ctx.orgs).delete()
        written += _insert(kinds.BUILDERS[rule.kind](ctx))
    return written


def refresh(org_id: int, year: int, today: date | None = None) -> int:
    """Recompute one organization's results for `year` and move its ancestors' rollups by the
    difference; returns how many results changed status. Idempotent: a second run changes
    nothing. Concurrent refreshes of one organization queue on its row lock."""
    clock = Clock(year, today or timezone.localdate())
    changed = 0
    with transaction.atomic():
        org = Organization.objects.select_for_update().filter(pk=org_id).first()
        if org is None:
            return 0
        chain = _ancestors(org)
        touched = [org.pk, *(a.pk for a in chain)]
        for rule_set in active_rule_sets(year):
            rules = [r for r in rule_set.rules.all() if r.measured]
            plain = [r for r in rules if r.kind != RuleKind.COVERAGE]
            changed += _refresh_rules(
                plain, rule_set, clock, org, chain, lambda ctx, r: kinds.BUILDERS[r.kind](ctx)
            )
            by_code = {r.code: r for r in rules}
            for target in [org, *chain] if org.numchild else chain:
                above = [a for a in chain if len(a.path) < len(target.path)]
                changed += _refresh_rules(
                    [r for r in rules if r.kind == RuleKind.COVERAGE],
                    rule_set,
                    clock,
                    target,
                    above,
                    lambda ctx, r, of=by_code: kinds.coverage(ctx, of[r.spec["of"]]),
                )
        if changed:
            rollups.tally(year, org_ids=touched)
    return changed


def _refresh_rules(
    rules: list[Rule],
    rule_set: RuleSet,
    clock: Clock,
    org: Organization,
    chain: list[Organization],
    build: Any,
) -> int:
    if not rules:
        return 0
    ids = [r.pk for r in rules]
    mine = Result.objects.filter(organization_id=org.pk, year=clock.year, rule_id__in=ids)
    before = dict(mine.values_list("rule_id", "status"))
    mine.delete()
    for rule in rules:
        _insert(build(_context(rule, rule_set, clock, Q(pk=org.pk), only_org=org.pk), rule))
    after = dict(mine.values_list("rule_id", "status"))
    holders = [a.pk for a in chain] + ([org.pk] if org.numchild else [])
    changed = 0
    for rule_id in ids:
        old, new = before.get(rule_id), after.get(rule_id)
        if old != new:
            changed += 1
            rollups.shift(holders, rule_id, clock.year, old, new)
    return changed


def _ancestors(org: Organization) -> list[Organization]:
    paths = [org.path[: k * STEPLEN] for k in range(1, org.depth)]
    return list(Organization.objects.filter(path__in=paths).order_by("-depth")) if paths else []
