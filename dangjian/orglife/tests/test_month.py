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
