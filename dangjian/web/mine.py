"""我的 (the member's own pages and their account in one list) and 我的支部 (a read-only page of
the member's own branch). Both read only the user's own member record and its organization."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from dangjian.accounts.models import RoleGrant
from dangjian.accounts.roles import Role
from dangjian.discussion.queries import latest_threads
from dangjian.feed import queries as feed_queries
from dangjian.members.models import ON_ROLL_STATUSES, Member
from dangjian.notices.views import branch_notices
from dangjian.orglife.models import Meeting, MeetingStatus
from dangjian.polls.queries import branch_space
from dangjian.polls.services import close_due_polls

UPCOMING_LIMIT = 5
FEED_LIMIT = 10


@login_required
def my_page(request: HttpRequest) -> HttpResponse:
    return render(request, "web/my.html")


@login_required
def my_branch(request: HttpRequest) -> HttpResponse:
    """Name, secretary, member count and the coming meetings of the member's branch. Nothing about
    other members beyond the secretary's name (the disclosure policy: no personal fields here)."""
    member_id = getattr(request.user, "member_id", None)
    if member_id is None:
        return redirect("nav_go", section="org")
    member = Member.objects.select_related("organization").get(pk=member_id)  # one query for both
    request.user.member = member  # type: ignore[union-attr]  # the navbar reads the same one
    branch = member.organization
    secretaries = [
        grant.user.member.name
        for grant in RoleGrant.objects.filter(organization=branch, role=Role.SECRETARY)
        .select_related("user__member")
        .order_by("pk")
        if grant.user.member is not None
    ]
    upcoming = list(
        Meeting.objects.filter(
            organization=branch, status=MeetingStatus.PLANNED, ends_at__gt=timezone.now()
        ).order_by("starts_at", "pk")[:UPCOMING_LIMIT]
    )
    count = Member.objects.filter(organization=branch, status__in=ON_ROLL_STATUSES).count()
    threads = latest_threads(request.user, branch)
    close_due_polls(org=branch)
    return render(
        request,
        "web/my_branch.html",
        {
            "branch": branch,
            "secretaries": secretaries,
            "upcoming": upcoming,
            "member_count": count,
            "threads": threads,
            "polls": branch_space(request.user, branch.pk),
            "notices": branch_notices(member),
            "feed": feed_queries.page(branch, size=FEED_LIMIT),
            "today": timezone.localdate(),
        },
    )
