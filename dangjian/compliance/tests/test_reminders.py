"""Reminders before compliance due dates and escalation of overdue results (compliance.reminders):
who hears about what, when, and only once."""

from datetime import date, datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext

from dangjian.accounts.roles import Role
from dangjian.notifications.models import Notification
from dangjian.organizations.models import Organization
from dangjian.orglife.models import MeetingKind
from dangjian.study.models import StudyPlan
from dangjian.testing.world import World, make_org, make_user

from .. import engine
from ..models import Result
from ..reminders import escalate_overdue, remind_compliance, send_due_reminders
from .factories import held, load

YEAR = 2026

STUDY_PLAN = """
  - code: study-plan
    title: 制定年度学习计划
    title_en: Make the year's study plan
    kind: deadline
    metrics: [study.plan]
    due: "03-31"
    applies_to: {kinds: [branch]}
"""

MONTHLY = """
  - code: committee-monthly
    title: 每月召开支委会
    title_en: A branch committee meeting every month
    kind: count
    metric: meetings.branch_committee
    period: month
    min: 1
    applies_to: {kinds: [branch]}
"""


def rule_set(rules: str, *, code: str = "test-2026", settings: str = "") -> None:
    load(f"code: {code}\nname: 测试工作要点\nyear: {YEAR}\n{settings}rules:\n{rules}")


def day(month: int, d: int) -> date:
    return date(YEAR, month, d)


def on(month: int, d: int) -> date:
    """Recompute as the nightly job does on that day; returns the day."""
    engine.recompute(YEAR, today=day(month, d))
    return day(month, d)


def keys(user: Any) -> list[str]:
    return sorted(Notification.objects.filter(user=user).values_list("key", flat=True))


def due_key(org: Organization, rule: str, n: int, due: str = "2026-03-31") -> str:
    return f"compliance-due:{org.pk}:test-2026.{rule}:{due}:{n}"


def plan_made(org: Organization, on_day: date) -> None:
    plan = StudyPlan.objects.create(organization=org, year=YEAR, title="学习计划")
    stamp = timezone.make_aware(datetime(on_day.year, on_day.month, on_day.day, 10))
    StudyPlan.objects.filter(pk=plan.pk).update(created_at=stamp)


# --- before the due date ------------------------------------------------------------------------


def test_reminded_14_and_3_days_before_not_in_between(world: World) -> None:
    rule_set(STUDY_PLAN)
    assert send_due_reminders(on(3, 16)) == 0  # 15 days before
    assert send_due_reminders(on(3, 17)) == 1  # 14 days before
    assert keys(world.secretary) == [due_key(world.branch, "study-plan", 14)]
    assert send_due_reminders(on(3, 18)) == 0  # 13 days: the 14-day reminder is had
    assert send_due_reminders(on(3, 27)) == 0  # 4 days
    assert send_due_reminders(on(3, 28)) == 1  # 3 days
    assert keys(world.secretary) == [due_key(world.branch, "study-plan", n) for n in (14, 3)]
    assert send_due_reminders(on(3, 31)) == 0  # due today: both had


def test_the_reminder_says_what_where_when_and_links_the_checklist(world: World) -> None:
    rule_set(STUDY_PLAN)
    with translation.override("en"):
        send_due_reminders(on(3, 17))
    n = Notification.objects.get(user=world.secretary)
    assert n.kind == "compliance.due" and n.read_at is None
    assert n.url == f"/orgs/{world.branch.pk}/compliance/?year={YEAR}"
    # Written in the default language (zh-hans), whatever the job's active language.
    with translation.override("zh-hans"):
        title = gettext("Due in %(days)d days: %(rule)s") % {"days": 14, "rule": "制定年度学习计划"}
        due = gettext("Due date: %(date)s") % {"date": "2026-03-31"}
    assert n.title == title and "Make the year's study plan" not in n.title
    assert "第一党支部" in n.body and due in n.body and "0" in n.body


