"""The metrics of the domains beyond meetings: small worlds with known records, one rule each,
and the stored result after a recompute (status, value, target)."""

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from dangjian.dues.models import DuesPayment, DuesProfile, DuesReduction, ReductionState
from dangjian.dues.queries import consecutive_unpaid
from dangjian.evaluation.models import CampaignState, EvaluationCampaign, Grade, Handling, ProposedGrade
from dangjian.identity.models import MemberCard
from dangjian.leaders.models import LeadingCadre
from dangjian.lectures.models import DispatchStatus, LectureDispatch, Lecturer
from dangjian.members.models import Member, MemberStatus
from dangjian.organizations.models import Organization
from dangjian.points.models import EntryState, PointEntry, PointRule
from dangjian.supervision.models import CommitteeLink, FiveStandardsAssessment, SecretaryReport
from dangjian.testing.world import World, make_member
from dangjian.transfers.models import (
    CaseState,
    DecisionState,
    FloatingRecord,
    FloatingState,
    LostContactCase,
    ProbationDecision,
)

from .. import engine
from ..models import Result
from ..sources.dues import unpaid_for
from .factories import held, load

YEAR = 2017
MID_YEAR = date(2017, 6, 30)
AFTER_YEAR = date(2018, 1, 10)
BRANCHES = {"kinds": ["branch", "joint_branch"]}
COMMITTEES = {"kinds": ["committee", "working_committee"]}


def rules(*items: dict[str, Any]) -> None:
    """Load a rule set for 2017 made of `items` (JSON is YAML too)."""
    load(json.dumps({"code": "t", "name": "测试", "year": YEAR, "rules": list(items)}, ensure_ascii=False))


def rule(code: str, kind: str, **spec: Any) -> dict[str, Any]:
    return {"code": code, "title": code, "kind": kind, **spec}


def outcome(org: Organization, code: str) -> tuple[str, int, int]:
    r = Result.objects.get(organization=org, rule__code=code, year=YEAR)
    return r.status, r.value, r.target


def has_result(org: Organization, code: str) -> bool:
    return Result.objects.filter(organization=org, rule__code=code, year=YEAR).exists()


def aware(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, 10))


# --- lectures ----------------------------------------------------------------------------------


def _lecturer(org: Organization, name: str, *, reporter: bool = True, active: bool = True) -> Lecturer:
    return Lecturer.objects.create(
        organization=org, name=name, kind="expert", is_reporter=reporter, active=active
    )


def _dispatch(lecturer: Lecturer, branch: Organization, on: date, status: str = DispatchStatus.HELD) -> None:
    LectureDispatch.objects.create(lecturer=lecturer, branch=branch, date=on, topic="党性教育", status=status)


def test_dispatched_lectures_count_held_ones_of_the_year(world: World) -> None:
    lecturer = _lecturer(world.county, "刘教授", reporter=False)
    _dispatch(lecturer, world.branch, date(2017, 3, 1))
    _dispatch(lecturer, world.branch2, date(2017, 4, 1), DispatchStatus.PROPOSED)
    _dispatch(lecturer, world.branch2, date(2017, 5, 1), DispatchStatus.CANCELLED)
    _dispatch(lecturer, world.branch_b, date(2016, 12, 31))
    rules(rule("lec", "count", metric="lectures.dispatched", period="year", min=1, applies_to=BRANCHES))

    engine.recompute(YEAR, today=MID_YEAR)
    assert outcome(world.branch, "lec") == ("met", 1, 1)
    assert outcome(world.branch2, "lec") == ("on_track", 0, 1)
    assert outcome(world.branch_b, "lec") == ("on_track", 0, 1)

    engine.recompute(YEAR, today=AFTER_YEAR)
    assert outcome(world.branch, "lec") == ("met", 1, 1)
    assert outcome(world.branch2, "lec") == ("overdue", 0, 1)


