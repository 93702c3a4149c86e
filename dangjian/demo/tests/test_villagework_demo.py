"""The demo county's first secretaries, as a visitor meets them: four poverty-alleviation
villages, one handed over to a successor, two highlighted on the county's overview (a quarter not
assessed, no first secretary), a training session with attendance. The tiny demo, loaded once."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import Client, override_settings

from dangjian.accounts.models import User
from dangjian.demo.tests.test_demo import load
from dangjian.villagework.models import Assignment, AssignmentState, PovertyVillage, TrainingAttendance


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock(), override_settings(DEMO_MODE=True), transaction.atomic():
        load()
        yield
        transaction.set_rollback(True)


def test_first_secretaries_of_the_demo_county(demo: None, db: None) -> None:
    assert PovertyVillage.objects.count() == 4
    assert Assignment.objects.filter(state=AssignmentState.ENDED).count() == 1
    assert TrainingAttendance.objects.count() == 4
    county = User.objects.get(username="county_staff")
    client = Client()
    client.force_login(county)
    page = client.get(f"/orgs/{county.grants.get().organization_id}/first-secretaries/").content.decode()
    assert page.count("vw-missing") == 2
