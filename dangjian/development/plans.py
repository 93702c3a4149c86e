"""The yearly development plan's figures: which organizations are grassroots committees, whose
plan an admission counts against, the admissions of a year, and the figures per child
organization up the tree (one query per kind of figure, grouped by the child's path prefix).

An admission counts in the year of its approval (step 17's date): that is the day the person
becomes a member of record, and the one date the level above controls. It counts against the
grassroots committee nearest above the branch (the branch's closest ancestor of a committee
kind), never against two committees.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Length, Substr

from dangjian.core.tree import STEPLEN, ancestor_paths, minimal_prefixes, subtree_q, subtrees_q
from dangjian.members.models import Education, Gender
from dangjian.organizations.models import COMMITTEE_KINDS, MEMBER_HOLDING_KINDS, Organization, Sector

from .models import OPEN_STAGES, Applicant, ApplicantQuerySet, Occupation, Plan, Stage, Step

APPROVAL = 17
COLLEGE = (Education.POSTGRADUATE, Education.BACHELOR, Education.ASSOCIATE)  # 大专及以上
FRONTLINE = (Occupation.WORKER, Occupation.FARMER)
NONPUBLIC = (Sector.PRIVATE_ENTERPRISE, Sector.SOCIAL_ORGANIZATION)  # 两新组织
TARGETS = ("women", "under_35", "frontline", "college", "nonpublic")
# The steps the level above takes, by the last step recorded: the filing of the activist (4)
# and of the candidate (8), the pre-review (13), the talk (16), the approval (17), the filing
# of the approval (18).
WAITING_ABOVE = (
    Q(stage=Stage.ACTIVIST, last_step=3)
    | Q(stage=Stage.CANDIDATE, last_step=7)
    | Q(stage=Stage.ADMISSION, last_step__in=(12, 15, 16))
    | Q(stage=Stage.ADMITTED, last_step=17)
)


def year_range(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def under_35_born_after(year: int) -> date:
    """Under 35 as the Party's yearly statistics count it: 35 not yet reached on 31 December."""
    return date(year - 35, 12, 31)


def _leads_branches() -> Exists:
    return Exists(
        Organization.objects.filter(
            depth=OuterRef("depth") + 1, path__startswith=OuterRef("path"), kind__in=MEMBER_HOLDING_KINDS
        )
    )


def grassroots(org: Organization) -> QuerySet[Organization]:
    """The grassroots committees (基层党委) in `org`'s subtree, itself included: a committee or
    working committee with a branch (or general branch) directly under it."""
    return Organization.objects.filter(subtree_q(org.path), kind__in=COMMITTEE_KINDS).filter(
        _leads_branches()
    )


def is_grassroots(org: Organization) -> bool:
    return org.kind in COMMITTEE_KINDS and grassroots(org).filter(pk=org.pk).exists()


def committee_of(branch: Organization) -> Organization | None:
    """The grassroots committee whose plan the branch's admissions count against: its nearest
    ancestor of a committee kind (a general branch in between is passed over)."""
    return (
        Organization.objects.filter(path__in=ancestor_paths(branch.path), kind__in=COMMITTEE_KINDS)
        .order_by("-depth")
        .first()
    )


def approvals(year: int) -> QuerySet[Step]:
    """The approvals (step 17) dated in `year`: one per admitted person."""
    start, end = year_range(year)
    return Step.objects.filter(number=APPROVAL, on__gte=start, on__lte=end)


def admitted_by(committee: Organization, year: int) -> QuerySet[Step]:
    """The approvals of `year` counting against `committee`'s plan: in its subtree, less the
    subtrees of the committees inside it (their branches count against them)."""
    inner = list(
        Organization.objects.filter(subtree_q(committee.path), kind__in=COMMITTEE_KINDS)
        .exclude(pk=committee.pk)
        .values_list("path", flat=True)
    )
    rows = approvals(year).filter(subtree_q(committee.path, "applicant__organization__path"))
    if inner:
        rows = rows.exclude(subtrees_q(minimal_prefixes(inner), "applicant__organization__path"))
    return rows


def admitted_count_subquery(year: int) -> Any:
    """`admitted_by(…).count()` for the committee of the outer query (an Organization row), as
    one correlated subquery: the compliance engine compiles it into its SQL."""
    nearer = Organization.objects.filter(
        kind__in=COMMITTEE_KINDS,
        path__gt=OuterRef(OuterRef("path")),
        path=Substr(OuterRef("applicant__organization__path"), 1, Length("path")),
    )
    return (
        approvals(year)
        .filter(applicant__organization__path__startswith=OuterRef("path"))
        .exclude(Exists(nearer))
        .order_by()
        .values("number")
        .annotate(n=Count("id"))
        .values("n")
    )


# --- the dashboard up the tree ------------------------------------------------------------