def test_each_reporter_gives_three_lectures(world: World) -> None:
    three = _lecturer(world.county, "甲")
    two = _lecturer(world.county, "乙")
    _lecturer(world.county, "丙（已停用）", active=False)
    other = _lecturer(world.county, "丁", reporter=False)  # not a reporter: not counted
    for month in (2, 5, 9):
        _dispatch(three, world.branch, date(2017, month, 10))
        _dispatch(other, world.branch, date(2017, month, 11))
    _dispatch(two, world.branch, date(2017, 3, 1))
    _dispatch(two, world.branch2, date(2017, 4, 1))
    _dispatch(two, world.branch2, date(2017, 6, 1), DispatchStatus.CANCELLED)
    _dispatch(two, world.branch2, date(2016, 6, 1))
    city = _lecturer(world.city, "戊")
    for month in (1, 2, 3):
        _dispatch(city, world.branch_b, date(2017, month, 1))
    item = rule(
        "rep", "per_person", population="lectures.reporters", metric="lectures.reporter_lecture", min=3
    )
    rules({**item, "applies_to": COMMITTEES})

    engine.recompute(YEAR, today=MID_YEAR)
    assert outcome(world.county, "rep") == ("on_track", 1, 2)
    assert outcome(world.city, "rep") == ("met", 1, 1)
    assert not has_result(world.township, "rep")  # keeps no reporters: nothing to check

    engine.recompute(YEAR, today=AFTER_YEAR)
    assert outcome(world.county, "rep") == ("overdue", 1, 2)


# --- dues --------------------------------------------------------------------------------------


def _profile(member: Member, since: date) -> None:
    DuesProfile.objects.create(member=member, category="salaried", base=Decimal("4000"), effective_from=since)


def _paid(member: Member, first: date, last: date, *, voided: bool = False) -> None:
    DuesPayment.objects.create(
        member=member,
        period_from=first,
        period_to=last,
        amount=Decimal("40.00"),
        paid_on=last,
        receipt_no=f"R{DuesPayment.objects.count() + 1}",
        voided_at=timezone.now() if voided else None,
    )


def _exempt(
    member: Member, first: date, last: date, state: str = ReductionState.APPROVED, amount: str = "0"
) -> None:
    DuesReduction.objects.create(
        member=member,
        organization=member.organization,
        month_from=first,
        month_to=last,
        amount=Decimal(amount),
        reason="困难",
        state=state,
    )


def _payer(org: Organization, name: str, paid_to: date | None, *, since: date = date(2016, 1, 1)) -> Member:
    member = make_member(org, name)
    _profile(member, since)
    if paid_to is not None:
        _paid(member, since, paid_to)
    return member


def test_dues_six_months_unpaid_is_overdue_three_to_five_at_risk(world: World) -> None:
    # As of 15 June 2017 the month of June counts as unpaid until paid (as on the dues pages).
    _payer(world.branch2, "六个月", date(2016, 12, 1))  # January–June: 6
    _payer(world.branch, "五个月", date(2017, 1, 1))  # February–June: 5
    _payer(world.branch, "三个月", date(2017, 3, 1))  # April–June: 3
    _payer(world.branch, "新基数", None, since=date(2017, 2, 1))  # counted from its profile: 5
    _payer(world.branch_b, "两个月", date(2017, 4, 1))  # May–June: 2
    exempt = _payer(world.branch_b, "免交", date(2016, 12, 1))
    _exempt(exempt, date(2017, 1, 1), date(2017, 6, 1))
    for member in (world.member, world.member2, world.member_b):
        _profile(member, date(2016, 1, 1))
        _paid(member, date(2016, 1, 1), date(2017, 6, 1))
    rules(rule("dues", "state", metric="dues.unpaid_six_months"))

    engine.recompute(YEAR, today=date(2017, 6, 15))
    assert outcome(world.branch2, "dues") == ("overdue", 1, 0)
    assert outcome(world.branch, "dues") == ("at_risk", 0, 0)
    assert outcome(world.branch_b, "dues") == ("met", 0, 0)
    assert outcome(world.township, "dues") == ("met", 0, 0)  # counted where the member is

    # In July the five become six: the branch is overdue too; the two become three.
    engine.recompute(YEAR, today=date(2017, 7, 1))
    assert outcome(world.branch, "dues") == ("overdue", 2, 0)
    assert outcome(world.branch_b, "dues") == ("at_risk", 0, 0)


