from datetime import date, timedelta

from django.utils import timezone

from dangjian.demo.activity import create_demo_activity
from dangjian.orglife.models import AttendanceStatus, Meeting, MeetingStatus, ThemeDaySetting
from dangjian.study.models import StudyPlan
from dangjian.study.queries import plan_progress
from dangjian.testing.world import World


def test_demo_activity_is_a_believable_year_made_through_the_services(world: World) -> None:
    today = timezone.localdate()
    made = create_demo_activity(world.branch, today=today)
    meetings = Meeting.objects.filter(organization=world.branch)
    assert meetings.count() == made > today.month * 3
    closed = meetings.filter(status=MeetingStatus.CLOSED)
    # Held meetings have every attendee recorded and minutes; nothing in the future is closed.
    assert closed.exists() and not closed.filter(attendances__status=AttendanceStatus.EXPECTED).exists()
    assert not closed.filter(minutes="").exists()
    assert not closed.filter(starts_at__gt=timezone.now()).exists()
    # Tomorrow's committee meeting is there for the day-before reminder.
    starts = [timezone.localtime(m.starts_at).date() for m in meetings.filter(status=MeetingStatus.PLANNED)]
    assert today + timedelta(days=1) in starts
    assert ThemeDaySetting.objects.get(organization=world.branch, year=today.year).day_of_month == 15
    plan = StudyPlan.objects.get(organization=world.branch, year=today.year)
    assert any(done for _item, done in plan_progress(plan)) or today.month == 1


def test_demo_leaders_are_counted_by_the_leader_queries(world: World) -> None:
    from dangjian.demo.activity import create_demo_leaders
    from dangjian.leaders.queries import committee_counts, leader_counts, year_bounds

    today = timezone.localdate().replace(month=12, day=20)
    assert create_demo_leaders(world.branch, today=today) == 2
    start, end = year_bounds(today.year)
    counts = leader_counts(world.township.path, start, end)
    assert len(counts) == 2 and all(c.has_plan for c in counts.values())
    sessions = sum(1 for m in (2, 5, 8, 11) if timezone.localdate() > date(today.year, m, 8))
    held = committee_counts(world.township.path, start, end).get(world.township.pk)
    assert (held.central_group_sessions if held else 0) == sessions
    assert (held.principal_lectures if held else 0) == (1 if sessions else 0)


def test_demo_dues_show_members_behind(world: World) -> None:
    from dangjian.demo.activity import create_demo_dues
    from dangjian.dues.months import month_start
    from dangjian.dues.queries import consecutive_unpaid

    today = date(timezone.localdate().year, 11, 20)
    assert create_demo_dues(world.branch, today=today) > 0
    behind = consecutive_unpaid(world.branch.path, month_start(today))
    # Both members paid every month up to last month: only this month is open.
    assert behind == {world.member.pk: 1, world.member2.pk: 1}
