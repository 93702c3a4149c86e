"""Reads: who takes part, the rating summary, a campaign's table, and what the compliance engine
asks (`campaign_status`, `unqualified_without_handling`).

Ratings are only ever read as counts per member and grade (and, for the branch, the comments
without their authors, in alphabetical order): see the anonymity note in `models`.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, QuerySet

from dangjian.core.params import is_int
from dangjian.core.tree import subtree_q
from dangjian.members.models import Member, MemberStatus
from dangjian.organizations.models import MEMBER_HOLDING_KINDS, Organization

from .models import (
    CampaignState,
    EvaluationCampaign,
    Grade,
    Handling,
    PeerRating,
    ProposedGrade,
    SelfAssessment,
)

# Members evaluated and rating: on the roll, except those whose membership is suspended
# (停止党籍: no rights and no duties while suspended).
EVALUATED_STATUSES = [MemberStatus.ACTIVE, MemberStatus.FLOATING_OUT, MemberStatus.LOST_CONTACT]

# The problem-rectification status of a member for a year (work point 19) is shown beside their
# evaluation. The rectification app appends its provider here (in its AppConfig.ready), taking
# member ids and a year and returning {member id: status text}: evaluation does not import it.
# With no provider nothing is shown.
RectificationProvider = Callable[[list[int], int], dict[int, str]]
RECTIFICATION_STATUS_PROVIDERS: list[RectificationProvider] = []


def rectification_status(member_ids: list[int], year: int) -> dict[int, str]:
    result: dict[int, str] = {}
    for provider in RECTIFICATION_STATUS_PROVIDERS:
        for member_id, text in provider(member_ids, year).items():
            result[member_id] = f"{result[member_id]}; {text}" if member_id in result else text
    return result


def participants(branch: Organization) -> QuerySet[Member]:
    """The members of the branch who are evaluated and rate each other."""
    return Member.objects.filter(organization=branch, status__in=EVALUATED_STATUSES).order_by("id")


def is_participant(member: Member | None, campaign: EvaluationCampaign) -> bool:
    return (
        member is not None
        and member.organization_id == campaign.branch_id
        and member.status in EVALUATED_STATUSES
    )


def own_campaign(member: Member, year: str = "") -> EvaluationCampaign | None:
    """The campaign of the member's own branch for `year`, or its latest opened one (a member
    account needs no grant to find it)."""
    campaigns = EvaluationCampaign.objects.filter(branch_id=member.organization_id).exclude(
        state=CampaignState.DRAFT
    )
    if is_int(year):
        campaigns = campaigns.filter(year=int(year))
    return campaigns.select_related("branch").order_by("-year").first()


# While members are still rating, the counts per member and the comments are not shown: someone
# refreshing the page as a peer sends a rating could match the change to them. Only the number of
# ratings given so far (the branch's progress) is.
RESULTS_HIDDEN_STATES = frozenset({CampaignState.DRAFT, CampaignState.OPEN})


def results_hidden(campaign: EvaluationCampaign) -> bool:
    return campaign.state in RESULTS_HIDDEN_STATES


def rating_total(campaign: EvaluationCampaign) -> int:
    """How many peer ratings the campaign has received in all (one query)."""
    return PeerRating.objects.filter(campaign=campaign).count()


def rating_summary(campaign: EvaluationCampaign) -> dict[int, dict[str, int]]:
    """{member id: {grade: number of peer ratings}} — counts only (one grouped query)."""
    rows = (
        PeerRating.objects.filter(campaign=campaign)
        .values("ratee_id", "grade")
        .annotate(n=Count("id"))
        .order_by()
    )
    result: dict[int, dict[str, int]] = defaultdict(dict)
    for r in rows:
        result[r["ratee_id"]][r["grade"]] = r["n"]
    return dict(result)


def rating_comments(campaign: EvaluationCampaign) -> dict[int, list[str]]:
    """{member id: comments received}, sorted by their text so no order of entry shows."""
    rows = (
        PeerRating.objects.filter(campaign=campaign)
        .exclude(comment="")
        .order_by("ratee_id", "comment")
        .values_list("ratee_id", "comment")
    )
    result: dict[int, list[str]] = defaultdict(list)
    for ratee_id, comment in rows:
        result[ratee_id].append(comment)
    return dict(result)


def rated_by(member: Member, campaign: EvaluationCampaign) -> dict[int, str]:
    """{member id: grade} of the ratings `member` gave — their own, shown only to themself."""
    return dict(PeerRating.objects.filter(campaign=campaign, rater=member).values_list("ratee_id", "grade"))


@dataclass
class MemberRow:
    member: Member
    counts: dict[str, int]
    ratings: int
    self_assessment: SelfAssessment | None
    grade: ProposedGrade | None
    handling: Handling | None
    rectification: str
    comments: list[str] = field(default_factory=list)

    def count(self, grade: str) -> int:
        return self.counts.get(grade, 0)


def campaign_table(campaign: EvaluationCampaign) -> list[MemberRow]:
    """Each participant with the rating summary (empty while rating is open, see
    `RESULTS_HIDDEN_STATES`), self-assessment, proposed grade, handling and rectification status.
    At most eight queries whatever the size of the branch (plus the providers')."""
    members = list(participants(campaign.branch))
    # Grades of members who have since left the branch stay visible on a decided campaign.
    grades = {g.member_id: g for g in ProposedGrade.objects.filter(campaign=campaign)}
    if campaign.state in (CampaignState.PROPOSED, CampaignState.APPROVED):
        known = {m.pk for m in members}
        members += list(Member.objects.filter(pk__in=set(grades) - known))
    hidden = results_hidden(campaign)
    summary = {} if hidden else rating_summary(campaign)
    comments = {} if hidden else rating_comments(campaign)
    assessments = {s.member_id: s for s in SelfAssessment.objects.filter(campaign=campaign)}
    handlings = {
        h.member_id: h for h in Handling.objects.filter(campaign=campaign).prefetch_related("follow_ups")
    }
    rectification = rectification_status([m.pk for m in members], campaign.year)
    return [
        MemberRow(
            m,
            summary.get(m.pk, {}),
            sum(summary.get(m.pk, {}).values()),
            assessments.get(m.pk),
            grades.get(m.pk),
            handlings.get(m.pk),
            rectification.get(m.pk, ""),
            comments.get(m.pk, []),
        )
        for m in members
    ]


def campaign_status(org_path: str, year: int) -> dict[int, str]:
    """{branch id: campaign state} for the branches of the subtree with a campaign for `year`
    (a branch without one is absent). One query."""
    rows = EvaluationCampaign.objects.filter(subtree_q(org_path, "branch__path"), year=year)
    return dict(rows.values_list("branch_id", "state"))


def unqualified_without_handling(org_path: str, year: int) -> dict[int, list[int]]:
    """{branch id: [member ids]} of members graded unqualified in an approved campaign of `year`
    in the subtree who have no handling decision yet. One query."""
    handled = Handling.objects.filter(campaign=OuterRef("campaign"), member=OuterRef("member"))
    rows = (
        ProposedGrade.objects.filter(
            subtree_q(org_path, "campaign__branch__path"),
            campaign__year=year,
            campaign__state=CampaignState.APPROVED,
            grade=Grade.UNQUALIFIED,
        )
        .exclude(Exists(handled))
        .order_by("campaign__branch_id", "member_id")
        .values_list("campaign__branch_id", "member_id")
    )
    result: dict[int, list[int]] = defaultdict(list)
    for branch_id, member_id in rows:
        result[branch_id].append(member_id)
    return dict(result)


def branches_with_state(org: Organization, year: int, limit: int = 2000) -> list[tuple[Organization, Any]]:
    """The member-holding organizations of the subtree, each with its campaign for `year` (or
    None), in tree order. Two queries."""
    branches = list(
        Organization.objects.filter(subtree_q(org.path), kind__in=MEMBER_HOLDING_KINDS).order_by("path")[
            :limit
        ]
    )
    campaigns = {
        c.branch_id: c
        for c in EvaluationCampaign.objects.filter(subtree_q(org.path, "branch__path"), year=year)
    }
    for b in branches:
        if b.pk in campaigns:
            campaigns[b.pk].branch = b  # spares a query per campaign when its branch is read
    return [(b, campaigns.get(b.pk)) for b in branches]