def test_unpaid_streaks_match_the_dues_app(world: World) -> None:
    """The set-based condition agrees with `dues.queries.consecutive_unpaid` member by member."""
    since = date(2016, 3, 1)
    _payer(world.branch, "按月", date(2017, 2, 1), since=since)
    quarterly = _payer(world.branch, "按季", None, since=since)
    _paid(quarterly, date(2016, 3, 1), date(2016, 9, 1))
    _paid(quarterly, date(2016, 10, 1), date(2016, 12, 1))
    voided = _payer(world.branch, "作废", date(2016, 6, 1), since=since)
    _paid(voided, date(2016, 7, 1), date(2017, 3, 1), voided=True)
    pending = _payer(world.branch2, "待批", date(2016, 8, 1), since=since)
    _exempt(pending, date(2016, 9, 1), date(2017, 6, 1), state=ReductionState.PROPOSED)
    reduced = _payer(world.branch2, "减交", date(2016, 8, 1), since=since)
    _exempt(reduced, date(2016, 9, 1), date(2017, 6, 1), amount="1.00")  # reduced, not exempt
    exempt = _payer(world.branch2, "免交", date(2016, 5, 1), since=since)
    _exempt(exempt, date(2016, 6, 1), date(2016, 11, 1))
    late = make_member(
        world.branch_b, "新党员", category="probationary", join_date=date(2016, 11, 20), full_date=None
    )
    _profile(late, date(2016, 3, 1))  # profile before joining: counted from the joining month
    ahead = _payer(world.branch_b, "预交", date(2017, 9, 1), since=since)
    suspended = _payer(world.branch_b, "停止党籍", None, since=since)
    Member.objects.filter(pk=suspended.pk).update(status=MemberStatus.SUSPENDED)
    Member.objects.filter(pk=ahead.pk).update(status=MemberStatus.LOST_CONTACT)
    make_member(world.branch_b, "无基数")  # no profile: not counted
    checked = 0
    for month in (date(2016, 12, 1), date(2017, 1, 1), date(2017, 3, 1), date(2017, 6, 1), date(2017, 9, 1)):
        streaks = consecutive_unpaid(world.province.path, month)
        for n in range(1, 13):
            expected = {pk for pk, unpaid in streaks.items() if unpaid >= n}
            assert set(unpaid_for(n, month).values_list("pk", flat=True)) == expected, (month, n)
            checked += len(expected)
    assert checked > 50  # the streaks were not all empty


# --- points and members ------------------------------------------------------------------------


def _entry(member: Member, on: date, state: str = EntryState.APPROVED) -> None:
    point_rule, _ = PointRule.objects.get_or_create(
        committee=member.organization, year=on.year, name="志愿服务", kind="manual", points=2
    )
    PointEntry.objects.create(
        member=member, rule=point_rule, points=2, occurred_on=on, source_type="manual", state=state
    )


def test_points_ledger_share_of_active_members(world: World) -> None:
    _entry(world.member, date(2017, 3, 1))
    _entry(world.member2, date(2017, 3, 1), EntryState.PROPOSED)
    _entry(world.member2, date(2017, 4, 1), EntryState.REJECTED)
    _entry(world.member2, date(2016, 12, 31))
    lost = make_member(world.branch, "失联者")
    Member.objects.filter(pk=lost.pk).update(status=MemberStatus.LOST_CONTACT)  # not in the population
    _entry(world.member_b, date(2017, 5, 1))
    item = rule("pts", "per_person", population="members.active", metric="points.entry", min=1)
    rules({**item, "share": 50, "applies_to": BRANCHES}, {**item, "code": "pts-all", "applies_to": BRANCHES})

    engine.recompute(YEAR, today=MID_YEAR)
    assert outcome(world.branch, "pts") == ("met", 1, 2)
    assert outcome(world.branch, "pts-all") == ("on_track", 1, 2)
    assert outcome(world.branch_b, "pts-all") == ("met", 1, 1)
    assert not has_result(world.branch2, "pts")  # no members: nothing to check

    engine.recompute(YEAR, today=AFTER_YEAR)
    assert outcome(world.branch, "pts-all") == ("overdue", 1, 2)


# --- identity ----------------------------------------------------------------------------------


def _card(
    member: Member, org: Organization, serial: str, *, revoked: bool = False, on: date = date(2017, 2, 1)
) -> None:
    card = MemberCard.objects.create(
        member=member, organization=org, serial=serial, revoked_at=timezone.now() if revoked else None
    )
    MemberCard.objects.filter(pk=card.pk).update(issued_at=aware(on))  # issued_at is auto_now_add