def test_english_text_when_the_default_language_is_english(world: World, settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"
    rule_set(STUDY_PLAN)
    send_due_reminders(on(3, 17))
    n = Notification.objects.get(user=world.secretary)
    assert n.title == "Due in 14 days: Make the year's study plan"
    assert n.body.splitlines() == [
        "第一党支部",
        "Due date: 2026-03-31",
        "Progress: 0 of 1 records in place",
        "Status: At risk",
    ]


def test_not_reminded_when_met(world: World) -> None:
    rule_set(STUDY_PLAN)
    plan_made(world.branch, day(2, 1))
    today = on(3, 17)
    assert Result.objects.get(organization=world.branch).status == "met"
    assert send_due_reminders(today) == 0
    assert send_due_reminders(on(3, 28)) == 0


def test_a_rerun_and_a_recompute_send_nothing_new(world: World) -> None:
    rule_set(STUDY_PLAN)
    today = on(3, 17)
    first = Result.objects.get(organization=world.branch).pk
    assert send_due_reminders(today) == 1
    assert send_due_reminders(today) == 0
    # The nightly recompute stores new result rows: the key does not depend on them.
    on(3, 17)
    assert Result.objects.get(organization=world.branch).pk != first
    assert send_due_reminders(today) == 0
    # Nor does reloading a corrected version of the rule set remind again.
    rule_set(STUDY_PLAN.replace("制定年度学习计划", "制定年度学习计划（修订）"))
    assert send_due_reminders(on(3, 17)) == 0


def test_catch_up_after_missed_days(world: World) -> None:
    rule_set(STUDY_PLAN)
    assert send_due_reminders(on(3, 20)) == 1  # the worker was down on the 17th
    assert keys(world.secretary) == [due_key(world.branch, "study-plan", 14)]
    assert send_due_reminders(on(3, 21)) == 0


def test_missing_both_sends_only_the_nearer_one(world: World) -> None:
    rule_set(STUDY_PLAN)
    assert send_due_reminders(on(3, 30)) == 1
    assert keys(world.secretary) == [due_key(world.branch, "study-plan", 3)]


def test_never_after_the_due_date(world: World) -> None:
    rule_set(STUDY_PLAN)
    engine.recompute(YEAR, today=day(3, 20))  # results still say "at risk", due 03-31
    assert send_due_reminders(day(4, 1)) == 0
    assert send_due_reminders(on(4, 1)) == 0  # overdue now
    assert not Notification.objects.exists()


def test_recipients_are_the_accountable_people_of_the_organization(world: World) -> None:
    organizer = make_user("organizer2", Role.ORGANIZER, world.branch2)
    rule_set(STUDY_PLAN)
    send_due_reminders(on(3, 17))
    assert keys(world.secretary) == [due_key(world.branch, "study-plan", 14)]
    assert keys(organizer) == [due_key(world.branch2, "study-plan", 14)]
    for persona in ("outsider", "county_staff", "province_staff", "member_user"):
        assert keys(world.users[persona]) == [], persona


def test_roles_named_by_the_rule(world: World) -> None:
    organizer = make_user("organizer1", Role.ORGANIZER, world.branch)
    rule_set(STUDY_PLAN.replace("applies_to:", "accountable: [organizer]\n    applies_to:"))
    send_due_reminders(on(3, 17))
    assert keys(organizer) == [due_key(world.branch, "study-plan", 14)]
    assert keys(world.secretary) == []


def test_committee_rules_remind_the_committee_staff(world: World) -> None:
    rule_set(STUDY_PLAN.replace("[branch]", "[committee]"))
    send_due_reminders(on(3, 17))
    assert keys(world.county_staff) == [due_key(world.county, "study-plan", 14)]
    assert keys(world.province_staff) == [due_key(world.province, "study-plan", 14)]
    assert keys(world.outsider) == [due_key(world.county_b, "study-plan", 14)]
    assert keys(world.secretary) == []


def test_monthly_rule_is_reminded_before_each_month_ends(world: World) -> None:
    rule_set(MONTHLY)
    held(world.branch, MeetingKind.BRANCH_COMMITTEE, day(1, 10))
    send_due_reminders(on(2, 14))  # 14 days before the end of February
    held(world.branch, MeetingKind.BRANCH_COMMITTEE, day(2, 20))
    send_due_reminders(on(3, 17))
    assert keys(world.secretary) == [
        due_key(world.branch, "committee-monthly", 14, "2026-02-28"),
        due_key(world.branch, "committee-monthly", 14, "2026-03-31"),
    ]


def test_reminder_days_come_from_the_rule_set(world: World) -> None:
    rule_set(STUDY_PLAN, settings="settings:\n  reminders: [7]\n")
    assert send_due_reminders(on(3, 17)) == 0
    assert send_due_reminders(on(3, 24)) == 1
    assert keys(world.secretary) == [due_key(world.branch, "study-plan", 7)]


def test_inactive_rule_sets_are_not_reminded(world: World) -> None:
    rule_set(STUDY_PLAN)
    on(3, 17)
    rule_set(STUDY_PLAN, code="other-2026")
    from ..models import RuleSet

    RuleSet.objects.update(active=False)
    assert send_due_reminders(day(3, 17)) == 0


# --- escalation ---------------------------------------------------------------------------------


def digest(user: Any) -> Notification:
    (n,) = Notification.objects.filter(user=user, kind="compliance.overdue")
    return n


def test_overdue_results_reach_the_nearest_committee_staff_once_in_one_message(world: World) -> None:
    rule_set(STUDY_PLAN + MONTHLY)
    plan_made(world.branch2, day(3, 1))  # only its monthly meetings are missing
    today = on(4, 1)
    # Township has no staff: the county's are the nearest; 坡子街 is under the outsider's county.
    assert escalate_overdue(today) == 2
    n = digest(world.county_staff)
    assert n.key == "compliance-overdue:2026-04-01"
    assert n.url == f"/orgs/{world.county.pk}/compliance/?year={YEAR}"
    assert n.body.splitlines()[:3] == [
        "第一党支部 · 制定年度学习计划",
        "第一党支部 · 每月召开支委会",
        "第二党支部 · 每月召开支委会",
    ]
    assert "坡子街党支部" not in n.body
    assert "坡子街党支部 · 制定年度学习计划" in digest(world.outsider).body
    assert keys(world.province_staff) == [] and keys(world.secretary) == []
    # Rerun, the next days, a recompute: nothing again.
    assert escalate_overdue(today) == 0
    assert escalate_overdue(on(4, 2)) == 0
    assert escalate_overdue(on(4, 7)) == 0


def test_township_staff_are_nearer_than_the_county(world: World) -> None:
    township_staff = make_user("township_staff", Role.COMMITTEE_STAFF, world.township)
    rule_set(STUDY_PLAN)
    escalate_overdue(on(4, 1))
    assert "第一党支部" in digest(township_staff).body
    assert keys(world.county_staff) == []
    assert digest(township_staff).url == f"/orgs/{world.township.pk}/compliance/?year={YEAR}"


def test_no_escalation_before_the_due_date_or_when_met(world: World) -> None:
    rule_set(STUDY_PLAN)
    plan_made(world.branch, day(3, 1))
    assert escalate_overdue(on(3, 31)) == 0
    escalate_overdue(on(4, 1))
    assert "第一党支部" not in digest(world.county_staff).body
    assert "第二党支部" in digest(world.county_staff).body


def test_catch_up_within_a_week_not_beyond(world: World) -> None:
    rule_set(STUDY_PLAN)
    assert escalate_overdue(on(4, 9)) == 0  # overdue since 04-01: left to supervision
    assert escalate_overdue(on(4, 8)) == 2  # the worker was down for a week


def test_a_month_that_fell_short_is_escalated_at_the_next_month(world: World) -> None:
    rule_set(MONTHLY)
    for org in (world.branch, world.branch2, world.branch_b):
        held(org, MeetingKind.BRANCH_COMMITTEE, day(1, 10))
    assert escalate_overdue(on(2, 27)) == 0  # February is not over
    assert escalate_overdue(on(3, 1)) == 2  # February fell short: overdue
    assert digest(world.county_staff).key == "compliance-overdue:2026-03-01"
    assert escalate_overdue(on(3, 2)) == 0
    # Still overdue in April: listed again once, in that month's digest.
    assert escalate_overdue(on(4, 1)) == 2
    assert keys(world.county_staff) == ["compliance-overdue:2026-03-01", "compliance-overdue:2026-04-01"]


def test_a_long_list_shows_twenty_and_counts_the_rest(world: World, settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"
    plan = STUDY_PLAN.replace("Make the year's study plan", "Plan NN").replace("study-plan", "plan-NN")
    rule_set("".join(plan.replace("NN", f"{i:02d}") for i in range(13)))
    escalate_overdue(on(4, 1))
    n = digest(world.county_staff)  # 13 rules × 2 branches
    lines = n.body.splitlines()
    assert n.title == "Overdue below your organization: 26 items"
    assert lines[:2] == ["第一党支部 · Plan 00", "第一党支部 · Plan 01"]
    assert lines[19] == "第二党支部 · Plan 06"
    assert lines[20:] == ["… and 6 more.", "The checklist shows every organization and rule."]


# --- bulk ---------------------------------------------------------------------------------------


def add_branches(world: World, n: int, start: int) -> None:
    for i in range(start, start + n):
        branch = make_org(world.township, f"第{i}支部", f"430102001{i:03d}", "branch", "community")
        make_user(f"secretary{i}", Role.SECRETARY, branch)


def queries(run: Any, today: date) -> int:
    Notification.objects.all().delete()
    with CaptureQueriesContext(connection) as ctx:
        created = run(today)
    assert created
    return len(ctx.captured_queries)


@pytest.mark.parametrize("run, month, d", [(send_due_reminders, 3, 17), (escalate_overdue, 4, 1)])
def test_queries_do_not_grow_with_results(world: World, run: Any, month: int, d: int) -> None:
    rule_set(STUDY_PLAN)
    add_branches(world, 3, start=10)
    few = queries(run, on(month, d))
    add_branches(world, 27, start=20)
    many = queries(run, on(month, d))
    assert Result.objects.count() == 33  # with the world's three branches
    assert many == few


# --- the periodic task --------------------------------------------------------------------------


def test_the_task_runs_daily_at_half_past_seven(world: World) -> None:
    task = remind_compliance.task_class()
    assert task.validate_datetime(datetime(YEAR, 3, 17, 7, 30))
    assert not task.validate_datetime(datetime(YEAR, 3, 17, 7, 31))
    assert not task.validate_datetime(datetime(YEAR, 3, 17, 8, 30))
    assert remind_compliance.call_local() == 0  # nothing loaded
