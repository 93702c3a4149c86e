"""Meeting reminders (orglife.tasks): who is reminded of what, once."""

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext

from dangjian.accounts.roles import Role
from dangjian.accounts.services import grant_role
from dangjian.core.scoping import SYSTEM
from dangjian.notifications.models import Delivery, Notification
from dangjian.orglife.services import (
    cancel_meeting,
    close_meeting,
    record_attendance,
    request_leave,
    update_meeting,
)
from dangjian.orglife.tasks import day_before_key, due_day_before, due_unrecorded
from dangjian.testing.world import World, make_member, make_user

from .conftest import Schedule, local

NOW = local(0, 10)  # today 10:00 Beijing time


def keys(user: Any) -> list[str]:
    return sorted(Notification.objects.filter(user=user).values_list("key", flat=True))


@pytest.fixture
def second_account(world: World) -> Any:
    """An account for the branch's second member too (李娜)."""
    return make_user("lina", Role.MEMBER, world.branch, member=world.member2)


# --- the day before ---------------------------------------------------------------------------


def test_expected_attendees_with_accounts_are_reminded_once(
    world: World, schedule: Schedule, second_account: Any
) -> None:
    no_account = make_member(world.branch, "赵强")  # expected, but has no account
    tomorrow = schedule(local(1, 9), topic="学习二十大精神")
    late_tomorrow = schedule(local(1, 23, 30), topic="夜间会议", hours=1)  # still tomorrow
    two_days_out = schedule(local(2, 9), topic="后天的会")
    today = schedule(local(0, 15), topic="今天的会")
    cancelled = cancel_meeting(schedule(local(1, 14), topic="取消的会"), acting_user=SYSTEM)
    elsewhere = schedule(local(1, 9), topic="别的支部", org=world.branch_b)

    assert due_day_before(NOW) == 4  # two meetings × two accounts

    assert keys(world.member_user) == sorted(
        [
            day_before_key(tomorrow.pk, tomorrow.starts_at),
            day_before_key(late_tomorrow.pk, late_tomorrow.starts_at),
            f"meeting-cancelled:{cancelled.pk}",  # told when it was cancelled, not reminded
        ]
    )
    assert keys(second_account) == keys(world.member_user)
    for meeting in (two_days_out, today, cancelled, elsewhere):
        assert not Notification.objects.filter(key=day_before_key(meeting.pk, meeting.starts_at)).exists()
    assert not Notification.objects.exclude(user__in=[world.member_user, second_account]).exists()
    assert no_account.pk

    n = Notification.objects.get(user=world.member_user, key=day_before_key(tomorrow.pk, tomorrow.starts_at))
    assert n.kind == "meeting.day_before" and n.read_at is None
    assert "学习二十大精神" in n.title and "党员活动室" in n.body and "第一党支部" in n.body
    assert n.url == f"/my/meetings/#upcoming-{tomorrow.pk}"


def test_titles_are_in_the_default_language(world: World, schedule: Schedule) -> None:
    meeting = schedule(local(1, 9), topic="学习党章")
    due_day_before(NOW)  # the test runs in English; reminders are written in zh-hans
    with translation.override("zh-hans"):
        expected = gettext("Meeting tomorrow: %(topic)s") % {"topic": "学习党章"}
        kind = gettext("Branch member assembly")
    n = Notification.objects.get(key=day_before_key(meeting.pk, meeting.starts_at))
    assert n.title == expected and kind in n.body


def test_running_twice_creates_nothing_new(world: World, schedule: Schedule, second_account: Any) -> None:
    schedule(local(1, 9))
    assert due_day_before(NOW) == 2
    assert due_day_before(NOW + timedelta(hours=1)) == 0
    assert Notification.objects.count() == 2


def test_members_on_leave_are_not_reminded(world: World, schedule: Schedule, second_account: Any) -> None:
    meeting = schedule(local(1, 9))
    request_leave(meeting, "出差", acting_user=second_account)
    assert due_day_before(NOW) == 1
    assert keys(second_account) == []
    assert keys(world.member_user) == [day_before_key(meeting.pk, meeting.starts_at)]


def test_inactive_accounts_are_not_reminded(world: World, schedule: Schedule) -> None:
    world.member_user.is_active = False
    world.member_user.save(update_fields=["is_active"])
    schedule(local(1, 9))
    assert due_day_before(NOW) == 0


def test_a_meeting_scheduled_later_is_caught_by_the_next_run(world: World, schedule: Schedule) -> None:
    first = schedule(local(1, 9))
    assert due_day_before(NOW) == 1
    second = schedule(local(1, 15), topic="加开的会")
    assert due_day_before(NOW + timedelta(hours=1)) == 1
    assert keys(world.member_user) == sorted(
        [day_before_key(first.pk, first.starts_at), day_before_key(second.pk, second.starts_at)]
    )


def test_a_meeting_moved_to_another_day_is_reminded_again(world: World, schedule: Schedule) -> None:
    meeting = schedule(local(1, 9))
    assert due_day_before(NOW) == 1
    start, end = local(3, 9), local(3, 11)
    moved = update_meeting(meeting, {"starts_at": start, "ends_at": end}, acting_user=SYSTEM)
    assert due_day_before(local(2, 10)) == 1  # the day before the new date
    assert day_before_key(moved.pk, moved.starts_at) in keys(world.member_user)
    assert due_day_before(local(2, 11)) == 0  # still once per day