def test_every_member_has_a_valid_card(world: World) -> None:
    _card(world.member, world.branch, "A1")
    _card(world.member2, world.branch, "A2", revoked=True)
    _card(world.member_b, world.branch, "B1")  # issued for another branch: no longer valid
    newcomer = make_member(world.branch2, "新卡")
    _card(newcomer, world.branch2, "C1", on=date(2018, 1, 5))  # issued after the year
    rules(
        rule(
            "eid",
            "per_person",
            population="members.active",
            metric="identity.card",
            min=1,
            applies_to=BRANCHES,
        )
    )

    engine.recompute(YEAR, today=MID_YEAR)
    assert outcome(world.branch, "eid") == ("on_track", 1, 2)
    assert outcome(world.branch_b, "eid") == ("on_track", 0, 1)
    assert outcome(world.branch2, "eid") == ("on_track", 0, 1)

    _card(world.member2, world.branch, "A3")
    engine.recompute(YEAR, today=AFTER_YEAR)
    assert outcome(world.branch, "eid") == ("met", 2, 2)
    assert outcome(world.branch2, "eid") == ("overdue", 0, 1)


# --- evaluation --------------------------------------------------------------------------------


def _campaign(branch: Organization, state: str, decided: date | None = None) -> EvaluationCampaign:
    return EvaluationCampaign.objects.create(
        branch=branch,
        year=YEAR,
        opens_on=date(2017, 11, 1),
        closes_on=date(2017, 11, 30),
        state=state,
        decided_at=aware(decided) if decided else None,
    )


def test_evaluation_completed_by_year_end(world: World) -> None:
    _campaign(world.branch, CampaignState.APPROVED, date(2017, 12, 20))
    _campaign(world.branch2, CampaignState.PROPOSED)
    _campaign(world.branch_b, CampaignState.APPROVED, date(2018, 1, 5))  # approved too late
    rules(rule("ev", "deadline", metrics=["evaluation.completed"], due="12-31", applies_to=BRANCHES))

    engine.recompute(YEAR, today=date(2017, 12, 25))
    assert outcome(world.branch, "ev") == ("met", 1, 1)
    assert outcome(world.branch2, "ev") == ("at_risk", 0, 1)
    assert outcome(world.branch_b, "ev") == ("at_risk", 0, 1)

    engine.recompute(YEAR, today=AFTER_YEAR)
    assert outcome(world.branch_b, "ev") == ("overdue", 0, 1)


def test_unqualified_members_need_a_handling_decision(world: World) -> None:
    approved = _campaign(world.branch, CampaignState.APPROVED, date(2017, 12, 20))
    ProposedGrade.objects.create(campaign=approved, member=world.member, grade=Grade.UNQUALIFIED)
    ProposedGrade.objects.create(campaign=approved, member=world.member2, grade=Grade.UNQUALIFIED)
    Handling.objects.create(
        campaign=approved, member=world.member, measure="persuade_to_leave", decided_on=date(2017, 12, 22)
    )
    proposed = _campaign(world.branch_b, CampaignState.PROPOSED)  # grades may still change
    ProposedGrade.objects.create(campaign=proposed, member=world.member_b, grade=Grade.UNQUALIFIED)
    rules(rule("unq", "state", metric="evaluation.unqualified_unhandled", applies_to=BRANCHES))

    engine.recompute(YEAR, today=date(2017, 12, 28))
    assert outcome(world.branch, "unq") == ("overdue", 1, 0)
    assert outcome(world.branch_b, "unq") == ("met", 0, 0)

    Handling.objects.create(
        campaign=approved,
        member=world.member2,
        measure="correct_within_deadline",
        deadline=date(2018, 6, 30),
        decided_on=date(2017, 12, 29),
    )
    engine.recompute(YEAR, today=date(2017, 12, 30))
    assert outcome(world.branch, "unq") == ("met", 0, 0)


# --- member status (transfers) -----------------------------------------------------------------


def _status(member: Member, status: str) -> None:
    Member.objects.filter(pk=member.pk).update(status=status)


def test_lost_contact_members_have_an_open_case(world: World) -> None:
    _status(world.member2, MemberStatus.LOST_CONTACT)
    LostContactCase.objects.create(member=world.member2, lost_on=date(2017, 1, 5))
    gone = make_member(world.branch2, "失联")
    _status(gone, MemberStatus.LOST_CONTACT)
    LostContactCase.objects.create(
        member=gone,
        lost_on=date(2016, 5, 1),
        state=CaseState.CLOSED,
        outcome="still_lost",
        closed_on=date(2016, 12, 1),
    )
    rules(rule("lost", "state", metric="members.lost_contact_without_case", applies_to=BRANCHES))

    engine.recompute(YEAR, today=MID_YEAR)
    assert outcome(world.branch, "lost") == ("met", 0, 0)
    assert outcome(world.branch2, "lost") == ("overdue", 1, 0)
    assert outcome(world.branch_b, "lost") == ("met", 0, 0)


