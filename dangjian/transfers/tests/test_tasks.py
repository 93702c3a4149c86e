"""The probation reminder job: 30 days before and on the due date, to the branch's secretaries,
once per member per stage."""

from datetime import timedelta

from dangjian.accounts.roles import Role
from dangjian.core.dates import add_years
from dangjian.notifications.models import Notification
from dangjian.testing.world import World, make_user
from dangjian.transfers.tasks import due_probation_reminders

from .helpers import days_ago, probationary


def keys(user: object) -> list[str]:
    return sorted(Notification.objects.filter(user=user).values_list("key", flat=True))


def test_reminded_before_and_on_the_day_once_each(world: World) -> None:
    today = days_ago(0)
    joined = add_years(today + timedelta(days=30), -1)
    member = probationary(world.branch, "王五", joined)
    due = today + timedelta(days=30)
    assert due_probation_reminders(today - timedelta(days=1)) == 0  # 31 days before: nothing yet
    assert due_probation_reminders(today) == 1
    assert due_probation_reminders(today + timedelta(days=10)) == 0  # same stage: no repeat
    assert keys(world.secretary) == [f"probation:{member.pk}:before:{due:%Y%m%d}"]
    note = Notification.objects.get(user=world.secretary)
    assert note.url == f"/members/{member.pk}/membership/" and "王五" in note.title
    assert due_probation_reminders(due) == 1
    assert due_probation_reminders(due + timedelta(days=3)) == 0
    assert keys(world.secretary) == [
        f"probation:{member.pk}:before:{due:%Y%m%d}",
        f"probation:{member.pk}:due:{due:%Y%m%d}",
    ]
    assert not Notification.objects.exclude(user=world.secretary).exists()  # not the member, not others


def test_missed_days_are_caught_up_and_old_ones_left_alone(world: World) -> None:
    today = days_ago(0)
    recent = probationary(world.branch, "王五", add_years(today - timedelta(days=5), -1))  # overdue 5 days
    probationary(world.branch, "赵六", add_years(today - timedelta(days=200), -1))  # long overdue
    assert due_probation_reminders(today) == 1
    assert keys(world.secretary) == [f"probation:{recent.pk}:due:{today - timedelta(days=5):%Y%m%d}"]


def test_branch_without_secretary_falls_back_to_the_committee_above(world: World) -> None:
    staff = make_user("township_staff", Role.COMMITTEE_STAFF, world.township)
    today = days_ago(0)
    member = probationary(world.branch2, "钱七", add_years(today + timedelta(days=20), -1))
    assert due_probation_reminders(today) == 1
    assert keys(staff) == [f"probation:{member.pk}:before:{today + timedelta(days=20):%Y%m%d}"]
