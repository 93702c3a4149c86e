from datetime import datetime, timedelta

from django.test import Client
from django.utils import timezone

from dangjian.orglife.services import cancel_meeting, schedule_meeting
from dangjian.testing.world import World

TZ = timezone.get_current_timezone()


def make(world: World, day: datetime, topic: str):  # type: ignore[no-untyped-def]
    return schedule_meeting(
        world.branch,
        {"kind": "theme_day", "topic": topic, "starts_at": day, "ends_at": day + timedelta(hours=2)},
        acting_user=world.secretary,
    )


def test_branch_and_member_month_views(world: World) -> None:
    make(world, datetime(2026, 3, 15, 9, tzinfo=TZ), "三月主题党日")
    make(world, datetime(2026, 4, 15, 9, tzinfo=TZ), "四月主题党日")
    cancel_meeting(make(world, datetime(2026, 3, 20, 9, tzinfo=TZ), "已取消"), acting_user=world.secretary)
    staff = Client()
    staff.force_login(world.county_staff)
    body = staff.get(f"/orgs/{world.branch.pk}/calendar/?month=2026-03").content.decode()
    assert "三月主题党日" in body and "四月主题党日" not in body and "已取消" not in body
    assert 'href="?month=2026-02"' in body and 'href="?month=2026-04"' in body
    assert staff.get(f"/orgs/{world.branch.pk}/calendar/?month=bad").status_code == 200  # this month
    member = Client()
    member.force_login(world.member_user)
    assert "四月主题党日" in member.get("/my/calendar/?month=2026-04").content.decode()
    outsider = Client()
    outsider.force_login(world.outsider)
    assert outsider.get(f"/orgs/{world.branch.pk}/calendar/").status_code == 404
    assert "三月主题党日" not in outsider.get("/my/calendar/?month=2026-03").content.decode()


def test_branch_and_member_week_views(world: World) -> None:
    # 2026-03-15 is a Sunday: ISO week 2026-W11 runs Monday 9 March to Sunday 15 March.
    make(world, datetime(2026, 3, 15, 9, tzinfo=TZ), "周日主题党日")
    make(world, datetime(2026, 3, 16, 9, tzinfo=TZ), "下周一的会")
    cancel_meeting(make(world, datetime(2026, 3, 10, 9, tzinfo=TZ), "已取消"), acting_user=world.secretary)
    staff = Client()
    staff.force_login(world.county_staff)
    body = staff.get(f"/orgs/{world.branch.pk}/calendar/week/?week=2026-W11").content.decode()
    assert "周日主题党日" in body and "下周一的会" not in body and "已取消" not in body
    assert body.count('class="list-group-item') == 7
    assert 'href="?week=2026-W10"' in body and 'href="?week=2026-W12"' in body
    # A day picks its week; nonsense falls back to this week instead of failing.
    assert (
        "下周一的会" in staff.get(f"/orgs/{world.branch.pk}/calendar/week/?day=2026-03-22").content.decode()
    )
    assert staff.get(f"/orgs/{world.branch.pk}/calendar/week/?week=2026-W99").status_code == 200
    member = Client()
    member.force_login(world.member_user)
    mine = member.get("/my/calendar/week/?week=2026-W12").content.decode()
    assert "下周一的会" in mine and world.branch.name in mine
    outsider = Client()
    outsider.force_login(world.outsider)
    assert outsider.get(f"/orgs/{world.branch.pk}/calendar/week/").status_code == 404
    assert "下周一的会" not in outsider.get("/my/calendar/week/?week=2026-W12").content.decode()
