"""Meeting reminders, run by the Huey worker (`dangjian run_huey`).

- The day before a meeting, every expected attendee with an account is reminded (those who asked
  for leave are not): key `meeting-day-before:<meeting id>:<date>`.
- Two days after a meeting ended without being closed (attendance or minutes missing), whoever
  keeps the organization's records is reminded: key `meeting-unrecorded:<meeting id>`.

The rules are plain functions of `now`, so tests run them at a fixed moment; the periodic tasks
only call them with the clock. Both are idempotent (the keys): the tasks run hourly in the day, so
a meeting scheduled late, or a worker that was down, is caught up at the next run.
"""

import logging
from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from dangjian.accounts.models import RoleGrant
from dangjian.accounts.roles import Role
from dangjian.core.tree import STEPLEN
from dangjian.notifications.services import Message, chunked, notify_many

from .models import Attendance, AttendanceStatus, Meeting, MeetingKind, MeetingStatus

logger = logging.getLogger(__name__)

CHUNK = 500  # meetings per attendance / grant query
UNRECORDED_AFTER = timedelta(days=2)
# Older unclosed meetings are left to supervision: without a horizon, the first run after an
# upgrade would remind organizers of every meeting ever left open.
UNRECORDED_HORIZON = timedelta(days=30)
RECORD_KEEPERS = (Role.SECRETARY, Role.ORGANIZER)


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _meetings_starting(day: date, rows: QuerySet[Meeting], fields: list[str]) -> list[dict[str, Any]]:
    """The meetings of `rows` that start on `day` (local), as dicts. `kind__in` (every kind) lets
    the database use the (kind, status, starts_at) index: a province holds millions of meetings,
    ~20,000 a day, and one day's rows fit in memory."""
    return list(
        rows.filter(
            kind__in=MeetingKind.values,
            starts_at__gte=_local_midnight(day),
            starts_at__lt=_local_midnight(day + timedelta(days=1)),
        )
        .order_by("id")
        .values(*fields)
    )


def _when(meeting: dict[str, Any]) -> str:
    start, end = timezone.localtime(meeting["starts_at"]), timezone.localtime(meeting["ends_at"])
    same_day = start.date() == end.date()
    return (
        f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}" if same_day else f"{start:%Y-%m-%d %H:%M}–{end:%Y-%m-%d %H:%M}"
    )


def _heading(meeting: dict[str, Any]) -> str:
    return f"{meeting['organization__name']} · {MeetingKind(meeting['kind']).label}"


# --- the day before -----------------------------------------------------------------------------

DAY_BEFORE_FIELDS = ["id", "topic", "kind", "starts_at", "ends_at", "place", "online", "organization__name"]


def day_before_key(meeting_id: int, starts_at: datetime) -> str:
    """One reminder per meeting and day: a meeting moved to another day is reminded again the
    day before its new date (the reschedule notice alone is easy to miss)."""
    return f"meeting-day-before:{meeting_id}:{timezone.localtime(starts_at):%Y-%m-%d}"


def _day_before_message(meeting: dict[str, Any], user_ids: list[int], url: str) -> Message:
    lines = [_heading(meeting), _("Time: %(when)s") % {"when": _when(meeting)}]
    place = meeting["place"] or (_("Online") if meeting["online"] else "")
    if place:
        lines.append(_("Place: %(place)s") % {"place": place})
    lines.append(_("If you cannot attend, ask for leave on My meetings."))
    return Message(
        user_ids,
        kind="meeting.day_before",
        key=day_before_key(meeting["id"], meeting["starts_at"]),
        title=_("Meeting tomorrow: %(topic)s") % {"topic": meeting["topic"]},
        body="\n".join(lines),
        url=f"{url}#upcoming-{meeting['id']}",
    )


def due_day_before(now: datetime) -> int:
    """Remind the expected attendees of tomorrow's planned meetings ("tomorrow" in TIME_ZONE).
    Only attendees still expected (not on leave) with an active account. Returns how many
    notifications were created."""
    tomorrow = timezone.localtime(now).date() + timedelta(days=1)
    planned = Meeting.objects.filter(status=MeetingStatus.PLANNED)
    meetings = _meetings_starting(tomorrow, planned, DAY_BEFORE_FIELDS)
    url = reverse("my_meetings")
    created = 0
    with translation.override(settings.LANGUAGE_CODE):  # no per-user language is stored
        for chunk in chunked(meetings, CHUNK):
            attendees: dict[int, list[int]] = defaultdict(list)
            rows = (
                Attendance.objects.filter(
                    meeting_id__in=[m["id"] for m in chunk],
                    status=AttendanceStatus.EXPECTED,
                    member__account__is_active=True,
                )
                .values_list("meeting_id", "member__account__id")
                .order_by()
            )  # no sort needed
            for meeting_id, user_id in rows:
                attendees[meeting_id].append(user_id)
            created += notify_many(
                _day_before_message(m, attendees[m["id"]], url) for m in chunk if attendees[m["id"]]
            )
    logger.info("day-before reminders for %s: %d meetings, %d new", tomorrow, len(meetings), created)
    return created


