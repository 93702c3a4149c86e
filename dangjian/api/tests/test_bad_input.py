"""Inputs that once answered 500: each gets a clear 400 in the user's language and changes nothing."""

import random
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
from django.test import Client
from rest_framework.test import APIClient

from dangjian.core.idnumber import generate_id_number
from dangjian.core.models import AuditEntry
from dangjian.members import services as member_services
from dangjian.members.models import Member
from dangjian.organizations.models import Organization
from dangjian.testing.world import World

from .test_api_members import MEMBERS, new_member_data

Api = Callable[[str], APIClient]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/points/entries/?year=0",
        "/api/v1/points/entries/?year=99999",
        "/api/v1/points/rules/?year=0",
        "/api/v1/study-plans/?year=0",
        "/api/v1/evaluation/campaigns/?year=0",
    ],
)
def test_a_year_outside_the_calendar_is_a_400_naming_the_field(api: Api, world: World, url: str) -> None:
    response = api("county_staff").get(url)
    assert response.status_code == 400, response.content
    assert "year" in response.json()


def test_a_year_in_range_still_filters(api: Api, world: World) -> None:
    assert api("county_staff").get("/api/v1/points/entries/?year=2026").status_code == 200


@pytest.mark.parametrize("query", ["q=%00", "q=a%00b", "%00=1"])
def test_nul_in_a_page_query_is_a_400_in_chinese(client: Client, world: World, query: str) -> None:
    client.force_login(world.users["county_staff"])
    response = client.get(f"/orgs/?{query}")
    assert response.status_code == 400
    assert "NUL" in response.content.decode() and "请求" in response.content.decode()


def test_nul_in_an_api_query_or_form_is_a_400_in_english(world: World) -> None:
    client = APIClient()
    client.cookies["django_language"] = "en"
    client.force_login(world.users["county_staff"])
    for response in (
        client.get("/api/v1/members/?name=%00"),
        client.get("/api/v1/organizations/?q=x%00"),
        client.post(MEMBERS, new_member_data(name="赵\x00敏"), format="multipart"),
    ):
        assert response.status_code == 400
        assert "NUL character" in response.json()["detail"]


def test_nul_in_a_posted_page_form_changes_nothing(client: Client, world: World) -> None:
    client.force_login(world.users["county_staff"])
    before = Organization.objects.get(pk=world.branch2.pk).name
    response = client.post(f"/orgs/{world.branch2.pk}/edit/", {"name": "第二\x00党支部"})
    assert response.status_code == 400
    assert Organization.objects.get(pk=world.branch2.pk).name == before


def _racing_clean(real: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    """`clean_member` as if another request registered the same ID number right after the
    duplicate check passed: the rival row is inserted between the check and our insert."""

    def clean(data: dict[str, Any], organization: Organization, instance: Member | None = None) -> Any:
        result = real(data, organization, instance)
        rival = Member(organization=organization)
        member_services._apply(rival, {**result, "name": "并发登记"})
        rival.save()
        return result

    return clean


def test_concurrent_registration_of_one_id_number_is_a_400(api: Api, world: World) -> None:
    before = Member.objects.count()
    data = new_member_data()
    with mock.patch.object(member_services, "clean_member", _racing_clean(member_services.clean_member)):
        response = api("county_staff").post(MEMBERS, data)
    assert response.status_code == 400, response.content
    assert response.json() == {
        "id_number": ["A member with this ID number is already registered on the platform."]
    }
    assert Member.objects.count() == before
    refused = AuditEntry.objects.filter(action="member.create", success=False, actor_name="county_staff")
    assert refused.exists()


def test_concurrent_change_to_a_taken_id_number_is_refused(api: Api, world: World) -> None:
    taken = generate_id_number(random.Random(5), world.member.birth_date, world.member.gender)
    with mock.patch.object(member_services, "clean_member", _racing_clean(member_services.clean_member)):
        response = api("county_staff").patch(f"{MEMBERS}{world.member.pk}/", {"id_number": taken})
    assert response.status_code == 400, response.content
    assert "id_number" in response.json()
    assert Member.objects.get(pk=world.member.pk).id_number == world.member.id_number


def test_an_unmatched_api_url_is_a_json_404(api: Api, world: World) -> None:
    for url in ("/api/v1/meetings/-1/check-in/", "/api/v1/nowhere/"):
        response = api("county_staff").get(url)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json" and "detail" in response.json()


@pytest.mark.parametrize("raw", ["%C2%B2", "9" * 5000, "0", "99999"])
def test_odd_numbers_in_queries_never_answer_500(api: Api, client: Client, world: World, raw: str) -> None:
    # "²" passes str.isdigit() but not int(); 5,000 digits exceed int()'s limit; year 0 and
    # 99999 are outside what a date can hold.
    staff = api("county_staff")
    leader_works = f"/api/v1/leaders/1/works/?year={raw}"
    for url in (f"/api/v1/points/table/?org=430102001001&year={raw}", leader_works):
        assert staff.get(url).status_code < 500, url
    client.force_login(world.users["county_staff"])
    pages = [f"/orgs/{world.county.pk}/{page}/?year={raw}" for page in ("study", "points", "evaluation")]
    for url in [*pages, f"/audit/?before={raw}", f"/transfers/?within={raw}"]:
        assert client.get(url).status_code < 500, url
