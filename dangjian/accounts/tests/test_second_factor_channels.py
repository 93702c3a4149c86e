"""The second factor holds on every channel: bearer tokens and sessions of an account whose roles
need one, and a change of roles or factor ends what was issued before it."""

import pyotp
import pytest
from django.test import Client
from rest_framework.test import APIClient

from dangjian.accounts.credential_services import issue_api_token
from dangjian.accounts.models import ApiToken, User
from dangjian.accounts.services import grant_role, reset_totp, revoke_grant, set_password, update_user
from dangjian.core.models import AuditEntry
from dangjian.testing.api import english_client
from dangjian.testing.world import PASSWORD, TOTP_SECRET, World

TOKEN = "/api/v1/auth/token"
MEMBERS = "/api/v1/members/"


def fresh_code(secret: str = TOTP_SECRET) -> str:
    return pyotp.TOTP(secret).now()


def token_for(username: str, otp: str = "") -> str:
    response = english_client().post(
        TOKEN, {"username": username, "password": PASSWORD, "otp": otp}, format="json"
    )
    assert response.status_code == 200, response.data
    return str(response.data["token"])


def bearer(raw: str) -> APIClient:
    client = english_client()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_member_token_refused_after_a_role_needing_2fa_until_reissued_with_it(world: World) -> None:
    raw = token_for("member_user")
    assert bearer(raw).get(MEMBERS).status_code == 200
    grant_role(world.member_user, world.branch, "committee_staff", acting_user=world.secadmin)
    # The old token would now reveal full ID numbers with a password alone.
    refused = bearer(raw).get(MEMBERS)
    assert refused.status_code == 401
    assert bearer(raw).get(f"/api/v1/members/{world.member.pk}/reveal/").status_code == 401
    # Without a second factor no new token either; after enrolling and a 2FA login, one works.
    no_factor = english_client().post(TOKEN, {"username": "member_user", "password": PASSWORD}, format="json")
    assert no_factor.status_code == 400 and "second factor" in no_factor.data["detail"]
    User.objects.filter(pk=world.member_user.pk).update(totp_secret=TOTP_SECRET, totp_confirmed=True)
    again = token_for("member_user", fresh_code())
    assert bearer(again).get(MEMBERS).status_code == 200
    assert ApiToken.objects.get(user=world.member_user).second_factor


def test_token_without_second_factor_never_serves_an_account_that_needs_one(world: World) -> None:
    # Even if such a token were left over (issued before the role, its deletion missed),
    # the check on each request refuses it.
    raw, _token = issue_api_token(world.secretary, second_factor=False)
    response = bearer(raw).get(MEMBERS)
    assert response.status_code == 401
    assert "verification code" in response.data["detail"]
    User.objects.filter(pk=world.secretary.pk).update(totp_confirmed=False, totp_secret="")
    raw, _token = issue_api_token(world.secretary, second_factor=True)
    unenrolled = bearer(raw).get(MEMBERS)
    assert unenrolled.status_code == 401 and "Enroll" in unenrolled.data["detail"]


def test_token_refused_after_totp_reset(world: World) -> None:
    raw = token_for("secretary", fresh_code())
    assert bearer(raw).get(MEMBERS).status_code == 200
    reset_totp(world.secretary, acting_user=world.secadmin)
    assert bearer(raw).get(MEMBERS).status_code == 401
    assert not ApiToken.objects.filter(user=world.secretary).exists()
    entry = (
        AuditEntry.objects.filter(action="auth.credentials_end", object_id=str(world.secretary.pk))
        .order_by("pk")
        .last()
    )
    assert entry is not None and entry.actor_name == "secadmin"
    assert entry.detail == "second factor reset; 1 token(s) revoked"


def test_token_refused_after_role_revoked_password_change_or_deactivation(world: World) -> None:
    raw = token_for("member_user")
    grant = world.member_user.grants.get()
    revoke_grant(grant, acting_user=world.secadmin)
    assert bearer(raw).get(MEMBERS).status_code == 401
    raw = token_for("member_user")
    set_password(world.member_user, "Another-pass-77", acting_user=world.sysadmin)
    assert bearer(raw).get(MEMBERS).status_code == 401
    raw = (
        english_client()
        .post(TOKEN, {"username": "member_user", "password": "Another-pass-77"}, format="json")
        .data["token"]
    )
    update_user(world.member_user, {"is_active": False}, acting_user=world.sysadmin)
    update_user(world.member_user, {"is_active": True}, acting_user=world.sysadmin)
    assert bearer(raw).get(MEMBERS).status_code == 401


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    assert client.get("/orgs/").status_code == 200
    return client


def test_session_ends_when_a_role_is_granted(world: World) -> None:
    client = signed_in(world.member_user)
    grant_role(world.member_user, world.township, "supervisor", acting_user=world.secadmin)
    response = client.get("/orgs/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("change", ["revoke", "reset_totp", "password"])
def test_session_ends_when_roles_or_factor_change(world: World, change: str) -> None:
    client = signed_in(world.county_staff)
    api_session = Client()
    api_session.force_login(world.county_staff)
    assert api_session.get(MEMBERS).status_code == 200
    if change == "revoke":
        revoke_grant(world.county_staff.grants.get(), acting_user=world.secadmin)
    elif change == "reset_totp":
        reset_totp(world.county_staff, acting_user=world.secadmin)
    else:
        set_password(world.county_staff, "Another-pass-77", acting_user=world.sysadmin)
    assert client.get("/orgs/")["Location"].startswith("/login/")
    assert api_session.get(MEMBERS).status_code == 401


def test_other_accounts_sessions_are_untouched(world: World) -> None:
    client = signed_in(world.secretary)
    grant_role(world.member_user, world.township, "supervisor", acting_user=world.secadmin)
    assert client.get("/orgs/").status_code == 200


def test_session_of_an_account_needing_a_factor_it_lacks_goes_to_enrollment(world: World) -> None:
    User.objects.filter(pk=world.secretary.pk).update(totp_confirmed=False, totp_secret="")
    client = Client()
    client.force_login(User.objects.get(pk=world.secretary.pk))
    assert client.get("/orgs/")["Location"] == "/account/2fa/"
    client.cookies["django_language"] = "en"
    api = client.get(MEMBERS)
    assert api.status_code == 403 and "second factor" in api.json()["detail"]
