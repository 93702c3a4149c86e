"""Exact statuses for every rule kind on a small world with known activity, boundaries included,
and rollups that agree with the results below them."""

from datetime import date

import pytest

from dangjian.compliance import engine
from dangjian.compliance.models import Result, Rollup, Tally
from dangjian.compliance.tests.factories import held, load
from dangjian.leaders.models import LeadingCadre
from dangjian.organizations.models import Organization
from dangjian.orglife.models import ThemeDaySetting
from dangjian.testing.world import World

pytestmark = pytest.mark.django_db

BRANCHES = "applies_to: {kinds: [branch]}"


def rules(*lines: str) -> str:
    body = "\n".join(f"  - {line}" for line in lines)
    return f"code: t\nname: test\nsettings: {{warn_days: 14}}\nrules:\n{body}\n"


def result(org: Organization, code: str, year: int = 2026) -> tuple[str, int, int]:
    row = Result.objects.get(organization=org, rule__code=code, year=year)
    return row.status, row.value, row.target


def rollup(org: Organization, code: str, year: int = 2026) -> tuple[int, int, int, int, int]:
    row = Rollup.objects.get(organization=org, rule__code=code, year=year)
    return row.applicable, row.met, row.on_track, row.at_risk, row.overdue


MONTHLY = (
    "{code: c, title: c, kind: count, metric: meetings.branch_committee, period: month, min: 1, "
    + BRANCHES
    + "}"
)


def test_monthly_count_missed_month_is_overdue_current_month_on_track_or_at_risk(world: World) -> None:
    load(rules(MONTHLY))
    held(world.branch, "branch_committee", date(2026, 1, 31))  # the last day counts for January
    held(world.branch2, "branch_committee", date(2026, 2, 1))  # February, not January
    engine.recompute(2026, today=date(2026, 2, 10))
    assert result(world.branch, "c") == ("on_track", 1, 12)  # 18 days left > 14
    assert result(world.branch2, "c") == ("overdue", 1, 12)  # January missed
    engine.recompute(2026, today=date(2026, 2, 15))
    assert result(world.branch, "c") == ("at_risk", 1, 12)  # 13 days left, none yet
    assert Result.objects.get(organization=world.branch, rule__code="c").due_on == date(2026, 2, 28)
    held(world.branch, "branch_committee", date(2026, 2, 14))
    engine.recompute(2026, today=date(2026, 2, 15))
    assert result(world.branch, "c") == ("met", 2, 12)
    # February is done: what is due next is March's meeting.
    assert Result.objects.get(organization=world.branch, rule__code="c").due_on == date(2026, 3, 31)
    # Committees are not branches: the rule does not apply to them.
    assert not Result.objects.filter(organization=world.township, rule__code="c").exists()


def test_quarter_with_one_meeting_meets_one_per_quarter(world: World) -> None:
    load(rules("{code: q, title: q, kind: count, metric: meetings.branch_assembly, period: quarter, min: 1}"))
    held(world.branch, "branch_assembly", date(2026, 3, 31))
    held(world.branch, "branch_assembly", date(2026, 4, 1))
    engine.recompute(2026, today=date(2026, 5, 1))
    assert result(world.branch, "q") == ("met", 2, 4)
    engine.recompute(2026, today=date(2027, 1, 2))  # the year is over: Q3 and Q4 missed
    assert result(world.branch, "q") == ("overdue", 2, 4)


def test_yearly_count_is_at_risk_when_behind_the_share_of_the_year_gone(world: World) -> None:
    load(rules("{code: y, title: y, kind: count, metric: meetings.topic_discussion, period: year, min: 4}"))
    held(world.branch, "branch_assembly", date(2026, 2, 1), topic_discussion=True)
    held(world.branch, "branch_assembly", date(2026, 3, 1), topic_discussion=True)
    held(world.branch2, "branch_assembly", date(2026, 3, 1), topic_discussion=False)
    engine.recompute(2026, today=date(2026, 7, 10))  # just over half the year: 2 expected
    assert result(world.branch, "y") == ("on_track", 2, 4)
    assert result(world.branch2, "y") == ("at_risk", 0, 4)
    engine.recompute(2026, today=date(2027, 1, 1))
    assert result(world.branch, "y") == ("overdue", 2, 4)
    for day in (date(2026, 11, 1), date(2026, 12, 31)):
        held(world.branch, "party_lecture", day, topic_discussion=True)
    engine.recompute(2026, today=date(2027, 1, 1))
    assert result(world.branch, "y") == ("met", 4, 4)


