"""Each record's history (`core.workflow.attach_steps`, `core/_steps.html`) on the page where
it is read: a real move through the service shows up as a step (who, which state), and the
page stays closed to an outsider."""

from datetime import timedelta
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from dangjian.core.dates import add_years
from dangjian.core.scoping import SYSTEM
from dangjian.core.workflow import workflow_of
from dangjian.evaluation.tests.helpers import handled_campaign, new_campaign
from dangjian.lectures.services import add_lecturer, dispatch_lecture
from dangjian.points.services import approve_entry, propose_entry
from dangjian.points.tests.helpers import rule
from dangjian.polls.tests.helpers import make_poll
from dangjian.supervision import report_services
from dangjian.supervision.tests.helpers import submitted, this_year
from dangjian.testing.world import World
from dangjian.transfers import services as transfers
from dangjian.transfers.tests.helpers import closed_assembly, days_ago, probationary


def _client(user: Any) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client


def _steps(html: str) -> list[str]:
    """The history blocks of the page."""
    return [chunk.split("</details>", 1)[0] for chunk in html.split('<details class="dj-steps')[1:]]


def _label(record: Any, state: str) -> str:
    with translation.override("en"):
        return workflow_of(record).label(state)


def _shows(url: str, user: Any, record: Any, actor: Any, state: str, within: str = "") -> None:
    """The page shows the step to `state` by `actor` in a history block (after `within`)."""
    response = _client(user).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    if within:
        html = html.split(within, 1)[1]
    name = (actor.get_full_name() or actor.get_username()) if getattr(actor, "pk", None) else "system"
    step = f"{name} · {_label(record, state)}"
    assert any(step in block for block in _steps(html)), step


def _hidden(url: str, world: World) -> None:
    assert _client(world.outsider).get(url).status_code == 404


def test_a_point_entry_on_the_branchs_pending_list(world: World) -> None:
    year = timezone.localdate().year
    deed = rule(world.county, "manual", "好人好事", 3, year=year)
    entry = propose_entry(world.member, deed, reason="扶老人过马路", acting_user=world.secretary)
    url = reverse("org_points", args=[world.branch.pk])
    _shows(url, world.secretary, entry, world.secretary, "proposed")
    _hidden(url, world)


def test_a_point_entry_on_the_members_ledger(world: World) -> None:
    year = timezone.localdate().year
    deed = rule(world.county, "manual", "好人好事", 3, year=year)
    entry = propose_entry(world.member, deed, reason="扶老人过马路", acting_user=world.secretary)
    approve_entry(entry, acting_user=world.county_staff)
    _shows(reverse("my_points"), world.member_user, entry, world.county_staff, "approved")


def test_a_probation_decision_on_the_membership_page(world: World) -> None:
    member = probationary(world.branch, "王五", add_years(days_ago(10), -1))
    decision = transfers.record_decision(
        member,
        outcome="convert",
        meeting=closed_assembly(world.branch, days_ago(2)),
        note="全票通过",
        acting_user=world.secretary,
    )
    transfers.approve_decision(decision, note="同意", acting_user=world.county_staff)
    url = reverse("member_membership", args=[member.pk])
    _shows(url, world.secretary, decision, world.secretary, "decided")
    _shows(url, world.secretary, decision, world.county_staff, "approved")
    _hidden(url, world)


def test_an_evaluation_campaign_on_the_branchs_evaluation_page(world: World) -> None:
    campaign = new_campaign(world.branch, by=world.secretary)
    url = reverse("org_evaluation", args=[world.branch.pk])
    _shows(url, world.secretary, campaign, world.secretary, "open")
    _shows(url, world.county_staff, campaign, world.secretary, "open")
    _hidden(url, world)


def test_a_five_standards_assessment_on_its_page(world: World) -> None:
    assessment = submitted(world.branch, world.secretary)
    url = reverse("org_five_standards", args=[world.branch.pk]) + f"?year={assessment.year}"
    _shows(url, world.secretary, assessment, world.secretary, "submitted")
    _shows(url, world.county_staff, assessment, world.secretary, "submitted")
    _hidden(url, world)


def test_a_secretary_report_on_its_page(world: World) -> None:
    report = report_services.save_report(world.branch, this_year(), "述职", acting_user=world.secretary)
    report = report_services.submit_report(report, acting_user=world.secretary)
    report_services.evaluate_report(report, "good", acting_user=world.county_staff)
    url = reverse("org_secretary_report", args=[world.branch.pk]) + f"?year={report.year}"
    _shows(url, world.secretary, report, world.secretary, "submitted")
    _shows(url, world.county_staff, report, world.county_staff, "evaluated")
    _hidden(url, world)


def test_a_handling_beside_the_members_row(world: World) -> None:
    handling = handled_campaign(world.branch)
    url = reverse("org_evaluation", args=[world.branch.pk])
    _shows(url, world.secretary, handling, SYSTEM, "open", within=f'id="handling-{handling.pk}"')
    _hidden(url, world)


def test_a_lecture_dispatch_in_the_dispatch_list(world: World) -> None:
    lecturer = add_lecturer(world.county, "周老师", "expert", acting_user=world.county_staff)
    day = timezone.localdate() + timedelta(days=3)
    dispatch = dispatch_lecture(lecturer, world.branch, day, "党课", acting_user=world.county_staff)
    url = reverse("lecturers", args=[world.branch.pk]) + f"?year={day.year}"
    _shows(url, world.secretary, dispatch, world.county_staff, "proposed")
    _hidden(url, world)


def test_a_lost_contact_case_on_its_page(world: World) -> None:
    case = transfers.open_case(
        world.member, lost_on=days_ago(20), circumstances="电话停机", acting_user=world.secretary
    )
    url = reverse("lost_contact_detail", args=[case.pk])
    _shows(url, world.secretary, case, world.secretary, case.state)
    _hidden(url, world)


def test_a_floating_record_on_its_page(world: World) -> None:
    record = transfers.register_floating(
        world.member,
        {"left_on": days_ago(40), "destination": "深圳", "reason": "务工", "managing_org_text": "深圳某支部"},
        acting_user=world.secretary,
    )
    url = reverse("floating_detail", args=[record.pk])
    _shows(url, world.secretary, record, world.secretary, record.state)
    _hidden(url, world)


def test_a_poll_on_its_page(world: World) -> None:
    poll = make_poll(world)
    url = reverse("poll_detail", args=[poll.pk])
    _shows(url, world.secretary, poll, world.secretary, "open")
    _shows(url, world.member_user, poll, world.secretary, "open")
    _hidden(url, world)
    chinese = Client()  # the default language
    chinese.force_login(world.member_user)
    assert "办理记录" in chinese.get(url).content.decode()
