"""A member's own meetings page: upcoming, leave requests, history and attendance rate."""

from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext

from dangjian.accounts.models import User
from dangjian.core.models import AuditEntry
from dangjian.orglife.models import Attendance, Meeting
from dangjian.orglife.services import close_meeting, record_attendance, schedule_meeting
from dangjian.testing.world import World


def client_for(user: User) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client


def meeting(world: World, topic: str, start_in: timedelta, **extra: Any) -> Meeting:
    start = timezone.now() + start_in
    data = {
        "kind": "branch_assembly",
        "topic": topic,
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
        "place": "会议室",
    } | extra
    return schedule_meeting(world.branch, data, acting_user=world.secretary)


def held(world: World, topic: str, days_ago: int, my_status: str) -> Meeting:
    m = meeting(world, topic, timedelta(days=-days_ago))
    entries = [
        {"member": world.member.pk, "status": my_status, "reason": "出差" if my_status == "leave" else ""},
        {"member": world.member2.pk, "status": "present"},
    ]
    record_attendance(m, entries, acting_user=world.secretary)
    return close_meeting(m, acting_user=world.secretary)


def test_upcoming_and_history(world: World) -> None:
    later = meeting(world, "later topic", timedelta(days=5))
    sooner = meeting(world, "sooner topic", timedelta(days=1), kind="party_lecture")
    running = meeting(world, "running topic", timedelta(minutes=-30))
    ended_open = meeting(world, "ended unclosed", timedelta(days=-3))  # ended, not closed: neither list
    other_branch = schedule_meeting(
        world.branch2,
        {
            "kind": "branch_assembly",
            "topic": "not mine",
            "starts_at": timezone.now() + timedelta(days=2),
            "ends_at": timezone.now() + timedelta(days=2, hours=1),
        },
        acting_user=world.county_staff,
    )
    old = held(world, "old topic", 20, "present")
    newer = held(world, "newer topic", 10, "absent")
    newest = held(world, "newest topic", 5, "leave")

    body = client_for(world.member_user).get("/my/meetings/").content.decode()
    upcoming, history = body.split('id="upcoming"')[1].split('id="history"')
    assert upcoming.index("running topic") < upcoming.index("sooner topic") < upcoming.index("later topic")
    assert "Party lecture" in upcoming and "会议室" in upcoming and "Not recorded" in upcoming
    assert f"/my/meetings/{later.pk}/leave/" in upcoming and f"/my/meetings/{running.pk}/leave/" in upcoming
    assert f"upcoming-{sooner.pk}" in upcoming
    assert "ended unclosed" not in body and "not mine" not in body and other_branch.pk
    assert ended_open.pk
    assert history.index("newest topic") < history.index("newer topic") < history.index("old topic")
    assert f"history-{old.pk}" in history and f"history-{newer.pk}" in history
    assert f"history-{newest.pk}" in history
    assert "Present" in history and "Absent" in history and "On leave" in history
    rate = body.split('id="attendance-rate"')[1].split('id="history"')[0]
    this_year = [
        m for m in (old, newer, newest) if timezone.localtime(m.starts_at).year == timezone.localdate().year
    ]
    present = sum(1 for m in this_year if m is old)
    if this_year:  # present ÷ recorded, this year only
        assert f"{round(100 * present / len(this_year))}%" in rate
        assert f"Present at {present} of {len(this_year)} recorded meetings" in rate


def test_unlinked_user_gets_a_friendly_message_and_no_nav_link(world: World) -> None:
    body = client_for(world.secretary).get("/my/meetings/").content.decode()
    assert 'id="no-member"' in body and "not linked" in body
    assert 'href="/my/meetings/"' not in body
    member_page = client_for(world.member_user).get("/").content.decode()
    assert 'href="/my/meetings/"' in member_page