THEME = (
    "{code: d, title: d, kind: deadline, metrics: [themeday.set, meetings.theme_day], due: '05-31', "
    + BRANCHES
    + "}"
)


def test_deadline_counts_the_last_day_and_needs_every_fact(world: World) -> None:
    load(rules(THEME))
    ThemeDaySetting.objects.create(
        organization=world.branch, year=2026, day_of_month=20, set_on=date(2026, 5, 31)
    )
    held(world.branch, "theme_day", date(2026, 5, 31))
    ThemeDaySetting.objects.create(
        organization=world.branch2, year=2026, day_of_month=20, set_on=date(2026, 3, 1)
    )
    held(world.branch2, "theme_day", date(2026, 6, 1))  # a day late
    engine.recompute(2026, today=date(2026, 4, 1))
    assert result(world.branch, "d") == ("met", 2, 2)
    assert result(world.branch2, "d") == ("on_track", 1, 2)
    assert result(world.branch_b, "d") == ("on_track", 0, 2)
    engine.recompute(2026, today=date(2026, 5, 20))
    assert result(world.branch2, "d") == ("at_risk", 1, 2)
    engine.recompute(2026, today=date(2026, 6, 1))
    assert result(world.branch, "d") == ("met", 2, 2)
    assert result(world.branch2, "d") == ("overdue", 1, 2)
    assert Result.objects.get(organization=world.branch, rule__code="d").due_on == date(2026, 5, 31)


def test_state_rule_terms(world: World) -> None:
    load(rules("{code: s, title: s, kind: state, metric: terms.overdue}"))
    Organization.objects.filter(pk=world.branch.pk).update(term_due_end=date(2026, 3, 9))
    Organization.objects.filter(pk=world.branch2.pk).update(term_due_end=date(2026, 9, 10))
    Organization.objects.filter(pk=world.county_b.pk).update(term_due_end=date(2027, 6, 1))
    engine.recompute(2026, today=date(2026, 3, 10))
    assert result(world.branch, "s") == ("overdue", 1, 0)
    assert result(world.branch2, "s") == ("at_risk", 0, 0)  # due within six months
    assert result(world.county_b, "s") == ("met", 0, 0)


def test_per_person_counts_each_leader(world: World) -> None:
    load(
        rules(
            "{code: p, title: p, kind: per_person, population: leaders.in_post, metric: leaders.lecture}",
            "{code: h, title: h, kind: per_person, population: leaders.in_post, metric: leaders.lecture, "
            "share: 50}",
        )
    )
    for member in (world.member, world.member2):
        LeadingCadre.objects.create(
            committee=world.county, member=member, post="委员", since=date(2025, 1, 1)
        )
    held(world.branch, "party_lecture", date(2026, 4, 1), lecturer=world.member)
    engine.recompute(2026, today=date(2026, 6, 1))
    assert result(world.county, "p") == ("on_track", 1, 2)
    assert result(world.county, "h") == ("met", 1, 2)
    assert not Result.objects.filter(organization=world.county_b, rule__code="p").exists()  # nobody to count
    engine.recompute(2026, today=date(2027, 1, 1))
    assert result(world.county, "p") == ("overdue", 1, 2)


def test_rollups_and_coverage(world: World) -> None:
    yearly = "{code: y, title: y, kind: count, metric: meetings.branch_assembly, period: year, min: 1, %s}"
    load(
        rules(
            yearly % BRANCHES,
            "{code: cov, title: cov, kind: coverage, of: y, share: 50, "
            "applies_to: {kinds: [committee, working_committee]}}",
        )
    )
    held(world.branch, "branch_assembly", date(2026, 3, 1))
    engine.recompute(2026, today=date(2026, 6, 1))
    # Branches: branch met, branch2 and branch_b on track (expected ⌊1 × 0.41⌋ = 0).
    assert rollup(world.township, "y") == (2, 1, 1, 0, 0)
    assert rollup(world.county, "y") == (2, 1, 1, 0, 0)
    assert rollup(world.county_b, "y") == (1, 0, 1, 0, 0)
    assert rollup(world.province, "y") == (3, 1, 2, 0, 0)
    assert result(world.township, "cov") == ("met", 1, 2)  # half of its branches
    assert result(world.county_b, "cov") == ("on_track", 0, 1)
    assert result(world.province, "cov") == ("on_track", 1, 3)
    # Coverage results roll up too: township, county, county_b, city, province.
    assert rollup(world.province, "cov") == (5, 2, 3, 0, 0)


