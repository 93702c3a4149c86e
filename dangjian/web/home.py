"""What each persona's home shows: the next thing to do first.

Every read is either the user's own (their member record, their notifications) or goes through
`restrict(user, action)`; each section costs a fixed number of queries, whatever the number of
rows below it (tested in `dangjian/web/tests/test_home.py`). Compliance is read from the stored
results, tallies and snapshots (`docs/compliance.md`), never recomputed here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum, Window
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.models import AdminRequest, User
from dangjian.accounts.roles import ADMIN_REVIEW, Role
from dangjian.campaigns.models import TO_SUBMIT, Assignment, AssignmentState
from dangjian.campaigns.models import CampaignState as SentState
from dangjian.compliance.models import Result, Snapshot, Status, Tally
from dangjian.compliance.queries import rule_title
from dangjian.core.counts import count_each
from dangjian.core.tree import subtree_q
from dangjian.development.models import Applicant
from dangjian.development.plans import waiting_for
from dangjian.dues.models import DuesReduction, ReductionState
from dangjian.dues.months import this_month
from dangjian.dues.queries import Statement, member_statement
from dangjian.elections.models import TO_DECIDE, TermChange
from dangjian.evaluation.models import CampaignState, EvaluationCampaign
from dangjian.members.models import Member
from dangjian.notices.models import Notice
from dangjian.notices.queries import unread_must_read
from dangjian.notifications.models import Notification, latest_unread, unread_count
from dangjian.organizations.models import Organization
from dangjian.orglife.checkin import EARLY
from dangjian.orglife.models import Attendance, AttendanceStatus, Meeting, MeetingStatus
from dangjian.points.models import EntryState, PointEntry
from dangjian.study.models import StudyItem
from dangjian.transfers.models.probation import DecisionState, ProbationDecision
from dangjian.transfers.models.transfer import OPEN_TRANSFER_STATES, Transfer

LIST_LIMIT = 5
MUST_READ_SHOWN = 3  # must-read notices on the home; the rest are on the 支部 tab
RECORD_ROLES = (Role.SECRETARY, Role.ORGANIZER)
STAFF_ROLES = (Role.COMMITTEE_STAFF, Role.SUPERVISOR)
ADMIN_ROLE_ORDER = (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN)


@dataclass
class NextMeeting:
    attendance: Attendance
    meeting: Meeting
    checkin_open: bool  # from half an hour before the start until the end
    leave_possible: bool  # before the start, not checked in

    @property
    def url(self) -> str:
        return f"{reverse('my_meetings')}#upcoming-{self.meeting.pk}"


@dataclass
class Task:
    title: str
    detail: str
    url: str


@dataclass
class MemberHome:
    member: Member
    next_meeting: NextMeeting | None
    more_meetings: int
    dues: Statement
    unread: int
    notices: list[Notification]
    tasks: list[Task]
    points: int
    year: int
    must_read: list[Notice] = field(default_factory=list)  # 通知公告 the member must still read


@dataclass
class Waiting:
    """One kind of thing waiting for a decision, with where to decide it."""

    label: str
    count: int
    url: str


@dataclass
class BranchHome:
    org: Organization
    to_record: Sequence[Meeting]  # past planned meetings, with `missing` (attendance not recorded)
    to_record_count: int
    leave_requests: list[Attendance]
    waiting: list[Waiting]
    at_risk: list[Result]


@dataclass
class CommitteeHome:
    org: Organization
    snapshot: Snapshot | None
    worst: list[Tally]
    terms_overdue: list[Organization]
    terms_overdue_count: int
    waiting: list[Waiting]


@dataclass
class AdminHome:
    roles: list[str]
    pending_requests: int
    links: list[tuple[str, str]] = field(default_factory=list)


def _first_grants(user: Any) -> dict[str, Organization]:
    """The top-most organization of each role the user holds (the grants the request has read)."""
    orgs: dict[str, Organization] = {}
    for grant in user.grant_rows():
        orgs.setdefault(grant.role, grant.organization)
    return orgs


# --- member -------------------------------------------------------------------------------------


def _next_meeting(member_id: int, now: datetime) -> tuple[NextMeeting | None, int]:
    upcoming = Attendance.objects.filter(
        member_id=member_id, meeting__status=MeetingStatus.PLANNED, meeting__ends_at__gt=now
    )
    # How many there are comes with the first row (a window over the whole filtered set, counted
    # before the LIMIT): one query, not a second COUNT.
    rows = list(
        upcoming.select_related("meeting", "meeting__organization")
        .annotate(total=Window(Count("id")))
        .order_by("meeting__starts_at", "meeting__id")[:1]
    )
    if not rows:
        return None, 0
    first = rows[0]
    meeting = first.meeting
    nxt = NextMeeting(
        attendance=first,
        meeting=meeting,
        checkin_open=meeting.starts_at - EARLY <= now <= meeting.ends_at
        and first.status != AttendanceStatus.PRESENT,
        leave_possible=now < meeting.starts_at and first.status != AttendanceStatus.PRESENT,
    )
    return nxt, first.total - 1  # type: ignore[attr-defined]


def _member_tasks(member: Member, today: date) -> list[Task]:
    """Evaluation to fill in, this month's study theme (two queries)."""
    tasks: list[Task] = []
    campaign = (
        EvaluationCampaign.objects.filter(branch_id=member.organization_id, state=CampaignState.OPEN)
        .annotate(done=Count("self_assessments", filter=Q(self_assessments__member=member)))
        .order_by("-year")
        .first()
    )
    if campaign is not None and not campaign.done:  # type: ignore[attr-defined]
        tasks.append(
            Task(
                _("Fill in your self-assessment"),
                _("Democratic evaluation %(year)s") % {"year": campaign.year},
                reverse("my_evaluation"),
            )
        )
    item = (
        StudyItem.objects.filter(
            plan__organization_id=member.organization_id, plan__year=today.year, month=today.month
        )
        .select_related("plan")
        .first()
    )
    if item is not None:
        detail = item.readings or item.plan.title
        tasks.append(
            Task(_("This month's study: %(theme)s") % {"theme": item.theme}, detail, reverse("my_meetings"))
        )
    return tasks


