"""Passwords: refused logins that tell nothing, the validators, the change page and API, the
forced change of a password set by someone else, and concurrent creation answering clearly."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from unittest import mock

import pyotp
import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db.models.query import QuerySet
from django.test import Client
from django.utils import timezone

from dangjian.accounts.models import ApiToken, RoleGrant, User
from dangjian.accounts.services import LoginRefused, authenticate_login, create_user, grant_role, set_password
from dangjian.core.models import AuditEntry
from dangjian.core.scoping import SYSTEM
from dangjian.demo.accounts import DEMO_PASSWORD, PERSONAS
from dangjian.testing.api import english_client
from dangjian.testing.world import PASSWORD, TOTP_SECRET, World

NEW = "Kestrel-4-river"


# --- no username oracle ----------------------------------------------------------------------


@pytest.fixture
def hashes() -> Iterator[list[str]]:
    """Every password hash computed, to make one or to check one (`verify` encodes too); the
    suite's MD5 hasher stands in for PBKDF2, so calls are counted rather than time."""
    calls: list[str] = []
    encode = MD5PasswordHasher.encode

    def counted_encode(self: Any, *args: Any, **kwargs: Any) -> str:
        calls.append("encode")
        return encode(self, *args, **kwargs)

    with mock.patch.object(MD5PasswordHasher, "encode", counted_encode):
        yield calls


def test_refusals_read_the_same_and_each_computes_one_hash(world: World, hashes: list[str]) -> None:
    User.objects.filter(pk=world.member_user.pk).update(locked_until=timezone.now() + timedelta(minutes=9))
    User.objects.filter(pk=world.county_staff.pk).update(is_active=False)
    messages = {}
    for case, username, password in [
        ("unknown", "nobody", PASSWORD),
        ("inactive", "county_staff", PASSWORD),
        ("locked", "member_user", PASSWORD),  # the right password, still refused
        ("wrong", "secretary", "Wrong-pass-1"),
    ]:
        hashes.clear()
        with pytest.raises(LoginRefused) as refused:
            authenticate_login(username, password)
        messages[case] = str(refused.value)
        assert len(hashes) == 1, (case, hashes)
    assert len(set(messages.values())) == 1, messages
    assert "locked" not in messages["locked"] and "until" not in messages["locked"]
    # The lock is still enforced and on record.
    assert AuditEntry.objects.filter(
        action="auth.login", success=False, detail="locked", object_id=str(world.member_user.pk)
    ).exists()


def test_the_login_page_says_the_same_for_a_locked_account(world: World) -> None:
    User.objects.filter(pk=world.member_user.pk).update(locked_until=timezone.now() + timedelta(minutes=9))
    for username in ("member_user", "nobody"):
        client = Client()
        client.cookies["django_language"] = "en"
        response = client.post("/login/", {"username": username, "password": PASSWORD})
        body = response.content.decode()
        assert response.status_code == 200 and "_auth_user_id" not in client.session
        assert "Wrong username, password or verification code." in body and "locked" not in body


# --- validators ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    ["Aa1aaaaa", "Dangjian2026", "Password123!", "Admin@2026", "Sh0rt!x", "Zhangwei-1990"],
)
def test_weak_passwords_are_refused(world: World, password: str) -> None:
    with pytest.raises(ValidationError):
        validate_password(password, User(username="zhangwei", email="zhangwei@example.cn"))
    with pytest.raises(ValidationError) as refused:
        create_user("zhangwei", password, home_org=world.branch, acting_user=world.sysadmin)
    assert "password" in refused.value.message_dict
    assert not User.objects.filter(username="zhangwei").exists()


def test_the_demo_and_test_passwords_pass() -> None:
    for username in PERSONAS:
        validate_password(DEMO_PASSWORD, User(username=username))
    for username in ("province_staff", "county_staff", "secretary", "member_user", "sysadmin", "auditor"):
        validate_password(PASSWORD, User(username=username))


def test_demo_personas_log_in_without_a_forced_change(world: World) -> None:
    # The world's personas are made like the demo's: by the console, with a final password.
    assert not User.objects.filter(username__in=list(world.users), must_change_password=True).exists()
    assert create_user("op", NEW, home_org=world.county, acting_user=SYSTEM).must_change_password


# --- the change page and API -----------------------------------------------------------------


def _signed_in(user: User) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    assert (
        client.post(
            "/login/",
            {"username": user.username, "password": PASSWORD, "otp": pyotp.TOTP(TOTP_SECRET).now()}
            if user.totp_confirmed
            else {"username": user.username, "password": PASSWORD},
        ).status_code
        == 302
    )
    return client


def test_change_password_page(world: World) -> None:
    here, elsewhere = _signed_in(world.member_user), _signed_in(world.member_user)
    here.cookies["django_language"] = "en"
    home = here.get("/").content.decode()
    assert 'href="/my/"' in home  # 我的, in the top bar and the phone's tab bar, lists the account's pages
    assert 'href="/account/password/"' in here.get("/my/").content.decode()
    token = ApiToken.objects.create(user=world.member_user, key_hash="x" * 64, expires_at=timezone.now())
    wrong = here.post(
        "/account/password/", {"current_password": "Nope-nope-1", "new_password": NEW, "new_password2": NEW}
    )
    assert wrong.status_code == 200 and "The current password is not correct." in wrong.content.decode()
    weak = here.post(
        "/account/password/",
        {"current_password": PASSWORD, "new_password": "Dangjian2026", "new_password2": "Dangjian2026"},
    )
    assert weak.status_code == 200
    assert User.objects.get(pk=world.member_user.pk).check_password(PASSWORD)
    done = here.post(
        "/account/password/", {"current_password": PASSWORD, "new_password": NEW, "new_password2": NEW}
    )
    assert done.status_code == 302
    assert User.objects.get(pk=world.member_user.pk).check_password(NEW)
    assert here.get("/my/meetings/").status_code == 200  # this session goes on
    assert elsewhere.get("/my/meetings/").status_code == 302  # the other one ended
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    assert AuditEntry.objects.filter(action="user.change_password", success=True).count() == 1