def test_subtree_recompute_and_refresh_agree_with_a_full_recompute(world: World) -> None:
    load(rules(MONTHLY, "{code: cov, title: cov, kind: coverage, of: c, share: 100}"))
    held(world.branch, "branch_committee", date(2026, 1, 5))
    engine.recompute(2026, today=date(2026, 1, 10))
    full = sorted(
        Rollup.objects.values_list(
            "organization_id", "rule__code", "applicable", "met", "on_track", "at_risk", "overdue"
        )
    )
    engine.recompute(2026, within=world.township, today=date(2026, 1, 10))
    assert (
        sorted(
            Rollup.objects.values_list(
                "organization_id", "rule__code", "applicable", "met", "on_track", "at_risk", "overdue"
            )
        )
        == full
    )
    held(world.branch2, "branch_committee", date(2026, 1, 6))
    assert engine.refresh(world.branch2.pk, 2026, today=date(2026, 1, 10)) >= 1
    assert engine.refresh(world.branch2.pk, 2026, today=date(2026, 1, 10)) == 0  # idempotent
    after_refresh = sorted(
        Rollup.objects.values_list(
            "organization_id", "rule__code", "applicable", "met", "on_track", "at_risk", "overdue"
        )
    )
    results_refresh = sorted(Result.objects.values_list("organization_id", "rule__code", "status", "value"))
    engine.recompute(2026, today=date(2026, 1, 10))
    assert (
        sorted(
            Rollup.objects.values_list(
                "organization_id", "rule__code", "applicable", "met", "on_track", "at_risk", "overdue"
            )
        )
        == after_refresh
    )
    assert (
        sorted(Result.objects.values_list("organization_id", "rule__code", "status", "value"))
        == results_refresh
    )
    assert rollup(world.township, "c") == (2, 2, 0, 0, 0)
    assert result(world.township, "cov") == ("met", 2, 2)
    # The per-organization tallies (the "most overdue" list) agree too.
    tallies = sorted(Tally.objects.values_list("organization_id", "applicable", "met", "overdue"))
    engine.refresh(world.branch.pk, 2026, today=date(2026, 3, 1))  # February missed: overdue
    engine.refresh(world.branch2.pk, 2026, today=date(2026, 3, 1))
    engine.refresh(world.branch_b.pk, 2026, today=date(2026, 3, 1))  # the calendar moved for all
    refreshed = sorted(Tally.objects.values_list("organization_id", "applicable", "met", "overdue"))
    assert refreshed != tallies
    engine.recompute(2026, today=date(2026, 3, 1))
    assert sorted(Tally.objects.values_list("organization_id", "applicable", "met", "overdue")) == refreshed
    assert Tally.objects.get(organization=world.branch, year=2026).overdue == 1


def test_rule_set_of_another_year_or_scope_does_not_apply(world: World) -> None:
    load("code: old\nname: old\nyear: 2017\nrules:\n  - " + MONTHLY)
    load("code: sc\nname: sc\nscope: '430103'\nrules:\n  - " + MONTHLY.replace("code: c", "code: c2"))
    engine.recompute(2026, today=date(2026, 2, 1))
    assert not Result.objects.filter(rule__code="c").exists()
    assert set(Result.objects.filter(rule__code="c2").values_list("organization_id", flat=True)) == {
        world.branch_b.pk
    }


def test_a_new_version_replaces_the_old_versions_results(world: World) -> None:
    load(rules(MONTHLY))
    engine.recompute(2026, today=date(2026, 2, 1))
    load(rules(MONTHLY.replace("min: 1", "min: 2")))
    engine.recompute(2026, today=date(2026, 2, 1))
    assert set(Result.objects.values_list("rule__rule_set__version", flat=True)) == {2}
    assert set(Rollup.objects.values_list("rule__rule_set__version", flat=True)) == {2}