def test_queries_do_not_grow_with_meetings(world: World, schedule: Schedule, second_account: Any) -> None:
    def count(day: int) -> int:
        with CaptureQueriesContext(connection) as ctx:
            due_day_before(local(day, 10))
        return len(ctx)

    for hour in (8, 10):
        schedule(local(1, hour))
    few = count(0)
    for hour in (8, 10, 12, 14, 16, 18):
        schedule(local(2, hour), org=world.branch if hour < 14 else world.branch_b)
    assert count(1) == few


# --- email ------------------------------------------------------------------------------------


def test_email_is_sent_once_when_configured(
    world: World, schedule: Schedule, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.NOTIFICATION_EMAIL = True
    settings.SITE_URL = "https://dj.example"
    world.member_user.email = "zhangwei@example.cn"
    world.member_user.save(update_fields=["email"])
    meeting = schedule(local(1, 9), topic="学习党章")
    with django_capture_on_commit_callbacks(execute=True):
        due_day_before(NOW)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["zhangwei@example.cn"] and "学习党章" in message.subject
    assert f"https://dj.example/my/meetings/#upcoming-{meeting.pk}" in message.body
    assert Notification.objects.get(user=world.member_user).emailed_at is not None

    with django_capture_on_commit_callbacks(execute=True):
        due_day_before(NOW + timedelta(hours=1))
    assert len(mail.outbox) == 1


def test_no_email_when_not_configured(
    world: World, schedule: Schedule, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.NOTIFICATION_EMAIL = False
    world.member_user.email = "zhangwei@example.cn"
    world.member_user.save(update_fields=["email"])
    schedule(local(1, 9))
    with django_capture_on_commit_callbacks(execute=True):
        assert due_day_before(NOW) == 1
    assert mail.outbox == [] and not Delivery.objects.filter(channel="email").exists()
    assert Notification.objects.get().emailed_at is None


def test_no_email_without_an_address(
    world: World, schedule: Schedule, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.NOTIFICATION_EMAIL = True
    schedule(local(1, 9))
    with django_capture_on_commit_callbacks(execute=True):
        assert due_day_before(NOW) == 1
    assert mail.outbox == []
    assert Notification.objects.get().emailed_at is None


# --- not recorded two days after ----------------------------------------------------------------


def _held(world: World, schedule: Schedule, days_ago: int, topic: str, org: Any = None) -> Any:
    """A meeting that ended `days_ago` days ago (and lasted two hours)."""
    return schedule(timezone.now() - timedelta(days=days_ago, hours=2), topic=topic, org=org)


def test_organizer_is_reminded_of_an_unclosed_meeting_after_two_days(
    world: World, schedule: Schedule
) -> None:
    organizer = make_user("organizer", Role.ORGANIZER, world.branch)
    unclosed = _held(world, schedule, 3, "未归档的会")
    recent = _held(world, schedule, 1, "昨天的会")
    closed = _held(world, schedule, 3, "已归档的会")
    entries = [{"member": m.pk, "status": "present"} for m in (world.member, world.member2)]
    record_attendance(closed, entries, acting_user=world.secretary)
    close_meeting(closed, acting_user=world.secretary)
    cancelled = cancel_meeting(_held(world, schedule, 4, "取消的会"), acting_user=SYSTEM)
    ancient = _held(world, schedule, 45, "很久以前的会")

    assert due_unrecorded(timezone.now()) == 2  # the secretary and the organizer
    key = f"meeting-unrecorded:{unclosed.pk}"
    assert keys(world.secretary) == [key] and keys(organizer) == [key]
    # Committee staff above see it in supervision; members are not record keepers.
    assert keys(world.county_staff) == [] and keys(world.member_user) == []
    for meeting in (recent, closed, cancelled, ancient):
        assert not Notification.objects.filter(key=f"meeting-unrecorded:{meeting.pk}").exists()

    n = Notification.objects.get(user=world.secretary)
    assert n.url == f"/meetings/{unclosed.pk}/" and "未归档的会" in n.title
    assert due_unrecorded(timezone.now()) == 0  # once


def test_without_record_keepers_the_parent_committee_staff_is_reminded(
    world: World, schedule: Schedule
) -> None:
    township_staff = make_user("township_staff", Role.COMMITTEE_STAFF, world.township)
    meeting = _held(world, schedule, 3, "第二支部的会", org=world.branch2)  # no secretary there
    assert due_unrecorded(timezone.now()) == 1
    assert keys(township_staff) == [f"meeting-unrecorded:{meeting.pk}"]
    assert keys(world.county_staff) == []  # only the parent, not every ancestor


def test_the_reminder_says_what_is_missing(world: World, schedule: Schedule) -> None:
    meeting = _held(world, schedule, 3, "缺记录的会")
    due_unrecorded(timezone.now())
    body = Notification.objects.get(user=world.secretary).body
    with translation.override("zh-hans"):
        assert gettext("Attendance is not fully recorded.") in body
        assert gettext("The minutes are empty.") in body
    assert meeting.pk


def test_granting_another_secretary_later_reminds_only_the_new_one(world: World, schedule: Schedule) -> None:
    _held(world, schedule, 3, "未归档的会")
    assert due_unrecorded(timezone.now()) == 1
    deputy = make_user("deputy", None, world.branch)
    grant_role(deputy, world.branch, Role.ORGANIZER, acting_user=SYSTEM)
    assert due_unrecorded(timezone.now()) == 1
    assert Notification.objects.count() == 2
