"""The whole development through the services: each step in order, the stage moves, the member
created at the approval; and the bad input of the issue refused with the rule's words, nothing
changed."""

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from dangjian.core.audit import AuditEntry
from dangjian.core.dates import add_months, add_years
from dangjian.core.idnumber import generate_id_number
from dangjian.development.models import Applicant, Stage, Step
from dangjian.development.services import answer_objection, end_development, record_objection, record_step
from dangjian.members.models import Member, MemberCategory
from dangjian.testing.world import World
from dangjian.transfers.probation import member_probation_end

from .helpers import days_ago, facts, register, take, township_staff, up_to

pytestmark = pytest.mark.django_db


def snapshot() -> list[Any]:
    return [
        list(Applicant.objects.values_list("pk", "stage", "last_step", "version")),
        Step.objects.count(),
        Member.objects.count(),
    ]


def refused(call: Any, *words: str) -> None:
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        call()
    text = " ".join(exc.value.messages)
    for w in words:
        assert w in text, text
    assert snapshot() == before


def test_from_application_to_probationary_member(world: World) -> None:
    applicant = register(world)
    assert applicant.stage == Stage.APPLICANT and applicant.talk_due == add_months(applicant.applied_on, 1)
    applicant = up_to(world, applicant, 3)
    assert applicant.stage == Stage.ACTIVIST and applicant.activist_on == days_ago(880)
    applicant = up_to(world, applicant, 7)
    assert applicant.stage == Stage.CANDIDATE
    applicant = up_to(world, applicant, 12)
    assert applicant.stage == Stage.ADMISSION
    applicant = up_to(world, applicant, 16)
    assert applicant.voted_on == days_ago(60) and applicant.member is None
    applicant = up_to(world, applicant, 17)
    member = applicant.member
    assert applicant.stage == Stage.ADMITTED and member is not None
    assert member.category == MemberCategory.PROBATIONARY and member.join_date == days_ago(60)
    assert member.organization == world.branch and member.id_number == applicant.id_number
    assert AuditEntry.objects.filter(action="member.create", object_id=str(member.pk)).exists()
    # The probation flow takes over: one year from the day the assembly voted.
    assert member_probation_end(member) == add_years(days_ago(60), 1)
    up_to(world, applicant, 18)
    assert list(applicant.records.values_list("number", flat=True)) == [1, 2, 3, 4, 5, 6, 6, *range(7, 19)]


def test_personal_data_never_in_the_audit_in_clear(world: World) -> None:
    applicant = register(world)
    entry = AuditEntry.objects.get(action="development.register")
    text = str(entry.changes)
    assert applicant.id_number not in text and applicant.phone not in text
    assert applicant.id_number_masked in text


def test_a_step_out_of_order_is_refused(world: World) -> None:
    applicant = register(world)
    refused(lambda: take(world, applicant, 3), "Steps are taken in order", "step 3")
    up_to(world, applicant, 2)
    refused(lambda: take(world, applicant, 5), "Steps are taken in order")


def test_dates_in_the_future_or_before_the_previous_step_are_refused(world: World) -> None:
    applicant = register(world, applied_on=days_ago(10))
    refused(lambda: take(world, applicant, 2, on=days_ago(-1)), "future")
    refused(lambda: take(world, applicant, 2, on=days_ago(11)), "before the step before it")
    refused(lambda: register(world, applied_on=days_ago(-1)), "future")


def test_under_18_on_the_day_of_application_is_refused(world: World) -> None:
    today = days_ago(0)
    birth = add_years(today, -18) + timedelta(days=1)
    refused(
        lambda: register(
            world,
            applied_on=today,
            id_number=generate_id_number(__import__("random").Random(3), birth, "male"),
        ),
        "at least 18",
    )


def test_duplicate_id_numbers_are_refused(world: World) -> None:
    refused(lambda: register(world, id_number=world.member_b.id_number), "already registered")
    first = register(world)
    refused(lambda: register(world, id_number=first.id_number), "already in development")
    end_development(first, note="本人撤回申请", acting_user=world.secretary)
    again = register(world, id_number=first.id_number)  # a closed development does not block a new one
    assert again.stage == Stage.APPLICANT


def test_the_talk_within_a_month_is_flagged_late_not_refused(world: World) -> None:
    applicant = register(world, applied_on=days_ago(60))
    step = take(world, applicant, 2, on=days_ago(20))
    applicant.refresh_from_db()
    assert step.on > applicant.talk_due and applicant.last_step == 2


