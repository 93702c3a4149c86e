"""Exports carrying member fields, read as their reader sees them (testing.documents): masked
values only, unless full values were asked for by a role that may reveal them."""

from typing import Any

import pytest
from django.test import Client

from dangjian.members.models import Member
from dangjian.testing.documents import body_of, readable_text
from dangjian.testing.world import World

EXPORTS = ["/members/export.xlsx", "/members/export.csv"]


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("url", EXPORTS)
def test_member_exports_show_masked_values_only(world: World, url: str) -> None:
    text = readable_text(signed_in(world.county_staff).get(url))
    for member in (world.member, world.member2):
        member = Member.objects.get(pk=member.pk)
        assert member.name in text  # the reader sees the rows…
        assert member.id_number_masked in text
        assert member.id_number not in text and member.phone not in text  # …never a full value


@pytest.mark.parametrize("url", EXPORTS)
def test_the_reader_sees_full_values_when_they_were_asked_for(world: World, url: str) -> None:
    """The check above can fail: asked for, the full values are in what the reader sees, even
    where the raw bytes of a zipped workbook never show them."""
    response = signed_in(world.county_staff).get(url, {"full": "1"})
    body = body_of(response)
    text = readable_text(body)
    assert world.member.id_number in text and world.member.phone in text
    if url.endswith(".xlsx"):
        assert world.member.id_number.encode() not in body
