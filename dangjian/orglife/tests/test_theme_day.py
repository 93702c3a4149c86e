from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from dangjian.core.exceptions import OutOfScope
from dangjian.core.models import AuditEntry
from dangjian.orglife.models import Meeting, ThemeDaySetting
from dangjian.orglife.services import cancel_meeting, close_meeting, record_attendance, schedule_meeting
from dangjian.orglife.themeday import schedule_theme_days, set_theme_day, theme_day_status
from dangjian.testing.api import english_client
from dangjian.testing.world import World

TZ = timezone.get_current_timezone()


def theme_day(world: World, start: datetime, *, close: bool = True, org=None) -> Meeting:  # type: ignore[no-untyped-def]
    m = schedule_meeting(
        org or world.branch,
        {"kind": "theme_day", "topic": "主题党日", "starts_at": start, "ends_at": start + timedelta(hours=2)},
        acting_user=world.county_staff,
    )
    if close:
        record_attendance(
            m,
            [{"attendance": a.pk, "status": "present"} for a in m.attendances.all()],
            acting_user=world.county_staff,
        )
        close_meeting(m, acting_user=world.county_staff)
    return m


def test_setting_the_day_is_checked_scoped_and_audited(world: World) -> None:
    setting = set_theme_day(world.branch, 2026, 15, note="每月15日", acting_user=world.secretary)
    assert (setting.day_of_month, setting.set_on) == (15, timezone.localdate())
    moved = set_theme_day(world.branch, 2026, 20, acting_user=world.secretary)
    assert moved.pk == setting.pk and moved.day_of_month == 20 and moved.set_on == setting.set_on
    assert AuditEntry.objects.filter(action="theme_day.set").count() == 2
    for bad in (0, 29, 31):
        with pytest.raises(ValidationError):
            set_theme_day(world.branch, 2026, bad, acting_user=world.secretary)
    with pytest.raises(ValidationError):  # a committee holds no theme days
        set_theme_day(world.township, 2026, 15, acting_user=world.county_staff)
    with pytest.raises(OutOfScope):
        set_theme_day(world.branch, 2026, 10, acting_user=world.outsider)
    assert ThemeDaySetting.objects.get().day_of_month == 20


def test_status_for_a_subtree_counts_only_held_theme_days_of_the_year(world: World) -> None:
    set_theme_day(world.branch, 2026, 15, acting_user=world.secretary)
    ThemeDaySetting.objects.filter(organization=world.branch).update(set_on=date(2026, 3, 1))
    theme_day(world, datetime(2026, 5, 31, 20, tzinfo=TZ))  # the last evening before the deadline
    theme_day(world, datetime(2026, 6, 15, 9, tzinfo=TZ))
    theme_day(world, datetime(2026, 6, 20, 9, tzinfo=TZ))  # a second one in June: still one month
    theme_day(world, datetime(2026, 7, 15, 9, tzinfo=TZ), close=False)  # planned: not held
    cancel_meeting(
        theme_day(world, datetime(2026, 8, 15, 9, tzinfo=TZ), close=False), acting_user=world.secretary
    )
    theme_day(world, datetime(2025, 12, 15, 9, tzinfo=TZ))  # last year
    theme_day(world, datetime(2026, 6, 1, 9, tzinfo=TZ), org=world.branch2)  # after the deadline

    status = theme_day_status(world.county.path, 2026)
    assert set(status) == {world.branch.pk, world.branch2.pk}
    mine, late = status[world.branch.pk], status[world.branch2.pk]
    assert (mine.day_of_month, mine.first_held, mine.months_held) == (15, date(2026, 5, 31), 2)
    deadline = date(2026, 5, 31)
    assert mine.set_by(deadline) and mine.held_by(deadline)
    assert not late.set_by(deadline) and not late.held_by(deadline) and late.months_held == 1
    assert theme_day_status(world.county_b.path, 2026) == {}


def test_status_takes_two_queries(world: World, django_assert_num_queries: object) -> None:
    set_theme_day(world.branch, 2026, 15, acting_user=world.secretary)
    for month in (1, 2, 3):
        theme_day(world, datetime(2026, month, 15, 9, tzinfo=TZ))
    with django_assert_num_queries(2):  # type: ignore[operator]
        theme_day_status(world.province.path, 2026)


def test_scheduling_fills_the_remaining_months_once(world: World) -> None:
    with pytest.raises(ValidationError):  # no day set yet
        schedule_theme_days(
            world.branch, 2026, topic="", start=time(9), end=time(11), acting_user=world.secretary
        )
    set_theme_day(world.branch, 2026, 15, acting_user=world.secretary)
    theme_day(world, datetime(2026, 10, 15, 9, tzinfo=TZ), close=False)  # October already has one
    created = schedule_theme_days(
        world.branch,
        2026,
        topic="",
        start=time(9),
        end=time(11),
        acting_user=world.secretary,
        today=date(2026, 9, 16),
    )
    assert [timezone.localtime(m.starts_at).strftime("%m-%d %H:%M") for m in created] == [
        "11-15 09:00",
        "12-15 09:00",
    ]
    assert all(m.topic == "Theme party day" and m.attendances.count() == 2 for m in created)
    again = schedule_theme_days(
        world.branch,
        2026,
        topic="",
        start=time(9),
        end=time(11),
        acting_user=world.secretary,
        today=date(2026, 9, 16),
    )
    assert again == []
    with pytest.raises(ValidationError):
        schedule_theme_days(
            world.branch, 2026, topic="x", start=time(11), end=time(9), acting_user=world.secretary
        )


def test_theme_day_page(world: World) -> None:
    secretary = english_client()
    secretary.force_login(world.secretary)
    url = f"/orgs/{world.branch.pk}/theme-day/?year=2026"
    assert "has not set" in secretary.get(url).content.decode()
    refused = secretary.post(url, {"set_day": "1", "day_of_month": "31"})
    assert refused.status_code == 400 and not ThemeDaySetting.objects.exists()
    assert secretary.post(url, {"set_day": "1", "day_of_month": "15"}).status_code == 302
    assert "day 15 of each month" in secretary.get(url).content.decode()
    member = english_client()
    member.force_login(world.member_user)
    page = member.get(url).content.decode()
    assert "day 15" in page and 'name="set_day"' not in page
    assert member.post(url, {"set_day": "1", "day_of_month": "3"}).status_code == 404
    assert ThemeDaySetting.objects.get().day_of_month == 15
    outsider = Client()
    outsider.force_login(world.outsider)
    assert outsider.get(url).status_code == 404
