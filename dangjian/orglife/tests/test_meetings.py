"""Meetings and attendance: the rules, and the counts the compliance engine will read."""

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dangjian.core.exceptions import OutOfScope
from dangjian.core.models import AuditEntry
from dangjian.core.scoping import SYSTEM
from dangjian.members.services import update_member
from dangjian.orglife.models import Attendance, AttendanceStatus, Meeting, MeetingStatus
from dangjian.orglife.queries import attendance_rates, meeting_counts, topic_discussion_counts
from dangjian.orglife.services import (
    add_guest,
    cancel_meeting,
    close_meeting,
    record_attendance,
    schedule_meeting,
    update_meeting,
)
from dangjian.testing.world import World

TZ = timezone.get_current_timezone()


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


def meeting(
    world: World, kind: str = "branch_assembly", start: datetime | None = None, **extra: object
) -> Meeting:
    start = start or timezone.now() - timedelta(days=2)
    data = {
        "kind": kind,
        "topic": "学习党章",
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
        **extra,
    }
    return schedule_meeting(world.branch, data, acting_user=world.secretary)


def held(
    world: World, kind: str = "branch_assembly", start: datetime | None = None, **extra: object
) -> Meeting:
    m = meeting(world, kind, start, **extra)
    entries = [{"attendance": a.pk, "status": "present"} for a in m.attendances.all()]
    record_attendance(m, entries, acting_user=world.secretary)
    return close_meeting(m, acting_user=world.secretary)


def test_expected_attendees_by_kind(world: World) -> None:
    assert {a.member.name for a in meeting(world).attendances.all()} == {"张伟", "李娜"}
    group = meeting(world, "group_meeting", party_group=world.group)
    assert [a.member.name for a in group.attendances.all()] == ["张伟"]
    update_member(world.member2, {"committee_post": "secretary"}, acting_user=world.secretary)
    committee = meeting(world, "branch_committee")
    assert [a.member.name for a in committee.attendances.all()] == ["李娜"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "democratic_life"}, "kind"),  # a committee's meeting, not a branch's
        ({"kind": "group_meeting"}, "party_group"),
        ({"topic": "  "}, "topic"),
        ({"kind": "nonsense"}, "kind"),
    ],
)
def test_bad_schedules_are_refused(world: World, overrides: dict, field: str) -> None:
    start = timezone.now()
    data = {
        "kind": "branch_assembly",
        "topic": "x",
        "starts_at": start,
        "ends_at": start + timedelta(hours=1),
    }
    with pytest.raises(ValidationError) as exc:
        schedule_meeting(world.branch, data | overrides, acting_user=world.secretary)
    assert field in exc.value.message_dict
    assert not Meeting.objects.exists()


def test_ending_before_start_and_outsiders_are_refused(world: World) -> None:
    start = timezone.now()
    with pytest.raises(ValidationError):
        schedule_meeting(
            world.branch,
            {"kind": "theme_day", "topic": "x", "starts_at": start, "ends_at": start},
            acting_user=world.secretary,
        )
    with pytest.raises(OutOfScope):
        schedule_meeting(
            world.branch,
            {"kind": "theme_day", "topic": "x", "starts_at": start, "ends_at": start + timedelta(hours=1)},
            acting_user=world.outsider,
        )


def test_attendance_rules(world: World) -> None:
    future = meeting(world, start=timezone.now() + timedelta(days=1))
    with pytest.raises(ValidationError):  # not held yet
        record_attendance(
            future, [{"member": world.member.pk, "status": "present"}], acting_user=world.secretary
        )
    m = meeting(world)
    with pytest.raises(ValidationError):  # not expected
        record_attendance(
            m, [{"member": world.member_b.pk, "status": "present"}], acting_user=world.secretary
        )
    with pytest.raises(ValidationError):  # leave needs a reason; the valid entry is not kept either
        record_attendance(
            m,
            [
                {"member": world.member.pk, "status": "present"},
                {"member": world.member2.pk, "status": "leave"},
            ],
            acting_user=world.secretary,
        )
    assert set(m.attendances.values_list("status", flat=True)) == {AttendanceStatus.EXPECTED}
    record_attendance(
        m,
        [
            {"member": world.member.pk, "status": "present"},
            {"member": world.member2.pk, "status": "leave", "reason": "出差"},
        ],
        acting_user=world.secretary,
    )
    assert AuditEntry.objects.filter(action="meeting.attendance", success=True).count() == 1


