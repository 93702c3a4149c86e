"""Responsibility and supervision (points 7, 23, 24), from `supervision.queries`: the branches'
五化 assessments decided by the level above, the secretaries' reports evaluated, and the links
between committee members and branches.

`supervision.queries` returns `.values()` querysets; the lookups below are model fields (the
engine narrows by date on `reviewed_at`, a real column, not the derived `decided_on`; `final` and
`evaluated` are read from `state`, as the queries derive them).
"""

from datetime import date
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.supervision import queries
from dangjian.supervision.models import ASSESSMENT_FINAL, ReportState

from ..metrics import Events, register


def _link(name: str) -> Any:
    return lambda org, year: reverse(name, args=[org.pk]) + f"?year={year}"


def _links_by(year: int) -> Any:
    # Links in force now that had begun by the end of the year.
    return queries.active_links().filter(since__lte=date(year, 12, 31))


register(
    Events(
        "supervision.five_standards_reviewed",
        _("五化 assessment decided by the level above"),
        lambda year: queries.assessments(year).filter(state__in=ASSESSMENT_FINAL),
        org="organization_id",
        on="reviewed_at",
        topics=("supervision.five_standards",),
        records=_link("org_five_standards"),
    ),
    Events(
        "supervision.secretary_report_evaluated",
        _("Secretary's report made and evaluated"),
        lambda year: queries.secretary_reports(year).filter(state=ReportState.EVALUATED),
        org="organization_id",
        on="reviewed_at",
        topics=("supervision.secretary_report",),
        records=_link("org_secretary_report"),
    ),
    Events(
        "supervision.branch_linked",
        _("Links of committee members to the branch"),
        _links_by,
        org="branch_id",
        on="since",
        topics=("supervision.link",),
        records=_link("org_committee_links"),
    ),
    Events(
        "supervision.committee_member_links",
        _("Branches linked by the committee member"),
        _links_by,
        org="committee_id",
        on="since",
        person="cadre__member_id",
        topics=("supervision.link",),
        records=_link("org_committee_links"),
    ),
)