def member_home(user: Any) -> MemberHome | None:
    if user.member_id is None:
        return None
    now = timezone.now()
    today = timezone.localdate()
    approved = PointEntry.objects.filter(state=EntryState.APPROVED, occurred_on__year=today.year)
    member = user.member if User.member.is_cached(user) else None
    if member is None or not Member.organization.is_cached(member):
        # With its organization (the must-read card needs its path) and the year's points: one
        # query for both.
        year_total = approved.filter(member=OuterRef("pk")).values("member").annotate(t=Sum("points"))
        member = (
            Member.objects.select_related("organization")
            .annotate(points_year=Subquery(year_total.values("t")))
            .get(pk=user.member_id)
        )
        user.member = member  # the rest of the request (the navbar) reads this one
    if hasattr(member, "points_year"):
        points = member.points_year
    else:
        points = approved.filter(member=member).aggregate(total=Sum("points"))["total"]
    nxt, more = _next_meeting(member.pk, now)
    notices = latest_unread(user, 3)
    unread = unread_count(user)  # the bell's count, read with the list above
    return MemberHome(
        member=member,
        next_meeting=nxt,
        more_meetings=more,
        dues=member_statement(member, this_month(), history=False),
        unread=unread,
        notices=notices,
        tasks=_member_tasks(member, today),
        points=points or 0,
        year=today.year,
        must_read=unread_must_read(member, MUST_READ_SHOWN),
    )


# --- secretary / organizer ------------------------------------------------------------------------


def _waiting(user: Any, org: Organization, *, committee: bool) -> list[Waiting]:
    """Decisions waiting in the subtree of `org` that the user may see: one query per kind."""
    path = org.path
    member_in = subtree_q(path, "member__organization__path")
    kinds: list[tuple[str, QuerySet[Any], str, str]] = [
        (
            _("Point claims to approve"),
            PointEntry.objects.filter(member_in, state=EntryState.PROPOSED),
            "change",
            "org_points",
        ),
        (
            _("Open transfers"),
            Transfer.objects.filter(
                subtree_q(path, "from_org__path") | subtree_q(path, "to_org__path"),
                state__in=OPEN_TRANSFER_STATES,
            ),
            "view",
            "org_transfers",
        ),
        (
            _("Dues reductions awaiting approval"),
            DuesReduction.objects.filter(member_in, state=ReductionState.PROPOSED),
            "view",
            "org_dues",
        ),
        (
            _("Tasks to report"),
            Assignment.objects.filter(
                organization=org, state__in=TO_SUBMIT, campaign__state=SentState.LAUNCHED
            ),
            "view",
            "org_campaigns",
        ),
        (
            _("Reports to accept"),
            Assignment.objects.filter(
                campaign__organization=org,
                state=AssignmentState.SUBMITTED,
                campaign__state=SentState.LAUNCHED,
            ),
            "change",
            "org_campaigns",
        ),
    ]
    if committee:
        kinds += [
            (
                _("Probation decisions to approve"),
                ProbationDecision.objects.filter(member_in, state=DecisionState.DECIDED),
                "view",
                "org_probation",
            ),
            (
                _("Evaluation grades to approve"),
                EvaluationCampaign.objects.filter(
                    subtree_q(path, "branch__path"), state=CampaignState.PROPOSED
                ),
                "view",
                "org_detail",
            ),
            (
                _("Development steps waiting for the committee"),
                waiting_for(org),
                "change",
                "org_development_waiting",
            ),
            (
                _("Term changes to decide"),
                TermChange.objects.filter(subtree_q(path, "organization__path"), state__in=TO_DECIDE).exclude(
                    organization=org
                ),
                "view",
                "org_term_changes",
            ),
        ]
    counts = count_each([queryset.restrict(user, action) for _label, queryset, action, _url in kinds])  # type: ignore[attr-defined]
    return [
        Waiting(label, count, reverse(url, args=[org.pk]))
        for (label, _queryset, _action, url), count in zip(kinds, counts, strict=True)
        if count
    ]


