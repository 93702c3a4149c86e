"""The demo county's term changes, as a visitor meets them: one confirmed this year with its new
term and committee on the roll, one approved, one awaiting the county, one returned, and the
county's page listing the terms ending below it. The tiny demo, loaded once for the module."""

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import Client, override_settings

from dangjian.accounts.models import User
from dangjian.demo.tests.test_demo import load
from dangjian.elections.models import TermChange, TermChangeState
from dangjian.members.models import Member

S = TermChangeState


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock(), override_settings(DEMO_MODE=True), transaction.atomic():
        load()
        yield
        transaction.set_rollback(True)


def test_term_changes_at_every_step(demo: None, db: None) -> None:
    states = Counter(TermChange.objects.values_list("state", flat=True))
    assert states == {S.CONFIRMED: 1, S.APPROVED: 1, S.REQUESTED: 1, S.RETURNED: 1}, states
    done = TermChange.objects.select_related("organization").get(state=S.CONFIRMED)
    assert (
        done.organization.term_start == done.held_on and done.term_due_end == done.organization.term_due_end
    )
    secretaries = Member.objects.filter(organization=done.organization, committee_post="secretary")
    assert secretaries.count() == 1 and done.elected.filter(member=secretaries.get()).exists()
    county = User.objects.get(username="county_staff")
    client = Client()
    client.force_login(county)
    grant = county.grants.get()
    page = client.get(f"/orgs/{grant.organization_id}/term-changes/").content.decode()
    below = page.split('id="terms-below"')[1]
    assert below.count("<tr>") >= 5  # the header and the four under way, at least
    waiting = TermChange.objects.get(state=S.REQUESTED)
    assert (
        f"/term-changes/{waiting.pk}/approve/" in client.get(f"/term-changes/{waiting.pk}/").content.decode()
    )


def test_village_elections_filed_reported_and_in_review(demo: None, db: None) -> None:
    from dangjian.elections.village.models import Candidate, VillageElection

    states = Counter(VillageElection.objects.values_list("state", flat=True))
    assert states == {"filed": 1, "elected": 1, "planned": 1}, states
    assert Candidate.objects.filter(review="pending").exists()
    filed = VillageElection.objects.get(state="filed")
    assert filed.filed_on is not None and filed.filed_on.month <= 6
    client = Client()
    client.force_login(User.objects.get(username="county_staff"))
    page = client.get(f"/orgs/{filed.township_id}/village-elections/").content.decode()
    assert page.count('id="village-') >= 3
    # The filed village's Party secretary was elected director: the 一肩挑 figure is not empty.
    from dangjian.elections.village.queries import annotate

    annotate([filed])
    assert filed.secretary is not None and filed.one_shoulder
