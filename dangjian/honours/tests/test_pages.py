"""The honours pages: the branch sees the county's call and nominates, the county reviews, members
object during the notice, the published honours are shown to the signed-in and, as a public
notice, without login (name, branch, honour, year, deeds; nothing personal; nothing unpublished)."""

from typing import Any

from django.test import Client

from dangjian.honours import services
from dangjian.honours.models import Nomination, NominationState, Objection
from dangjian.testing.world import World

from .helpers import call_of, end_publicity, nominate


def _client(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


def test_a_branch_nominates_for_the_county_call(world: World) -> None:
    call = call_of(world)
    secretary = _client(world, "secretary")
    page = secretary.get(f"/orgs/{world.branch.pk}/honour-calls/").content.decode()
    assert call.title in page and f"/orgs/{world.branch.pk}/nominate/?call={call.pk}" in page
    member_page = _client(world, "member_user").get(f"/orgs/{world.branch.pk}/honour-calls/").content.decode()
    assert (
        call.title in member_page and "nominate/?call=" not in member_page
    )  # members read, officers nominate
    form = secretary.get(f"/orgs/{world.branch.pk}/nominate/?call={call.pk}")
    assert form.status_code == 200 and world.member2.name in form.content.decode()
    assert world.member_b.name not in form.content.decode()
    sent = secretary.post(
        f"/orgs/{world.branch.pk}/nominate/?call={call.pk}",
        {"category": "member", "nominee_member": world.member2.pk, "story": "扎根社区服务群众"},
    )
    nomination = Nomination.objects.get()
    assert sent.status_code == 302 and sent["Location"] == f"/nominations/{nomination.pk}/"
    submitted = secretary.post(f"/nominations/{nomination.pk}/submit/", {"version": 0})
    assert submitted.status_code == 302
    assert Nomination.objects.get().state == NominationState.SUBMITTED
    assert _client(world, "outsider").get(f"/nominations/{nomination.pk}/").status_code == 404
    assert (
        _client(world, "outsider").get(f"/orgs/{world.branch.pk}/nominate/?call={call.pk}").status_code == 404
    )
    detail = _client(world, "county_staff").get(f"/honour-calls/{call.pk}/").content.decode()
    assert world.member2.name in detail
    stale = _client(world, "county_staff").post(f"/nominations/{nomination.pk}/recommend/", {"version": 0})
    assert stale.status_code == 302 and Nomination.objects.get().state == NominationState.SUBMITTED


def _on_notice(world: World) -> tuple[Any, Nomination]:
    call = call_of(world)
    nomination = nominate(world, call)
    services.recommend_nomination(nomination, acting_user=world.county_staff)
    services.approve_nomination(nomination, acting_user=world.province_staff)
    services.close_call(call, acting_user=world.county_staff)
    return services.publicise_call(call, acting_user=world.county_staff), nomination


def test_members_object_and_the_county_answers_then_publishes(world: World) -> None:
    call, nomination = _on_notice(world)
    member = _client(world, "member_user")
    page = member.get(f"/orgs/{world.branch.pk}/honour-calls/").content.decode()
    assert nomination.story in page
    assert (
        _client(world, "outsider")
        .post(f"/orgs/{world.branch.pk}/honour-calls/object/", {"nomination": nomination.pk, "text": "x"})
        .status_code
        == 404
    )
    member.post(
        f"/orgs/{world.branch.pk}/honour-calls/object/", {"nomination": nomination.pk, "text": "群众反映不实"}
    )
    objection = Objection.objects.get()
    county = _client(world, "county_staff")
    assert "群众反映不实" in county.get(f"/honour-calls/{call.pk}/").content.decode()
    county.post(f"/honour-calls/{call.pk}/objections/{objection.pk}/answer/", {"answer": "经核实，反映不实"})
    assert Objection.objects.get().answer == "经核实，反映不实"
    end_publicity(call)
    county.post(f"/honour-calls/{call.pk}/publish/", {"version": call.version})
    honours = county.get(f"/orgs/{world.county.pk}/honours/").content.decode()
    assert world.member2.name in honours and nomination.story in honours
    assert _client(world, "outsider").get(f"/orgs/{world.county.pk}/honours/").status_code == 404
    assert member.get(f"/orgs/{world.county.pk}/honours/").status_code == 404  # reads the public page
    assert (
        f"/public/honours/{world.county.pk}/"
        in member.get(f"/orgs/{world.branch.pk}/honour-calls/").content.decode()
    )


def test_the_public_page_shows_only_published_honours_and_nothing_personal(world: World) -> None:
    call, nomination = _on_notice(world)
    anonymous = Client()
    assert anonymous.get(f"/public/honours/{world.county.pk}/").status_code == 404  # not yet published
    end_publicity(call)
    services.publish_call(call, acting_user=world.county_staff)
    response = anonymous.get(f"/public/honours/{world.county.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert world.member2.name in body and world.branch.name in body and nomination.story in body
    member = world.member2
    for secret in (
        member.id_number,
        member.phone,
        member.birth_date.isoformat(),
        str(member.birth_date.year),
    ):
        assert secret not in body
    assert anonymous.get(f"/public/honours/{world.county_b.pk}/").status_code == 404
    assert anonymous.get(f"/orgs/{world.county.pk}/honours/").status_code == 302  # the signed-in page
