"""Every move of a campaign, guarded: the wrong state, the wrong person; ratings (non-member,
oneself, twice, outside the window); grades; handling; the anonymity of the audit log."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from dangjian.accounts.roles import Role
from dangjian.core.exceptions import OutOfScope
from dangjian.core.models import AuditEntry
from dangjian.core.scoping import SYSTEM
from dangjian.evaluation import services
from dangjian.evaluation.handling import add_follow_up, close_handling, create_handling
from dangjian.evaluation.models import (
    CampaignState,
    EvaluationCampaign,
    Handling,
    PeerRating,
    ProposedGrade,
    SelfAssessment,
)
from dangjian.evaluation.participation import rate_member, submit_self_assessment
from dangjian.members.services import update_member
from dangjian.testing.world import World, make_member, make_user

from .helpers import graded, new_campaign, today


def msg(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(exc.value.messages)


def test_a_whole_round(world: World) -> None:
    li_na = make_user("li_na", None, world.branch, member=world.member2)
    campaign = new_campaign(world.branch, by=world.secretary)
    submit_self_assessment(campaign, "认真学习，按时参加组织生活。", acting_user=world.member_user)
    rate_member(campaign, world.member2, "excellent", "乐于助人", acting_user=world.member_user)
    rate_member(campaign, world.member, "qualified", acting_user=li_na)
    graded(campaign, {world.member.pk: "qualified", world.member2.pk: "excellent"}, by=world.secretary)
    services.propose(campaign, acting_user=world.secretary)
    services.approve(campaign, note="同意", acting_user=world.county_staff)
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.APPROVED
    assert (campaign.proposed_by, campaign.decided_by, campaign.review_note) == (
        world.secretary,
        world.county_staff,
        "同意",
    )
    actions = list(
        AuditEntry.objects.filter(object_type="evaluation.evaluationcampaign", success=True)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions[:3] == ["evaluation.create", "evaluation.open", "evaluation.self_assessment"]
    assert actions[-2:] == ["evaluation.proposed", "evaluation.approved"]


def test_wrong_state_is_refused(world: World) -> None:
    campaign = new_campaign(world.branch, open_=False)
    for step in (services.close_rating, services.propose):
        with pytest.raises(ValidationError) as exc:
            step(campaign, acting_user=SYSTEM)
        assert exc.value.code == "transition"
    with pytest.raises(ValidationError):
        services.approve(campaign, acting_user=world.county_staff)
    with pytest.raises(ValidationError):
        services.set_grades(campaign, [{"member": world.member.pk, "grade": "qualified"}], acting_user=SYSTEM)
    services.open_campaign(campaign, acting_user=SYSTEM)
    with pytest.raises(ValidationError):
        services.open_campaign(campaign, acting_user=SYSTEM)
    with pytest.raises(ValidationError):
        services.set_grades(campaign, [{"member": world.member.pk, "grade": "qualified"}], acting_user=SYSTEM)
    graded(campaign, {world.member.pk: "qualified", world.member2.pk: "qualified"})
    with pytest.raises(ValidationError):
        services.return_campaign(campaign, note="x", acting_user=world.county_staff)
    services.propose(campaign, acting_user=SYSTEM)
    with pytest.raises(ValidationError):
        services.set_grades(campaign, [{"member": world.member.pk, "grade": "excellent"}], acting_user=SYSTEM)
    with pytest.raises(ValidationError):
        services.propose(campaign, acting_user=SYSTEM)
    # Returned: the branch fixes and proposes again; then approved is final.
    services.return_campaign(campaign, note="请核实李娜的等次", acting_user=world.county_staff)
    services.set_grades(
        campaign, [{"member": world.member2.pk, "grade": "excellent"}], acting_user=world.secretary
    )
    services.propose(campaign, acting_user=world.secretary)
    services.approve(campaign, acting_user=world.county_staff)
    for step in (services.open_campaign, services.close_rating, services.propose):
        with pytest.raises(ValidationError):
            step(campaign, acting_user=SYSTEM)
    with pytest.raises(ValidationError):
        services.return_campaign(campaign, note="x", acting_user=world.province_staff)
    assert EvaluationCampaign.objects.get().state == CampaignState.APPROVED
    assert ProposedGrade.objects.get(member=world.member2).grade == "excellent"


def test_wrong_person_is_refused(world: World) -> None:
    campaign = new_campaign(world.branch)
    with pytest.raises(OutOfScope):
        services.close_rating(campaign, acting_user=world.outsider)
    with pytest.raises(OutOfScope):
        services.close_rating(campaign, acting_user=world.member_user)  # a member only views
    graded(campaign, {world.member.pk: "qualified", world.member2.pk: "qualified"})
    # A township officer proposes; they may approve for the township, but not their own proposal.
    township_staff = make_user("township_staff", Role.COMMITTEE_STAFF, world.township)
    services.propose(campaign, acting_user=township_staff)
    with pytest.raises(ValidationError) as exc:
        services.approve(campaign, acting_user=township_staff)
    assert "cannot also approve" in msg(exc)
    with pytest.raises(ValidationError) as exc:
        services.approve(campaign, acting_user=world.secretary)  # the branch itself
    assert "one level up" in msg(exc)
    with pytest.raises(OutOfScope):
        services.approve(campaign, acting_user=world.outsider)
    with pytest.raises(ValidationError) as exc:
        services.return_campaign(campaign, note=" ", acting_user=world.county_staff)
    assert "note" in exc.value.message_dict
    assert EvaluationCampaign.objects.get().state == CampaignState.PROPOSED
    assert AuditEntry.objects.filter(action="evaluation.approved", success=False).count() == 3


def test_create_and_dates(world: World) -> None:
    year = today().year
    with pytest.raises(ValidationError) as exc:
        services.create_campaign(world.township, year, today(), today(), acting_user=SYSTEM)
    assert "branch" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.create_campaign(world.branch, year, today(), today() - timedelta(days=1), acting_user=SYSTEM)
    assert "closes_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.create_campaign(
            world.branch, year, today().replace(year=year - 1), today(), acting_user=SYSTEM
        )
    assert "opens_on" in exc.value.message_dict
    with pytest.raises(OutOfScope):
        services.create_campaign(world.branch, year, today(), today(), acting_user=world.member_user)
    campaign = new_campaign(world.branch, open_=False)
    with pytest.raises(ValidationError) as exc:
        new_campaign(world.branch)
    assert "already" in msg(exc)
    services.change_dates(campaign, today(), today() + timedelta(days=30), acting_user=world.secretary)
    assert EvaluationCampaign.objects.get().closes_on == today() + timedelta(days=30)
    # A branch with one member cannot run peer rating.
    lonely = new_campaign(world.branch_b, open_=False)
    with pytest.raises(ValidationError) as exc:
        services.open_campaign(lonely, acting_user=SYSTEM)
    assert "at least two" in msg(exc)


def test_ratings_are_guarded(world: World) -> None:
    campaign = new_campaign(world.branch)
    rate = rate_member
    # Not a member of the branch: the secretary's account has no member; a member of branch 2.
    for user in (
        world.secretary,
        make_user("wang", None, world.branch2, member=make_member(world.branch2, "王强")),
    ):
        with pytest.raises(ValidationError) as exc:
            rate(campaign, world.member2, "qualified", acting_user=user)
        assert exc.value.code == "not_member"
    with pytest.raises(ValidationError) as exc:
        rate(campaign, world.member, "qualified", acting_user=world.member_user)
    assert exc.value.code == "self"
    with pytest.raises(ValidationError) as exc:
        rate(campaign, world.member_b, "qualified", acting_user=world.member_user)
    assert exc.value.code == "ratee"
    with pytest.raises(ValidationError) as exc:
        rate(campaign, world.member2, "superb", acting_user=world.member_user)
    assert "grade" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        rate(
            campaign,
            world.member2,
            "qualified",
            acting_user=world.member_user,
            today=today() - timedelta(days=1),
        )
    assert exc.value.code == "window"
    with pytest.raises(ValidationError) as exc:
        rate(
            campaign,
            world.member2,
            "qualified",
            acting_user=world.member_user,
            today=today() + timedelta(days=15),
        )
    assert exc.value.code == "window"
    rate(campaign, world.member2, "qualified", acting_user=world.member_user)
    with pytest.raises(ValidationError) as exc:
        rate(campaign, world.member2, "excellent", acting_user=world.member_user)
    assert exc.value.code == "twice"
    # A member whose membership is suspended takes no part.
    update_member(world.member, {"status": "suspended"}, acting_user=SYSTEM)
    with pytest.raises(ValidationError) as exc:
        submit_self_assessment(campaign, "自评", acting_user=world.member_user)
    assert exc.value.code == "not_member"
    services.close_rating(campaign, acting_user=SYSTEM)
    li_na = make_user("li_na", None, world.branch, member=world.member2)
    with pytest.raises(ValidationError) as exc:
        rate(campaign, world.member, "qualified", acting_user=li_na)
    assert exc.value.code == "closed"
    assert PeerRating.objects.count() == 1 and not SelfAssessment.objects.exists()


def test_audit_never_names_the_member_rated(world: World) -> None:
    campaign = new_campaign(world.branch)
    rate_member(campaign, world.member2, "unqualified", "不参加活动", acting_user=world.member_user)
    with pytest.raises(ValidationError):
        rate_member(campaign, world.member2, "qualified", acting_user=world.member_user)
    for entry in AuditEntry.objects.filter(action="evaluation.rate"):
        text = f"{entry.object_repr} {entry.changes} {entry.detail} {entry.object_id}"
        assert "李娜" not in text and str(world.member2.pk) != entry.object_id
        assert entry.object_type in ("evaluation.evaluationcampaign", "")  # a refusal names nothing
    assert AuditEntry.objects.filter(action="evaluation.rate", success=False).count() == 1


def test_self_assessment(world: World) -> None:
    campaign = new_campaign(world.branch)
    submit_self_assessment(campaign, "初稿", acting_user=world.member_user)
    submit_self_assessment(campaign, "修改稿", acting_user=world.member_user)
    assert SelfAssessment.objects.get().text == "修改稿"
    with pytest.raises(ValidationError) as exc:
        submit_self_assessment(campaign, " ", acting_user=world.member_user)
    assert "text" in exc.value.message_dict
    with pytest.raises(ValidationError):
        submit_self_assessment(campaign, "代写", acting_user=world.secretary)


def test_grades(world: World) -> None:
    campaign = new_campaign(world.branch)
    services.close_rating(campaign, acting_user=SYSTEM)
    with pytest.raises(ValidationError) as exc:
        services.set_grades(
            campaign, [{"member": world.member.pk, "grade": "unqualified"}], acting_user=SYSTEM
        )
    assert "reason" in msg(exc)
    with pytest.raises(ValidationError) as exc:
        services.set_grades(
            campaign, [{"member": world.member_b.pk, "grade": "qualified"}], acting_user=SYSTEM
        )
    assert "not evaluated" in msg(exc)
    services.set_grades(campaign, [{"member": world.member.pk, "grade": "qualified"}], acting_user=SYSTEM)
    with pytest.raises(ValidationError) as exc:
        services.propose(campaign, acting_user=SYSTEM)
    assert "李娜" in msg(exc)
    services.set_grades(
        campaign, [{"member": world.member2.pk, "grade": "basically_qualified"}], acting_user=SYSTEM
    )
    services.propose(campaign, acting_user=SYSTEM)
    assert ProposedGrade.objects.count() == 2


def test_handling(world: World) -> None:
    campaign = new_campaign(world.branch)
    graded(campaign, {world.member.pk: "qualified", world.member2.pk: "unqualified"})
    with pytest.raises(ValidationError) as exc:
        create_handling(campaign, world.member2, "remove", acting_user=SYSTEM)
    assert exc.value.code == "transition"  # not approved yet
    services.propose(campaign, acting_user=SYSTEM)
    services.approve(campaign, acting_user=world.county_staff)
    with pytest.raises(ValidationError) as exc:
        create_handling(campaign, world.member, "remove", acting_user=SYSTEM)
    assert "member" in exc.value.message_dict  # qualified
    with pytest.raises(ValidationError) as exc:
        create_handling(campaign, world.member2, "correct_within_deadline", acting_user=SYSTEM)
    assert "deadline" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        create_handling(
            campaign,
            world.member2,
            "correct_within_deadline",
            deadline=today() + timedelta(days=400),
            acting_user=SYSTEM,
        )
    assert "twelve months" in msg(exc)
    with pytest.raises(OutOfScope):
        create_handling(campaign, world.member2, "remove", acting_user=world.member_user)
    handling = create_handling(
        campaign,
        world.member2,
        "correct_within_deadline",
        deadline=today() + timedelta(days=180),
        acting_user=world.secretary,
    )
    with pytest.raises(ValidationError):
        create_handling(campaign, world.member2, "remove", acting_user=SYSTEM)
    add_follow_up(handling, "支部书记谈心谈话", acting_user=world.secretary)
    with pytest.raises(ValidationError) as exc:
        add_follow_up(handling, "未来", on=today() + timedelta(days=1), acting_user=world.secretary)
    assert "on" in exc.value.message_dict
    with pytest.raises(ValidationError):
        close_handling(handling, " ", acting_user=world.secretary)
    close_handling(handling, "已改正，恢复正常", acting_user=world.secretary)
    with pytest.raises(ValidationError):
        close_handling(handling, "再次", acting_user=world.secretary)
    with pytest.raises(ValidationError):
        add_follow_up(handling, "关闭后", acting_user=world.secretary)
    assert handling.follow_ups.count() == 1  # type: ignore[attr-defined]


def test_a_handling_sent_twice_at_once_is_refused_cleanly(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dangjian.evaluation import handling as handling_module

    campaign = new_campaign(world.branch)
    graded(campaign, {world.member.pk: "qualified", world.member2.pk: "unqualified"})
    services.propose(campaign, acting_user=SYSTEM)
    services.approve(campaign, acting_user=world.county_staff)
    create_handling(campaign, world.member2, "remove", acting_user=world.secretary)
    # The second of two simultaneous submissions passed the check before the first was saved:
    # the database's constraint refuses it, with the same message, not a server error.
    monkeypatch.setattr(handling_module, "already_handled", lambda campaign, member: False)
    with pytest.raises(ValidationError) as exc:
        create_handling(campaign, world.member2, "remove", acting_user=world.secretary)
    assert "already recorded" in msg(exc)
    assert Handling.objects.count() == 1
