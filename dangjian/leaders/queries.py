"""Counts the compliance engine reads for work points 2, 3 and 14, for any subtree and period.

Every function runs a fixed number of grouped queries whatever the number of leaders (the
leaders' member ids go in as a subquery, never as a Python list), and returns plain dataclasses
keyed by id. Only closed meetings count, and for attendance only "present".

A period is a half-open date range [start, end) in local time; `year_bounds(2025)` gives a year.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from dangjian.core.tree import subtree_q
from dangjian.organizations.models import COMMITTEE_KINDS, Organization
from dangjian.orglife.models import (
    THREE_MEETINGS_ONE_LECTURE,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingKind,
    MeetingStatus,
)

from .models import LeaderStudyPlan, LeaderWork, LeadingCadre

# Meetings a leader gives the lecture of (party lecture; special tutoring of the central group).
LECTURE_KINDS = (MeetingKind.PARTY_LECTURE, MeetingKind.CENTRAL_GROUP_STUDY)
# A branch's study an ordinary member attends: the 三会一课, org life meeting and theme day.
BRANCH_STUDY_KINDS = (*THREE_MEETINGS_ONE_LECTURE, MeetingKind.ORG_LIFE, MeetingKind.THEME_DAY)
# Work point 2: collective study sessions of a committee's central group per year.
CENTRAL_GROUP_YEARLY_TARGET = 4


@dataclass
class LeaderCounts:
    leader_id: int
    has_plan: bool = False
    works: dict[str, int] = field(default_factory=dict)  # by WorkKind
    lectures: int = 0
    branch_study: int = 0
    democratic_life: int = 0

    @property
    def works_total(self) -> int:
        return sum(self.works.values())


@dataclass
class CommitteeCounts:
    committee_id: int
    central_group_sessions: int = 0
    topic_discussions: int = 0
    principal_lectures: int = 0  # sessions where the principal leader gave the special lecture

    @property
    def sessions_met(self) -> bool:
        return self.central_group_sessions >= CENTRAL_GROUP_YEARLY_TARGET

    @property
    def principal_lectured(self) -> bool:
        return self.principal_lectures >= 1


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year + 1, 1, 1)


def _moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _held(start: date, end: date, prefix: str = "") -> Q:
    """Closed meetings that started within the period (`prefix` reaches the meeting)."""
    return Q(
        **{
            f"{prefix}status": MeetingStatus.CLOSED,
            f"{prefix}starts_at__gte": _moment(start),
            f"{prefix}starts_at__lt": _moment(end),
        }
    )


def leaders_in_period(org_path: str, start: date, end: date) -> QuerySet[LeadingCadre]:
    """Leaders of the committees in the subtree who held their post at some time in the period."""
    return LeadingCadre.objects.filter(
        subtree_q(org_path, "committee__path"),
        Q(ended_on__isnull=True) | Q(ended_on__gte=start),
        since__lt=end,
    )


def leader_counts(org_path: str, start: date, end: date) -> dict[int, LeaderCounts]:
    """{leader id: counts} for every leader of the subtree in post during the period (6 queries)."""
    return counts_for(leaders_in_period(org_path, start, end), start, end)


def counts_for(leaders: QuerySet[LeadingCadre], start: date, end: date) -> dict[int, LeaderCounts]:
    """Counts for the given leaders (any queryset, e.g. one page of an API list), in 6 queries.

    Lectures and branch attendances belong to the person: a member who leads two committees has
    the same ones counted under both posts.
    """
    rows = list(leaders.values_list("id", "member_id", "committee_id"))
    result = {pk: LeaderCounts(pk) for pk, _m, _c in rows}
    if not result:
        return result
    posts: dict[int, list[tuple[int, int]]] = defaultdict(list)  # member id: [(leader, committee)]
    for pk, member_id, committee_id in rows:
        posts[member_id].append((pk, committee_id))
    _add_plans_and_works(result, leaders.values("id"), start, end)
    _add_meetings(result, posts, leaders.values("member_id"), start, end)
    return result


def _add_plans_and_works(result: dict[int, LeaderCounts], ids: QuerySet[Any], start: date, end: date) -> None:
    years = list(range(start.year, (end - timedelta(days=1)).year + 1))
    plans = LeaderStudyPlan.objects.filter(leader_id__in=ids, year__in=years)
    for pk in plans.values_list("leader_id", flat=True):
        result[pk].has_plan = True
    works = LeaderWork.objects.filter(leader_id__in=ids, written_on__gte=start, written_on__lt=end)
    for row in works.values("leader_id", "kind").annotate(n=Count("id")).order_by():
        result[row["leader_id"]].works[row["kind"]] = row["n"]


def _add_meetings(
    result: dict[int, LeaderCounts],
    posts: dict[int, list[tuple[int, int]]],
    member_ids: QuerySet[Any],
    start: date,
    end: date,
) -> None:
    lectures = Meeting.objects.filter(_held(start, end), kind__in=LECTURE_KINDS, lecturer_id__in=member_ids)
    for lecture in lectures.values("lecturer_id").annotate(n=Count("id")).order_by():
        for pk, _c in posts[lecture["lecturer_id"]]:
            result[pk].lectures = lecture["n"]

    present = Attendance.objects.filter(
        _held(start, end, "meeting__"), status=AttendanceStatus.PRESENT, member_id__in=member_ids
    )
    # Own branch: the organization the member belongs to now (after a transfer, the new one).
    own_branch = present.filter(
        meeting__kind__in=BRANCH_STUDY_KINDS, meeting__organization_id=F("member__organization_id")
    )
    for row in own_branch.values("member_id").annotate(n=Count("meeting_id", distinct=True)).order_by():
        for pk, _c in posts[row["member_id"]]:
            result[pk].branch_study = row["n"]

    # The democratic life meeting of the committee the leader leads, not of another committee.
    democratic = present.filter(meeting__kind=MeetingKind.DEMOCRATIC_LIFE)
    for meeting in (
        democratic.values("member_id", "meeting__organization_id").annotate(n=Count("id")).order_by()
    ):
        for pk, committee_id in posts[meeting["member_id"]]:
            if committee_id == meeting["meeting__organization_id"]:
                result[pk].democratic_life = meeting["n"]


def committee_counts(org_path: str, start: date, end: date) -> dict[int, CommitteeCounts]:
    """{committee id: central group study counts} for every committee of the subtree (2 queries):
    sessions held, how many were topic discussions, and how many had the committee's principal
    leader as lecturer (the special lecture of work point 2)."""
    committees = Organization.objects.filter(subtree_q(org_path), kind__in=COMMITTEE_KINDS)
    ids = list(committees.values_list("id", flat=True))
    return _committee_counts(ids, subtree_q(org_path, "organization__path"), start, end)


def committee_counts_for(committee_ids: list[int], start: date, end: date) -> dict[int, CommitteeCounts]:
    """The same for the given committees only (one query)."""
    return _committee_counts(committee_ids, Q(organization_id__in=committee_ids), start, end)


def _committee_counts(ids: list[int], where: Q, start: date, end: date) -> dict[int, CommitteeCounts]:
    result = {pk: CommitteeCounts(pk) for pk in ids}
    # The principal leader in post at some time in the period gave the session's lecture.
    principal = LeadingCadre.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=start),
        committee_id=OuterRef("organization_id"),
        member_id=OuterRef("lecturer_id"),
        principal=True,
        since__lt=end,
    )
    sessions = (
        Meeting.objects.filter(where, _held(start, end), kind=MeetingKind.CENTRAL_GROUP_STUDY)
        .values("organization_id")
        .annotate(
            n=Count("id"),
            topics=Count("id", filter=Q(topic_discussion=True)),
            principal=Count("id", filter=Exists(principal)),
        )
        .order_by()
    )
    for row in sessions:
        counts = result.setdefault(row["organization_id"], CommitteeCounts(row["organization_id"]))
        counts.central_group_sessions = row["n"]
        counts.topic_discussions = row["topics"]
        counts.principal_lectures = row["principal"]
    return result


def lectures_given(leader: LeadingCadre, start: date, end: date) -> QuerySet[Meeting]:
    """The closed meetings of the period where the leader gave the lecture."""
    return (
        Meeting.objects.filter(_held(start, end), kind__in=LECTURE_KINDS, lecturer_id=leader.member_id)
        .select_related("organization")
        .order_by("-starts_at", "-id")
    )


def branch_study_attended(leader: LeadingCadre, start: date, end: date) -> QuerySet[Meeting]:
    """The closed study meetings of the leader's own branch they were present at."""
    return (
        Meeting.objects.filter(
            _held(start, end),
            kind__in=BRANCH_STUDY_KINDS,
            organization_id=leader.member.organization_id,
            attendances__member_id=leader.member_id,
            attendances__status=AttendanceStatus.PRESENT,
        )
        .select_related("organization")
        .order_by("-starts_at", "-id")
    )


def democratic_life_attended(leader: LeadingCadre, start: date, end: date) -> QuerySet[Meeting]:
    """The closed democratic life meetings of the leader's committee they were present at."""
    return (
        Meeting.objects.filter(
            _held(start, end),
            kind=MeetingKind.DEMOCRATIC_LIFE,
            organization_id=leader.committee_id,
            attendances__member_id=leader.member_id,
            attendances__status=AttendanceStatus.PRESENT,
        )
        .select_related("organization")
        .order_by("-starts_at", "-id")
    )