@dataclass
class Figures:
    """One row of the dashboard: a child organization's subtree (or the whole, or the
    committee's own branches)."""

    plan: dict[str, int] = field(default_factory=dict)  # admissions and targets, summed
    planned: int = 0  # grassroots committees with a plan
    admitted: int = 0
    done: dict[str, int] = field(default_factory=dict)  # admitted women, under 35…
    pipeline: dict[str, int] = field(default_factory=dict)  # open stage → people

    def add(self, other: "Figures") -> None:
        for name in ("admissions", *TARGETS):
            self.plan[name] = self.plan.get(name, 0) + other.plan.get(name, 0)
            self.done[name] = self.done.get(name, 0) + other.done.get(name, 0)
        for stage in OPEN_STAGES:
            self.pipeline[stage] = self.pipeline.get(stage, 0) + other.pipeline.get(stage, 0)
        self.planned += other.planned
        self.admitted += other.admitted

    @property
    def has_plan(self) -> bool:
        return self.planned > 0

    @property
    def beyond(self) -> bool:
        return self.has_plan and self.admitted > self.plan.get("admissions", 0)

    def targets(self) -> list[tuple[int, int, int | None]]:
        """For each structure target (`TARGETS` order): admitted so far, planned, and the share
        of the admissions so far in percent (None before the first admission)."""
        return [
            (
                self.done.get(name, 0),
                self.plan.get(name, 0),
                round(100 * self.done.get(name, 0) / self.admitted) if self.admitted else None,
            )
            for name in TARGETS
        ]

    def stages(self) -> list[int]:
        return [self.pipeline.get(str(s), 0) for s in OPEN_STAGES]


def _child(prefix_of: str, width: int) -> Any:
    return Substr(prefix_of, 1, width)


def child_figures(
    org: Organization, year: int
) -> tuple[list[tuple[Organization, Figures]], Figures, Figures]:
    """Per child organization of `org` the figures of its whole subtree, the figures of `org`'s
    own branches (those directly under it) and the totals: four queries, whatever the number of
    children (grouped by the child's path prefix)."""
    width = len(org.path) + STEPLEN
    children = list(Organization.objects.filter(subtree_q(org.path), depth=org.depth + 1).order_by("path"))
    by_path: dict[str, Figures] = {c.path: Figures() for c in children}
    own = Figures()

    def at(path: str) -> Figures | None:
        return own if path == org.path else by_path.get(path)

    plans: Any = (
        Plan.objects.filter(subtree_q(org.path, "organization__path"), year=year)
        .annotate(child=_child("organization__path", width))
        .values("child")
        .annotate(
            n=Count("id"),
            admissions_sum=Sum("admissions"),
            **{f"{t}_sum": Sum(t) for t in TARGETS},
        )
        .order_by()
    )
    for row in plans:
        figures = at(row["child"])
        if figures is not None:
            figures.planned = row["n"]
            figures.plan = {name: row[f"{name}_sum"] or 0 for name in ("admissions", *TARGETS)}
    a = "applicant__"
    done: Any = (
        approvals(year)
        .filter(subtree_q(org.path, f"{a}organization__path"))
        .annotate(child=_child(f"{a}organization__path", width))
        .values("child")
        .annotate(
            n=Count("id"),
            women=Count("id", filter=Q(**{f"{a}gender": Gender.FEMALE})),
            under_35=Count("id", filter=Q(**{f"{a}birth_date__gt": under_35_born_after(year)})),
            frontline=Count("id", filter=Q(**{f"{a}occupation__in": FRONTLINE})),
            college=Count("id", filter=Q(**{f"{a}education__in": COLLEGE})),
            nonpublic=Count("id", filter=Q(**{f"{a}organization__sector__in": NONPUBLIC})),
        )
        .order_by()
    )
    for row in done:
        figures = at(row["child"])
        if figures is not None:
            figures.admitted = row["n"]
            figures.done = {name: row[name] for name in TARGETS}
            figures.done["admissions"] = row["n"]
    pipeline: Any = (
        Applicant.objects.filter(subtree_q(org.path, "organization__path"), stage__in=OPEN_STAGES)
        .annotate(child=_child("organization__path", width))
        .values("child")
        .annotate(**{str(s): Count("id", filter=Q(stage=s)) for s in OPEN_STAGES})
        .order_by()
    )
    for row in pipeline:
        figures = at(row["child"])
        if figures is not None:
            figures.pipeline = {str(s): row[str(s)] for s in OPEN_STAGES}
    total = Figures()
    total.add(own)
    for figures in by_path.values():
        total.add(figures)
    return [(c, by_path[c.path]) for c in children], own, total


def waiting_above(org: Organization) -> ApplicantQuerySet:
    """People in `org`'s subtree (below `org` itself) whose next step is one the level above
    takes, oldest due first."""
    return (
        Applicant.objects.filter(subtree_q(org.path, "organization__path"), WAITING_ABOVE)
        .exclude(organization=org)
        .select_related("organization")
        .order_by(F("approval_due").asc(nulls_last=True), "updated_at", "id")
    )


def waiting_for(org: Organization) -> ApplicantQuerySet:
    """Those of `waiting_above` whose level above is `org` itself (`workflows.LEVEL_ABOVE`: the
    branch's parent). The home counts these — what the organization must act on, found through
    the children index in milliseconds even at the top of a province — and the page lists the
    whole subtree, for the levels above that may act too."""
    return waiting_above(org).filter(organization__depth=org.depth + 1)