def _floating(member: Member, **extra: Any) -> None:
    FloatingRecord.objects.create(
        member=member,
        home_org=member.organization,
        left_on=date(2017, 2, 1),
        destination="广东省深圳市",
        reason="务工",
        contact="13800000000",
        **extra,
    )


def test_floating_members_have_a_managing_branch(world: World) -> None:
    _floating(world.member, managing_org=world.branch_b)
    _floating(world.member2, state=FloatingState.RETURNED, returned_on=date(2017, 5, 1))  # back home
    _floating(make_member(world.branch2, "外出"), managing_org_text="深圳市某街道党支部")
    _floating(world.member_b)
    rules(rule("flo", "state", metric="members.floating_unmanaged", applies_to=BRANCHES))

    engine.recompute(YEAR, today=MID_YEAR)
    assert outcome(world.branch, "flo") == ("met", 0, 0)
    assert outcome(world.branch2, "flo") == ("met", 0, 0)
    assert outcome(world.branch_b, "flo") == ("overdue", 1, 0)


def _probationer(org: Organization, name: str, joined: date) -> Member:
    return make_member(org, name, category="probationary", join_date=joined, full_date=None)


def test_probation_overdue_and_due_within_thirty_days(world: World) -> None:
    # As of 15 June 2017.
    _probationer(world.branch2, "已过期", date(2016, 6, 14))  # ended 14 June: overdue
    _probationer(world.branch, "今天到期", date(2016, 6, 15))  # ends today: due, not yet overdue
    _probationer(world.branch, "30天内", date(2016, 7, 15))  # ends in 30 days
    _probationer(world.branch_b, "31天后", date(2016, 7, 16))
    extended = _probationer(world.branch_b, "已延长", date(2016, 1, 10))
    pending = _probationer(world.branch_b, "待审批", date(2016, 1, 10))
    assembly = held(world.branch_b, "branch_assembly", date(2017, 1, 12))
    ProbationDecision.objects.create(
        member=extended,
        outcome="extend",
        extension_months=12,
        extended_until=date(2018, 1, 10),
        meeting=assembly,
        decided_on=date(2017, 1, 12),
        state=DecisionState.APPROVED,
    )
    ProbationDecision.objects.create(
        member=pending, outcome="convert", meeting=assembly, decided_on=date(2017, 1, 12)
    )
    rules(rule("pro", "state", metric="members.probation_overdue", applies_to=BRANCHES))

    engine.recompute(YEAR, today=date(2017, 6, 15))
    assert outcome(world.branch2, "pro") == ("overdue", 1, 0)
    assert outcome(world.branch, "pro") == ("at_risk", 0, 0)
    assert outcome(world.branch_b, "pro") == ("met", 0, 0)

    engine.recompute(YEAR, today=date(2017, 6, 16))
    assert outcome(world.branch, "pro") == ("overdue", 1, 0)
    assert outcome(world.branch_b, "pro") == ("at_risk", 0, 0)


# --- supervision -------------------------------------------------------------------------------


def test_five_standards_assessment_reviewed_within_the_year(world: World) -> None:
    FiveStandardsAssessment.objects.create(
        organization=world.branch, year=YEAR, state="meets_standard", reviewed_at=aware(date(2017, 11, 1))
    )
    FiveStandardsAssessment.objects.create(
        organization=world.branch2, year=YEAR, state="below_standard", reviewed_at=aware(date(2017, 11, 2))
    )
    FiveStandardsAssessment.objects.create(organization=world.branch_b, year=YEAR, state="submitted")
    rules(
        rule(
            "five",
            "deadline",
            metrics=["supervision.five_standards_reviewed"],
            due="12-31",
            applies_to=BRANCHES,
        )
    )

    engine.recompute(YEAR, today=AFTER_YEAR)
    assert outcome(world.branch, "five") == ("met", 1, 1)
    assert outcome(world.branch2, "five") == ("met", 1, 1)  # reviewed, though below the standard
    assert outcome(world.branch_b, "five") == ("overdue", 0, 1)


