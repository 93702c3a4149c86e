"""Stage 5 on the person's record: placement (19), the oath (20), the continued assessment (21),
the application for full membership (22) not before the probation year is up, steps 23 and 24
read from the probation flow of `transfers`, and the archiving (25) once the member is full."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from dangjian.core.dates import add_years
from dangjian.development.models import Applicant, Step
from dangjian.development.services import record_step
from dangjian.development.steps import next_numbers
from dangjian.members.models import Member
from dangjian.organizations.services import create_party_group
from dangjian.testing.world import World, add_every_role
from dangjian.transfers import services as transfers
from dangjian.transfers.tests.helpers import closed_assembly

from .helpers import days_ago, register, take, township_staff, up_to
from .test_personas import MATRIX, outcome

VOTE = 400  # days ago: the probation year ended 35 days ago or so


def admitted(world: World) -> Applicant:
    """A person approved at step 17 with the vote VOTE days ago (a probationary member)."""
    a = up_to(world, register(world), 14)
    take(world, a, 15, meeting=closed_assembly(world.branch, days_ago(VOTE)))
    take(world, a, 16, on=days_ago(VOTE - 2))
    take(world, a, 17, on=days_ago(VOTE - 5))
    a.refresh_from_db()
    return a


def rec(world: World, a: Applicant, number: int, **data: Any) -> Step:
    a.refresh_from_db()
    return record_step(a, number, data, acting_user=world.secretary)


def placed_and_sworn(world: World, a: Applicant) -> None:
    rec(world, a, 19, on=days_ago(VOTE - 10), party_group=world.group)
    rec(world, a, 20, on=days_ago(VOTE - 20), actor="王书记", place="党员活动室")
    rec(world, a, 21, on=days_ago(200), note="表现良好，按时参加组织生活")


def probation_end(a: Applicant) -> date:
    assert a.voted_on is not None
    return add_years(a.voted_on, 1)


def refused(call: Any, *words: str) -> None:
    before = (Step.objects.count(), list(Applicant.objects.values_list("version", flat=True)))
    with pytest.raises(ValidationError) as exc:
        call()
    text = " ".join(exc.value.messages)
    for w in words:
        assert w in text, text
    assert (Step.objects.count(), list(Applicant.objects.values_list("version", flat=True))) == before


def test_placement_and_oath_after_the_approval_in_either_order(world: World) -> None:
    a = admitted(world)
    assert next_numbers(a) == [18, 19, 20, 21, 22]
    refused(
        lambda: rec(world, a, 20, on=days_ago(VOTE - 4), actor="王书记", place="党员活动室"),
        "before the step before it",
    )
    refused(lambda: rec(world, a, 20, on=days_ago(VOTE - 20), place="党员活动室"), "who led the oath")
    refused(lambda: rec(world, a, 20, on=days_ago(VOTE - 20), actor="王书记"), "where the oath")
    rec(world, a, 20, on=days_ago(VOTE - 20), actor="王书记", place="党员活动室")
    # Placement is dated before the oath, recorded after it: both follow the approval only.
    rec(world, a, 19, on=days_ago(VOTE - 10), party_group=world.group)
    a.refresh_from_db()
    assert a.last_step == 20 and a.stage == "admitted"
    assert next_numbers(a) == [18, 21, 22]
    assert Member.objects.get(pk=a.member_id).party_group_id == world.group.pk
    # The filing with the department above can still come, dated after the approval.
    a.refresh_from_db()
    record_step(a, 18, {"on": days_ago(VOTE - 8)}, acting_user=township_staff(world))
    refused(lambda: rec(world, a, 19, on=days_ago(VOTE - 10), party_group=world.group), "in order")


def test_placement_needs_a_group_of_the_branch_when_it_has_groups(world: World) -> None:
    a = admitted(world)
    refused(lambda: rec(world, a, 19, on=days_ago(VOTE - 10)), "party group")
    other = create_party_group(world.branch2, "第二党小组", acting_user=world.county_staff)
    refused(lambda: rec(world, a, 19, on=days_ago(VOTE - 10), party_group=other), "branch's own")


def test_continued_assessment_repeats_and_needs_the_text(world: World) -> None:
    a = admitted(world)
    refused(lambda: rec(world, a, 21, on=days_ago(300)), "assessment")
    rec(world, a, 21, on=days_ago(300), note="第一次考察")
    rec(world, a, 21, on=days_ago(120), note="第二次考察")
    assert Step.objects.filter(applicant=a, number=21).count() == 2
    assert 21 in next_numbers(Applicant.objects.get(pk=a.pk))


def test_full_application_after_placement_oath_and_an_assessment(world: World) -> None:
    a = admitted(world)
    end = probation_end(a)
    refused(lambda: rec(world, a, 22, on=end), "steps 19, 20")
    rec(world, a, 19, on=days_ago(VOTE - 10), party_group=world.group)
    rec(world, a, 20, on=days_ago(VOTE - 20), actor="王书记", place="党员活动室")
    refused(lambda: rec(world, a, 22, on=end), "at least one assessment")


@pytest.mark.parametrize(("offset", "ok"), [(-1, False), (0, True), (1, True)])
def test_full_application_not_before_the_probation_year_ends(world: World, offset: int, ok: bool) -> None:
    a = admitted(world)
    placed_and_sworn(world, a)
    end = probation_end(a)
    on = end + timedelta(days=offset)
    if ok:
        rec(world, a, 22, on=on)
        assert 22 not in next_numbers(Applicant.objects.get(pk=a.pk))
    else:
        refused(lambda: rec(world, a, 22, on=on), "when the probation ends", end.isoformat())


def test_steps_23_and_24_come_from_the_probation_flow_and_archiving_follows(
    world: World, client: Any
) -> None:
    a = admitted(world)
    placed_and_sworn(world, a)
    rec(world, a, 22, on=probation_end(a))
    refused(lambda: rec(world, a, 25, on=days_ago(0), place="县委组织部档案室"), "in order")
    member = Member.objects.get(pk=a.member_id)
    decision = transfers.record_decision(
        member,
        outcome="convert",
        meeting=closed_assembly(world.branch, probation_end(a) + timedelta(days=1)),
        acting_user=world.secretary,
    )
    client.force_login(world.secretary)
    client.cookies["django_language"] = "en"
    page = client.get(f"/development/{a.pk}/").content.decode()
    assert f'id="step-23-{decision.pk}"' in page and f'id="step-24-{decision.pk}"' not in page
    assert f"/members/{member.pk}/membership/" in page
    assert "step-form-25" not in page
    transfers.approve_decision(decision, note="同意", acting_user=world.county_staff)
    a.refresh_from_db()
    assert next_numbers(a) == [18, 25]
    refused(lambda: rec(world, a, 25, on=days_ago(1)), "after full membership")
    refused(lambda: rec(world, a, 25, on=days_ago(0)), "where the file went")
    rec(world, a, 25, on=days_ago(0), place="县委组织部档案室")
    page = client.get(f"/development/{a.pk}/").content.decode()
    assert f'id="step-24-{decision.pk}"' in page and 'id="step-25"' in page
    assert "县委组织部档案室" in page
    assert page.index(f"step-23-{decision.pk}") < page.index(f"step-24-{decision.pk}") < page.index("step-25")
    a.refresh_from_db()
    assert 25 not in next_numbers(a)


def test_no_probation_steps_once_the_membership_is_cancelled(world: World) -> None:
    a = admitted(world)
    member = Member.objects.get(pk=a.member_id)
    decision = transfers.record_decision(
        member,
        outcome="cancel",
        meeting=closed_assembly(world.branch, days_ago(100)),
        acting_user=world.secretary,
    )
    transfers.approve_decision(decision, note="同意", acting_user=world.county_staff)
    a.refresh_from_db()
    assert next_numbers(a) == [18, 19, 20]
    refused(lambda: rec(world, a, 21, on=days_ago(10), note="考察"), "in order")


def test_the_level_above_does_not_record_the_branch_steps(world: World) -> None:
    a = admitted(world)
    refused(
        lambda: record_step(
            a,
            20,
            {"on": days_ago(VOTE - 20), "actor": "王书记", "place": "党员活动室"},
            acting_user=township_staff(world),
        ),
        "officers of the branch",
    )


@pytest.mark.parametrize("persona", list(MATRIX))
def test_who_records_the_probation_steps(world: World, persona: str) -> None:
    add_every_role(world)
    township_staff(world)
    user = world.users[persona]
    branch_step = MATRIX[persona][0]
    a = admitted(world)
    oath = {"on": days_ago(VOTE - 20), "actor": "王书记", "place": "党员活动室"}
    assert outcome(lambda: record_step(a, 20, oath, acting_user=user)) == branch_step
    a.refresh_from_db()
    placement = {"on": days_ago(VOTE - 10), "party_group": world.group}
    assert outcome(lambda: record_step(a, 19, placement, acting_user=user)) == branch_step


def test_the_page_offers_each_persona_its_probation_steps(world: World, client: Any) -> None:
    a = admitted(world)
    client.cookies["django_language"] = "en"
    client.force_login(world.secretary)
    page = client.get(f"/development/{a.pk}/").content.decode()
    assert all(f"step-form-{n}" in page for n in (19, 20, 21, 22)) and "step-form-18" not in page
    client.force_login(township_staff(world))
    page = client.get(f"/development/{a.pk}/").content.decode()
    assert "step-form-18" in page and "step-form-20" not in page
    response = client.post(
        f"/development/{a.pk}/steps/20/",
        {
            "s20-on": days_ago(VOTE - 20).isoformat(),
            "s20-actor": "王书记",
            "s20-place": "活动室",
            "version": a.version,
        },
    )
    assert response.status_code == 302 and not Step.objects.filter(applicant=a, number=20).exists()
