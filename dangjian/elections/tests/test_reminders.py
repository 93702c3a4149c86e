"""Six months before a term ends, the organization and the nearest committee staff above are told
once; a term change under way silences it."""

from datetime import date, timedelta

from dangjian.core.dates import add_months
from dangjian.elections import services
from dangjian.elections.reminders import remind_terms
from dangjian.notifications.models import Notification
from dangjian.organizations.models import Organization
from dangjian.testing.world import World

TODAY = date(2027, 3, 10)


def _due(world: World, org: Organization, end: date) -> None:
    Organization.objects.filter(pk=org.pk).update(term_due_end=end)


def test_told_once_six_months_ahead_with_a_week_to_catch_up(world: World) -> None:
    end = add_months(TODAY, 6)
    _due(world, world.branch, end)
    _due(world, world.branch2, end + timedelta(days=1))  # not yet
    _due(world, world.branch_b, end - timedelta(days=8))  # beyond the catch-up week
    assert remind_terms(TODAY) == 2
    told = set(Notification.objects.filter(kind="term.due").values_list("user__username", "url"))
    url = f"/orgs/{world.branch.pk}/term-changes/"
    # The township has no staff of its own: its county's are told.
    assert told == {("secretary", url), ("county_staff", url)}
    assert remind_terms(TODAY) == 0
    # The next day branch2's term is six months off: it has no officers' accounts, its county is told.
    assert remind_terms(TODAY + timedelta(days=1)) == 1
    assert remind_terms(TODAY + timedelta(days=3)) == 0  # the same terms: the keys stop them
    assert Notification.objects.filter(kind="term.due", user__username="county_staff").count() == 2


def test_a_term_change_under_way_is_not_reminded(world: World) -> None:
    _due(world, world.branch, add_months(TODAY, 6))
    services.request_term_change(
        world.branch,
        {"planned_on": date.today() + timedelta(days=30), "seats": 3, "plan": "换届"},
        acting_user=world.secretary,
    )
    assert remind_terms(TODAY) == 0
