"""All writes to meetings and attendance."""

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core import audit, events
from dangjian.core.dates import add_months
from dangjian.core.services import require_scope, write_service
from dangjian.members.models import Member
from dangjian.organizations.models import COMMITTEE_KINDS, Organization

from . import richtext
from .checkin import EARLY, is_valid
from .models import COMMITTEE_MEETING_KINDS, Attendance, AttendanceStatus, Meeting, MeetingKind, MeetingStatus
from .workflows import MEETING_FLOW, finished_refusal, is_held

MEETING_FIELDS = [
    "kind",
    "topic",
    "starts_at",
    "ends_at",
    "place",
    "online",
    "agenda",
    "topic_discussion",
    "party_group",
    "host",
    "recorder",
    "lecturer",
]
LECTURE_KINDS = (MeetingKind.PARTY_LECTURE, MeetingKind.CENTRAL_GROUP_STUDY)
RECORDED = (AttendanceStatus.PRESENT, AttendanceStatus.LEAVE, AttendanceStatus.ABSENT)
# Generous for a record typed by hand; a longer document belongs in an attachment.
MINUTES_MAX_CHARS = 50_000
HELD_FIXED = gettext_lazy(
    "This meeting has been held (attendance is recorded); its time and place can no longer change."
)
RESOLUTIONS_MAX_CHARS = 10_000


