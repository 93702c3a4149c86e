"""Issuing cards (the member's own, the branch's, in bulk), photos, and the card pages and API."""

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from dangjian.core.exceptions import OutOfScope
from dangjian.core.models import AuditEntry
from dangjian.core.scoping import SYSTEM
from dangjian.identity.models import MemberCard
from dangjian.identity.queries import card_coverage, valid_card
from dangjian.identity.services import issue_card, issue_missing_cards, set_photo
from dangjian.members.services import update_member
from dangjian.testing.world import World

QR_CODE = re.compile(r"<svg(?! class=\"icon)")  # an SVG that is not one of the page's icons

Api = Callable[[str], APIClient]
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
EXE = b"MZ\x90\x00" + bytes(64)


def client_for(user: object) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_reissue_revokes_the_previous_card_and_keeps_the_photo(world: World, media: Path) -> None:
    first = issue_card(world.member, acting_user=world.member_user)
    set_photo(world.member, SimpleUploadedFile("me.png", PNG), acting_user=world.member_user)
    second = issue_card(world.member, acting_user=world.secretary)
    first.refresh_from_db()
    assert (
        first.revoked_reason == "reissued"
        and second.photo.name == MemberCard.objects.get(pk=first.pk).photo.name
    )
    assert MemberCard.objects.filter(member=world.member, revoked_at__isnull=True).count() == 1


def test_who_may_issue(world: World) -> None:
    with pytest.raises(OutOfScope):
        issue_card(world.member2, acting_user=world.member_user)  # another member's card
    with pytest.raises(OutOfScope):
        issue_card(world.member, acting_user=world.outsider)
    update_member(world.member_b, {"status": "suspended"}, acting_user=world.outsider)
    with pytest.raises(ValidationError, match="suspended"):
        issue_card(world.member_b, acting_user=world.outsider)


def test_photo_must_be_an_image(world: World, media: Path) -> None:
    with pytest.raises(ValidationError, match="Get the card first"):
        set_photo(world.member, SimpleUploadedFile("me.png", PNG), acting_user=world.member_user)
    issue_card(world.member, acting_user=world.member_user)
    with pytest.raises(ValidationError) as exc:
        set_photo(world.member, SimpleUploadedFile("me.jpg", EXE), acting_user=world.member_user)
    assert "photo" in exc.value.message_dict
    assert not valid_card(world.member).photo  # type: ignore[union-attr]


def test_bulk_issue_for_a_branch_and_coverage(world: World) -> None:
    issue_card(world.member, acting_user=SYSTEM)
    assert card_coverage(world.county.path) == (2, 1)
    assert issue_missing_cards(world.branch, acting_user=world.secretary) == 1
    assert issue_missing_cards(world.branch, acting_user=world.secretary) == 0
    assert card_coverage(world.county.path) == (2, 2)
    assert card_coverage(world.city.path) == (3, 2)
    assert AuditEntry.objects.filter(action="card.issue_missing", detail="1 cards issued").count() == 1


def test_my_card_page_issue_photo_and_qr(world: World, media: Path) -> None:
    client = client_for(world.member_user)
    page = client.get("/my/card/").content.decode()
    assert 'id="get-card"' in page
    assert client.post("/my/card/", {"action": "issue"}).status_code == 302
    page = client.get("/my/card/").content.decode()
    card = valid_card(world.member)
    assert card is not None
    assert (
        QR_CODE.search(page) and f"/verify/{card.token}/" in page and "第一党支部" in page and "张伟" in page
    )
    assert world.member.id_number not in page and world.member.phone not in page
    r = client.post("/my/card/", {"action": "photo", "photo": SimpleUploadedFile("virus.png", EXE)})
    assert r.status_code == 200 and "not accepted" in r.content.decode()
    r = client.post("/my/card/", {"action": "photo", "photo": SimpleUploadedFile("me.png", PNG)})
    assert r.status_code == 302
    photo = client.get("/my/card/photo/")
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"
    assert client_for(world.secretary).get("/my/card/photo/").status_code == 404  # own photo only


def test_branch_card_pages(world: World) -> None:
    secretary = client_for(world.secretary)
    assert secretary.post(f"/members/{world.member.pk}/card/", {"action": "issue"}).status_code == 302
    assert valid_card(world.member) is not None
    secretary.post(f"/members/{world.member.pk}/card/", {"action": "withdraw"})
    assert valid_card(world.member) is None
    assert "Withdrawn by the branch" in secretary.get(f"/members/{world.member.pk}/card/").content.decode()
    secretary.post(f"/orgs/{world.branch.pk}/cards/", {})
    assert valid_card(world.member2) is not None
    assert client_for(world.outsider).get(f"/members/{world.member.pk}/card/").status_code == 404
    assert client_for(world.member_user).post(f"/orgs/{world.branch.pk}/cards/", {}).status_code == 200
    assert MemberCard.objects.filter(revoked_at__isnull=True).count() == 2


def test_card_api(world: World, api: Api) -> None:
    me = api("member_user")
    assert me.get("/api/v1/cards/mine").status_code == 404
    r = me.post("/api/v1/cards/mine")
    assert r.status_code == 201 and r.json()["verify_url"].endswith(f"/verify/{r.json()['token']}/")
    assert me.get("/api/v1/cards/mine").json()["valid"] is True
    r = api("secretary").post("/api/v1/cards", {"member": world.member2.pk})
    assert r.status_code == 201 and "token" not in r.json()
    listed = api("county_staff").get("/api/v1/cards").json()["results"]
    assert {c["member_name"] for c in listed} == {"张伟", "李娜"}
    assert api("outsider").get("/api/v1/cards").json()["results"] == []
    r = api("secretary").post(f"/api/v1/cards/{listed[0]['id']}/revoke")
    assert r.status_code == 200 and r.json()["valid"] is False


def test_a_double_click_issues_one_card(world: World) -> None:
    member_page = client_for(world.member_user)
    member_page.post("/my/card/", {"action": "issue", "card": ""})
    member_page.post("/my/card/", {"action": "issue", "card": ""})  # the same form, again
    assert MemberCard.objects.filter(member=world.member).count() == 1
    first = valid_card(world.member)
    assert first is not None
    member_page.post("/my/card/", {"action": "issue", "card": first.serial})  # a deliberate re-issue
    assert MemberCard.objects.filter(member=world.member).count() == 2
    second = valid_card(world.member)
    assert second is not None and second.pk != first.pk
    branch_page = client_for(world.secretary)
    url = f"/members/{world.member.pk}/card/"
    branch_page.post(url, {"action": "withdraw", "card": first.serial})  # a stale page
    assert valid_card(world.member) == second


def test_revoking_an_old_card_leaves_the_new_one(world: World, api: Api) -> None:
    old = issue_card(world.member, acting_user=SYSTEM)
    new = issue_card(world.member, acting_user=SYSTEM)
    r = api("secretary").post(f"/api/v1/cards/{old.pk}/revoke")
    assert r.status_code == 200 and r.json()["revoked_reason"] == "reissued"
    assert valid_card(world.member) == new


def test_card_history_page_queries_do_not_grow_with_cards(
    world: World, django_assert_max_num_queries: Callable[..., Any]
) -> None:
    client = client_for(world.secretary)
    url = f"/members/{world.member.pk}/card/"
    for _ in range(5):
        issue_card(world.member, acting_user=SYSTEM)
    client.get(url)  # warm the session and the user's grants
    with django_assert_max_num_queries(10):
        assert client.get(url).status_code == 200
