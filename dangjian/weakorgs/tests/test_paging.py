"""The county's page of the year when screening proposes a couple of hundred candidates: the
candidates filtered by reason, sorted, and paged (the links keep the year, the filter and the
sort); confirming or removing from page 2 comes back to page 2; the queries a page makes do not
grow with the candidates."""

from typing import Any

from django.test import Client

from dangjian.testing.world import World, make_org
from dangjian.weakorgs import services
from dangjian.weakorgs.models import Listing, ListingState
from dangjian.weakorgs.views import PAGE_SIZE

from .helpers import YEAR

EXTRA = PAGE_SIZE + 5


def _branches(world: World, count: int, start: int = 100) -> None:
    """Branches below the county with no committee meeting held: each a candidate."""
    for i in range(start, start + count):
        make_org(world.township, f"测试第{i}党支部", f"430102001{i:03d}", "branch", "community")


def _client(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


def _shown(body: str) -> int:
    return body.count('name="note"')  # one remove-reason box per candidate shown


def test_candidates_are_filtered_sorted_and_paged(world: World) -> None:
    _branches(world, EXTRA)
    services.screen(world.county, YEAR, acting_user=world.county_staff)
    total = Listing.objects.filter(state=ListingState.CANDIDATE).count()
    assert total > PAGE_SIZE
    county = _client(world, "county_staff")
    page = f"/orgs/{world.county.pk}/weak/"
    first = county.get(page, {"year": YEAR, "sort": "reasons"}).content.decode()
    assert _shown(first) == PAGE_SIZE
    assert f"year={YEAR}" in first and "sort=reasons" in first and "page=2" in first
    # The most reasons first: the personas' branch (no secretary, no meeting) before the new ones.
    assert first.index(world.branch.name) < first.index("测试第1")
    second = county.get(page, {"year": YEAR, "sort": "reasons", "page": 2}).content.decode()
    assert _shown(second) == total - PAGE_SIZE and world.branch.name not in second
    assert 'rel="prev"' in second and 'rel="next"' not in second
    only = county.get(page, {"year": YEAR, "reason": "secretary_vacant"}).content.decode()
    assert world.branch.name in only and "测试第1" not in only
    assert "page=2" not in only
    beyond = county.get(page, {"year": YEAR, "page": 99}).content.decode()
    assert _shown(beyond) == total - PAGE_SIZE  # past the end: the last page


def test_confirming_and_removing_from_page_two(world: World) -> None:
    _branches(world, EXTRA)
    services.screen(world.county, YEAR, acting_user=world.county_staff)
    county = _client(world, "county_staff")
    back = f"/orgs/{world.county.pk}/weak/?year={YEAR}&sort=org&page=2"
    last, before = Listing.objects.filter(state=ListingState.CANDIDATE).order_by("organization__path", "id")[
        PAGE_SIZE : PAGE_SIZE + 2
    ]
    assert f"/weak/{last.pk}/confirm/" in county.get(back).content.decode()
    confirmed = county.post(f"/weak/{last.pk}/confirm/", {"version": last.version, "next": back})
    assert confirmed.status_code == 302 and confirmed["Location"] == back
    removed = county.post(
        f"/weak/{before.pk}/remove/", {"version": before.version, "note": "已核实", "next": back}
    )
    assert removed.status_code == 302 and removed["Location"] == back
    assert Listing.objects.get(pk=last.pk).state == ListingState.LISTED
    assert Listing.objects.get(pk=before.pk).state == ListingState.REMOVED
    body = county.get(back).content.decode()
    assert _shown(body) == Listing.objects.filter(state=ListingState.CANDIDATE).count() - PAGE_SIZE


def test_a_page_makes_the_same_queries_however_many_candidates(
    world: World, django_assert_max_num_queries: Any
) -> None:
    services.screen(world.county, YEAR, acting_user=world.county_staff)
    county = _client(world, "county_staff")
    page = f"/orgs/{world.county.pk}/weak/?year={YEAR}"
    county.get(page)  # the session and the caches, once
    with django_assert_max_num_queries(30) as ctx:
        assert county.get(page).status_code == 200
    _branches(world, EXTRA)
    services.screen(world.county, YEAR, acting_user=world.county_staff)
    for number in (1, 2):
        with django_assert_max_num_queries(len(ctx.captured_queries)):
            body = county.get(f"{page}&sort=reasons&page={number}").content.decode()
        assert _shown(body) > 0
