"""Each persona's home: the next thing to do first, only from within the user's reach, in a
fixed number of queries."""

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dangjian.accounts.roles import Role
from dangjian.compliance import engine
from dangjian.compliance.services import load_rule_set
from dangjian.core.scoping import SYSTEM
from dangjian.notices.services import create_notice, send_notice
from dangjian.notifications.services import notify
from dangjian.orglife.models import Meeting
from dangjian.orglife.services import request_leave, schedule_meeting
from dangjian.points.models import EntryState, PointEntry
from dangjian.points.tests.helpers import rule as point_rule
from dangjian.testing.world import World, make_member, make_user
from dangjian.web.home import LIST_LIMIT

# Session, user, grants, the navbar, and a handful of counts per section of the user's roles.
# (27: the member section's must-read notices, 通知公告, are one query.)
HOME_QUERY_BUDGET = 27
# A member without any other role — most of the province's users, on every visit. Session and
# user (2), grants (1), member with branch and the year's points (1), next meeting with how many
# follow (1), the latest unread notifications with their count, shared with the bell (1), dues (3),
# evaluation (1), study (1), must-read notices (1).
MEMBER_HOME_QUERIES = 12
STANDING = Path(__file__).resolve().parents[2] / "compliance" / "rulesets" / "standing.yaml"


def _meeting(world: World, start: object, topic: str = "支部党员大会", org: object = None) -> Meeting:
    data = {
        "kind": "branch_assembly",
        "topic": topic,
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),  # type: ignore[operator]
        "place": "村部三楼会议室",
        "agenda": "学习党章第三章",
    }
    return schedule_meeting(org or world.branch, data, acting_user=SYSTEM)


def _must_read_notice(world: World, title: str) -> None:
    """A must-read notice of the county, sent down to the member's branch (the home lists it)."""
    notice = create_notice(
        world.county, {"title": title, "body": "请阅", "must_read": True, "cascade": True}, acting_user=SYSTEM
    )
    send_notice(notice, acting_user=SYSTEM)


def _home(user: object) -> str:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_member_sees_next_meeting_with_leave_before_it_starts(world: World) -> None:
    start = timezone.now() + timedelta(days=2)
    meeting = _meeting(world, start)
    _meeting(world, start + timedelta(days=1), topic="坡子街的会", org=world.branch_b)
    page = _home(world.member_user)
    assert "支部党员大会" in page and "村部三楼会议室" in page and "学习党章第三章" in page
    assert 'id="home-leave"' in page and f"#upcoming-{meeting.pk}" in page
    assert 'id="home-checkin"' not in page
    assert "坡子街的会" not in page  # another branch's meeting is not theirs
    assert 'href="/my/card/"' in page and 'href="/my/dues/"' in page


def test_member_sees_check_in_during_the_window_and_not_after_leave(world: World) -> None:
    meeting = _meeting(world, timezone.now() + timedelta(minutes=10))
    page = _home(world.member_user)
    assert 'id="home-checkin"' in page
    request_leave(meeting, "出差", acting_user=world.member_user)
    page = _home(world.member_user)
    assert 'id="home-checkin"' in page and "badge text-bg-info" in page  # on leave, may still come


def test_member_without_meetings_reads_what_to_do(world: World) -> None:
    page = _home(world.member_user)
    assert 'id="home-no-meeting"' in page


def test_member_sees_unread_notices_of_their_own_only(world: World) -> None:
    notify([world.member_user], kind="test", key="t:1", title="明天上午支部党员大会", url="/my/meetings/")
    notify([world.secretary], kind="test", key="t:2", title="给书记的提醒", url="/")
    page = _home(world.member_user)
    assert "明天上午支部党员大会" in page and "给书记的提醒" not in page


def test_secretary_sees_meetings_to_record_and_leave_requests(world: World) -> None:
    past = _meeting(world, timezone.now() - timedelta(days=3), topic="上周的支委会")
    _meeting(world, timezone.now() - timedelta(days=3), topic="别处的会", org=world.branch_b)
    coming = _meeting(world, timezone.now() + timedelta(days=3), topic="下周的党员大会")
    request_leave(coming, "外出务工", acting_user=world.member_user)
    page = _home(world.secretary)
    assert 'id="home-branch"' in page and 'id="home-member"' not in page
    assert f'href="/meetings/{past.pk}/"' in page and "别处的会" not in page
    assert "外出务工" in page and "张伟" in page


def test_secretary_sees_work_points_at_risk_from_stored_results(world: World) -> None:
    load_rule_set(STANDING.read_text(encoding="utf-8"), acting_user=SYSTEM)
    engine.recompute(timezone.localdate().year)
    page = _home(world.secretary)
    # The world's branch holds no meetings: the monthly committee meeting is overdue (January
    # aside, when no month has passed yet).
    if timezone.localdate().month > 1:
        assert "支部委员会每月至少召开1次" in page


def test_committee_staff_see_worst_below_and_terms_overdue_within_reach(world: World) -> None:
    world.branch.term_due_end = date(2020, 1, 1)
    world.branch.save(update_fields=["term_due_end"])
    world.branch_b.term_due_end = date(2020, 1, 1)
    world.branch_b.save(update_fields=["term_due_end"])
    load_rule_set(STANDING.read_text(encoding="utf-8"), acting_user=SYSTEM)
    engine.recompute(timezone.localdate().year)
    page = _home(world.county_staff)
    assert 'id="home-committee"' in page and "第一党支部" in page
    assert "坡子街党支部" not in page  # county B is beside county A, not below it
    outsider = _home(world.outsider)
    assert "坡子街党支部" in outsider and "第一党支部" not in outsider


