"""Calendars: an organization's meetings, and a member's own, as a month (a grid of weeks) or
as one week (a list of seven days, which reads well on a phone)."""

import calendar as pycalendar
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from dangjian.core.views import get_for_user
from dangjian.organizations.models import Organization

from .models import Meeting, MeetingStatus
from .queries import meetings_of_member

# Column headers narrow enough for seven columns on a 360 px phone (一 … 日 in Chinese).
WEEKDAY_HEADERS = [
    pgettext_lazy("weekday column", "Mon"),
    pgettext_lazy("weekday column", "Tue"),
    pgettext_lazy("weekday column", "Wed"),
    pgettext_lazy("weekday column", "Thu"),
    pgettext_lazy("weekday column", "Fri"),
    pgettext_lazy("weekday column", "Sat"),
    pgettext_lazy("weekday column", "Sun"),
]


def _month(request: HttpRequest) -> date:
    raw = request.GET.get("month", "")
    try:
        year, month = (int(part) for part in raw.split("-"))
        return date(year, month, 1)
    except ValueError:
        return timezone.localdate().replace(day=1)


def _grid(first: date, meetings: QuerySet[Meeting]) -> dict[str, Any]:
    """Weeks (Monday first) of days, each with its meetings, plus the neighbouring months."""
    by_day: dict[date, list[Meeting]] = {}
    for meeting in meetings:
        by_day.setdefault(timezone.localtime(meeting.starts_at).date(), []).append(meeting)
    weeks = [
        [{"day": d, "in_month": d.month == first.month, "meetings": by_day.get(d, [])} for d in week]
        for week in pycalendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    ]
    previous = (first - timedelta(days=1)).replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return {
        "weeks": weeks,
        "empty": not by_day,  # the page then says so below the grid (docs/design.md, empty states)
        "first": first,
        "previous": f"{previous:%Y-%m}",
        "next": f"{following:%Y-%m}",
        "today": timezone.localdate(),
        "weekday_names": WEEKDAY_HEADERS,
    }


def _between(meetings: QuerySet[Meeting], first: date, stop: date) -> QuerySet[Meeting]:
    """Meetings starting on the local days [first, stop), cancelled ones left out."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(first, time.min, tz)
    end = datetime.combine(stop, time.min, tz)
    meetings = meetings.filter(starts_at__gte=start, starts_at__lt=end)
    return meetings.exclude(status=MeetingStatus.CANCELLED).order_by("starts_at", "id")


def _in_month(meetings: QuerySet[Meeting], first: date) -> QuerySet[Meeting]:
    return _between(meetings, first, (first + timedelta(days=32)).replace(day=1))


def _monday(request: HttpRequest) -> date:
    """The Monday of `?week=YYYY-Www` (ISO week, as browsers' week pickers send it), of
    `?day=YYYY-MM-DD`, or of this week."""
    raw_week, raw_day = request.GET.get("week", ""), request.GET.get("day", "")
    try:
        if raw_week:
            year, week = raw_week.upper().split("-W")
            return date.fromisocalendar(int(year), int(week), 1)
        if raw_day:
            day = date.fromisoformat(raw_day)
            return day - timedelta(days=day.weekday())
    except ValueError:
        pass
    today = timezone.localdate()
    return today - timedelta(days=today.weekday())


def _week(monday: date, meetings: QuerySet[Meeting]) -> dict[str, Any]:
    by_day: dict[date, list[Meeting]] = {}
    for meeting in meetings:
        by_day.setdefault(timezone.localtime(meeting.starts_at).date(), []).append(meeting)
    days = [monday + timedelta(days=n) for n in range(7)]

    def iso(day: date) -> str:
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"

    return {
        "days": [{"day": d, "meetings": by_day.get(d, [])} for d in days],
        "monday": monday,
        "sunday": days[-1],
        "week": iso(monday),
        "previous": iso(monday - timedelta(days=7)),
        "next": iso(monday + timedelta(days=7)),
        "month": f"{monday:%Y-%m}",
        "today": timezone.localdate(),
    }


@login_required
def org_month(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for_user(request, Organization, pk)
    first = _month(request)
    meetings = _in_month(Meeting.objects.filter(organization=org), first)
    return render(request, "orglife/month.html", {"org": org, **_grid(first, meetings)})


@login_required
def my_month(request: HttpRequest) -> HttpResponse:
    first = _month(request)
    meetings = _in_month(meetings_of_member(request.user).select_related("organization"), first)
    return render(request, "orglife/month.html", {"org": None, **_grid(first, meetings)})


@login_required
def org_week(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for_user(request, Organization, pk)
    monday = _monday(request)
    meetings = _between(Meeting.objects.filter(organization=org), monday, monday + timedelta(days=7))
    return render(request, "orglife/week.html", {"org": org, **_week(monday, meetings)})


@login_required
def my_week(request: HttpRequest) -> HttpResponse:
    monday = _monday(request)
    mine = meetings_of_member(request.user).select_related("organization")
    meetings = _between(mine, monday, monday + timedelta(days=7))
    return render(request, "orglife/week.html", {"org": None, **_week(monday, meetings)})
