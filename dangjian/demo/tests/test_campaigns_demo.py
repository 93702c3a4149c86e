"""The demo's campaigns and tasks sent down (point 18), as a visitor meets them: the county's
four, reports at every step with their history, cases open and concluded, the sender's
completion per township, the personas' branch with a task still to report, and the two rules of
point 18 measured. The tiny demo, loaded once for the module."""

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.campaigns.models import Assignment, AssignmentState, Campaign, Case, CaseState, Rollup
from dangjian.campaigns.rollups import rebuild
from dangjian.compliance.models import Result
from dangjian.core.models import StateChange
from dangjian.demo.tests.test_demo import load


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock(), override_settings(DEMO_MODE=True), transaction.atomic():
        load()
        yield
        transaction.set_rollback(True)


def _page(username: str, url: str) -> str:
    client = Client()
    client.force_login(User.objects.get(username=username))
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_a_year_of_campaigns_with_reports_and_cases(demo: None, db: None) -> None:
    campaigns = Campaign.objects.all()
    assert campaigns.count() == 4
    states = Counter(Assignment.objects.values_list("state", flat=True))
    assert states[AssignmentState.ACCEPTED] > 0 and states[AssignmentState.PENDING] > 0, states
    cases = Counter(Case.objects.values_list("state", flat=True))
    assert cases[CaseState.CONCLUDED] > 0 and cases[CaseState.OPEN] > 0, cases
    accepted = set(Assignment.objects.filter(state=AssignmentState.ACCEPTED).values_list("pk", flat=True))
    assert accepted <= set(StateChange.objects.filter(move="accept").values_list("object_id", flat=True))
    for campaign in campaigns:  # the stored counts are what a rebuild counts
        kept = sorted(
            Rollup.objects.filter(campaign=campaign).values_list(
                "organization_id", "submitted", "accepted", "cases_open"
            )
        )
        rebuild(campaign)
        assert kept == sorted(
            Rollup.objects.filter(campaign=campaign).values_list(
                "organization_id", "submitted", "accepted", "cases_open"
            )
        )


def test_the_personas_see_their_side(demo: None, db: None) -> None:
    county = User.objects.get(username="county_staff").grants.get().organization
    running = Campaign.objects.filter(state="launched", kind="task").get()
    page = _page("county_staff", f"/campaigns/{running.pk}/")
    assert 'id="children"' in page and 'id="progress-total"' in page
    secretary = User.objects.select_related("member__organization").get(username="secretary")
    branch = secretary.member.organization if secretary.member else None
    assert branch is not None
    mine = Assignment.objects.get(campaign=running, organization=branch)
    assert mine.state == AssignmentState.PENDING
    assert f"/assignments/{mine.pk}/" in _page("secretary", f"/orgs/{branch.pk}/campaigns/")
    assert "/campaigns/" in _page("secretary", "/")  # the home's waiting work names the task
    assert f"/orgs/{county.pk}/campaigns/" in _page("county_staff", f"/orgs/{county.pk}/")


def test_point_18_is_measured(demo: None, db: None) -> None:
    results = Result.objects.filter(
        rule__code__in=("special-campaigns", "tasks-on-time"),
        rule__rule_set__active=True,
        year=timezone.localdate().year,
    )
    assert results.count() > 20