def _at_risk(user: Any, org: Organization, year: int) -> list[Result]:
    rows = list(
        Result.objects.filter(organization=org, year=year, status__in=(Status.OVERDUE, Status.AT_RISK))
        .restrict(user, "view")
        .select_related("rule")
        .order_by("-status", "due_on", "rule__position")[:8]
    )
    for result in rows:
        result.title = rule_title(result.rule)  # type: ignore[attr-defined]  # in the page's language
    return rows


def branch_home(user: Any, org: Organization) -> BranchHome:
    now = timezone.now()
    meetings = Meeting.objects.filter(
        subtree_q(org.path, "organization__path"), status=MeetingStatus.PLANNED, ends_at__lt=now
    ).restrict(user, "change")
    # The meetings to show and how many there are in one query (a window counts the whole set).
    to_record = list(
        meetings.select_related("organization")
        .annotate(
            missing=Count("attendances", filter=Q(attendances__status=AttendanceStatus.EXPECTED)),
            total=Window(Count("id")),
        )
        .order_by("-starts_at", "-id")[:LIST_LIMIT]
    )
    count = to_record[0].total if to_record else 0  # type: ignore[attr-defined]
    leave = list(
        Attendance.objects.filter(
            subtree_q(org.path, "meeting__organization__path"),
            meeting__status=MeetingStatus.PLANNED,
            meeting__ends_at__gt=now,
            status=AttendanceStatus.LEAVE,
        )
        .restrict(user, "view")
        .select_related("meeting", "member")
        .order_by("meeting__starts_at", "id")[:LIST_LIMIT]
    )
    return BranchHome(
        org=org,
        to_record=to_record,
        to_record_count=count,
        leave_requests=leave,
        waiting=_waiting(user, org, committee=False),
        at_risk=_at_risk(user, org, timezone.localdate().year),
    )


# --- committee staff -------------------------------------------------------------------------------


def committee_home(user: Any, org: Organization) -> CommitteeHome:
    today = timezone.localdate()
    below = subtree_q(org.path, "organization__path") & ~Q(organization_id=org.pk)
    snapshot = (
        Snapshot.objects.filter(organization=org, year=today.year)
        .restrict(user, "view")
        .order_by("-month")
        .first()
    )
    worst = list(
        Tally.objects.filter(below, year=today.year, overdue__gt=0)
        .restrict(user, "view")
        .select_related("organization")
        .order_by("-overdue", "organization__path")[:LIST_LIMIT]
    )
    terms: QuerySet[Organization] = Organization.objects.restrict(user, "view").filter(
        subtree_q(org.path), term_due_end__lt=today
    )
    overdue = list(terms.order_by("term_due_end", "path")[:LIST_LIMIT])
    return CommitteeHome(
        org=org,
        snapshot=snapshot,
        worst=worst,
        terms_overdue=overdue,
        terms_overdue_count=terms.count(),
        waiting=_waiting(user, org, committee=True),
    )


# --- administrators --------------------------------------------------------------------------------


def admin_home(user: Any, roles: list[str]) -> AdminHome:
    pending = (
        AdminRequest.objects.restrict(user, ADMIN_REVIEW)
        .filter(state=AdminRequest.State.PENDING)
        .exclude(requested_by=user.pk)
        .count()
    )
    links: list[tuple[str, str]] = []
    if Role.SYSTEM_ADMIN in roles:
        links += [(_("Accounts"), reverse("user_list")), (_("Organization tree"), reverse("org_tree"))]
    if Role.SECURITY_ADMIN in roles:
        links += [(_("Accounts"), reverse("user_list")), (_("Login security"), reverse("security"))]
    if Role.AUDIT_ADMIN in roles:
        links += [(_("Audit log"), reverse("audit_log"))]
    links.append((_("Administrator requests"), reverse("admin_requests")))
    seen: set[str] = set()
    unique = [(label, url) for label, url in links if not (url in seen or seen.add(url))]  # type: ignore[func-returns-value]
    return AdminHome(roles=roles, pending_requests=pending, links=unique)


def home_context(user: Any) -> dict[str, Any]:
    """Every section the user's roles call for, in the order a day's work reads."""
    # Only working roles have an organization to place; most users are members and nothing else.
    # The middleware has loaded the roles already, so for them this costs no query.
    roles = user.roles()
    grants = _first_grants(user) if roles - {Role.MEMBER} else {}
    context: dict[str, Any] = {"member_home": member_home(user)}
    record_org = next((grants[r] for r in RECORD_ROLES if r in grants), None)
    context["branch_home"] = branch_home(user, record_org) if record_org is not None else None
    staff_org = next((grants[r] for r in STAFF_ROLES if r in grants), None)
    context["committee_home"] = committee_home(user, staff_org) if staff_org is not None else None
    admin_roles: list[str] = [r for r in ADMIN_ROLE_ORDER if r in grants]
    context["admin_home"] = admin_home(user, admin_roles) if admin_roles else None
    context["role_names"] = sorted({str(Role(r).label) for r in roles})
    # A person in development holds an account with no role and no member: their own progress.
    context["in_development"] = (
        not roles and user.member_id is None and Applicant.objects.filter(account_id=user.pk).exists()
    )
    return context
