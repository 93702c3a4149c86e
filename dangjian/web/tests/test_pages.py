from django.test import Client

from dangjian.members.models import MemberStatus
from dangjian.members.services import update_member
from dangjian.testing.world import World


def test_member_count_is_the_subtree_on_the_roll(world: World) -> None:
    client = Client()
    client.force_login(world.province_staff)
    assert ">3</a>" in client.get(f"/orgs/{world.province.pk}/member-count/").content.decode()
    assert ">2</a>" in client.get(f"/orgs/{world.township.pk}/member-count/").content.decode()
    update_member(world.member2, {"status": MemberStatus.LEFT}, acting_user=world.secretary)
    assert ">1</a>" in client.get(f"/orgs/{world.township.pk}/member-count/").content.decode()


def test_org_page_shows_term_warning_breadcrumb_secretary_and_groups(world: World) -> None:
    from datetime import date

    from dangjian.organizations.services import update_organization

    update_organization(
        world.branch,
        {"term_start": date(2017, 1, 1), "term_due_end": date(2020, 1, 1)},
        acting_user=world.secretary,
    )
    update_member(world.member, {"committee_post": "secretary"}, acting_user=world.secretary)
    client = Client()
    client.force_login(world.county_staff)
    body = client.get(f"/orgs/{world.branch.pk}/").content.decode()
    assert "alert-danger" in body and "2020-01-01" in body  # the term change is overdue
    assert 'breadcrumb-item"><a href="/orgs/' in body and "湖南省委" in body
    assert "张伟" in body and "第一党小组" in body


def test_find_a_member_by_exact_id_number_or_phone(world: World) -> None:
    # A search form that posts: the values stay out of the URL (members/tests/test_search.py).
    client = Client()
    client.force_login(world.county_staff)
    body = client.post("/members/search/", {"id_number": world.member.id_number.lower()}).content.decode()
    assert "张伟" in body and "李娜" not in body
    body = client.post("/members/search/", {"phone": world.member2.phone}).content.decode()
    assert "李娜" in body and "张伟" not in body
    # Another county's member is not found by their ID number either.
    body = client.post("/members/search/", {"id_number": world.member_b.id_number}).content.decode()
    assert "王芳" not in body


def test_paging_through_a_large_list_shows_every_member_once(world: World) -> None:
    import re
    from datetime import date

    from dangjian.members.models import Member
    from dangjian.testing.world import make_member

    for i in range(70):
        make_member(
            world.branch2 if i % 2 else world.branch,
            f"党员{i:02d}",
            birth=date(1940 + i % 60, 3, 1 + i // 60),
        )
    client = Client()
    client.force_login(world.county_staff)
    seen: list[str] = []
    url = "/members/"
    for _ in range(5):
        body = client.get(url, HTTP_HX_REQUEST="true" if seen else "").content.decode()
        seen += re.findall(r'href="/members/(\d+)/"', body)
        more = re.search(r'hx-get="\?([^"]*after=[^"]*)"', body)
        if not more:
            break
        url = "/members/?" + more.group(1).replace("&amp;", "&")
    expected = {str(pk) for pk in Member.objects.restrict(world.county_staff).values_list("pk", flat=True)}
    assert len(seen) == len(expected) == 72 and set(seen) == expected

    # The API pages the same list the same way.
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(world.county_staff)
    ids: list[int] = []
    next_url: str | None = "/api/v1/members/?page_size=15"
    while next_url:
        data = api.get(next_url).json()
        ids += [row["id"] for row in data["results"]]
        next_url = data["next"]
    assert sorted(map(str, ids)) == sorted(expected) and len(ids) == 72