def test_contacts_and_introducers_are_full_members_of_the_branch(world: World) -> None:
    from dangjian.transfers.tests.helpers import probationary

    applicant = up_to(world, register(world), 4)
    refused(lambda: take(world, applicant, 5, people=[]), "one or two full members")
    refused(lambda: take(world, applicant, 5, people=[world.member_b]), "not a full member of the branch")
    up_to(world, applicant, 8)
    newcomer = probationary(world.branch, "钱进", days_ago(100))
    refused(lambda: take(world, applicant, 9, people=[world.member]), "Two full members")
    refused(lambda: take(world, applicant, 9, people=[world.member, newcomer]), "not a full member")


def test_no_candidate_without_the_half_yearly_assessments(world: World) -> None:
    applicant = up_to(world, register(world), 5)
    record_step(applicant, 6, {"on": days_ago(730), "note": "良好"}, acting_user=world.secretary)
    refused(lambda: take(world, applicant, 7), "half-yearly assessment")


def test_no_candidate_before_more_than_one_year_as_an_activist(world: World) -> None:
    applicant = up_to(world, register(world), 6)
    anniversary = add_years(applicant.activist_on, 1)
    refused(lambda: take(world, applicant, 7, on=anniversary), "more than one year")
    take(world, applicant, 7, on=anniversary + timedelta(days=1))


def test_no_admission_without_the_political_review_conclusion(world: World) -> None:
    applicant = up_to(world, register(world), 9)
    refused(lambda: take(world, applicant, 10, conclusion=" "), "political review")


def test_objections_answered_before_the_pre_review(world: World) -> None:
    applicant = up_to(world, register(world), 12)
    staff = township_staff(world)
    objection = record_objection(applicant, text="曾有违纪传闻", received_on=days_ago(436), acting_user=staff)
    refused(lambda: take(world, applicant, 13), "Answer every objection")
    answer_objection(objection, answer="经核实不属实", answered_on=days_ago(432), acting_user=staff)
    take(world, applicant, 13)
    with pytest.raises(ValidationError):
        record_objection(applicant, text="迟到的意见", received_on=days_ago(5), acting_user=staff)


def test_the_vote_counts_are_checked_against_the_roll(world: World) -> None:
    applicant = up_to(world, register(world), 14)
    vote = facts(world, 15)
    # The branch has two full members with voting rights (a probationary member does not vote).
    refused(
        lambda: take(world, applicant, 15, meeting=vote["meeting"], should_attend=3, present=3, votes_for=3),
        "2 full members",
    )
    refused(
        lambda: take(world, applicant, 15, meeting=vote["meeting"], should_attend=2, present=1, votes_for=1),
        "not valid",
    )
    refused(
        lambda: take(world, applicant, 15, meeting=vote["meeting"], should_attend=2, present=2, votes_for=3),
        "More votes for",
    )
    other = facts(world, 15)["meeting"]
    other.organization = world.branch2
    other.save(update_fields=["organization"])
    refused(lambda: take(world, applicant, 15, meeting=other), "closed branch member assembly of the branch")


def test_approval_late_needs_a_reason(world: World) -> None:
    applicant = up_to(world, register(world), 14)
    take(world, applicant, 15)
    applicant.refresh_from_db()
    applicant.voted_on = days_ago(150)  # as if the vote had been three months before step 16
    applicant.save(update_fields=["voted_on"])
    take(world, applicant, 16)
    refused(lambda: take(world, applicant, 17), "special reason")
    take(world, applicant, 17, reason="上级党委换届，延期审批")
    applicant.refresh_from_db()
    assert applicant.stage == Stage.ADMITTED


def test_ending_needs_a_reason_and_stops_the_steps(world: World) -> None:
    applicant = up_to(world, register(world), 2)
    with pytest.raises(ValidationError):
        end_development(applicant, note="", acting_user=world.secretary)
    end_development(applicant, note="本人撤回申请", acting_user=world.secretary)
    refused(lambda: take(world, applicant, 3), "has ended")


def test_a_stale_page_is_refused(world: World) -> None:
    applicant = register(world)
    refused(
        lambda: record_step(
            applicant, 2, facts(world, 2), expected_version=applicant.version - 1, acting_user=world.secretary
        ),
        "Someone changed this record",
    )


def test_the_approval_and_the_member_are_one_transaction(world: World) -> None:
    """Registered as a member elsewhere meanwhile: the approval is refused whole, no step 17,
    the stage unchanged."""
    from dangjian.testing.world import make_member

    applicant = up_to(world, register(world), 16)
    make_member(world.branch_b, "赵小明", birth=applicant.birth_date, id_number=applicant.id_number)
    members = Member.objects.count()
    with pytest.raises(ValidationError) as exc:
        take(world, applicant, 17)
    assert "already registered" in " ".join(exc.value.messages)
    applicant.refresh_from_db()
    assert applicant.stage == Stage.ADMISSION and applicant.member is None
    assert not applicant.records.filter(number=17).exists() and Member.objects.count() == members
