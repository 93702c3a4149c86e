"""三员分立: every cell of the role × action matrix in docs/architecture.md, through the services and
through the pages and the API, and who among the three administrators may act on whom."""

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from dangjian.accounts import admin_requests, services
from dangjian.accounts.models import AdminRequest, LoginPolicy, RoleGrant, User
from dangjian.accounts.roles import Role
from dangjian.core.exceptions import OutOfScope
from dangjian.core.models import AuditEntry
from dangjian.core.scoping import SYSTEM
from dangjian.dues.models import DuesPayment
from dangjian.dues.services import record_payment, set_profile
from dangjian.members.models import Member
from dangjian.members.services import reveal_member_field
from dangjian.organizations.models import Organization
from dangjian.organizations.services import create_organization
from dangjian.orglife.services import schedule_meeting
from dangjian.testing.api import english_client
from dangjian.testing.world import World, make_user

ROLES = [r.value for r in Role]
SYS, SEC, AUD = Role.SYSTEM_ADMIN.value, Role.SECURITY_ADMIN.value, Role.AUDIT_ADMIN.value
BUSINESS_CHANGE: set[str] = {Role.ORGANIZER, Role.SECRETARY, Role.COMMITTEE_STAFF}
NEW_PASSWORD = "Kestrel-4-river"


@pytest.fixture
def actors(world: World) -> dict[str, User]:
    """One account per role, granted on the province (so reach never decides the outcome)."""
    return {role: make_user(f"actor_{role}", role, world.province) for role in ROLES}


@pytest.fixture
def target(world: World) -> User:
    """An ordinary account of the county, holding the member role there."""
    user = make_user("target", Role.MEMBER, world.county)
    User.objects.filter(pk=user.pk).update(locked_until=timezone.now() + timedelta(minutes=10))
    return user


def _must(seen: bool) -> None:
    if not seen:
        raise OutOfScope("nothing in reach")


def _meeting(world: World, actor: Any) -> Any:
    start = timezone.now() + timedelta(days=3)
    data = {
        "kind": "branch_assembly",
        "topic": "学习",
        "starts_at": start,
        "ends_at": start + timedelta(hours=1),
    }
    return schedule_meeting(world.branch, data, acting_user=actor)


def _payment(world: World, actor: Any) -> Any:
    month = timezone.localdate().replace(day=1)
    set_profile(world.member2, "student", effective_from=month, acting_user=SYSTEM)
    return record_payment(
        world.member2,
        period_from=month,
        period_to=month,
        amount=Decimal("0.20"),
        receipt_no="7",
        acting_user=actor,
    )


def _org(world: World, actor: Any) -> Organization:
    return create_organization(
        world.county, {"name": "新街道", "code": "430102009", "kind": "working_committee"}, acting_user=actor
    )


def _policy(world: World, actor: Any) -> Any:
    return services.update_login_policy(
        {"max_failures": 6, "lock_minutes": 20, "idle_minutes": 15}, acting_user=actor
    )