def test_change_password_api(world: World) -> None:
    issued = english_client().post(
        "/api/v1/auth/token", {"username": "member_user", "password": PASSWORD}, format="json"
    )
    other = english_client().post(
        "/api/v1/auth/token", {"username": "member_user", "password": PASSWORD}, format="json"
    )
    client, second = english_client(), english_client()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.data['token']}")
    second.credentials(HTTP_AUTHORIZATION=f"Bearer {other.data['token']}")
    url = "/api/v1/account/password/"
    wrong = client.post(url, {"current_password": "Nope-nope-1", "new_password": NEW}, format="json")
    assert wrong.status_code == 400 and "current_password" in wrong.data
    weak = client.post(url, {"current_password": PASSWORD, "new_password": "Aa1aaaaa"}, format="json")
    assert weak.status_code == 400 and "new_password" in weak.data
    assert (
        client.post(url, {"current_password": PASSWORD, "new_password": NEW}, format="json").status_code
        == 204
    )
    assert User.objects.get(pk=world.member_user.pk).check_password(NEW)
    assert client.get("/api/v1/members/").status_code == 200  # the token of the change goes on
    assert second.get("/api/v1/members/").status_code == 401  # the other one ended


# --- forced change ---------------------------------------------------------------------------


def test_a_password_set_by_an_administrator_must_be_changed_first(world: World) -> None:
    sysadmin = Client()
    sysadmin.force_login(world.sysadmin)
    response = sysadmin.post(
        "/users/add/", {"username": "wang.li", "password": NEW, "home_org": "430102001001"}
    )
    assert response.status_code == 302
    assert User.objects.get(username="wang.li").must_change_password
    # Signing in leads to the change page, and nothing else opens but it and logout.
    client = Client()
    client.cookies["django_language"] = "en"
    login = client.post("/login/", {"username": "wang.li", "password": NEW})
    assert login["Location"] == "/account/password/"
    assert client.get("/orgs/")["Location"] == "/account/password/"
    api = client.get("/api/v1/members/")
    assert api.status_code == 403 and "change it first" in api.json()["detail"]
    assert client.get("/account/password/").status_code == 200
    # A bearer token is stopped too, except for the change itself.
    raw = english_client().post("/api/v1/auth/token", {"username": "wang.li", "password": NEW}, format="json")
    bearer = english_client()
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {raw.data['token']}")
    refused = bearer.get("/api/v1/members/")
    assert refused.status_code == 403 and "change it first" in refused.data["detail"]
    changed = bearer.post(
        "/api/v1/account/password/", {"current_password": NEW, "new_password": "Marten-7-lake"}, format="json"
    )
    assert changed.status_code == 204
    assert bearer.get("/api/v1/members/").status_code == 200
    assert not User.objects.get(username="wang.li").must_change_password
    assert client.post("/logout/").status_code == 302


def test_an_administrator_reset_forces_a_change_and_ends_sessions(world: World) -> None:
    session = _signed_in(world.member_user)
    set_password(world.member_user, NEW, acting_user=world.sysadmin)
    user = User.objects.get(pk=world.member_user.pk)
    assert user.must_change_password and user.check_password(NEW)
    assert session.get("/my/meetings/")["Location"].startswith("/login/")
    assert AuditEntry.objects.filter(action="user.set_password", actor_name="sysadmin").exists()


# --- concurrent creation ---------------------------------------------------------------------


def _exists_misses(model: type) -> Any:
    """`exists()` answering False for `model`: the other request's row lands between the check
    and the insert."""
    real = QuerySet.exists

    def exists(self: QuerySet[Any]) -> bool:
        return False if self.model is model else real(self)

    return mock.patch.object(QuerySet, "exists", exists)


def test_concurrent_creation_of_a_username_answers_a_validation_error(world: World) -> None:
    with _exists_misses(User), pytest.raises(ValidationError) as refused:
        create_user("secretary", NEW, home_org=world.county, acting_user=world.sysadmin)
    assert refused.value.message_dict == {"username": ["This username is taken."]}
    client = english_client()
    client.force_authenticate(world.sysadmin)
    with _exists_misses(User):
        response = client.post(
            "/api/v1/users/", {"username": "secretary", "password": NEW, "home_org": "430102"}, format="json"
        )
    assert response.status_code == 400 and "username" in response.data
    assert User.objects.filter(username="secretary").count() == 1


def test_concurrent_creation_of_a_grant_answers_a_validation_error(world: World) -> None:
    before = RoleGrant.objects.count()
    with _exists_misses(RoleGrant), pytest.raises(ValidationError) as refused:
        grant_role(world.county_staff, world.county, "committee_staff", acting_user=world.secadmin)
    assert "already has this role" in " ".join(refused.value.messages)
    assert RoleGrant.objects.count() == before
