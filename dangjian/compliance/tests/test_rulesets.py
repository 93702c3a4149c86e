"""The shipped rule sets: they load, the 2017 notice's 25 points are all there, and a recompute
over the test world runs on them."""

from datetime import date
from pathlib import Path

import pytest

from dangjian.testing.world import World

from .. import engine
from ..models import Result, RuleKind, Status
from ..schema import parse
from .factories import load

RULESETS = Path(__file__).resolve().parent.parent / "rulesets"
HUNAN = RULESETS / "hunan-2017.yaml"
STANDING = RULESETS / "standing.yaml"


@pytest.mark.parametrize("path", [HUNAN, STANDING], ids=lambda p: p.name)
def test_shipped_files_load(db: None, path: Path) -> None:
    rule_set = load(path.read_text())
    assert rule_set.code == path.stem
    assert rule_set.rules.count() == len(parse(path.read_text()).rules)
    for rule in rule_set.rules.all():
        assert rule.title and rule.title_en, rule.code
        assert rule.kind == RuleKind.NOT_MEASURED or rule.spec["accountable"], rule.code


def test_set_years() -> None:
    assert parse(HUNAN.read_text()).year == 2017
    assert parse(HUNAN.read_text()).scope is None
    assert parse(STANDING.read_text()).year is None


def test_every_work_point_appears_in_hunan_2017() -> None:
    rules = parse(HUNAN.read_text()).rules
    assert all(r.point is not None for r in rules)
    assert {r.point for r in rules} == set(range(1, 26))
    not_measured = {r.point for r in rules if r.kind == RuleKind.NOT_MEASURED}
    measured = {r.point for r in rules if r.kind != RuleKind.NOT_MEASURED}
    assert measured == set(range(1, 26))
    # What remains unmeasured sits beside measured rules of the same point.
    assert not_measured == {6, 12, 16, 17, 23}
    poor = {r.code: r for r in rules if r.point == 22}  # first secretaries (dangjian.villagework)
    assert poor["first-secretaries"].kind == RuleKind.STATE
    assert poor["first-secretaries"].spec["metric"] == "villagework.first_secretary_unassessed"
    theme = {r.code: r for r in rules if r.point == 20}  # theme practice (dangjian.community)
    assert theme["theme-practice"].kind == RuleKind.STATE
    assert theme["theme-practice"].spec["metric"] == "community.no_service_confirmed"
    assert theme["theme-practice"].spec["applies_to"]["sectors"] == ["community"]
    sent_down = {r.code: r for r in rules if r.point == 18}  # special campaigns (dangjian.campaigns)
    assert sent_down["special-campaigns"].spec["metric"] == "campaigns.open_cases"
    assert sent_down["tasks-on-time"].spec["metric"] == "campaigns.late_tasks"
    problems = {r.code: r for r in rules if r.point == 19}  # problem lists (dangjian.rectification)
    assert problems["problem-lists"].spec["due"] == "06-30"
    assert problems["problem-lists"].spec["metrics"] == ["rectification.problem_list"]
    assert problems["problem-measures-on-time"].spec["metric"] == "rectification.overdue"
    assert problems["problems-closed-by-year-end"].spec["metric"] == "rectification.unfinished_at_year_end"
    honours = {r.code: r for r in rules if r.point == 25}  # model examples (dangjian.honours)
    assert honours["model-examples"].kind == RuleKind.STATE
    assert honours["model-examples"].spec["metric"] == "honours.unpublished"
    assert honours["model-examples"].spec["applies_to"] == {"kinds": ["committee", "working_committee"]}
    villages = {r.code: r for r in rules if r.point == 21}  # two-committee elections (dangjian.elections)
    assert villages["village-elections"].kind == RuleKind.STATE
    assert villages["village-elections"].spec["metric"] == "elections.village_unfiled"
    weak = {r.code: r for r in rules if r.point == 11}  # weak and lax organizations (dangjian.weakorgs)
    assert weak["weak-organizations"].spec["metric"] == "weakorgs.unfinished_at_year_end"
    assert weak["weak-organizations-plans"].spec["metric"] == "weakorgs.without_plan"
    assert {r.kind for r in weak.values()} == {RuleKind.STATE}
    online = {r.code: r for r in rules if r.point == 10}
    assert online["online-space"].spec["metrics"] == ["online.published"]
    assert online["online-space"].spec["due"] == "12-31"
    active = online["online-active"].spec
    assert (active["metric"], active["period"], active["min"]) == ("online.active_month", "month", 1)
    assert parse(HUNAN.read_text()).settings["read_share"] == 60


def test_standing_rules() -> None:
    rules = {r.code: r for r in parse(STANDING.read_text()).rules}
    cadence = {
        code: (r.spec["metric"], r.spec["period"], r.spec["min"])
        for code, r in rules.items()
        if r.kind == "count"
    }
    assert cadence == {
        "branch-assembly-quarterly": ("meetings.branch_assembly", "quarter", 1),
        "branch-committee-monthly": ("meetings.branch_committee", "month", 1),
        "group-meeting-monthly": ("meetings.group_meeting", "month", 1),
        "party-lecture-quarterly": ("meetings.party_lecture", "quarter", 1),
        "org-life-yearly": ("meetings.org_life", "year", 1),
        "democratic-life-yearly": ("meetings.democratic_life", "year", 1),
    }
    states = {r.spec["metric"] for r in rules.values() if r.kind == "state"}
    assert states == {
        "terms.overdue",
        "members.probation_overdue",
        "dues.unpaid_six_months",
        "members.lost_contact_without_case",
        "members.floating_unmanaged",
        "development.beyond_plan",
        "development.talk_late",
        "development.approval_late",
    }


@pytest.mark.parametrize("today", [date(2017, 3, 15), date(2017, 6, 30), date(2018, 1, 10)])
def test_recompute_over_the_world(world: World, today: date) -> None:
    load(HUNAN.read_text())
    load(STANDING.read_text())
    summary = engine.recompute(2017, today=today)
    assert summary.results > 0 and summary.rollups > 0
    stored = set(Result.objects.filter(year=2017).values_list("rule__rule_set__code", flat=True))
    assert stored == {"hunan-2017", "standing"}
    # Nothing has been recorded for 2017: what is due is not met, and a standing condition holds.
    assert not Result.objects.filter(year=2017, status=Status.MET, rule__kind=RuleKind.COUNT).exists()
    assert (
        Result.objects.get(
            organization=world.branch, rule__code="dues-six-months", rule__rule_set__code="standing"
        ).status
        == Status.MET
    )
    if today.year == 2018:
        online = Result.objects.get(organization=world.branch, rule__code="online-active")
        assert (online.status, online.value, online.target) == ("overdue", 0, 12)
        branch_assembly = Result.objects.get(organization=world.branch, rule__code="branch-assembly")
        assert (branch_assembly.status, branch_assembly.value, branch_assembly.target) == ("overdue", 0, 4)
    # The incremental refresh of a branch and a committee runs over every rule too.
    for org in (world.branch, world.township, world.province):
        assert engine.refresh(org.pk, 2017, today=today) == 0
