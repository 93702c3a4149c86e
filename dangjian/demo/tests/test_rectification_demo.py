"""The demo's problem lists (point 19), as a visitor meets them: lists of most branches and
committees with problems at every step and their history, the personas' own, and the three
rules of point 19 measured with a spread of results. The tiny demo, loaded once for the module."""

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.compliance.models import Result, Status
from dangjian.core.models import StateChange
from dangjian.demo.tests.test_demo import load
from dangjian.rectification.models import Problem, ProblemState


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


def test_problem_lists_at_every_step_with_their_history(demo: None, db: None) -> None:
    problems = Problem.objects.filter(year=timezone.localdate().year)
    states = Counter(problems.values_list("state", flat=True))
    assert problems.values("organization").distinct().count() > 20
    if timezone.localdate().month >= 6:  # a year far enough on to have accepted and overdue ones
        assert states[ProblemState.ACCEPTED] > 0 and states[ProblemState.IN_PROGRESS] > 0, states
        assert problems.filter(state=ProblemState.IN_PROGRESS, deadline__lt=timezone.localdate()).exists()
    created = set(StateChange.objects.filter(move="create").values_list("object_id", flat=True))
    assert created >= set(problems.values_list("pk", flat=True))
    accepted = set(problems.filter(state=ProblemState.ACCEPTED).values_list("pk", flat=True))
    assert accepted <= set(StateChange.objects.filter(move="accept").values_list("object_id", flat=True))


def test_the_personas_see_their_lists(demo: None, db: None) -> None:
    secretary = User.objects.select_related("member__organization").get(username="secretary")
    branch = secretary.member.organization if secretary.member else None
    assert branch is not None
    page = _page("secretary", f"/orgs/{branch.pk}/problems/")
    assert "三会一课记录不完整" in page and "参加组织生活不够经常" in page  # the member's own, for the branch
    mine = _page("member", "/my/problems/")
    assert "参加组织生活不够经常" in mine


def test_point_19_is_measured_with_a_spread(demo: None, db: None) -> None:
    results = Result.objects.filter(
        rule__code="problem-lists", rule__rule_set__active=True, year=timezone.localdate().year
    )
    statuses = Counter(results.values_list("status", flat=True))
    assert sum(statuses.values()) > 20
    if timezone.localdate().month >= 7:  # after 30 June: lists are met or overdue
        assert statuses[Status.MET] > statuses[Status.OVERDUE] > 0, statuses