def test_auditor_home_links_the_audit_log(world: World) -> None:
    page = _home(world.auditor)
    assert 'id="home-admin"' in page and 'href="/audit/"' in page


def _queries(user: object) -> int:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    client.get("/")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/").status_code == 200
    return len(ctx)


def test_a_members_home_counts_nothing_twice(world: World) -> None:
    _meeting(world, timezone.now() + timedelta(days=2))
    _meeting(world, timezone.now() + timedelta(days=3), topic="第二次会")
    notify([world.member_user], kind="test", key="n:1", title="提醒", url="/")
    _must_read_notice(world, "必读通知")
    client = Client()
    client.force_login(world.member_user)
    with CaptureQueriesContext(connection) as ctx:
        body = client.get("/").content.decode()
    assert "支部党员大会" in body and "第二次会" not in body  # the next meeting, and how many follow
    assert "另有 1 个" in body
    assert 'id="bell-count"' in body and "必读通知" in body
    sql = [q["sql"] for q in ctx.captured_queries]
    assert len(sql) == MEMBER_HOME_QUERIES, "\n".join(sql)
    assert sum("notifications_notification" in q and "COUNT(" in q for q in sql) == 1  # home + bell
    assert not any("INSERT" in q or "UPDATE" in q for q in sql)  # the session was renewed at login


def test_a_secretary_members_home_reads_each_thing_once(world: World) -> None:
    """The member section, then the branch's: meetings to record with how many there are (1),
    leave requests (1), every kind of decision waiting counted in one query (1), the work points
    at risk (1); the top organization of each role comes from the grants already read."""
    user = make_user("secretary_member", Role.SECRETARY, world.branch, world.member2)
    for i in range(LIST_LIMIT + 2):
        _meeting(world, timezone.now() - timedelta(days=3 + i), topic=f"待记录的会{i}")
    client = Client()
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        body = client.get("/").content.decode()
    sql = [q["sql"] for q in ctx.captured_queries]
    assert len(sql) == MEMBER_HOME_QUERIES + 4, "\n".join(sql)
    assert sum("accounts_rolegrant" in q for q in sql) == 1
    # Seven to record, five listed, the badge counts them all.
    assert body.count("待记录的会") == LIST_LIMIT
    assert f'<span class="badge text-bg-warning">{LIST_LIMIT + 2}</span>' in body


def test_a_members_home_shows_the_years_approved_points_and_unread_count(world: World) -> None:
    year = timezone.localdate().year
    deed = point_rule(world.township, "manual", "好人好事", 3, year=year)
    for points, state, day in [
        (3, EntryState.APPROVED, date(year, 1, 5)),
        (2, EntryState.APPROVED, date(year, 1, 6)),
        (7, EntryState.PROPOSED, date(year, 1, 7)),  # not approved yet
        (9, EntryState.APPROVED, date(year - 1, 12, 31)),  # last year
    ]:
        PointEntry.objects.create(
            member=world.member, rule=deed, points=points, occurred_on=day, source_type="manual", state=state
        )
    PointEntry.objects.create(
        member=world.member2,
        rule=deed,
        points=4,
        occurred_on=date(year, 1, 5),
        source_type="manual",
        state=EntryState.APPROVED,
    )
    for i in range(5):
        notify([world.member_user], kind="test", key=f"n:{i}", title=f"提醒{i}", url="/")
    body = _home(world.member_user)
    points = body[body.index('id="home-points"') :]
    assert '<span class="d-block fs-4 fw-semibold">5</span>' in points[:400]
    assert '<span class="position-absolute' in body and ">5<span" in body  # the bell counts all five
    assert "提醒4" in body and "提醒2" in body and "提醒1" not in body  # the newest three listed


@pytest.mark.parametrize(
    "persona", ["member_user", "secretary", "secretary_member", "county_staff", "sysadmin"]
)
def test_home_queries_do_not_grow_with_rows(world: World, persona: str) -> None:
    # A secretary who is also a member of the branch sees both sections.
    world.users["secretary_member"] = make_user(
        "secretary_member", Role.SECRETARY, world.branch, world.member2
    )
    load_rule_set(STANDING.read_text(encoding="utf-8"), acting_user=SYSTEM)
    engine.recompute(timezone.localdate().year)
    _meeting(world, timezone.now() - timedelta(days=2))
    _meeting(world, timezone.now() + timedelta(days=2))
    user = world.users[persona]
    before = _queries(user)
    for i in range(6):
        make_member(world.branch, f"新党员{i}", birth=date(1970 + i, 1, 2))
        _meeting(world, timezone.now() - timedelta(days=3 + i), topic=f"会{i}")
        coming = _meeting(world, timezone.now() + timedelta(days=3 + i), topic=f"将来的会{i}")
        request_leave(coming, "出差", acting_user=world.member_user)
        notify([user], kind="test", key=f"n:{i}", title=f"提醒{i}", url="/")
        request_leave(coming, "出差", acting_user=world.users["secretary_member"])
        _must_read_notice(world, f"必读通知{i}")
    engine.recompute(timezone.localdate().year)
    assert _queries(user) == before
    assert before <= HOME_QUERY_BUDGET
