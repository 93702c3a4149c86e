"""ID numbers and phones stay out of URLs: the exact search is a POST, for those who may reveal
personal data, audited; a GET carrying one is refused. Views taking personal data hide it from
error reports, and responses carrying a revealed value are never cached."""

from typing import Any

import pytest
from django.test import Client, RequestFactory
from rest_framework.test import APIRequestFactory, force_authenticate

from dangjian.core.models import AuditEntry
from dangjian.members import views
from dangjian.members.api import MemberViewSet
from dangjian.members.models import Member
from dangjian.testing.api import english_client
from dangjian.testing.world import World, add_every_role

MEMBERS = "/api/v1/members/"
SEARCH = "/api/v1/members/search/"


@pytest.fixture
def world(world: World) -> World:
    return add_every_role(world)


def _client(user: Any) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client


@pytest.mark.parametrize("param", ["id_number", "phone"])
def test_a_query_string_with_an_id_number_or_phone_is_refused(world: World, param: str) -> None:
    value = getattr(Member.objects.get(pk=world.member.pk), param)
    api = english_client()
    api.force_authenticate(user=world.county_staff)
    response = api.get(MEMBERS, {param: value})
    assert response.status_code == 400
    assert "POST /api/v1/members/search/" in response.json()[param][0]
    page = _client(world.county_staff).get("/members/", {param: value})
    assert page.status_code == 400
    html = page.content.decode()
    assert "not searched through the address bar" in html
    assert "张伟" not in html and "李娜" not in html  # nothing listed as if the filter had worked
    export = _client(world.county_staff).get("/members/export.csv", {param: value})
    assert export.status_code == 400
    assert not AuditEntry.objects.filter(action="member.export").exists()


def test_search_by_post_finds_the_member_and_is_audited(world: World) -> None:
    member = Member.objects.get(pk=world.member.pk)
    api = english_client()
    api.force_authenticate(user=world.county_staff)
    response = api.post(SEARCH, {"id_number": member.id_number}, format="json")
    assert response.status_code == 200
    assert [r["name"] for r in response.json()] == ["张伟"]
    assert "no-store" in response["Cache-Control"]
    by_phone = api.post(SEARCH, {"phone": member.phone}, format="json")
    assert [r["id"] for r in by_phone.json()] == [member.pk]
    entries = AuditEntry.objects.filter(action="member.search", actor_name="county_staff", success=True)
    assert entries.count() == 2
    logged = entries.get(detail="id_number").changes
    assert logged == {"field": "id_number", "value": member.id_number_masked, "rows": 1}
    assert member.id_number not in str(logged) and member.phone not in str(entries.values_list("changes"))

    page = _client(world.secretary).post("/members/search/", {"id_number": member.id_number})
    assert page.status_code == 200 and f'href="/members/{member.pk}/"' in page.content.decode()
    assert "no-store" in page["Cache-Control"]


def test_search_outside_the_reveal_reach_finds_nothing(world: World) -> None:
    api = english_client()
    api.force_authenticate(user=world.outsider)  # committee staff of the other county
    id_number = Member.objects.get(pk=world.member.pk).id_number
    response = api.post(SEARCH, {"id_number": id_number}, format="json")
    assert response.status_code == 200 and response.json() == []


@pytest.mark.parametrize("persona", ["member_user", "organizer", "supervisor", "sysadmin", "auditor"])
def test_search_is_refused_without_the_reveal_right(world: World, persona: str) -> None:
    """An exact search answers "is this the ID number?": without the reveal right it would be
    an oracle (try the candidates one by one)."""
    id_number = Member.objects.get(pk=world.member.pk).id_number
    api = english_client()
    api.force_authenticate(user=world.users[persona])
    response = api.post(SEARCH, {"id_number": id_number}, format="json")
    assert response.status_code == 403
    assert "right to see personal data" in response.json()["detail"]
    page = _client(world.users[persona]).post("/members/search/", {"id_number": id_number})
    assert page.status_code == 403
    assert AuditEntry.objects.filter(action="member.search", success=False, actor_name=persona).count() == 2


def test_search_input_errors_are_explained(world: World) -> None:
    api = english_client()
    api.force_authenticate(user=world.county_staff)
    assert api.post(SEARCH, {}, format="json").status_code == 400
    both = api.post(SEARCH, {"id_number": "430102198005040011", "phone": "13800000000"}, format="json")
    assert both.status_code == 400 and "either an ID number or a phone" in str(both.json())
    assert api.get(SEARCH).status_code == 405
    page = _client(world.county_staff).post("/members/search/", {})
    assert page.status_code == 400 and "either an ID number or a phone" in page.content.decode()


def test_reveal_responses_are_not_cached(world: World) -> None:
    client = _client(world.secretary)
    for field in ("id_number", "phone", "birth_date"):
        response = client.post(f"/members/{world.member.pk}/reveal/{field}/")
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"], field
    assert "1980-05-04" in response.content.decode()  # the full birth date comes by reveal
    api = english_client()
    api.force_authenticate(user=world.secretary)
    revealed = api.post(f"{MEMBERS}{world.member.pk}/reveal/", {"field": "birth_date"}, format="json")
    assert revealed.json() == {"field": "birth_date", "value": "1980-05-04"}
    assert "no-store" in revealed["Cache-Control"]
    assert AuditEntry.objects.filter(action="member.reveal", detail="birth_date").count() == 2
    full = client.get("/members/export.csv", {"full": "1"})
    assert full.status_code == 200 and "no-store" in full["Cache-Control"]


def test_views_taking_personal_data_keep_it_out_of_error_reports(world: World) -> None:
    factory = RequestFactory()
    for view, url in (
        (views.member_create, f"/members/add/?org={world.branch.pk}"),
        (views.member_edit, f"/members/{world.member.pk}/edit/"),
        (views.member_search, "/members/search/"),
    ):
        request = factory.post(url, {"id_number": "430102198005040011", "phone": "13800000000"})
        request.user = world.secretary
        request.session = {}  # type: ignore[assignment]
        request._messages = []  # type: ignore[attr-defined]
        kwargs = {"pk": world.member.pk} if view is views.member_edit else {}
        view(request, **kwargs)
        assert {"id_number", "phone"} <= set(request.sensitive_post_parameters), view  # type: ignore[attr-defined]

    api_request = APIRequestFactory().post(SEARCH, {"id_number": "430102198005040011"}, format="json")
    force_authenticate(api_request, user=world.secretary)
    MemberViewSet.as_view({"post": "search"})(api_request)
    assert api_request.sensitive_post_parameters == "__ALL__"  # type: ignore[attr-defined]
