"""Per campaign, the counts of every subtree's assignments by state (`models.Rollup`).

Written in one statement per tree level when a campaign is launched (or rebuilt), each level
reading the campaign's assignments once; afterwards every move shifts one count on the rows of
the organization's ancestors (`shift`), in the move's transaction, so a sender's page reads
stored numbers and never counts a province's assignments.

A holder is an organization with assignments strictly below it; its counts include its own.
"""

from django.db import connection
from django.db.models import F

from dangjian.core.tree import STEPLEN
from dangjian.organizations.models import Organization

from .models import COUNTED, Assignment, Campaign, Case, CaseState, Rollup


def _table(model: type) -> str:
    return connection.ops.quote_name(model._meta.db_table)  # type: ignore[attr-defined]


def rebuild(campaign: Campaign) -> int:
    """The campaign's rollups from its assignments and cases (replacing any). Returns rows written."""
    Rollup.objects.filter(campaign=campaign).delete()
    top = campaign.organization.depth
    deepest = (
        Assignment.objects.filter(campaign=campaign)
        .order_by("-organization__depth")
        .values_list("organization__depth", flat=True)
        .first()
    )
    if deepest is None:
        return 0
    return sum(_level(campaign.pk, depth) for depth in range(top, deepest))


def _level(campaign_id: int, depth: int) -> int:
    """The rollups of the holders at `depth` (every name in the text is a constant or a quoted
    table name; values are parameters)."""
    org, asg, case, rol = _table(Organization), _table(Assignment), _table(Case), _table(Rollup)
    states = ", ".join(f"SUM(CASE WHEN a.state = '{s}' THEN 1 ELSE 0 END)" for s in COUNTED)
    sql = (
        f"INSERT INTO {rol} (campaign_id, organization_id, total, {', '.join(COUNTED)}, "  # noqa: S608
        "cases_open, cases_concluded) "
        f"SELECT %s, anc.id, COUNT(*), {states}, "
        "COALESCE(SUM(c.open_n), 0), COALESCE(SUM(c.done_n), 0) "
        f"FROM {asg} a JOIN {org} o ON o.id = a.organization_id "
        f"JOIN {org} anc ON anc.path = substr(o.path, 1, %s) "
        "LEFT JOIN (SELECT assignment_id, "
        f"SUM(CASE WHEN state = '{CaseState.OPEN}' THEN 1 ELSE 0 END) AS open_n, "
        f"SUM(CASE WHEN state = '{CaseState.CONCLUDED}' THEN 1 ELSE 0 END) AS done_n "
        f"FROM {case} WHERE assignment_id IN (SELECT id FROM {asg} WHERE campaign_id = %s) "
        "GROUP BY assignment_id) c ON c.assignment_id = a.id "
        "WHERE a.campaign_id = %s AND o.depth >= %s "
        "GROUP BY anc.id HAVING SUM(CASE WHEN o.depth > %s THEN 1 ELSE 0 END) > 0"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [campaign_id, depth * STEPLEN, campaign_id, campaign_id, depth, depth])
        return cursor.rowcount


def holder_paths(campaign: Campaign, org: Organization) -> list[str]:
    """The paths whose rollups count `org`'s assignment: from the sender down to `org` itself."""
    top = len(campaign.organization.path)
    return [org.path[:i] for i in range(top, len(org.path) + 1, STEPLEN)]


def shift(campaign: Campaign, org: Organization, **change: int) -> None:
    """Add `change` (e.g. pending=-1, submitted=+1) to every rollup counting `org`'s assignment."""
    values = {name: F(name) + delta for name, delta in change.items() if delta}
    if values:
        Rollup.objects.filter(campaign=campaign, organization__path__in=holder_paths(campaign, org)).update(
            **values
        )