# --- not recorded after two days ----------------------------------------------------------------

UNRECORDED_FIELDS = [
    "id",
    "topic",
    "kind",
    "starts_at",
    "ends_at",
    "organization_id",
    "organization__name",
    "organization__path",
    "pending",
    "no_minutes",
]


def _unrecorded_days(now: datetime) -> Iterator[list[dict[str, Any]]]:
    """Planned meetings that ended between UNRECORDED_HORIZON and UNRECORDED_AFTER ago, one day of
    starts at a time (each query one day's range of the index)."""
    latest_end, earliest_end = now - UNRECORDED_AFTER, now - UNRECORDED_HORIZON
    rows = Meeting.objects.filter(
        status=MeetingStatus.PLANNED, ends_at__lte=latest_end, ends_at__gt=earliest_end
    ).annotate(
        pending=Exists(Attendance.objects.filter(meeting=OuterRef("pk"), status=AttendanceStatus.EXPECTED)),
        no_minutes=ExpressionWrapper(Q(minutes=""), output_field=BooleanField()),
    )
    day = timezone.localtime(earliest_end).date() - timedelta(days=1)  # a meeting may span midnight
    while day <= timezone.localtime(latest_end).date():
        yield _meetings_starting(day, rows, UNRECORDED_FIELDS)
        day += timedelta(days=1)


def _record_keepers(chunk: Sequence[dict[str, Any]]) -> dict[int, list[int]]:
    """{organization id: user ids} — the secretaries and organizers granted on the meeting's own
    organization; where there are none, the committee staff of its parent organization."""
    keepers: dict[int, list[int]] = defaultdict(list)
    grants = RoleGrant.objects.filter(
        organization_id__in={m["organization_id"] for m in chunk},
        role__in=RECORD_KEEPERS,
        user__is_active=True,
    ).values_list("organization_id", "user_id")
    for org_id, user_id in grants:
        keepers[org_id].append(user_id)
    orphans_by_parent: dict[str, set[int]] = defaultdict(set)
    for m in chunk:
        path = m["organization__path"]
        if not keepers[m["organization_id"]] and len(path) > STEPLEN:
            orphans_by_parent[path[:-STEPLEN]].add(m["organization_id"])
    if orphans_by_parent:
        staff = RoleGrant.objects.filter(
            organization__path__in=list(orphans_by_parent),
            role=Role.COMMITTEE_STAFF,
            user__is_active=True,
        ).values_list("organization__path", "user_id")
        for parent_path, user_id in staff:
            for org_id in orphans_by_parent[parent_path]:
                keepers[org_id].append(user_id)
    return keepers


def _unrecorded_message(meeting: dict[str, Any], user_ids: list[int]) -> Message:
    ended = timezone.localtime(meeting["ends_at"])
    lines = [
        _heading(meeting),
        _("The meeting ended on %(date)s and is not closed yet.") % {"date": f"{ended:%Y-%m-%d}"},
    ]
    if meeting["pending"]:
        lines.append(_("Attendance is not fully recorded."))
    if meeting["no_minutes"]:
        lines.append(_("The minutes are empty."))
    lines.append(_("Record attendance and minutes, then close the meeting."))
    return Message(
        user_ids,
        kind="meeting.unrecorded",
        key=f"meeting-unrecorded:{meeting['id']}",
        title=_("Record the meeting: %(topic)s") % {"topic": meeting["topic"]},
        body="\n".join(lines),
        url=reverse("meeting_detail", args=[meeting["id"]]),
    )


def due_unrecorded(now: datetime) -> int:
    """Remind the record keepers of meetings that ended at least two days ago and are still not
    closed. Returns how many notifications were created."""
    created = meetings = 0
    with translation.override(settings.LANGUAGE_CODE):
        for day in _unrecorded_days(now):
            meetings += len(day)
            for chunk in chunked(day, CHUNK):
                keepers = _record_keepers(chunk)
                created += notify_many(
                    _unrecorded_message(m, keepers[m["organization_id"]])
                    for m in chunk
                    if keepers[m["organization_id"]]
                )
    logger.info("unrecorded-meeting reminders: %d meetings, %d new", meetings, created)
    return created


# --- the periodic tasks --------------------------------------------------------------------------
# Hourly from 08:00 to 21:00 Beijing time (see HUEY["utc"]): the first run of the day sends
# tomorrow's reminders at 08:05; later runs add meetings scheduled since. Nothing at night.


@db_periodic_task(crontab(minute="5", hour="8-21"))
def remind_attendees() -> int:
    return due_day_before(timezone.now())


@db_periodic_task(crontab(minute="35", hour="8-21"))
def remind_organizers() -> int:
    return due_unrecorded(timezone.now())
