"""Special campaigns and tasks sent down (point 18): launching reaches every organization in
scope, who may take each move per persona, the rollups follow every move, required answers,
cases and their conclusions, reminders, and the rules' rows."""

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dangjian.accounts.roles import Role
from dangjian.accounts.services import grant_role
from dangjian.campaigns import queries, rollups, services
from dangjian.campaigns.models import Assignment, AssignmentState, Campaign, CampaignState, Rollup
from dangjian.campaigns.workflows import ASSIGNMENT_FLOW, CASE_FLOW
from dangjian.core.exceptions import OutOfScope
from dangjian.core.models import AuditEntry, StateChange
from dangjian.core.scoping import SYSTEM
from dangjian.notifications.deadlines import send_deadline_reminders
from dangjian.notifications.models import Notification
from dangjian.testing.world import World, make_user

TODAY = timezone.localdate()


def _data(**extra: Any) -> dict[str, Any]:
    return {
        "kind": "task",
        "title": "报送农村陈规陋习整治进展",
        "instructions": "请各支部于周五前报送本支部整治情况。",
        "deadline": TODAY + timedelta(days=10),
        "target_kinds": ["branch"],
        "fields": [
            {"label": "整治户数", "type": "number", "required": True},
            {"label": "主要做法", "type": "text", "required": False},
        ],
    } | extra


def _launched(world: World, captured: Any = None, **extra: Any) -> Campaign:
    campaign = services.create_campaign(world.county, _data(**extra), acting_user=world.county_staff)
    return services.launch(campaign, acting_user=world.county_staff)


def _outcome(obj: Any, flow: Any, name: str, user: Any, note: str = "理由") -> str:
    try:
        with transaction.atomic():
            flow.move(obj, name, acting_user=user, note=note)
            transaction.set_rollback(True)
    except OutOfScope:
        return "404"
    except ValidationError as exc:
        return str(getattr(exc, "code", None) or "invalid")
    return "ok"


def _counts(campaign: Campaign, org: Any) -> dict[str, int]:
    row = Rollup.objects.get(campaign=campaign, organization=org)
    names = ("total", "pending", "submitted", "accepted", "returned", "cases_open", "cases_concluded")
    return {n: getattr(row, n) for n in names if getattr(row, n)}


