"""An in-service member registers with the community branch where they live; the community branch
accepts, gives tasks and confirms them; the confirmed hours show at the home branch and earn
points under the home county's community service rule, within its cap."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from dangjian.community import services
from dangjian.community.models import Registration, RegistrationState, ServiceTask, TaskState
from dangjian.community.queries import registrations
from dangjian.core.models import AuditEntry
from dangjian.points import services as point_services
from dangjian.points.models import PointEntry, SourceType
from dangjian.testing.world import World, make_org

from .helpers import accepted, add_workplace, registered, task


def test_a_registration_runs_from_request_to_points(world: World) -> None:
    place = add_workplace(world)
    point_services.create_rule(
        world.county,
        {
            "year": 2026,
            "kind": "community_service",
            "name": "社区服务",
            "points": 2,
            "cap_points": 10,
            "cap_period": "year",
        },
        acting_user=world.county_staff,
    )
    row = registered(world, place)
    assert row.state == RegistrationState.REQUESTED and row.home == place.branch
    row = services.REGISTRATION_MOVES["accept"](row, acting_user=world.secretary)
    first = task(world, place, row)
    second = task(world, place, row, title="政策宣传", on=date(2026, 4, 1))
    services.report_task(first, 3, "清理楼道", acting_user=world.worker)
    services.report_task(second, 4, acting_user=world.worker)
    done = services.confirm_task(first, note="认真负责", acting_user=world.secretary)
    assert done.state == TaskState.CONFIRMED and done.review_note == "认真负责"
    services.confirm_task(second, acting_user=world.secretary)
    entries = PointEntry.objects.filter(member=place.worker, source_type=SourceType.COMMUNITY_TASK).order_by(
        "occurred_on"
    )
    # 3 hours × 2 = 6 points; then 4 × 2 = 8, cut to the 4 left under the yearly cap of 10.
    assert [(e.points, e.capped, e.quantity) for e in entries] == [(6, False, 3), (4, True, 4)]
    home_view = registrations(world.work_secretary, home=place.branch).get()
    assert home_view.hours_confirmed == 7
    assert AuditEntry.objects.filter(action="community_task.confirm", success=True).count() == 2


def test_confirming_without_a_rule_earns_nothing_and_is_still_confirmed(world: World) -> None:
    place = add_workplace(world)
    one = task(world, place)
    services.report_task(one, 2, acting_user=world.worker)
    services.confirm_task(one, acting_user=world.secretary)
    assert ServiceTask.objects.get(pk=one.pk).state == TaskState.CONFIRMED
    assert not PointEntry.objects.filter(member=place.worker).exists()


@pytest.mark.parametrize("hours", [-1, 0, 25, True, "3"])
def test_hours_out_of_a_day_are_refused_and_nothing_changes(world: World, hours: object) -> None:
    place = add_workplace(world)
    one = task(world, place)
    with pytest.raises(ValidationError) as caught:
        services.report_task(one, hours, acting_user=world.worker)
    assert "24" in " ".join(caught.value.messages)
    fresh = ServiceTask.objects.get(pk=one.pk)
    assert fresh.state == TaskState.ASSIGNED and fresh.hours is None and fresh.version == 0


def test_bad_registrations_are_refused_in_chinese(world: World, settings: object) -> None:
    from django.utils import translation

    place = add_workplace(world)
    other_county = world.branch_b
    factory = make_org(world.township, "街道机关党支部", "430102001090", "branch", "government")
    cases = [
        (place.branch, "本支部"),  # its own branch
        (other_county, "本县"),
        (factory, "社区党支部"),
    ]
    with translation.override("zh-hans"):
        for target, words in cases:
            with pytest.raises(ValidationError) as caught:
                services.register(place.worker, target, acting_user=world.worker)
            assert words in " ".join(caught.value.messages), caught.value.messages
        with pytest.raises(ValidationError) as caught:  # a community branch's member lives there
            services.register(world.member, world.branch2, acting_user=world.member_user)
        assert "社区" in " ".join(caught.value.messages)
    assert not Registration.objects.exists()


def test_one_open_registration_at_a_time(world: World) -> None:
    place = add_workplace(world)
    registered(world, place)
    with pytest.raises(ValidationError):
        services.register(place.worker, world.branch2, acting_user=world.worker)
    assert Registration.objects.count() == 1


def test_tasks_only_on_an_accepted_registration_and_by_the_community(world: World) -> None:
    place = add_workplace(world)
    row = registered(world, place)
    data = {"title": "巡逻", "on": date(2026, 3, 1), "hours_expected": 2}
    with pytest.raises(ValidationError):
        services.assign_task(row, data, acting_user=world.secretary)  # not yet accepted
    row = services.REGISTRATION_MOVES["accept"](row, acting_user=world.secretary)
    with pytest.raises(ValidationError):
        services.assign_task(row, data, acting_user=world.work_secretary)  # the home branch reads only
    with pytest.raises(ValidationError):
        services.assign_task(row, {**data, "hours_expected": 30}, acting_user=world.secretary)
    assert not ServiceTask.objects.exists()


def test_the_member_ends_and_registers_elsewhere(world: World) -> None:
    place = add_workplace(world)
    row = accepted(world, place)
    with pytest.raises(ValidationError):  # a reason is needed
        services.REGISTRATION_MOVES["end"](row, acting_user=world.worker)
    services.REGISTRATION_MOVES["end"](row, note="搬家", acting_user=world.worker)
    again = services.register(place.worker, world.branch2, acting_user=world.worker)
    assert again.state == RegistrationState.REQUESTED


def test_a_future_task_is_not_reported_before_its_day(world: World) -> None:
    place = add_workplace(world)
    one = task(world, place, on=date(2099, 1, 1))
    with pytest.raises(ValidationError):
        services.report_task(one, 2, acting_user=world.worker)
