"""The demo's honours (point 25), as a visitor meets them: the county's 七一 call published with
nominations at every outcome, an objection answered, the honours in the branches' feed and on
the public page, one call still open for the personas' branch, and point 25 measured. The tiny
demo, loaded once for the module."""

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client, override_settings

from dangjian.accounts.models import User
from dangjian.compliance.models import Result, Status
from dangjian.core.models import StateChange
from dangjian.demo.tests.test_demo import load
from dangjian.feed.models import FeedItem, FeedKind
from dangjian.honours.models import Call, CallState, Nomination, NominationState, Objection


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


def test_the_county_published_its_honours_of_the_year(demo: None, db: None) -> None:
    published = Call.objects.get(state=CallState.PUBLISHED)
    assert published.publicity_from and published.publicity_until and published.publish_by.month == 6
    states = Counter(published.nominations.values_list("state", flat=True))
    assert states[NominationState.APPROVED] >= 3 and states[NominationState.REJECTED] == 1, states
    assert published.nominations.filter(recommended_at__isnull=False).count() >= 2  # townships recommended
    objection = Objection.objects.get(nomination__call=published)
    assert objection.answered_at is not None and not objection.upheld
    honours = FeedItem.objects.filter(kind=FeedKind.HONOUR)
    assert honours.count() == states[NominationState.APPROVED]
    assert {i.occurred_at.month for i in honours} == {6}
    kind = ContentType.objects.get_for_model(Nomination)
    ids = list(published.nominations.values_list("pk", flat=True))
    steps = StateChange.objects.filter(content_type=kind, object_id__in=ids, move__in=("submit", "approve"))
    moves = set(steps.values_list("at__month", flat=True))
    assert moves == {6}
    public = Client().get(f"/public/honours/{published.organization_id}/")
    assert public.status_code == 200 and published.title in public.content.decode()


def test_the_personas_see_the_open_call_and_their_honours(demo: None, db: None) -> None:
    secretary = User.objects.select_related("member__organization").get(username="secretary")
    branch = secretary.member.organization if secretary.member else None
    assert branch is not None
    open_call = Call.objects.get(state=CallState.OPEN)
    page = _page("secretary", f"/orgs/{branch.pk}/honour-calls/")
    assert open_call.title in page and f"nominate/?call={open_call.pk}" in page
    assert Nomination.objects.filter(call=open_call, state=NominationState.DRAFT).exists()
    county_page = _page("county_staff", f"/orgs/{open_call.organization_id}/honours/")
    assert "两优一先" in county_page
    ours = Nomination.objects.filter(published_at__isnull=False, nominee_member__organization=branch)
    items = FeedItem.objects.filter(kind=FeedKind.HONOUR, organization=branch)
    assert ours.exists() and items.count() >= ours.count()  # in the branch's feed (June, pages back)
    public = Client().get(f"/public/honours/{open_call.organization_id}/").content.decode()
    assert all(n.nominee_name in public for n in ours)


def test_point_25_is_measured(demo: None, db: None) -> None:
    results = Result.objects.filter(rule__code="model-examples", rule__rule_set__active=True)
    assert results.count() > 0
    assert not results.filter(status=Status.OVERDUE).exists()
