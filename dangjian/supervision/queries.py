"""Reads: what the compliance engine asks (the first four functions), and what the pages show.

The compliance functions return plain querysets of dicts (`.values()`), built without Python
loops: the engine narrows them further (by subtree on `org_path`, or by id) and aggregates in the
database. None of them is scoped to a user — the engine reads for the whole tree and scopes its
own results.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import BooleanField, Case, DateField, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import TruncDate

from dangjian.core.tree import subtree_q
from dangjian.leaders.models import LeadingCadre
from dangjian.organizations.models import BRANCH_KINDS, Organization

from .models import (
    ASSESSMENT_FINAL,
    AssessmentState,
    CommitteeLink,
    FiveStandardsAssessment,
    InspectionVisit,
    ReportState,
    SecretaryReport,
)

PAGE_LIMIT = 2000


def _decided_on(final: Q) -> Case:
    return Case(When(final, then=TruncDate("reviewed_at")), default=Value(None), output_field=DateField())


def assessments(year: int) -> QuerySet[FiveStandardsAssessment, Any]:
    """The 五化 assessments of `year` (work point 7), one row per branch that has one:

    * `organization_id`, `org_path` — the branch and its tree path;
    * `state` — draft / submitted / returned / meets_standard / below_standard;
    * `final` — True once the level above has decided (meets_standard or below_standard);
    * `meets_standard` — True only for a final "meets the standard";
    * `decided_on` — the date of that final decision, None until then.

    A branch without a row has not started its assessment."""
    final = Q(state__in=ASSESSMENT_FINAL)
    return (
        FiveStandardsAssessment.objects.filter(year=year)
        .annotate(
            final=Case(When(final, then=Value(True)), default=Value(False), output_field=BooleanField()),
            meets_standard=Case(
                When(state=AssessmentState.MEETS_STANDARD, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            decided_on=_decided_on(final),
        )
        .values(
            "organization_id",
            "state",
            "final",
            "meets_standard",
            "decided_on",
            org_path=F("organization__path"),
        )
        .order_by("organization_id")
    )


def secretary_reports(year: int) -> QuerySet[SecretaryReport, Any]:
    """The secretaries' reports of `year` (work point 23), one row per organization that has one:

    * `organization_id`, `org_path` — the reporting organization (branch or committee);
    * `state` — draft / submitted / returned / evaluated;
    * `evaluated` — True once the level above has graded it;
    * `grade` — good / fairly_good / average / poor, "" until evaluated;
    * `evaluated_on` — the date of the grading, None until then.

    "Every secretary reported and was evaluated" is: every organization expected to report has a
    row with `evaluated`."""
    evaluated = Q(state=ReportState.EVALUATED)
    return (
        SecretaryReport.objects.filter(year=year)
        .annotate(
            evaluated=Case(
                When(evaluated, then=Value(True)), default=Value(False), output_field=BooleanField()
            ),
            evaluated_on=_decided_on(evaluated),
        )
        .values(
            "organization_id", "state", "evaluated", "grade", "evaluated_on", org_path=F("organization__path")
        )
        .order_by("organization_id")
    )


def active_links() -> QuerySet[CommitteeLink, Any]:
    """The links in force now (work point 24): not ended, and the committee member still in post.

    * `id`; `branch_id`, `branch_path` — the linked branch;
    * `cadre_id` — the committee member (`leaders.LeadingCadre`);
    * `committee_id`, `committee_path` — the cadre's committee;
    * `since` — the date the link began.

    Coverage of a subtree: its branches with a row here (by `branch_path`); "each committee member
    links ≥1 branch": the committee's cadres in post with a row here (by `cadre_id`)."""
    return (
        CommitteeLink.objects.filter(ended_on__isnull=True, cadre__active=True)
        .values(
            "id",
            "branch_id",
            "cadre_id",
            "committee_id",
            "since",
            branch_path=F("branch__path"),
            committee_path=F("committee__path"),
        )
        .order_by("committee_id", "cadre_id", "branch_id")
    )


def visits(year: int) -> QuerySet[InspectionVisit, Any]:
    """The inspection visits made in `year` (visit date in the year), one row per visit:

    * `id`, `visited_on`, `link_id`;
    * `branch_id`, `cadre_id`, `committee_id`, `committee_path` — from the visit's link."""
    return (
        InspectionVisit.objects.filter(visited_on__year=year)
        .values(
            "id",
            "visited_on",
            "link_id",
            branch_id=F("link__branch_id"),
            cadre_id=F("link__cadre_id"),
            committee_id=F("link__committee_id"),
            committee_path=F("link__committee__path"),
        )
        .order_by("visited_on", "id")
    )


# ---- Page reads -------------------------------------------------------------------------------


def branches_with_assessment(
    org: Organization, year: int, limit: int = PAGE_LIMIT
) -> list[tuple[Organization, FiveStandardsAssessment | None]]:
    """The branches of the subtree with their assessment for `year` (or None), in tree order.
    Two queries."""
    branches = list(
        Organization.objects.filter(subtree_q(org.path), kind__in=BRANCH_KINDS).order_by("path")[:limit]
    )
    rows = {
        a.organization_id: a
        for a in FiveStandardsAssessment.objects.filter(subtree_q(org.path, "organization__path"), year=year)
    }
    return [(b, rows.get(b.pk)) for b in branches]


def children_with_report(
    org: Organization, year: int, limit: int = PAGE_LIMIT
) -> list[tuple[Organization, SecretaryReport | None]]:
    """The organizations one level below `org` (which report to it) with their report for `year`.
    Two queries."""
    children = list(
        Organization.objects.filter(subtree_q(org.path), depth=org.depth + 1).order_by("path")[:limit]
    )
    rows = {
        r.organization_id: r
        for r in SecretaryReport.objects.filter(organization__in=[c.pk for c in children], year=year)
    }
    return [(c, rows.get(c.pk)) for c in children]


@dataclass
class CadreLinks:
    cadre: LeadingCadre
    links: list[CommitteeLink] = field(default_factory=list)


def committee_overview(
    committee: Organization, limit: int = PAGE_LIMIT
) -> tuple[list[CadreLinks], list[Organization], int]:
    """The committee's members in post, each with their active links; and the branches of its
    subtree that no one links (any committee's member in post), with their total. Four queries."""
    cadres = list(
        LeadingCadre.objects.filter(committee=committee, active=True)
        .select_related("member")
        .order_by("-principal", "since", "id")
    )
    rows = {c.pk: CadreLinks(c) for c in cadres}
    links = CommitteeLink.objects.filter(cadre__in=list(rows), ended_on__isnull=True).select_related("branch")
    for link in links.order_by("since", "id"):
        rows[link.cadre_id].links.append(link)
    linked = CommitteeLink.objects.filter(branch=OuterRef("pk"), ended_on__isnull=True, cadre__active=True)
    unlinked = Organization.objects.filter(subtree_q(committee.path), kind__in=BRANCH_KINDS).exclude(
        Exists(linked)
    )
    return list(rows.values()), list(unlinked.order_by("path")[:limit]), unlinked.count()


def recent_visits(links: QuerySet[CommitteeLink], limit: int = 50) -> list[InspectionVisit]:
    """The latest visits made through `links`. One query."""
    return list(
        InspectionVisit.objects.filter(link__in=links)
        .select_related("link__branch", "link__cadre__member", "recorded_by")
        .order_by("-visited_on", "-id")[:limit]
    )
