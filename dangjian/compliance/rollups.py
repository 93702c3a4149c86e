"""Rollups: per non-leaf organization × rule × year, how many organizations of its subtree
(itself included) have each status.

Built bottom-up, one INSERT … SELECT per tree level: a level's rollup is its own result plus the
results of its leaf children plus the rollups of its non-leaf children, so every result and every
rollup is read once, never a whole subtree per ancestor. Kept current between rebuilds by
`shift`, which moves one count from the old status to the new on every ancestor.
"""

from django.db.models import F, Q

from dangjian.core.tree import STEPLEN, path_successor, subtree_q
from dangjian.organizations.models import Organization

from .models import STORED_STATUSES, Result, Rollup
from .sql import Sql, table

COUNTS = ", ".join(s.value for s in STORED_STATUSES)
COUNTS_U = ", ".join(f"u.{s.value}" for s in STORED_STATUSES)


def rebuild(rule_ids: list[int], year: int, within: Organization | None = None) -> int:
    """Rollups of `rule_ids` for the subtree of `within` (everything when None), then for
    `within`'s ancestors."""
    if not rule_ids:
        return 0
    scope = Rollup.objects.filter(rule_id__in=rule_ids, year=year)
    top = within.depth if within else 1
    if within:
        scope = scope.filter(subtree_q(within.path, "organization__path"))
    scope.delete()
    deepest = Organization.objects.filter(subtree_q(within.path) if within else Q()).order_by("-depth")
    max_depth = deepest.values_list("depth", flat=True).first() or 0
    written = sum(
        _level(rule_ids, year, depth, within.path if within else "")
        for depth in range(max_depth - 1, top - 1, -1)
    )
    if within:
        for depth in range(within.depth - 1, 0, -1):
            ancestor = within.path[: depth * STEPLEN]
            Rollup.objects.filter(rule_id__in=rule_ids, year=year, organization__path=ancestor).delete()
            written += _level(rule_ids, year, depth, ancestor)
    return written


def _level(rule_ids: list[int], year: int, depth: int, within: str) -> int:
    """Rollups of the non-leaf organizations at `depth` inside the subtree at path `within`
    (at the depth of `within` itself, that is `within` alone)."""
    width = depth * STEPLEN
    marks = ", ".join(["%s"] * len(rule_ids))
    cases = ", ".join(
        f"CASE WHEN r.status = '{s.value}' THEN 1 ELSE 0 END AS {s.value}" for s in STORED_STATUSES
    )
    org, res, rol = table(Organization), table(Result), table(Rollup)
    limit, limit_params = (
        ("o.path >= %s AND o.path < %s AND ", [within, path_successor(within)]) if within else ("", [])
    )
    sums = ", ".join(f"SUM(x.{s.value})" for s in STORED_STATUSES)
    sql = Sql(f"INSERT INTO {rol} (organization_id, rule_id, year, applicable, {COUNTS}) ")
    sql.add(f"SELECT anc.id, x.rule_id, %s, SUM(x.applicable), {sums} FROM (", year)  # noqa: S608
    # Every name spliced into this text is a constant or a quoted table name; values are params.
    sql.add(f"SELECT substr(o.path, 1, {width}) AS anc_path, r.rule_id AS rule_id, 1 AS applicable, {cases} ")
    sql.add(f"FROM {res} r JOIN {org} o ON o.id = r.organization_id WHERE {limit}", *limit_params)
    sql.add(f"r.year = %s AND r.rule_id IN ({marks}) ", year, *rule_ids)
    sql.add("AND ((o.depth = %s AND o.numchild = 0) OR (o.depth = %s AND o.numchild > 0)) ", depth + 1, depth)
    sql.add(f"UNION ALL SELECT substr(o.path, 1, {width}), u.rule_id, u.applicable, {COUNTS_U} ")
    sql.add(f"FROM {rol} u JOIN {org} o ON o.id = u.organization_id WHERE {limit}", *limit_params)
    sql.add(f"u.year = %s AND u.rule_id IN ({marks}) AND o.depth = %s", year, *rule_ids, depth + 1)
    sql.add(f") x JOIN {org} anc ON anc.path = x.anc_path GROUP BY anc.id, x.rule_id")
    return sql.execute()


def shift(holders: list[int], rule_id: int, year: int, old: str | None, new: str | None) -> None:
    """One organization's result for `rule_id` went from `old` to `new` (None: no result):
    move the counts of every rollup in `holders` (its ancestors, and itself if non-leaf)."""
    if not holders or old == new:
        return
    change: dict[str, object] = {}
    if old is None:
        change["applicable"] = F("applicable") + 1
    else:
        change[old] = F(old) - 1
    if new is None:
        change["applicable"] = F("applicable") - 1
    else:
        change[new] = F(new) + 1
    rows = Rollup.objects.filter(organization_id__in=holders, rule_id=rule_id, year=year)
    rows.update(**change)
    if new is not None:
        # A subtree that had no result for the rule has no rollup row yet: it starts at this one.
        missing = set(holders) - set(rows.values_list("organization_id", flat=True))
        Rollup.objects.bulk_create(
            [
                Rollup(organization_id=pk, rule_id=rule_id, year=year, applicable=1, **{new: 1})
                for pk in missing
            ]
        )


def snapshot(year: int, month: int, within: Organization | None = None) -> int:
    """Store this month's totals over all rules of every rollup holder in `within`'s subtree
    (and its ancestors) for the trend line, replacing the month's earlier snapshot."""
    from .models import Snapshot

    holders = Rollup.objects.filter(year=year)
    old = Snapshot.objects.filter(year=year, month=month)
    if within:
        paths = [within.path[: k * STEPLEN] for k in range(1, within.depth)]
        inside = subtree_q(within.path, "organization__path") | Q(organization__path__in=paths)
        holders, old = holders.filter(inside), old.filter(inside)
    old.delete()
    sums = ", ".join(f"SUM(u.{s.value})" for s in STORED_STATUSES)
    sql = Sql(f"INSERT INTO {table(Snapshot)} (organization_id, year, month, applicable, {COUNTS}) ")
    sql.add(f"SELECT u.organization_id, %s, %s, SUM(u.applicable), {sums} FROM ", year, month)  # noqa: S608
    inner = holders.values("organization_id", "applicable", *[s.value for s in STORED_STATUSES]).order_by()
    return sql.sub(inner).add(" u GROUP BY u.organization_id").execute()


def tally(year: int, within: Organization | None = None, org_ids: list[int] | None = None) -> int:
    """Count each organization's own results of `year` by status into Tally: for `org_ids`, or
    every organization of `within`'s subtree (all when None)."""
    from .models import Tally

    results = Result.objects.filter(year=year)
    old = Tally.objects.filter(year=year)
    if org_ids is not None:
        results, old = results.filter(organization_id__in=org_ids), old.filter(organization_id__in=org_ids)
    elif within:
        inside = subtree_q(within.path, "organization__path")
        results, old = results.filter(inside), old.filter(inside)
    old.delete()
    cases = ", ".join(f"SUM(CASE WHEN r.status = '{s.value}' THEN 1 ELSE 0 END)" for s in STORED_STATUSES)
    sql = Sql(f"INSERT INTO {table(Tally)} (organization_id, year, applicable, {COUNTS}) ")
    sql.add(f"SELECT r.organization_id, %s, COUNT(*), {cases} FROM ", year)  # noqa: S608
    inner = results.values("organization_id", "status").order_by()
    return sql.sub(inner).add(" r GROUP BY r.organization_id").execute()