def test_leave_with_reason_is_recorded_and_audited(world: World) -> None:
    m = meeting(world, "upcoming", timedelta(days=2))
    client = client_for(world.member_user)
    response = client.post(f"/my/meetings/{m.pk}/leave/", {"reason": "  出差  "})
    assert response.status_code == 302 and response["Location"] == "/my/meetings/"
    row = Attendance.objects.get(meeting=m, member=world.member)
    assert (row.status, row.reason) == ("leave", "出差")
    entry = AuditEntry.objects.get(action="meeting.leave_request", success=True)
    assert entry.actor_id == world.member_user.pk and entry.object_id == str(m.pk)
    page = client.get("/my/meetings/").content.decode()
    assert "leave request" in page and "On leave" in page


def test_empty_reason_is_refused_in_the_users_language(world: World) -> None:
    m = meeting(world, "upcoming", timedelta(days=2))
    client = client_for(world.member_user)
    response = client.post(f"/my/meetings/{m.pk}/leave/", {"reason": "   "})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="leave-error"' in body and "Give the reason for your leave." in body
    assert Attendance.objects.get(meeting=m, member=world.member).status == "expected"
    assert not AuditEntry.objects.filter(action="meeting.leave_request", success=True).exists()
    assert AuditEntry.objects.filter(action="meeting.leave_request", success=False).exists()

    chinese = Client()
    chinese.cookies["django_language"] = "zh-hans"
    chinese.force_login(world.member_user)
    body = chinese.post(f"/my/meetings/{m.pk}/leave/", {"reason": ""}).content.decode()
    with translation.override("zh-hans"):
        message = gettext("Give the reason for your leave.")
    assert '<html lang="zh-CN">' in body and f'id="leave-error">{message}<' in body


def test_leave_for_a_meeting_one_is_not_expected_at_is_404(world: World) -> None:
    other_branch = schedule_meeting(
        world.branch2,
        {
            "kind": "branch_assembly",
            "topic": "elsewhere",
            "starts_at": timezone.now() + timedelta(days=2),
            "ends_at": timezone.now() + timedelta(days=2, hours=1),
        },
        acting_user=world.county_staff,
    )
    group_only = meeting(  # 李娜 is not in the party group: not expected
        world, "group", timedelta(days=2), kind="group_meeting", party_group=world.group
    )
    mine = meeting(world, "mine", timedelta(days=2))
    member = client_for(world.member_user)
    assert member.post(f"/my/meetings/{other_branch.pk}/leave/", {"reason": "x"}).status_code == 404
    assert member.post("/my/meetings/999999/leave/", {"reason": "x"}).status_code == 404
    assert member.get(f"/my/meetings/{mine.pk}/leave/").status_code == 405
    for user in (world.outsider, world.secretary):  # no linked member, or not expected
        assert client_for(user).post(f"/my/meetings/{mine.pk}/leave/", {"reason": "x"}).status_code == 404
    assert Attendance.objects.filter(meeting=group_only, member=world.member2).count() == 0
    assert not Attendance.objects.filter(status="leave").exists()
    assert not AuditEntry.objects.filter(action="meeting.leave_request").exists()


def test_over_meeting_leave_is_refused(world: World) -> None:
    old = held(world, "done", 3, "present")
    response = client_for(world.member_user).post(f"/my/meetings/{old.pk}/leave/", {"reason": "x"})
    body = response.content.decode()
    assert response.status_code == 200 and "leave can no longer be requested" in body
    assert body.count('id="leave-error"') == 1
    assert Attendance.objects.get(meeting=old, member=world.member).status == "present"


def test_query_count_does_not_grow_with_meetings(world: World, django_assert_max_num_queries: Any) -> None:
    client = client_for(world.member_user)
    meeting(world, "first upcoming", timedelta(days=1))
    held(world, "first held", 2, "present")
    client.get("/my/meetings/")  # warm caches
    with django_assert_max_num_queries(10) as few:
        client.get("/my/meetings/")
    for i in range(6):
        meeting(world, f"upcoming {i}", timedelta(days=2 + i))
        held(world, f"held {i}", 3 + i, "absent")
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get("/my/meetings/").content.decode()
    assert "upcoming 5" in body and "held 5" in body
