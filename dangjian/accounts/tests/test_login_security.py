from datetime import timedelta

import pyotp
import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from dangjian.accounts.credential_services import issue_activation_code
from dangjian.accounts.models import LoginPolicy, RoleGrant, User
from dangjian.accounts.passwords import PasswordPolicyValidator
from dangjian.accounts.services import LoginRefused, authenticate_login, grant_role, update_login_policy
from dangjian.core.models import AuditEntry
from dangjian.core.scoping import SYSTEM
from dangjian.testing.world import PASSWORD, TOTP_SECRET, World

SECRET = TOTP_SECRET


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("Hzq7-mwkp", True),
        ("kestrel4!river", True),
        ("KESTREL4!RIVER", True),
        ("Aa1aaaaa", False),  # three classes, three different characters
        ("Dangjian2026", False),  # the platform's name and a year
        ("Password123!", False),  # a common password dressed up
        ("Ab1!", False),
        ("abcdefgh", False),
        ("abcdefg1", False),
        ("ABCDEFGH1", False),
        ("Alice-2026x", False),
    ],
)
def test_password_policy(password: str, ok: bool) -> None:
    user = User(username="alice")
    if ok:
        PasswordPolicyValidator().validate(password, user)
    else:
        with pytest.raises(ValidationError):
            PasswordPolicyValidator().validate(password, user)


def test_five_failures_lock_for_fifteen_minutes(world: World) -> None:
    for _ in range(5):
        with pytest.raises(LoginRefused):
            authenticate_login("member_user", "wrong-Pass-1")
    user = User.objects.get(username="member_user")
    assert user.is_locked()
    assert timedelta(minutes=14) < user.locked_until - timezone.now() <= timedelta(minutes=15)
    with pytest.raises(LoginRefused, match="Wrong username, password"):
        authenticate_login("member_user", PASSWORD)  # even the right password is refused now
    assert AuditEntry.objects.filter(action="auth.lockout", object_id=str(user.pk)).count() == 1
    assert AuditEntry.objects.filter(action="auth.login", success=False, object_id=str(user.pk)).count() == 6
    User.objects.filter(pk=user.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    assert authenticate_login("member_user", PASSWORD).pk == user.pk


def test_policy_is_configurable_by_the_top_security_admin_only(world: World) -> None:
    update_login_policy(
        {"max_failures": 3, "lock_minutes": 30, "idle_minutes": 10}, acting_user=world.secadmin
    )
    assert LoginPolicy.current().max_failures == 3
    for _ in range(3):
        with pytest.raises(LoginRefused):
            authenticate_login("member_user", "nope-Nope-1")
    assert User.objects.get(username="member_user").is_locked()
    with pytest.raises(ValidationError):
        update_login_policy(
            {"max_failures": 0, "lock_minutes": 30, "idle_minutes": 10}, acting_user=world.secadmin
        )
    assert LoginPolicy.current().max_failures == 3


def test_totp_required_when_enrolled_and_not_replayable(world: World) -> None:
    code = pyotp.TOTP(SECRET).now()
    with pytest.raises(LoginRefused):
        authenticate_login("secretary", PASSWORD, "")
    with pytest.raises(LoginRefused):
        authenticate_login("secretary", PASSWORD, "000000" if code != "000000" else "111111")
    assert authenticate_login("secretary", PASSWORD, code).username == "secretary"
    with pytest.raises(LoginRefused):
        authenticate_login("secretary", PASSWORD, code)  # the same code twice is a replay


def test_unknown_user_gets_the_same_message(world: World) -> None:
    with pytest.raises(LoginRefused) as unknown:
        authenticate_login("nobody", PASSWORD)
    with pytest.raises(LoginRefused) as wrong:
        authenticate_login("member_user", "Wrong-pass-1")
    assert str(unknown.value) == str(wrong.value)


def test_refused_logins_are_placed_where_an_auditor_sees_them(world: World) -> None:
    """An inactive account's attempt carries its organization's path (the county's auditor sees
    it); an unknown name carries none (only the top-level auditor sees it)."""
    User.objects.filter(pk=world.member_user.pk).update(is_active=False)
    for username in ("member_user", "nobody"):
        with pytest.raises(LoginRefused):
            authenticate_login(username, PASSWORD)
    entries = AuditEntry.objects.filter(action="auth.login", success=False).order_by("pk")
    assert [(e.actor_name, e.org_path, e.detail) for e in entries] == [
        ("member_user", world.branch.path, "inactive user"),
        ("nobody", "", "unknown user"),
    ]


def test_roles_requiring_2fa_must_enroll_before_anything_else(world: World) -> None:
    user = world.secretary
    User.objects.filter(pk=user.pk).update(totp_confirmed=False, totp_secret="")
    client = Client()
    client.force_login(user)
    response = client.get("/orgs/")
    assert response.status_code == 302 and response["Location"] == "/account/2fa/"
    code, _row = issue_activation_code(user, acting_user=world.secadmin)
    assert client.post("/account/2fa/", {"code": code}).status_code == 302
    page = client.get("/account/2fa/")
    assert page.status_code == 200
    secret = User.objects.get(pk=user.pk).totp_secret
    assert client.post("/account/2fa/", {"otp": pyotp.TOTP(secret).now()}).status_code == 302
    assert User.objects.get(pk=user.pk).totp_confirmed
    assert client.get("/orgs/").status_code == 200


def test_admin_roles_are_kept_apart(world: World) -> None:
    with pytest.raises(ValidationError):
        grant_role(world.sysadmin, world.province, "audit_admin", acting_user=SYSTEM)
    with pytest.raises(ValidationError):
        grant_role(world.auditor, world.city, "security_admin", acting_user=SYSTEM)
    assert not RoleGrant.objects.filter(user=world.sysadmin, role="audit_admin").exists()


def test_system_admin_cannot_read_audit_log_and_auditor_cannot_change(world: World) -> None:
    client = Client()
    client.force_login(world.sysadmin)
    assert client.get("/audit/").status_code == 404
    client.force_login(world.auditor)
    assert client.get("/audit/").status_code == 200
    assert client.get(f"/orgs/{world.branch.pk}/edit/").status_code == 404
    assert client.get("/members/").status_code == 200  # an empty list: no member is in its view


def test_idle_session_expires(world: World, settings: object) -> None:
    client = Client()
    client.force_login(world.secretary)
    client.get("/")
    assert 0 < client.session.get_expiry_age() <= 15 * 60


def test_login_page_flow_and_audit(world: World) -> None:
    client = Client()
    response = client.post("/login/", {"username": "member_user", "password": "bad-Pass-1"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    response = client.post("/login/", {"username": "member_user", "password": PASSWORD})
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="auth.login", success=True, actor_name="member_user").exists()
    assert AuditEntry.objects.filter(action="auth.login", success=False, actor_name="member_user").exists()


def test_audit_rows_cannot_be_changed(world: World) -> None:
    entry = AuditEntry.objects.first()
    assert entry is not None
    from dangjian.core.models import AppendOnlyError

    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()


@pytest.mark.django_db(transaction=True)
def test_database_refuses_audit_update() -> None:
    from django.db import DatabaseError, connection

    from dangjian.core import audit

    entry = audit.record("test.event", actor=SYSTEM)
    with pytest.raises(DatabaseError), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET action = 'forged' WHERE id = %s", [entry.pk])