def _clean(org: Organization, data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    clean = {k: data.get(k) for k in MEETING_FIELDS if k in data}
    kind = clean.get("kind")
    clean["topic"] = (clean.get("topic") or "").strip()
    if kind not in MeetingKind.values:
        errors["kind"] = _("Choose a valid kind of meeting.")
    elif kind in COMMITTEE_MEETING_KINDS and org.kind not in COMMITTEE_KINDS:
        errors["kind"] = _("Democratic life meetings and central group study belong to party committees.")
    elif kind not in COMMITTEE_MEETING_KINDS and not org.holds_members:
        errors["kind"] = _("This kind of meeting is held by a branch.")
    if not clean["topic"]:
        errors["topic"] = _("Enter the meeting's topic.")
    starts: datetime | None = clean.get("starts_at")
    ends: datetime | None = clean.get("ends_at")
    if not starts:
        errors["starts_at"] = _("Enter when the meeting starts.")
    if not ends:
        errors["ends_at"] = _("Enter when the meeting ends.")
    elif starts and ends <= starts:
        errors["ends_at"] = _("The meeting must end after it starts.")
    group = clean.get("party_group")
    if kind == MeetingKind.GROUP_MEETING and group is None:
        errors["party_group"] = _("Choose the party group that meets.")
    if group is not None and group.organization_id != org.pk:
        errors["party_group"] = _("The party group must belong to this branch.")
    for role in ("host", "recorder"):
        person = clean.get(role)
        if person is not None and person.organization_id != org.pk:
            errors[role] = _("Choose a member of this organization.")
    if clean.get("lecturer") is not None and kind not in LECTURE_KINDS:
        errors["lecturer"] = _("Only a party lecture or a central group study has a lecturer.")
    if errors:
        raise ValidationError(errors)
    return clean


def expected_members(org: Organization, kind: str, group: Any) -> list[Member]:
    """Who is expected by default: the branch's members on the roll; a group's members for a
    group meeting; the branch committee for a committee meeting."""
    members = Member.objects.on_roll().filter(organization=org)
    if kind == MeetingKind.GROUP_MEETING:
        members = members.filter(party_group=group)
    elif kind == MeetingKind.BRANCH_COMMITTEE:
        members = members.exclude(committee_post="")
    elif kind in COMMITTEE_MEETING_KINDS:
        return []
    return list(members.only("id"))


@write_service("meeting.create")
def schedule_meeting(org: Organization, data: dict[str, Any], *, acting_user: Any) -> Meeting:
    require_scope(acting_user, org, "change")
    clean = _clean(org, data)
    meeting = Meeting.objects.create(organization=org, **clean)
    Attendance.objects.bulk_create(
        Attendance(meeting=meeting, member=m)
        for m in expected_members(org, meeting.kind, meeting.party_group)
    )
    MEETING_FLOW.started(meeting, acting_user)
    audit.record(
        "meeting.create",
        actor=acting_user,
        obj=meeting,
        org_path=org.path,
        changes={
            "kind": [None, meeting.kind],
            "topic": [None, meeting.topic],
            "starts_at": [None, str(meeting.starts_at)],
        },
    )
    return meeting


def lock_meeting(
    meeting: Meeting,
    acting_user: Any,
    expected_version: int | None,
    *,
    states: tuple[str, ...] = (MeetingStatus.PLANNED,),
) -> Meeting:
    """The meeting re-read and locked for a write: within the user's change scope, in one of
    `states` (open, by default), and still at the version the edit was based on."""
    meeting = (
        Meeting.objects.select_for_update(of=("self",)).select_related("organization").get(pk=meeting.pk)
    )
    require_scope(acting_user, meeting, "change")
    if meeting.status not in states:
        if meeting.status == MeetingStatus.PLANNED:
            raise ValidationError(
                _("This record is still open; edit it directly. Revisions are for closed records."),
                code="open",
            )
        raise finished_refusal(meeting)
    if expected_version is not None and expected_version != meeting.version:
        raise ValidationError(
            _("Someone else changed this meeting meanwhile; reload and edit again."), code="stale"
        )
    return meeting


def _locked_for_write(meeting: Meeting, acting_user: Any, expected_version: int | None) -> Meeting:
    return lock_meeting(meeting, acting_user, expected_version)


def clean_record(data: dict[str, Any]) -> dict[str, str]:
    """The minutes (sanitized HTML) and resolutions (trimmed, one a line) among `data`, checked."""
    clean: dict[str, str] = {}
    if "minutes" in data:
        clean["minutes"] = richtext.to_html(str(data["minutes"] or ""))
        if len(clean["minutes"]) > MINUTES_MAX_CHARS:
            raise ValidationError({"minutes": _("The minutes are too long; shorten them or attach a file.")})
    if "resolutions" in data:
        clean["resolutions"] = "\n".join(richtext.plain_lines(str(data["resolutions"] or "")))
        if len(clean["resolutions"]) > RESOLUTIONS_MAX_CHARS:
            raise ValidationError({"resolutions": _("The resolutions are too long.")})
    return clean


def _attendee_users(meeting: Meeting) -> list[int]:
    """Accounts of the members expected at the meeting (the ones to tell of a change)."""
    from django.contrib.auth import get_user_model

    member_ids = meeting.attendances.filter(member__isnull=False).values("member_id")
    return list(
        get_user_model().objects.filter(member_id__in=member_ids, is_active=True).values_list("id", flat=True)
    )


def _when(meeting: Meeting) -> str:
    start, end = timezone.localtime(meeting.starts_at), timezone.localtime(meeting.ends_at)
    return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"


def _tell_attendees(meeting: Meeting, *, kind: str, key: str, title: str, body: str) -> None:
    from django.urls import reverse

    from dangjian.notifications.services import notify

    users = _attendee_users(meeting)
    if users:
        notify(
            users,
            kind=kind,
            key=key,
            title=title,
            body=body,
            url=reverse("my_meetings") + (f"#upcoming-{meeting.pk}" if kind == "meeting.rescheduled" else ""),
        )


@write_service("meeting.update")
def update_meeting(
    meeting: Meeting, data: dict[str, Any], *, acting_user: Any, expected_version: int | None = None
) -> Meeting:
    """Edit a planned meeting. Its time and place may change (a reschedule) until it is held, and
    only to a time still ahead; the expected members are told, and a leave asked for the old time
    is cleared (it may no longer hold). Minutes and resolutions are written here while open."""
    meeting = _locked_for_write(meeting, acting_user, expected_version)
    before = audit.snapshot(
        meeting, ["topic", "starts_at", "ends_at", "place", "online", "agenda", "minutes", "resolutions"]
    )
    merged = {k: getattr(meeting, k) for k in MEETING_FIELDS} | {
        k: v for k, v in data.items() if k in MEETING_FIELDS
    }
    if merged["kind"] != meeting.kind:
        raise ValidationError(
            {"kind": _("The kind of a scheduled meeting cannot change; cancel it instead.")}
        )
    clean = _clean(meeting.organization, merged)
    old_start = meeting.starts_at
    moved = clean["starts_at"] != meeting.starts_at or clean["ends_at"] != meeting.ends_at
    relocated = clean["place"] != meeting.place or clean["online"] != meeting.online
    if moved or relocated:
        if is_held(meeting):
            raise ValidationError(HELD_FIXED, code="held")
        if moved and clean["starts_at"] <= timezone.now():
            raise ValidationError(
                {"starts_at": _("A meeting cannot be moved to a time that has passed; choose a time ahead.")},
                code="past",
            )
    for field, value in clean.items():
        setattr(meeting, field, value)
    for field, value in clean_record(data).items():
        setattr(meeting, field, value)
    meeting.version += 1
    meeting.save()
    if moved:
        meeting.attendances.filter(status=AttendanceStatus.LEAVE).update(
            status=AttendanceStatus.EXPECTED, reason=""
        )
    audit.record(
        "meeting.update",
        actor=acting_user,
        obj=meeting,
        org_path=meeting.organization.path,
        changes=audit.diff(before, audit.snapshot(meeting, list(before))),
    )
    if moved or relocated:
        body = _("Now %(when)s at %(place)s.") % {
            "when": _when(meeting),
            "place": meeting.place or (_("online") if meeting.online else "—"),
        }
        if moved:
            body += " " + _("If you had asked for leave, ask again if you still cannot attend.")
        _tell_attendees(
            meeting,
            kind="meeting.rescheduled",
            key=f"meeting-rescheduled:{meeting.pk}:{meeting.version}",
            title=_("Meeting changed: %(topic)s") % {"topic": meeting.topic},
            body=body,
        )
    events.changed("orglife.meeting", meeting.organization_id, timezone.localdate(meeting.starts_at))
    if moved and timezone.localdate(old_start) != timezone.localdate(meeting.starts_at):
        events.changed("orglife.meeting", meeting.organization_id, timezone.localdate(old_start))
    return meeting


@write_service("meeting.attendance")
def record_attendance(
    meeting: Meeting, entries: list[dict[str, Any]], *, acting_user: Any, expected_version: int | None = None
) -> Meeting:
    """Record present / leave (with a reason) / absent for expected attendees.

    Each entry: {"attendance": id} or {"member": id}, "status", "reason". One refused entry
    refuses them all.
    """
    meeting = _locked_for_write(meeting, acting_user, expected_version)
    if meeting.starts_at > timezone.now():
        raise ValidationError(_("A meeting that has not started yet has no attendance to record."))
    rows = {a.pk: a for a in meeting.attendances.all()}
    by_member = {a.member_id: a for a in rows.values() if a.member_id}
    errors: list[str] = []
    changed: list[Attendance] = []
    for entry in entries:
        row = rows.get(entry.get("attendance")) or by_member.get(entry.get("member"))  # type: ignore[arg-type]
        status, reason = entry.get("status"), str(entry.get("reason") or "").strip()
        if row is None:
            errors.append(
                _("%(who)s is not expected at this meeting.")
                % {"who": entry.get("member") or entry.get("attendance")}
            )
        elif status not in RECORDED:
            errors.append(_("Choose present, on leave or absent."))
        elif status == AttendanceStatus.LEAVE and not reason:
            errors.append(
                _("Give the reason for the leave of %(who)s.") % {"who": row.member or row.guest_name}
            )
        else:
            row.status, row.reason = status, reason
            changed.append(row)
    if errors:
        raise ValidationError(errors)
    # One UPDATE per distinct (status, reason): a meeting's roll is mostly "present", and
    # bulk_update's per-row CASE expression cost more than the database work (bench/).
    groups: dict[tuple[str, str], list[int]] = {}
    for row in changed:
        groups.setdefault((row.status, row.reason), []).append(row.pk)
    for (status, reason), ids in groups.items():
        Attendance.objects.filter(pk__in=ids).update(status=status, reason=reason)
    meeting.version += 1
    meeting.save(update_fields=["version", "updated_at"])
    counts = {s: sum(1 for r in rows.values() if r.status == s) for s in RECORDED}
    audit.record(
        "meeting.attendance",
        actor=acting_user,
        obj=meeting,
        org_path=meeting.organization.path,
        detail=f"{len(changed)} recorded; " + ", ".join(f"{k}={v}" for k, v in counts.items()),
    )
    events.changed("orglife.meeting", meeting.organization_id, timezone.localdate(meeting.starts_at))
    return meeting


@write_service("meeting.guest")
def add_guest(
    meeting: Meeting, name: str = "", *, acting_user: Any, member: Member | None = None
) -> Attendance:
    """Someone expected beyond the default attendees: a named guest, or a member of another
    organization, e.g. a leading cadre at the committee's democratic life meeting or at a branch
    as an ordinary member (work point 14). A member counts in their own attendance history."""
    meeting = _locked_for_write(meeting, acting_user, None)
    if member is not None:
        require_scope(acting_user, member, "view")
        if meeting.attendances.filter(member=member).exists():
            raise ValidationError({"member": _("%(who)s is already expected.") % {"who": member.name}})
        row = Attendance.objects.create(meeting=meeting, member=member)
        who = f"member {member.pk}"
    else:
        name = name.strip()
        if not name:
            raise ValidationError({"guest_name": _("Enter the guest's name.")})
        row = Attendance.objects.create(meeting=meeting, guest_name=name[:50])
        who = name
    audit.record(
        "meeting.guest",
        actor=acting_user,
        obj=meeting,
        org_path=meeting.organization.path,
        changes={"guest": [None, who]},
    )
    return row


@write_service("meeting.close")
def close_meeting(meeting: Meeting, *, acting_user: Any, expected_version: int | None = None) -> Meeting:
    """Lock the record: the meeting has ended and every expected attendee is accounted for
    (`workflows.MEETING_FLOW`)."""
    return MEETING_FLOW.move(  # type: ignore[no-any-return]
        meeting, "close", acting_user=acting_user, expected_version=expected_version
    )


@write_service("meeting.cancel")
def cancel_meeting(
    meeting: Meeting, *, acting_user: Any, reason: str = "", expected_version: int | None = None
) -> Meeting:
    """Call off a planned meeting that has not been held (`workflows.MEETING_FLOW`, the reason
    being the move's note); the expected members are told why."""
    meeting = MEETING_FLOW.move(
        meeting, "cancel", acting_user=acting_user, note=reason, expected_version=expected_version
    )
    reason = meeting.cancel_reason
    if meeting.starts_at > timezone.now():
        _tell_attendees(
            meeting,
            kind="meeting.cancelled",
            key=f"meeting-cancelled:{meeting.pk}",
            title=_("Meeting cancelled: %(topic)s") % {"topic": meeting.topic},
            body=_("The meeting of %(when)s will not take place.") % {"when": _when(meeting)}
            + (" " + _("Reason: %(reason)s") % {"reason": reason} if reason else ""),
        )
    return meeting


def _own_attendance(meeting: Meeting, acting_user: Any) -> tuple[Meeting, Attendance]:
    """The meeting, locked, and the acting member's own attendance row (check-in, leave)."""
    meeting = (
        Meeting.objects.select_for_update(of=("self",)).select_related("organization").get(pk=meeting.pk)
    )
    member_id = getattr(acting_user, "member_id", None)
    row = meeting.attendances.filter(member_id=member_id).first() if member_id else None
    if row is None:
        raise ValidationError(_("You are not expected at this meeting."), code="not_expected")
    return meeting, row


@write_service("meeting.check_in")
def check_in(meeting: Meeting, code: str, *, acting_user: Any, now: datetime | None = None) -> Attendance:
    """The signed-in member scanned the host's code: mark them present."""
    now = now or timezone.now()
    meeting, row = _own_attendance(meeting, acting_user)
    if meeting.status != MeetingStatus.PLANNED:
        raise ValidationError(_("This meeting is closed; check-in has ended."), code="closed")
    if not meeting.starts_at - EARLY <= now <= meeting.ends_at:
        raise ValidationError(
            _("Check-in is open from half an hour before the meeting until its end."), code="window"
        )
    if not is_valid(meeting.pk, code, now):
        raise ValidationError(
            _("This code has expired or belongs to another meeting. Scan the code on the screen again."),
            code="code",
        )
    if row.status != AttendanceStatus.PRESENT:
        row.status, row.reason = AttendanceStatus.PRESENT, ""
        row.save(update_fields=["status", "reason"])
    audit.record(
        "meeting.check_in",
        actor=acting_user,
        obj=meeting,
        org_path=meeting.organization.path,
        detail=f"attendance {row.pk}",
    )
    return row


@write_service("meeting.leave_request")
def request_leave(meeting: Meeting, reason: str, *, acting_user: Any) -> Attendance:
    """A member asks for leave from a meeting they are expected at (before or during it)."""
    meeting, row = _own_attendance(meeting, acting_user)
    if meeting.status != MeetingStatus.PLANNED or meeting.ends_at <= timezone.now():
        raise ValidationError(_("This meeting is over; leave can no longer be requested."), code="over")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for your leave.")})
    if row.status == AttendanceStatus.PRESENT:
        raise ValidationError(_("You have already checked in to this meeting."), code="present")
    row.status, row.reason = AttendanceStatus.LEAVE, reason[:200]
    row.save(update_fields=["status", "reason"])
    audit.record(
        "meeting.leave_request",
        actor=acting_user,
        obj=meeting,
        org_path=meeting.organization.path,
        detail=f"attendance {row.pk}",
    )
    return row


@write_service("meeting.create_series")
def schedule_series(
    org: Organization, data: dict[str, Any], *, months: int, acting_user: Any
) -> list[Meeting]:
    """The same meeting on the same day of `months` consecutive months (e.g. the theme party day
    on the 15th of every month). All or nothing."""
    if not 1 <= months <= 12:
        raise ValidationError({"repeat_months": _("Repeat for 1 to 12 months.")})
    start, end = data.get("starts_at"), data.get("ends_at")
    if months > 1 and start is not None and start.day > 28:
        raise ValidationError(
            {"starts_at": _("A monthly meeting needs a day from 1 to 28, which every month has.")}
        )
    meetings = []
    for offset in range(months):
        shifted = dict(data)
        if start is not None and end is not None:
            shifted["starts_at"], shifted["ends_at"] = _add_months(start, offset), _add_months(end, offset)
        meetings.append(schedule_meeting(org, shifted, acting_user=acting_user))
    return meetings


def _add_months(moment: datetime, months: int) -> datetime:
    """Same local wall-clock time, `months` later (daylight-saving-safe for any zone)."""
    local = timezone.localtime(moment)
    day = add_months(local.date(), months)
    return timezone.make_aware(datetime.combine(day, local.time().replace(tzinfo=None)))
