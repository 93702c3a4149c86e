"""The demo county's member development: every branch has a pipeline, recorded through the
services (steps in order, dates in the past); the personas' branch has every stage, and the
county's compliance shows the development rules measured. The tiny demo, loaded once."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Max, Min
from django.test import override_settings
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.demo.life import BRANCH_KINDS
from dangjian.demo.tests.test_demo import load
from dangjian.development.models import Applicant, Stage, Step
from dangjian.organizations.models import Organization


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    with django_db_blocker.unblock(), override_settings(DEMO_MODE=True), transaction.atomic():
        out = load()
        yield out
        transaction.set_rollback(True)


def test_every_branch_has_a_pipeline(demo: str, db: None) -> None:
    assert "Member development in" in demo
    county = User.objects.get(username="county_staff").grants.get().organization
    branches = Organization.objects.filter(path__startswith=county.path, kind__in=BRANCH_KINDS)
    with_people = set(Applicant.objects.values_list("organization_id", flat=True))
    assert set(branches.values_list("pk", flat=True)) <= with_people
    stages = set(Applicant.objects.values_list("stage", flat=True))
    assert {Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE, Stage.ADMISSION, Stage.ADMITTED} <= stages


def test_the_personas_branch_has_every_stage_and_the_probation(demo: str, db: None) -> None:
    branch = User.objects.get(username="secretary").grants.get().organization
    stages = set(Applicant.objects.filter(organization=branch).values_list("stage", flat=True))
    assert {Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE, Stage.ADMISSION, Stage.ADMITTED} <= stages
    admitted = Applicant.objects.get(organization=branch, stage=Stage.ADMITTED)
    numbers = set(admitted.records.values_list("number", flat=True))
    assert {17, 18, 19, 20, 21} <= numbers
    assert admitted.member is not None and admitted.member.category == "probationary"


def test_dates_are_past_and_in_order(demo: str, db: None) -> None:
    today = timezone.localdate()
    assert Step.objects.aggregate(last=Max("on"))["last"] <= today
    for a in Applicant.objects.annotate(first=Min("records__on")):
        assert a.first == a.applied_on
        before = [s.on for s in a.records.filter(number__lte=17).order_by("number", "on")]
        assert before == sorted(before), a.pk