def test_launch_reaches_every_organization_in_scope_and_tells_its_officers(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    campaign = services.create_campaign(world.county, _data(), acting_user=world.county_staff)
    assert campaign.state == CampaignState.DRAFT and not Assignment.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        campaign = services.launch(campaign, acting_user=world.county_staff, expected_version=0)
    got = set(Assignment.objects.filter(campaign=campaign).values_list("organization__code", flat=True))
    assert got == {world.branch.code, world.branch2.code}  # the county's branches, not county B's
    assert campaign.assigned == 2 and campaign.state == CampaignState.LAUNCHED
    assert _counts(campaign, world.county) == {"total": 2, "pending": 2}
    assert _counts(campaign, world.township) == {"total": 2, "pending": 2}
    told = Notification.objects.get(user=world.secretary, kind="campaign.launched")
    mine = Assignment.objects.get(campaign=campaign, organization=world.branch)
    assert told.url == f"/assignments/{mine.pk}/" and "芙蓉区委" in told.title
    assert AuditEntry.objects.filter(action="campaign.launch").count() == 1


def test_a_launch_reaching_nobody_changes_nothing(world: World) -> None:
    campaign = services.create_campaign(
        world.county, _data(target_kinds=["branch"], target_sectors=["rural"]), acting_user=world.county_staff
    )
    with pytest.raises(ValidationError):
        services.launch(campaign, acting_user=world.county_staff)
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.DRAFT and not Assignment.objects.exists()
    assert not Rollup.objects.exists()


def test_bad_drafts_are_refused_with_reasons(world: World) -> None:
    with pytest.raises(ValidationError) as info:
        services.create_campaign(
            world.county,
            _data(title="", target_kinds=["nonsense"], ends_on=TODAY, deadline=TODAY + timedelta(days=3)),
            acting_user=world.county_staff,
        )
    assert {"title", "target_kinds", "ends_on"} <= set(info.value.message_dict)
    with pytest.raises(ValidationError):  # a branch has nobody below it to send to
        services.create_campaign(world.branch, _data(), acting_user=world.secretary)
    with pytest.raises(OutOfScope):
        services.create_campaign(world.county, _data(), acting_user=world.outsider)
    assert not Campaign.objects.exists()


def test_who_may_take_each_move_of_a_report(world: World) -> None:
    township_staff = make_user("township_staff", Role.COMMITTEE_STAFF, world.township)
    campaign = _launched(world)
    mine = Assignment.objects.get(campaign=campaign, organization=world.branch)
    services.save_answers(mine, {"f1": "12"}, acting_user=world.secretary)
    submit = {
        "secretary": "ok",  # the branch's own officer
        "county_staff": "actor",  # the sender decides, does not report
        "member_user": "actor",
        "outsider": "404",
        "auditor": "404",
    }
    for persona, outcome in submit.items():
        assert (persona, _outcome(mine, ASSIGNMENT_FLOW, "submit", world.users[persona])) == (
            persona,
            outcome,
        )
    mine = ASSIGNMENT_FLOW.take(mine, "submit", acting_user=world.secretary)
    accept = {
        "county_staff": "ok",  # the sender
        "province_staff": "ok",  # covers the sender
        "secretary": "actor",
        "member_user": "actor",
        "outsider": "404",
    }
    for persona, outcome in accept.items():
        assert (persona, _outcome(mine, ASSIGNMENT_FLOW, "accept", world.users[persona])) == (
            persona,
            outcome,
        )
    assert _outcome(mine, ASSIGNMENT_FLOW, "accept", township_staff) == "actor"  # below the sender
    assert [t.name for t in ASSIGNMENT_FLOW.allowed(world.county_staff, mine)] == ["accept", "return"]


def test_nobody_accepts_their_own_report(world: World) -> None:
    double_hat = make_user("double_hat", Role.COMMITTEE_STAFF, world.county)
    grant_role(double_hat, world.branch, Role.SECRETARY, acting_user=SYSTEM)
    campaign = _launched(world)
    mine = Assignment.objects.get(campaign=campaign, organization=world.branch)
    services.save_answers(mine, {"f1": "3"}, acting_user=double_hat)
    mine = ASSIGNMENT_FLOW.take(mine, "submit", acting_user=double_hat)
    assert _outcome(mine, ASSIGNMENT_FLOW, "accept", double_hat) == "excluded"
    assert _outcome(mine, ASSIGNMENT_FLOW, "accept", world.county_staff) == "ok"


def test_required_answers_and_their_types(world: World) -> None:
    campaign = _launched(world)
    mine = Assignment.objects.get(campaign=campaign, organization=world.branch)
    with pytest.raises(ValidationError) as info:
        ASSIGNMENT_FLOW.take(mine, "submit", acting_user=world.secretary)
    assert "整治户数" in str(info.value)
    with pytest.raises(ValidationError) as info:
        services.save_answers(mine, {"f1": "十二"}, acting_user=world.secretary)
    assert "f1" in info.value.message_dict
    with pytest.raises(ValidationError):  # the sender does not fill in the branch's report
        services.save_answers(mine, {"f1": "1"}, acting_user=world.county_staff)
    mine.refresh_from_db()
    assert mine.answers == {} and mine.version == 0
    services.save_answers(
        mine, {"f1": "12", "f2": "入户宣讲"}, acting_user=world.secretary, expected_version=0
    )
    with pytest.raises(ValidationError) as info:  # a page drawn before that save
        services.save_answers(mine, {"f1": "13"}, acting_user=world.secretary, expected_version=0)
    assert info.value.code == "stale"


def test_rollups_follow_every_move_and_equal_a_rebuild(world: World) -> None:
    campaign = _launched(world)
    mine = Assignment.objects.get(campaign=campaign, organization=world.branch)
    other = Assignment.objects.get(campaign=campaign, organization=world.branch2)
    services.save_answers(mine, {"f1": "12"}, acting_user=world.secretary)
    ASSIGNMENT_FLOW.take(mine, "submit", acting_user=world.secretary)
    assert _counts(campaign, world.township) == {"total": 2, "pending": 1, "submitted": 1}
    ASSIGNMENT_FLOW.take(mine, "return", acting_user=world.county_staff, note="缺少照片")
    assert _counts(campaign, world.county) == {"total": 2, "pending": 1, "returned": 1}
    ASSIGNMENT_FLOW.take(mine, "submit", acting_user=world.secretary)
    ASSIGNMENT_FLOW.take(mine, "accept", acting_user=world.province_staff)
    kept = {
        r.organization_id: _counts(campaign, r.organization) for r in Rollup.objects.filter(campaign=campaign)
    }
    assert kept[world.county.pk] == {"total": 2, "pending": 1, "accepted": 1}
    rollups.rebuild(campaign)
    rebuilt = {
        r.organization_id: _counts(campaign, r.organization) for r in Rollup.objects.filter(campaign=campaign)
    }
    assert rebuilt == kept
    rows = queries.children(campaign.pk, world.township)
    assert [(r.org.code, r.done, r.assignment is not None) for r in rows] == [
        (world.branch.code, 1, True),
        (world.branch2.code, 0, True),
    ]
    assert [(r.org.code, r.total, r.share) for r in queries.children(campaign.pk, world.county)] == [
        (world.township.code, 2, 50)
    ]
    assert other.state == AssignmentState.PENDING
    steps = StateChange.of_many(Assignment, [mine.pk])
    assert [s.move for s in steps] == ["submit", "return", "submit", "accept"]


def test_cases_are_concluded_and_may_be_reopened_by_the_sender(world: World) -> None:
    campaign = _launched(world, kind="campaign", ends_on=TODAY + timedelta(days=30), fields=[])
    mine = Assignment.objects.get(campaign=campaign, organization=world.branch)
    case = services.add_case(
        mine, {"subject": "某村大操大办", "measures": "约谈"}, acting_user=world.secretary
    )
    assert _counts(campaign, world.county)["cases_open"] == 1
    with pytest.raises(ValidationError):
        services.add_case(mine, {"subject": "x"}, acting_user=world.county_staff)
    with pytest.raises(ValidationError) as info:
        services.conclude_case(case, " ", acting_user=world.secretary)
    assert "conclusion" in info.value.message_dict
    assert _outcome(case, CASE_FLOW, "conclude", world.county_staff) == "actor"
    case = services.conclude_case(case, "已整改，退还礼金", acting_user=world.secretary)
    assert _counts(campaign, world.township) == {"total": 2, "pending": 2, "cases_concluded": 1}
    assert _outcome(case, CASE_FLOW, "reopen", world.secretary) == "actor"
    assert _outcome(case, CASE_FLOW, "reopen", world.county_staff, note="") != "ok"  # a reason is needed
    CASE_FLOW.take(case, "reopen", acting_user=world.county_staff, note="整改不到位")
    assert _counts(campaign, world.township)["cases_open"] == 1
    # After the campaign's end an open case is the rule's row.
    later = campaign.ends_on + timedelta(days=1)
    assert list(queries.open_cases(later.year, later)) == [{"assignment__organization_id": world.branch.pk}]
    assert list(queries.open_cases(TODAY.year, TODAY)) == []


def test_tasks_cannot_hold_cases_and_closed_campaigns_take_nothing(world: World) -> None:
    campaign = _launched(world)
    mine = Assignment.objects.get(campaign=campaign, organization=world.branch)
    with pytest.raises(ValidationError):
        services.add_case(mine, {"subject": "x"}, acting_user=world.secretary)
    services.save_answers(mine, {"f1": "1"}, acting_user=world.secretary)
    from dangjian.campaigns.workflows import CAMPAIGN_FLOW

    assert _outcome(campaign, CAMPAIGN_FLOW, "close", world.secretary) == "404"  # not the branch's
    CAMPAIGN_FLOW.take(campaign, "close", acting_user=world.county_staff)
    assert _outcome(mine, ASSIGNMENT_FLOW, "submit", world.secretary) == "invalid"


def test_deadline_reminders_and_late_rows(world: World) -> None:
    campaign = _launched(world, deadline=TODAY + timedelta(days=3))
    assert send_deadline_reminders(TODAY) >= 1
    note = Notification.objects.get(user=world.secretary, kind="deadline.assignment")
    assert "报送农村陈规陋习整治进展" in note.title
    assert send_deadline_reminders(TODAY) == 0  # once a day
    late = TODAY + timedelta(days=4)
    rows = {r["organization_id"] for r in queries.late_tasks(late.year, late)}
    assert rows == {world.branch.pk, world.branch2.pk}
    from dangjian.campaigns.workflows import CAMPAIGN_FLOW

    CAMPAIGN_FLOW.take(campaign, "cancel", acting_user=world.county_staff, note="重复部署")
    assert list(queries.late_tasks(late.year, late)) == []  # a cancelled task is nobody's fault
    assert send_deadline_reminders(TODAY + timedelta(days=2)) == 0


def test_the_sender_reminds_those_still_to_report(world: World) -> None:
    campaign = _launched(world)
    mine = Assignment.objects.get(campaign=campaign, organization=world.branch)
    services.save_answers(mine, {"f1": "1"}, acting_user=world.secretary)
    rows = Assignment.objects.filter(campaign=campaign)
    assert services.remind_missing(campaign, world.county, rows, acting_user=world.county_staff) == 1
    assert Notification.objects.filter(user=world.secretary, kind="campaign.remind").count() == 1
    assert services.remind_missing(campaign, world.county, rows, acting_user=world.county_staff) == 0
    with pytest.raises(OutOfScope):
        services.remind_missing(campaign, world.county, rows, acting_user=world.secretary)


def test_only_a_draft_is_corrected_or_removed(world: World) -> None:
    campaign = services.create_campaign(world.county, _data(), acting_user=world.county_staff)
    campaign = services.update_campaign(
        campaign, _data(title="新标题"), acting_user=world.county_staff, expected_version=0
    )
    assert campaign.title == "新标题" and campaign.version == 1
    campaign = services.launch(campaign, acting_user=world.county_staff)
    with pytest.raises(ValidationError):
        services.update_campaign(campaign, _data(), acting_user=world.county_staff)
    with pytest.raises(ValidationError):
        services.delete_campaign(campaign, acting_user=world.county_staff)
    draft = services.create_campaign(world.county, _data(), acting_user=world.county_staff)
    services.delete_campaign(draft, acting_user=world.county_staff)
    assert not Campaign.objects.filter(pk=draft.pk).exists()
