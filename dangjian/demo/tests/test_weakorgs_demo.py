"""The demo's weak and lax organizations (point 11), as a visitor meets them: last year's list
with a look-back, this year's screening with candidates, confirmed, removed (with reasons) and
one listed by hand, at every step, and the two rules of point 11 measured. The tiny demo, loaded
once for the module."""

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.compliance.models import Result
from dangjian.core.models import StateChange
from dangjian.demo.tests.test_demo import load
from dangjian.weakorgs.models import Listing, ListingState


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock(), override_settings(DEMO_MODE=True), transaction.atomic():
        load()
        yield
        transaction.set_rollback(True)


def test_a_year_of_screening_and_rectification(demo: None, db: None) -> None:
    year = timezone.localdate().year
    this_year = Counter(Listing.objects.filter(year=year).values_list("state", flat=True))
    assert this_year[ListingState.CANDIDATE] > 0, this_year
    assert this_year[ListingState.REMOVED] == 3
    assert this_year[ListingState.ACCEPTED] == 2 and this_year[ListingState.CARRIED_OVER] == 1
    assert this_year[ListingState.SUBMITTED] == 1 and this_year[ListingState.PLANNED] == 1
    assert Listing.objects.filter(year=year, origin="by_hand").count() == 1
    assert not Listing.objects.filter(year=year, state=ListingState.REMOVED, removal_reason="").exists()
    last_year = Listing.objects.filter(year=year - 1)
    assert last_year.exclude(lookback_at=None).count() == 1
    carried = last_year.get(state=ListingState.CARRIED_OVER)
    assert (
        "not_accepted_last_year" in Listing.objects.get(organization=carried.organization, year=year).reasons
    )
    moves = set(
        StateChange.objects.filter(object_id__in=Listing.objects.values("pk")).values_list("move", flat=True)
    )
    assert {"create", "confirm", "remove", "plan", "submit", "accept", "carry_over", "look_back"} <= moves


def test_the_county_sees_its_screening(demo: None, db: None) -> None:
    staff = User.objects.get(username="county_staff")
    county = Listing.objects.filter(year=timezone.localdate().year).select_related("county").first()
    assert county is not None
    client = Client()
    client.force_login(staff)
    page = client.get(f"/orgs/{county.county_id}/weak/").content.decode()
    assert "run-screening" in page and "candidates" in page
    # The outsider is staff of another township: a listing outside it is not found.
    other = User.objects.get(username="outsider")
    [home] = other.grant_paths("view")
    elsewhere = Listing.objects.exclude(organization__path__startswith=home).first()
    assert elsewhere is not None
    outsider = Client()
    outsider.force_login(other)
    assert outsider.get(f"/weak/{elsewhere.pk}/").status_code == 404


def test_point_11_is_measured(demo: None, db: None) -> None:
    results = Result.objects.filter(
        rule__code__in=["weak-organizations", "weak-organizations-plans"],
        rule__rule_set__active=True,
        year=timezone.localdate().year,
    )
    statuses = Counter(results.values_list("rule__code", "status"))
    assert statuses[("weak-organizations-plans", "overdue")] == 1, statuses
