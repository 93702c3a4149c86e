"""The demo's theme practice (point 20), as a visitor meets it: posts, published commitments and
pairings at the personas' branch; in-service members registered with the county's community
branches, their services confirmed and one waiting. The tiny demo, loaded once for the module."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings

from dangjian.community.models import (
    Commitment,
    CommitmentRelease,
    Pairing,
    Post,
    Registration,
    ServiceTask,
    TaskState,
)
from dangjian.demo.tests.test_demo import load


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock(), override_settings(DEMO_MODE=True), transaction.atomic():
        load()
        yield
        transaction.set_rollback(True)


def test_theme_practice_in_the_demo_county(demo: None, db: None) -> None:
    assert Post.objects.count() == 2 and Post.objects.filter(holders__isnull=False).exists()
    assert Commitment.objects.exclude(fulfilment="open").count() == 2
    assert CommitmentRelease.objects.count() == 1
    assert Pairing.objects.filter(visits__isnull=False).exists()
    assert Registration.objects.filter(state="accepted").exists()
    states = set(ServiceTask.objects.values_list("state", flat=True))
    assert {TaskState.CONFIRMED, TaskState.REPORTED} <= states
