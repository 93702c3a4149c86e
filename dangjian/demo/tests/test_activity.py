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
    # The members learn how to pay on 我的党费.
    from dangjian.dues.instructions import effective_instructions

    how = effective_instructions(world.branch)
    assert how is not None and how.instructions.cash and "组织委员" in how.instructions.cash_contact


def test_demo_home_items_give_the_personas_homes_something_to_show(world: World) -> None:
    from dangjian.demo.activity import create_demo_home_items
    from dangjian.evaluation.models import CampaignState, EvaluationCampaign
    from dangjian.notifications.models import Notification
    from dangjian.points.models import EntryState, PointEntry

    today = timezone.localdate().replace(month=12, day=1)
    create_demo_activity(world.branch, today=today)
    create_demo_home_items(world.branch, today=today)
    # The member's home: a notice of the coming assembly, the evaluation to fill in.
    notice = Notification.objects.get(user=world.member_user, kind="meeting.notice")
    assert notice.url == "/my/meetings/"
    campaign = EvaluationCampaign.objects.get(branch=world.branch)
    assert campaign.year == today.year and campaign.state == CampaignState.OPEN
    # The secretary's: a point claim waiting; the member's points accrued from the year's meetings.
    assert PointEntry.objects.get(state=EntryState.PROPOSED).member == world.member2
    assert PointEntry.objects.filter(member=world.member, state=EntryState.APPROVED).exists()