def test_secretary_reported_and_evaluated(world: World) -> None:
    SecretaryReport.objects.create(
        organization=world.branch,
        year=YEAR,
        state="evaluated",
        grade="good",
        reviewed_at=aware(date(2017, 12, 1)),
    )
    SecretaryReport.objects.create(organization=world.branch2, year=YEAR, state="submitted")
    SecretaryReport.objects.create(
        organization=world.branch_b,
        year=2016,
        state="evaluated",
        grade="good",
        reviewed_at=aware(date(2016, 12, 1)),
    )
    rules(
        rule(
            "rep",
            "deadline",
            metrics=["supervision.secretary_report_evaluated"],
            due="12-31",
            applies_to=BRANCHES,
        )
    )

    engine.recompute(YEAR, today=date(2017, 12, 20))
    assert outcome(world.branch, "rep") == ("met", 1, 1)
    assert outcome(world.branch2, "rep") == ("at_risk", 0, 1)
    assert outcome(world.branch_b, "rep") == ("at_risk", 0, 1)


def _cadre(committee: Organization, member: Member, *, active: bool = True) -> LeadingCadre:
    return LeadingCadre.objects.create(
        committee=committee, member=member, post="委员", since=date(2016, 1, 1), active=active
    )


def _link(cadre: LeadingCadre, branch: Organization, since: date, ended: date | None = None) -> None:
    CommitteeLink.objects.create(
        committee=cadre.committee, cadre=cadre, branch=branch, since=since, ended_on=ended
    )


def test_committee_members_link_branches(world: World) -> None:
    linking = _cadre(world.township, world.member)
    _cadre(world.township, world.member2)  # links none
    retired = _cadre(world.township, make_member(world.branch2, "离任"), active=False)
    _link(linking, world.branch, date(2017, 3, 1))
    _link(linking, world.branch2, date(2017, 1, 1), ended=date(2017, 2, 1))
    _link(retired, world.branch2, date(2017, 1, 1))  # the cadre left the post: not in force
    county_cadre = _cadre(world.county_b, world.member_b)
    _link(county_cadre, world.branch_b, date(2018, 2, 1))  # begun after the year
    per_person = rule(
        "cml",
        "per_person",
        population="leaders.in_post",
        metric="supervision.committee_member_links",
        min=1,
        applies_to=COMMITTEES,
    )
    linked = rule(
        "bl", "count", metric="supervision.branch_linked", period="year", min=1, applies_to=BRANCHES
    )
    rules(per_person, linked)

    engine.recompute(YEAR, today=MID_YEAR)
    assert outcome(world.township, "cml") == ("on_track", 1, 2)
    assert outcome(world.county_b, "cml") == ("on_track", 0, 1)
    assert outcome(world.branch, "bl") == ("met", 1, 1)
    assert outcome(world.branch2, "bl") == ("on_track", 0, 1)
    assert outcome(world.branch_b, "bl") == ("on_track", 0, 1)


@pytest.mark.parametrize(
    "org_name", ["branch", "township", "province"]
)  # the incremental refresh agrees with the full recompute
def test_refresh_matches_recompute(world: World, org_name: str) -> None:
    linking = _cadre(world.township, world.member)
    _link(linking, world.branch, date(2017, 3, 1))
    _payer(world.branch, "六个月", date(2016, 12, 1))
    _probationer(world.branch, "已过期", date(2016, 6, 1))
    _entry(world.member, date(2017, 3, 1))
    _card(world.member2, world.branch, "A2")
    items = [
        rule("d", "state", metric="dues.unpaid_six_months"),
        rule("p", "state", metric="members.probation_overdue"),
        rule("pts", "per_person", population="members.active", metric="points.entry", min=1),
        rule("eid", "per_person", population="members.active", metric="identity.card", min=1),
        rule(
            "cml",
            "per_person",
            population="leaders.in_post",
            metric="supervision.committee_member_links",
            min=1,
        ),
        rule("bl", "count", metric="supervision.branch_linked", period="year", min=1),
    ]
    rules(*items)
    engine.recompute(YEAR, today=MID_YEAR)
    before = set(Result.objects.values_list("organization_id", "rule__code", "status", "value", "target"))
    assert engine.refresh(getattr(world, org_name).pk, YEAR, today=MID_YEAR) == 0
    after = set(Result.objects.values_list("organization_id", "rule__code", "status", "value", "target"))
    assert after == before
    assert (world.branch.pk, "d", "overdue", 1, 0) in after
    assert (world.township.pk, "cml", "met", 1, 1) in after
