"""大字版 (large text): the holder's own switch, remembered on the account, audited."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from dangjian.accounts.models import User
from dangjian.core.models import AuditEntry
from dangjian.testing.world import World

pytestmark = pytest.mark.django_db


def test_member_switches_large_text_on_and_off_from_any_page(world: World) -> None:
    client = Client()
    client.force_login(world.users["member_user"])
    assert 'class="dj-large"' not in client.get("/my/dues/").content.decode()

    response = client.post("/account/large-text/", {"large_text": "1", "next": "/my/dues/"})
    assert response.status_code == 302 and response["Location"] == "/my/dues/"
    assert User.objects.get(username="member_user").large_text is True
    page = client.get("/my/dues/").content.decode()
    assert '<html lang="zh-CN" class="dj-large">' in page
    assert (
        AuditEntry.objects.filter(action="user.large_text", actor_name="member_user", detail="on").count()
        == 1
    )

    # Another session of the same account (another device) shows it too: it is on the account.
    other = Client()
    other.force_login(User.objects.get(username="member_user"))
    assert 'class="dj-large"' in other.get("/").content.decode()

    client.post("/account/large-text/", {"large_text": "0", "next": "/my/dues/"})
    assert User.objects.get(username="member_user").large_text is False
    assert 'class="dj-large"' not in client.get("/my/dues/").content.decode()


def test_the_switch_returns_only_to_this_site(world: World) -> None:
    client = Client()
    client.force_login(world.users["member_user"])
    response = client.post("/account/large-text/", {"large_text": "1", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_anonymous_pages_are_unaffected_and_cannot_switch(world: World) -> None:
    User.objects.filter(username="member_user").update(large_text=True)
    client = Client()
    assert 'class="dj-large"' not in client.get("/login/").content.decode()
    response = client.post("/account/large-text/", {"large_text": "1"})
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not AuditEntry.objects.filter(action="user.large_text").exists()


def test_api_reads_and_sets_large_text(world: World) -> None:
    api = APIClient()
    api.force_authenticate(world.users["secretary"])
    assert api.get("/api/v1/account/").json() == {"username": "secretary", "large_text": False}
    response = api.patch("/api/v1/account/", {"large_text": True}, format="json")
    assert response.status_code == 200 and response.json()["large_text"] is True
    assert User.objects.get(username="secretary").large_text is True

    response = api.patch("/api/v1/account/", {"large_text": "maybe"}, format="json")
    assert response.status_code == 400
    assert User.objects.get(username="secretary").large_text is True  # unchanged
    assert AuditEntry.objects.filter(action="user.large_text", actor_name="secretary").count() == 1


def test_api_needs_a_signed_in_user(world: World) -> None:
    response = APIClient().patch("/api/v1/account/", {"large_text": True}, format="json")
    assert response.status_code in (401, 403)
    assert not User.objects.filter(large_text=True).exists()
