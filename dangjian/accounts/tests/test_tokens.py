"""API tokens have a life cycle (idle and absolute expiry, owner's list and revoke, logout, the
security administrator's revoke); second factors are enrolled only with an activation code."""

from datetime import timedelta
from io import StringIO
from unittest import mock

import pyotp
import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dangjian.accounts.credential_services import issue_activation_code, redeem_activation_code
from dangjian.accounts.models import IDLE_CACHE_KEY, ActivationCode, ApiToken, User
from dangjian.accounts.services import reset_totp, update_login_policy
from dangjian.core.exceptions import OutOfScope
from dangjian.core.models import AuditEntry
from dangjian.testing.api import english_client
from dangjian.testing.world import PASSWORD, World, make_user

from .test_second_factor_channels import MEMBERS, bearer, fresh_code, token_for

OWN = "/api/v1/account/tokens/"


def test_token_lifetime_is_short_idle_and_absolute(world: World) -> None:
    raw = token_for("member_user")
    token = ApiToken.objects.get(user=world.member_user)
    assert timedelta(days=6, hours=23) < token.expires_at - timezone.now() <= timedelta(days=7)
    assert bearer(raw).get(MEMBERS).status_code == 200
    # Unused for more than 12 hours: refused.
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - timedelta(hours=13))
    assert bearer(raw).get(MEMBERS).status_code == 401
    # Used recently but past its absolute end: refused.
    ApiToken.objects.filter(pk=token.pk).update(
        last_used_at=timezone.now(), expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert bearer(raw).get(MEMBERS).status_code == 401


def test_locked_accounts_token_is_refused(world: World) -> None:
    raw = token_for("member_user")
    User.objects.filter(pk=world.member_user.pk).update(locked_until=timezone.now() + timedelta(minutes=5))
    response = bearer(raw).get(MEMBERS)
    assert response.status_code == 401 and "locked" in response.data["detail"]


def test_owner_lists_and_revokes_own_tokens_only(world: World) -> None:
    first, second = token_for("member_user"), token_for("member_user")
    other = token_for("secretary", fresh_code())
    listed = bearer(first).get(OWN)
    assert listed.status_code == 200
    assert [t["current"] for t in listed.data] == [False, True]  # newest first
    assert set(listed.data[0]) == {
        "id",
        "created_at",
        "expires_at",
        "last_used_at",
        "second_factor",
        "current",
    }
    other_id = ApiToken.objects.get(user=world.secretary).pk
    assert bearer(first).delete(f"{OWN}{other_id}/").status_code == 404
    second_id = listed.data[0]["id"]
    assert bearer(first).delete(f"{OWN}{second_id}/").status_code == 204
    assert bearer(second).get(MEMBERS).status_code == 401
    assert bearer(other).get(MEMBERS).status_code == 200
    assert AuditEntry.objects.filter(
        action="auth.token_revoke", success=True, actor_name="member_user"
    ).exists()


def test_owner_revokes_a_token_on_the_page(world: World) -> None:
    raw = token_for("member_user")
    token = ApiToken.objects.get(user=world.member_user)
    client = Client()
    client.force_login(world.member_user)
    page = client.get("/account/tokens/")
    assert page.status_code == 200 and f"#{token.pk}" in page.content.decode()
    outsider = Client()
    outsider.force_login(world.secretary)
    assert outsider.post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    assert client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 302
    assert bearer(raw).get(MEMBERS).status_code == 401


def test_api_logout_revokes_the_token_used(world: World) -> None:
    used, kept = token_for("member_user"), token_for("member_user")
    assert bearer(used).post("/api/v1/auth/logout/").status_code == 204
    assert bearer(used).get(MEMBERS).status_code == 401
    assert bearer(kept).get(MEMBERS).status_code == 200


def test_security_admin_revokes_tokens_in_their_subtree(world: World) -> None:
    raw = token_for("member_user")
    outsider_raw = token_for("outsider", fresh_code())
    county_sec = make_user("county_sec", "security_admin", world.county)
    client = english_client()
    client.force_authenticate(county_sec)
    assert client.post(f"/api/v1/security/accounts/{world.outsider.pk}/revoke-tokens/").status_code == 404
    assert bearer(outsider_raw).get(MEMBERS).status_code == 200
    response = client.post(f"/api/v1/security/accounts/{world.member_user.pk}/revoke-tokens/")
    assert response.status_code == 200 and response.data == {"revoked": 1}
    assert bearer(raw).get(MEMBERS).status_code == 401
    entry = AuditEntry.objects.get(action="auth.token_revoke_all", success=True)
    assert entry.actor_name == "county_sec" and entry.object_id == str(world.member_user.pk)
    # The page does the same; a system administrator cannot.
    token_for("member_user")
    page = Client()
    page.force_login(world.secadmin)
    assert page.post(f"/security/account/{world.member_user.pk}/revoke-tokens/").status_code == 302
    assert not ApiToken.objects.filter(user=world.member_user).exists()
    sysadmin = Client()
    sysadmin.force_login(world.sysadmin)
    assert sysadmin.post(f"/security/account/{world.outsider.pk}/revoke-tokens/").status_code == 404


# --- activation codes ------------------------------------------------------------------------


def enroll_client(user: User) -> Client:
    reset_totp(user, acting_user=User.objects.get(username="secadmin"))
    client = Client()
    client.cookies["django_language"] = "en"
    assert client.post("/login/", {"username": user.username, "password": PASSWORD}).status_code == 302
    return client


def test_enrollment_needs_an_activation_code(world: World) -> None:
    client = enroll_client(world.secretary)
    page = client.get("/account/2fa/")
    assert page.status_code == 200 and "Activation code" in page.content.decode()
    assert User.objects.get(pk=world.secretary.pk).totp_secret == ""  # no secret shown yet
    # The confirm step cannot be reached around the code either.
    refused = client.post("/account/2fa/", {"code": "ABCD-EFGH-JKMN"})
    assert "not valid" in refused.content.decode()
    assert not User.objects.get(pk=world.secretary.pk).totp_confirmed
    assert AuditEntry.objects.filter(action="auth.activation_redeem", success=False).exists()

    code, _row = issue_activation_code(world.secretary, acting_user=world.secadmin)
    assert client.post("/account/2fa/", {"code": code.lower()}).status_code == 302
    shown = client.get("/account/2fa/")
    assert shown["Cache-Control"] == "no-store"
    secret = User.objects.get(pk=world.secretary.pk).totp_secret
    assert secret and secret in shown.content.decode()
    assert client.post("/account/2fa/", {"otp": pyotp.TOTP(secret).now()}).status_code == 302
    assert User.objects.get(pk=world.secretary.pk).totp_confirmed
    assert client.get("/orgs/").status_code == 200  # this session goes on; others ended


def test_wrong_codes_void_the_outstanding_one_after_the_limit(world: World) -> None:
    code, row = issue_activation_code(world.secretary, acting_user=world.secadmin)
    for _attempt in range(4):
        with pytest.raises(ValidationError):
            redeem_activation_code(world.secretary, "AAAA-AAAA-AAAA", acting_user=world.secretary)
    assert ActivationCode.objects.get(pk=row.pk).failed_attempts == 4
    with pytest.raises(ValidationError):
        redeem_activation_code(world.secretary, "AAAA-AAAA-AAAA", acting_user=world.secretary)
    # The fifth wrong code voids it: the right one no longer works, and the auditor sees why.
    with pytest.raises(ValidationError):
        redeem_activation_code(world.secretary, code, acting_user=world.secretary)
    assert not ActivationCode.objects.filter(pk=row.pk).exists()
    void = AuditEntry.objects.get(action="auth.activation_void")
    assert void.org_path == world.branch.path and not void.success
    code, _row = issue_activation_code(world.secretary, acting_user=world.secadmin)
    redeem_activation_code(world.secretary, code, acting_user=world.secretary)


def test_used_expired_or_foreign_codes_are_refused(world: World) -> None:
    code, row = issue_activation_code(world.secretary, acting_user=world.secadmin)
    assert len(ActivationCode.objects.get(pk=row.pk).code_hash) == 64 and code not in row.code_hash
    redeem_activation_code(world.secretary, code, acting_user=world.secretary)
    with pytest.raises(ValidationError):
        redeem_activation_code(world.secretary, code, acting_user=world.secretary)  # used
    code, row = issue_activation_code(world.secretary, acting_user=world.secadmin)
    with pytest.raises(ValidationError):
        redeem_activation_code(world.county_staff, code, acting_user=world.county_staff)  # not theirs
    ActivationCode.objects.filter(pk=row.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(ValidationError):
        redeem_activation_code(world.secretary, code, acting_user=world.secretary)  # expired
    county_sec = make_user("county_sec", "security_admin", world.county)
    with pytest.raises(OutOfScope):
        issue_activation_code(world.outsider, acting_user=county_sec)
    with pytest.raises(ValidationError):
        issue_activation_code(county_sec, acting_user=county_sec)
    with pytest.raises(OutOfScope):
        issue_activation_code(world.secretary, acting_user=world.sysadmin)


def test_security_admin_issues_a_code_once_on_the_page_and_api(world: World) -> None:
    client = Client()
    client.force_login(world.secadmin)
    found = client.get("/security/account/", {"username": "secretary"})
    assert found.status_code == 200
    issued = client.post(f"/security/account/{world.secretary.pk}/activation-code/")
    assert issued.status_code == 200 and issued["Cache-Control"] == "no-store"
    api = english_client()
    api.force_authenticate(world.secadmin)
    response = api.post(f"/api/v1/security/accounts/{world.secretary.pk}/activation-code/")
    assert response.status_code == 201 and len(response.data["code"]) == 14
    # A new code replaces the unused one.
    assert ActivationCode.objects.filter(user=world.secretary, used_at__isnull=True).count() == 1
    entries = AuditEntry.objects.filter(action="auth.activation_code", success=True, actor_name="secadmin")
    assert entries.count() == 2


def test_cli_issues_a_code_as_system(world: World) -> None:
    out = StringIO()
    call_command("activation-code", "sysadmin", stdout=out)
    code = out.getvalue().split(": ", 1)[1].split()[0]
    assert len(code) == 14
    redeem_activation_code(world.sysadmin, code, acting_user=world.sysadmin)
    entry = AuditEntry.objects.get(action="auth.activation_code")
    assert entry.actor_name == "system" and entry.object_id == str(world.sysadmin.pk)


# --- the idle limit is cached until it changes -----------------------------------------------


def test_idle_limit_cache_has_no_timer_and_follows_a_change(world: World) -> None:
    client = Client()
    client.force_login(world.county_staff)
    cache.delete(IDLE_CACHE_KEY)  # filled by the request, as in a fresh process
    client.get("/orgs/")
    assert cache.get(IDLE_CACHE_KEY) == {"staff": 15 * 60, "member": 120 * 60}
    # An hour later the cached value is still there: a measured request costs the same.
    later = timezone.now().timestamp() + 3600
    clock = mock.patch("django.core.cache.backends.locmem.time.time", return_value=later)
    with clock, CaptureQueriesContext(connection) as queries:
        client.get("/orgs/")
    assert not [q for q in queries.captured_queries if "loginpolicy" in q["sql"]]
    update_login_policy(
        {"max_failures": 5, "lock_minutes": 15, "idle_minutes": 30}, acting_user=world.secadmin
    )
    client.get("/orgs/")
    assert 15 * 60 < client.session.get_expiry_age() <= 30 * 60
