from datetime import timedelta

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