# action: (what it does, which roles may do it alone, how to tell it happened)
SERVICE_ACTIONS: dict[
    str, tuple[Callable[[World, Any, User], Any], set[str], Callable[[World, User], bool]]
] = {
    "view members": (
        lambda w, a, t: _must(Member.objects.restrict(a).filter(pk=w.member.pk).exists()),
        {Role.MEMBER, Role.ORGANIZER, Role.SECRETARY, Role.COMMITTEE_STAFF, Role.SUPERVISOR, SYS},
        lambda w, t: True,
    ),
    "change business data (meeting)": (
        lambda w, a, t: _meeting(w, a),
        BUSINESS_CHANGE,
        lambda w, t: w.branch.meetings.exists(),
    ),
    "change business data (dues payment)": (
        lambda w, a, t: _payment(w, a),
        BUSINESS_CHANGE,
        lambda w, t: DuesPayment.objects.filter(member=w.member2).exists(),
    ),
    "reveal a full ID number": (
        lambda w, a, t: reveal_member_field(w.member, "id_number", acting_user=a),
        {Role.SECRETARY, Role.COMMITTEE_STAFF},
        lambda w, t: True,
    ),
    "create an organization (tree)": (
        lambda w, a, t: _org(w, a),
        BUSINESS_CHANGE | {SYS},
        lambda w, t: Organization.objects.filter(code="430102009").exists(),
    ),
    "create an account": (
        lambda w, a, t: services.create_user("newbie", NEW_PASSWORD, home_org=w.county, acting_user=a),
        {SYS},
        lambda w, t: User.objects.filter(username="newbie", must_change_password=True).exists(),
    ),
    "deactivate an ordinary account": (
        lambda w, a, t: services.update_user(t, {"is_active": False}, acting_user=a),
        {SYS},
        lambda w, t: not User.objects.get(pk=t.pk).is_active,
    ),
    "set an initial password": (
        lambda w, a, t: services.set_password(t, NEW_PASSWORD, acting_user=a),
        {SYS},
        lambda w, t: User.objects.get(pk=t.pk).must_change_password,
    ),
    "grant a role": (
        lambda w, a, t: services.grant_role(t, w.county, Role.SUPERVISOR, acting_user=a),
        {SEC},
        lambda w, t: RoleGrant.objects.filter(user=t, role=Role.SUPERVISOR).exists(),
    ),
    "revoke a role": (
        lambda w, a, t: services.revoke_grant(t.grants.get(), acting_user=a),  # type: ignore[attr-defined]
        {SEC},
        lambda w, t: not RoleGrant.objects.filter(user=t).exists(),
    ),
    "set the login policy": (
        lambda w, a, t: _policy(w, a),
        {SEC},
        lambda w, t: LoginPolicy.current().max_failures == 6,
    ),
    "unlock an account": (
        lambda w, a, t: services.unlock_user(t, acting_user=a),
        {SEC},
        lambda w, t: not User.objects.get(pk=t.pk).is_locked(),
    ),
    "reset a second factor / hand out an activation code": (
        lambda w, a, t: services.reset_totp(t, acting_user=a),
        {SEC},
        lambda w, t: True,
    ),
    "read the audit log": (
        lambda w, a, t: _must(AuditEntry.objects.restrict(a, "view_audit").exists()),
        {AUD},
        lambda w, t: True,
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(SERVICE_ACTIONS))
def test_service_matrix(world: World, actors: dict[str, User], target: User, role: str, action: str) -> None:
    act, allowed, happened = SERVICE_ACTIONS[action]
    actor = actors[role]
    if role in allowed:
        act(world, actor, target)
        assert happened(world, target)
    else:
        with pytest.raises((OutOfScope, ValidationError)):
            act(world, actor, target)


# --- pages and API ---------------------------------------------------------------------------


def _page(client: Client, world: World, t: User, action: str) -> int:
    start = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    requests: dict[str, Callable[[], Any]] = {
        "list accounts": lambda: client.get("/users/"),
        "create an account": lambda: client.post(
            "/users/add/", {"username": "newbie", "password": NEW_PASSWORD, "home_org": world.county.code}
        ),
        "deactivate an ordinary account": lambda: client.post(f"/users/{t.pk}/active/", {"active": "0"}),
        "set an initial password": lambda: client.post(
            f"/users/{t.pk}/password/", {"password": NEW_PASSWORD}
        ),
        "grant a role": lambda: client.post(
            f"/users/{t.pk}/", {"role": "supervisor", "organization": "430102"}
        ),
        "revoke a role": lambda: client.post(f"/grants/{t.grants.get().pk}/revoke/"),  # type: ignore[attr-defined]
        "security page": lambda: client.get("/security/"),
        "unlock an account": lambda: client.post(f"/users/{t.pk}/unlock/"),
        "read the audit log": lambda: client.get("/audit/"),
        "administrator requests": lambda: client.get("/admin-requests/"),
        "edit an organization (tree)": lambda: client.get(f"/orgs/{world.county.pk}/edit/"),
        "schedule a meeting": lambda: client.get(f"/orgs/{world.branch.pk}/meetings/add/?starts={start}"),
    }
    return requests[action]().status_code


PAGE_ALLOWED: dict[str, set[str]] = {
    "list accounts": {SYS, SEC},
    "create an account": {SYS},
    "deactivate an ordinary account": {SYS},
    "set an initial password": {SYS},
    "grant a role": {SEC},
    "revoke a role": {SEC},
    "security page": {SEC},
    "unlock an account": {SEC},
    "read the audit log": {AUD},
    "administrator requests": {SYS, SEC, AUD},
    "edit an organization (tree)": BUSINESS_CHANGE | {SYS},
    "schedule a meeting": BUSINESS_CHANGE,
}
PAGE_EFFECT: dict[str, Callable[[User], bool]] = {
    "create an account": lambda t: User.objects.filter(username="newbie").exists(),
    "deactivate an ordinary account": lambda t: not User.objects.get(pk=t.pk).is_active,
    "set an initial password": lambda t: User.objects.get(pk=t.pk).must_change_password,
    "grant a role": lambda t: RoleGrant.objects.filter(user=t, role="supervisor").exists(),
    "revoke a role": lambda t: not RoleGrant.objects.filter(user=t).exists(),
    "unlock an account": lambda t: not User.objects.get(pk=t.pk).is_locked(),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(PAGE_ALLOWED))
def test_page_matrix(world: World, actors: dict[str, User], target: User, role: str, action: str) -> None:
    client = Client()
    client.force_login(actors[role])
    status = _page(client, world, target, action)
    if role in PAGE_ALLOWED[action]:
        assert status in (200, 302), status
        if action in PAGE_EFFECT:
            assert PAGE_EFFECT[action](target)
    else:
        assert status == 404, status
        if action in PAGE_EFFECT:
            assert not PAGE_EFFECT[action](target)


def _api(client: APIClient, world: World, t: User, action: str) -> int:
    calls: dict[str, Callable[[], Any]] = {
        "list accounts": lambda: client.get(f"/api/v1/users/{t.pk}/"),
        "create an account": lambda: client.post(
            "/api/v1/users/", {"username": "newbie", "password": NEW_PASSWORD, "home_org": world.county.code}
        ),
        "deactivate an ordinary account": lambda: client.patch(
            f"/api/v1/users/{t.pk}/", {"is_active": False}
        ),
        "grant a role": lambda: client.post(
            "/api/v1/grants/", {"user": t.pk, "organization": "430102", "role": "supervisor"}
        ),
        "revoke a role": lambda: client.delete(f"/api/v1/grants/{t.grants.get().pk}/"),  # type: ignore[attr-defined]
        "edit an organization (tree)": lambda: client.patch(
            f"/api/v1/organizations/{world.county.pk}/", {"name": "芙蓉区委员会"}
        ),
        "schedule a meeting": lambda: client.post(
            "/api/v1/meetings/",
            {
                "organization": world.branch.code,
                "kind": "branch_assembly",
                "topic": "学习",
                "starts_at": (timezone.now() + timedelta(days=3)).isoformat(),
                "ends_at": (timezone.now() + timedelta(days=3, hours=1)).isoformat(),
            },
        ),
    }
    return calls[action]().status_code


API_ALLOWED: dict[str, set[str]] = {
    "list accounts": {SYS, SEC},
    "create an account": {SYS},
    "deactivate an ordinary account": {SYS},
    "grant a role": {SEC},
    "revoke a role": {SEC},
    "edit an organization (tree)": BUSINESS_CHANGE | {SYS},
    "schedule a meeting": BUSINESS_CHANGE,
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(API_ALLOWED))
def test_api_matrix(world: World, actors: dict[str, User], target: User, role: str, action: str) -> None:
    client = english_client()
    client.default_format = "json"
    client.force_authenticate(actors[role])
    status = _api(client, world, target, action)
    if role in API_ALLOWED[action]:
        assert status in (200, 201, 204), status
        if action in PAGE_EFFECT:
            assert PAGE_EFFECT[action](target)
    else:
        # Outside the reach for the action: not found, or (for a field naming the object) a 400.
        assert status in (400, 403, 404), status
        if action in PAGE_EFFECT:
            assert not PAGE_EFFECT[action](target)


# --- among the three administrators ----------------------------------------------------------

Kind = AdminRequest.Kind
# What each account administrator may ask to do to an account.
KINDS_BY_ROLE = {
    SYS: [Kind.DEACTIVATE, Kind.SET_PASSWORD],
    SEC: [Kind.GRANT, Kind.REVOKE, Kind.UNLOCK, Kind.RESET_TOTP],
}


def _alone(kind: str, actor: User, target: User, world: World) -> None:
    if kind == Kind.DEACTIVATE:
        services.update_user(target, {"is_active": False}, acting_user=actor)
    elif kind == Kind.SET_PASSWORD:
        services.set_password(target, NEW_PASSWORD, acting_user=actor)
    elif kind == Kind.GRANT:
        services.grant_role(target, world.county, Role.MEMBER, acting_user=actor)
    elif kind == Kind.REVOKE:
        services.revoke_grant(target.grants.get(), acting_user=actor)  # type: ignore[attr-defined]
    elif kind == Kind.UNLOCK:
        services.unlock_user(target, acting_user=actor)
    else:
        services.reset_totp(target, acting_user=actor)


def _params(kind: str, target: User, world: World) -> dict[str, Any]:
    if kind == Kind.SET_PASSWORD:
        return {"password": NEW_PASSWORD}
    if kind == Kind.GRANT:
        return {"organization": world.county, "role": Role.MEMBER}
    if kind == Kind.REVOKE:
        return {"grant": target.grants.get()}  # type: ignore[attr-defined]
    return {}


def _state(user: User) -> tuple[Any, ...]:
    user = User.objects.get(pk=user.pk)
    grants = sorted(RoleGrant.objects.filter(user=user).values_list("role", "organization_id"))
    return (user.is_active, user.password, user.must_change_password, user.totp_confirmed, grants)


@pytest.fixture
def admins(world: World) -> dict[str, User]:
    """The three administrators of the test world, and a second one of each role."""
    return {
        SYS: world.sysadmin,
        SEC: world.secadmin,
        AUD: world.auditor,
        f"{SYS}2": make_user("sysadmin2", SYS, world.province),
        f"{SEC}2": make_user("secadmin2", SEC, world.province),
        f"{AUD}2": make_user("auditor2", AUD, world.province),
    }


CASES = [
    (actor, kind, target)
    for actor, kinds in KINDS_BY_ROLE.items()
    for kind in kinds
    for target in (SYS, SEC, AUD, "self")
    if not (kind == Kind.GRANT and target == "self")  # never, see the next test
]


@pytest.mark.parametrize(("actor", "kind", "target"), CASES)
def test_no_administrator_acts_alone_on_another_or_itself(
    world: World, admins: dict[str, User], actor: str, kind: str, target: str
) -> None:
    me = admins[actor]
    other = me if target == "self" else admins[target if target != actor else f"{actor}2"]
    if kind == Kind.DEACTIVATE and target == "self":
        pytest.skip("deactivating oneself is refused outright (test_never_even_with_a_second)")
    if kind == Kind.SET_PASSWORD and target == "self":
        pytest.skip("one's own password is changed with the current one (test_passwords)")
    User.objects.filter(pk=other.pk).update(locked_until=timezone.now() + timedelta(minutes=5))
    before = _state(other)
    with pytest.raises(ValidationError) as refused:
        _alone(kind, me, other, world)
    assert "second administrator" in " ".join(refused.value.messages)
    assert _state(other) == before
    # Filed as a request, refused to a confirmer of the same role or to the account's holder,
    # carried out when an administrator of another role confirms it.
    req = admin_requests.file_request(kind, other, acting_user=me, params=_params(kind, other, world))
    assert _state(other) == before
    same_role = admins[f"{actor}2"]
    for wrong in {same_role, other} - {me}:
        with pytest.raises(ValidationError):
            admin_requests.confirm_request(req, acting_user=wrong)
    assert _state(other) == before and AdminRequest.objects.get(pk=req.pk).state == "pending"
    confirmer = next(admins[r] for r in (SYS, SEC, AUD) if r != actor and admins[r].pk != other.pk)
    admin_requests.confirm_request(req, acting_user=confirmer)
    assert AdminRequest.objects.get(pk=req.pk).state == "done"
    if kind not in (Kind.UNLOCK,):
        assert _state(other) != before
    else:
        assert not User.objects.get(pk=other.pk).is_locked()
    entry = AuditEntry.objects.filter(success=True, actor_name=me.username).latest("id")
    assert f"confirmed by {confirmer.username}" in entry.detail


def test_never_even_with_a_second(world: World, admins: dict[str, User]) -> None:
    before = _state(world.secadmin)
    with pytest.raises(ValidationError):  # a security administrator never grants to itself
        admin_requests.file_request(
            Kind.GRANT,
            world.secadmin,
            acting_user=world.secadmin,
            params={"organization": world.county, "role": Role.MEMBER},
        )
    with pytest.raises(ValidationError):
        services.grant_role(
            world.secadmin, world.county, Role.MEMBER, acting_user=world.secadmin, confirmed_by=world.auditor
        )
    with pytest.raises(ValidationError):  # nor does anyone deactivate themselves
        services.update_user(world.sysadmin, {"is_active": False}, acting_user=world.sysadmin)
    with pytest.raises(ValidationError):  # the three roles are never held together
        services.grant_role(
            world.auditor, world.county, SEC, acting_user=world.secadmin, confirmed_by=world.sysadmin
        )
    assert _state(world.secadmin) == before


def test_granting_an_administrator_role_needs_a_second(world: World, target: User) -> None:
    with pytest.raises(ValidationError, match="second administrator"):
        services.grant_role(target, world.county, AUD, acting_user=world.secadmin)
    req = admin_requests.file_request(
        Kind.GRANT, target, acting_user=world.secadmin, params={"organization": world.county, "role": AUD}
    )
    admin_requests.confirm_request(req, acting_user=world.sysadmin)
    assert RoleGrant.objects.filter(user=target, role=AUD).exists()


def test_the_auditor_files_nothing_and_a_claimed_confirmation_is_checked(
    world: World, admins: dict[str, User]
) -> None:
    with pytest.raises(OutOfScope):
        admin_requests.file_request(Kind.DEACTIVATE, world.sysadmin, acting_user=world.auditor)
    # A caller cannot pass off a same-role colleague (or nobody of the three) as the second.
    for claimed in (admins[f"{SYS}2"], world.county_staff):
        with pytest.raises(ValidationError):
            services.update_user(
                world.secadmin, {"is_active": False}, acting_user=world.sysadmin, confirmed_by=claimed
            )
    assert User.objects.get(pk=world.secadmin.pk).is_active


def test_the_console_acts_alone_and_is_audited(world: World) -> None:
    services.update_user(world.auditor, {"is_active": False}, acting_user=SYSTEM)
    assert not User.objects.get(pk=world.auditor.pk).is_active
    assert AuditEntry.objects.filter(action="user.update", actor_name="system", success=True).exists()


def test_requests_on_the_pages(world: World) -> None:
    """The system administrator asks to deactivate the auditor; the security administrator
    confirms on the requests page; the same-role colleague could not; withdrawing works."""
    sysadmin, secadmin = Client(), Client()
    sysadmin.force_login(world.sysadmin)
    secadmin.force_login(world.secadmin)
    response = sysadmin.post(f"/users/{world.auditor.pk}/active/", {"active": "0"}, follow=True)
    assert response.status_code == 200 and User.objects.get(pk=world.auditor.pk).is_active
    req = AdminRequest.objects.get(target=world.auditor, state="pending")
    assert req.kind == "deactivate" and req.requested_by == world.sysadmin
    assert f'id="request-{req.pk}"' in secadmin.get("/admin-requests/").content.decode()
    assert sysadmin.post(f"/admin-requests/{req.pk}/confirm/").status_code == 302
    assert AdminRequest.objects.get(pk=req.pk).state == "pending"  # the requester cannot confirm
    assert secadmin.post(f"/admin-requests/{req.pk}/confirm/").status_code == 302
    assert not User.objects.get(pk=world.auditor.pk).is_active
    assert AdminRequest.objects.get(pk=req.pk).state == "done"
    # Another request, withdrawn by its author.
    sysadmin.post(f"/users/{world.secadmin.pk}/password/", {"password": NEW_PASSWORD})
    second = AdminRequest.objects.get(target=world.secadmin, state="pending")
    assert "password" not in second.params and second.params["password_hash"] != NEW_PASSWORD
    assert secadmin.post(f"/admin-requests/{second.pk}/withdraw/").status_code == 302
    assert AdminRequest.objects.get(pk=second.pk).state == "pending"
    assert sysadmin.post(f"/admin-requests/{second.pk}/withdraw/").status_code == 302
    assert AdminRequest.objects.get(pk=second.pk).state == "cancelled"
