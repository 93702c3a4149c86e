"""The signed token and the public verification: genuine, forged, revoked — and nothing personal."""

from collections.abc import Callable

import pytest
from django.test import Client
from rest_framework.test import APIClient

from dangjian.core.scoping import SYSTEM
from dangjian.identity.models import RevokeReason
from dangjian.identity.queries import mask_name, verify_token
from dangjian.identity.services import issue_card, revoke_card
from dangjian.identity.tokens import make_token, read_token
from dangjian.members.services import update_member
from dangjian.testing.api import english_client
from dangjian.testing.world import World
from dangjian.transfers import services as transfers

Api = Callable[[str], APIClient]


def english() -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    return client


def tampered(token: str) -> str:
    serial, _, signature = token.partition(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    return f"{serial}.{flipped}"


def test_token_round_trip_and_forgeries() -> None:
    serial = "0123456789abcdef0123"
    token = make_token(serial)
    assert read_token(token) == serial
    other = "fedcba98765432100123"
    assert read_token(f"{other}.{token.partition('.')[2]}") is None  # another serial, same signature
    assert read_token(tampered(token)) is None
    assert read_token(other) is None  # unsigned
    assert read_token("x" * 500) is None
    assert read_token("") is None


def test_mask_name() -> None:
    assert mask_name("张伟") == "张*" and mask_name("欧阳娜娜") == "欧***" and mask_name("王") == "*"


def test_valid_card_verifies_and_shows_nothing_personal(world: World) -> None:
    card = issue_card(world.member, acting_user=world.member_user)
    response = english().get(f"/verify/{card.token}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-state="valid"' in page and "第一党支部" in page and "张*" in page
    member = world.member
    for secret in (
        member.name,
        member.id_number,
        member.id_number_masked,
        member.phone,
        member.phone_masked,
        member.birth_date.isoformat(),
        member.join_date.isoformat(),
    ):
        assert secret not in page, secret
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.parametrize("kind", ["tampered", "garbage"])
def test_forged_codes_are_refused_clearly(world: World, kind: str) -> None:
    card = issue_card(world.member, acting_user=SYSTEM)
    token = tampered(card.token) if kind == "tampered" else "not-a-card"
    response = english().get(f"/verify/{token}/")
    assert response.status_code == 404
    assert "not a genuine member card" in response.content.decode()
    assert "第一党支部" not in response.content.decode()


def test_withdrawn_transferred_and_departed_cards_are_revoked(world: World) -> None:
    withdrawn = issue_card(world.member2, acting_user=SYSTEM)
    revoke_card(world.member2, RevokeReason.WITHDRAWN, acting_user=world.secretary)
    assert verify_token(withdrawn.token).state == "revoked"

    before = issue_card(world.member, acting_user=SYSTEM)
    t = transfers.start_transfer(
        world.member, to_org=world.branch_b, reason="调动", acting_user=world.secretary
    )
    transfers.accept_transfer(t, acting_user=world.outsider)
    response = english().get(f"/verify/{before.token}/")
    assert response.status_code == 410 and "revoked" in response.content.decode()
    after = world.member.cards.get(revoked_at__isnull=True)  # type: ignore[attr-defined]
    verdict = verify_token(after.token)
    assert verdict.valid and verdict.branch == "坡子街党支部"

    # Left the Party by an edit of the record, without anyone revoking the card: refused anyway.
    card_b = issue_card(world.member_b, acting_user=SYSTEM)
    update_member(world.member_b, {"status": "left"}, acting_user=world.outsider)
    assert verify_token(card_b.token).state == "revoked"


def test_a_member_moved_by_a_correction_no_longer_verifies(world: World) -> None:
    card = issue_card(world.member, acting_user=SYSTEM)
    update_member(world.member, {}, organization=world.branch2, acting_user=world.county_staff)
    assert verify_token(card.token).state == "revoked"


def test_verify_api_is_public(world: World) -> None:
    card = issue_card(world.member, acting_user=SYSTEM)
    anonymous = english_client()
    r = anonymous.get(f"/api/v1/verify/{card.token}")
    assert r.status_code == 200
    assert r.json() == {
        "state": "valid",
        "message": "Valid Party member of 第一党支部.",
        "branch": "第一党支部",
        "name": "张*",
    }
    r = anonymous.get(f"/api/v1/verify/{tampered(card.token)}")
    assert r.status_code == 404 and r.json()["state"] == "invalid" and r.json()["branch"] == ""
    revoke_card(world.member, RevokeReason.WITHDRAWN, acting_user=SYSTEM)
    r = anonymous.get(f"/api/v1/verify/{card.token}")
    assert r.status_code == 410 and r.json()["state"] == "revoked"