def test_close_locks_the_record_and_stale_edits_are_refused(world: World) -> None:
    m = meeting(world)
    add_guest(m, "省委组织部 王部长", acting_user=world.secretary)
    m.refresh_from_db()
    update_meeting(m, {"place": "村部会议室"}, acting_user=world.secretary, expected_version=m.version)
    with pytest.raises(ValidationError) as stale:
        update_meeting(m, {"place": "别处"}, acting_user=world.county_staff, expected_version=m.version)
    assert stale.value.code == "stale"
    with pytest.raises(ValidationError):  # the guest's attendance is not recorded yet
        close_meeting(m, acting_user=world.secretary)
    record_attendance(
        m,
        [{"attendance": a.pk, "status": "present"} for a in m.attendances.all()],
        acting_user=world.secretary,
    )
    close_meeting(m, acting_user=world.secretary)
    with pytest.raises(ValidationError) as closed:
        update_meeting(m, {"minutes": "改写"}, acting_user=world.secretary)
    assert closed.value.code == "closed"
    with pytest.raises(ValidationError):
        cancel_meeting(m, acting_user=world.secretary)
    assert Meeting.objects.get(pk=m.pk).status == MeetingStatus.CLOSED


def test_counts_for_a_subtree_and_period(world: World) -> None:
    q1, q2 = at(2026, 1, 1), at(2026, 4, 1)
    held(world, start=at(2026, 3, 31, 20))  # the last evening of the quarter counts
    held(world, start=at(2026, 4, 1, 9))  # the next quarter's
    held(world, "party_lecture", start=at(2026, 2, 10, 9), topic_discussion=True)
    meeting(world, start=at(2026, 2, 1, 9))  # scheduled but never closed: does not count
    other = schedule_meeting(
        world.branch_b,
        {"kind": "branch_assembly", "topic": "x", "starts_at": at(2026, 2, 1), "ends_at": at(2026, 2, 1, 2)},
        acting_user=SYSTEM,
    )
    record_attendance(
        other, [{"attendance": a.pk, "status": "absent"} for a in other.attendances.all()], acting_user=SYSTEM
    )
    close_meeting(other, acting_user=SYSTEM)

    assert meeting_counts(world.county.path, q1, q2) == {
        world.branch.pk: {"branch_assembly": 1, "party_lecture": 1}
    }
    assert meeting_counts(world.city.path, q1, q2)[world.branch_b.pk] == {"branch_assembly": 1}
    assert topic_discussion_counts(world.province.path, q1, q2) == {world.branch.pk: 1}
    assert attendance_rates(world.city.path, q1, q2) == {world.branch.pk: 1.0, world.branch_b.pk: 0.0}


def test_counts_take_a_fixed_number_of_queries(world: World, django_assert_num_queries: object) -> None:
    for day in range(1, 6):
        held(world, start=at(2026, 5, day, 9))
    with django_assert_num_queries(1):  # type: ignore[operator]
        meeting_counts(world.province.path, at(2026, 1, 1), at(2027, 1, 1))
    with django_assert_num_queries(1):  # type: ignore[operator]
        attendance_rates(world.province.path, at(2026, 1, 1), at(2027, 1, 1))
    assert Attendance.objects.filter(status="present").count() == 10


def test_monthly_series_all_or_nothing(world: World) -> None:
    from dangjian.orglife.services import schedule_series

    start = at(2026, 1, 15, 9)
    data = {"kind": "theme_day", "topic": "主题党日", "starts_at": start, "ends_at": at(2026, 1, 15, 11)}
    meetings = schedule_series(world.branch, data, months=12, acting_user=world.secretary)
    assert [timezone.localtime(m.starts_at).date().isoformat() for m in meetings][:3] == [
        "2026-01-15",
        "2026-02-15",
        "2026-03-15",
    ]
    assert len(meetings) == 12 and timezone.localtime(meetings[-1].starts_at).hour == 9
    with pytest.raises(ValidationError):
        schedule_series(
            world.branch,
            data | {"starts_at": at(2026, 1, 31, 9), "ends_at": at(2026, 1, 31, 11)},
            months=3,
            acting_user=world.secretary,
        )
    with pytest.raises(ValidationError):
        schedule_series(world.branch, data | {"topic": ""}, months=3, acting_user=world.secretary)
    assert Meeting.objects.count() == 12


def test_member_attendance_rates_and_lecturer(world: World) -> None:
    from dangjian.orglife.queries import member_attendance_rates

    m = meeting(world, "party_lecture", lecturer=world.member)
    assert m.lecturer == world.member
    rows = {a.member_id: a.pk for a in m.attendances.all()}
    record_attendance(
        m,
        [
            {"attendance": rows[world.member.pk], "status": "present"},
            {"attendance": rows[world.member2.pk], "status": "leave", "reason": "出差"},
        ],
        acting_user=world.secretary,
    )
    close_meeting(m, acting_user=world.secretary)
    held(world)  # both present
    year = (at(timezone.localdate().year - 1, 1, 1), at(timezone.localdate().year + 1, 1, 1))
    assert member_attendance_rates(world.county.path, *year) == {
        world.member.pk: (2, 2),
        world.member2.pk: (1, 2),
    }
    assert member_attendance_rates(world.county_b.path, *year) == {}
    with pytest.raises(ValidationError) as error:
        meeting(world, "branch_assembly", lecturer=world.member)
    assert "lecturer" in error.value.message_dict
