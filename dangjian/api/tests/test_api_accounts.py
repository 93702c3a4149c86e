from collections.abc import Callable

import pyotp
import pytest
from rest_framework.test import APIClient

from dangjian.accounts.models import ApiToken, RoleGrant, User
from dangjian.accounts.services import create_user, grant_role
from dangjian.core.models import AuditEntry
from dangjian.core.scoping import SYSTEM
from dangjian.testing.api import english_client
from dangjian.testing.world import PASSWORD, TOTP_SECRET, World, make_user

Api = Callable[[str], APIClient]
TOKEN = "/api/v1/auth/token"
USERS = "/api/v1/users/"
GRANTS = "/api/v1/grants/"
SECRET = TOTP_SECRET  # the world enrolls every two-factor persona with it


def audited(action: str) -> bool:
    return AuditEntry.objects.filter(action=action, success=True).exists()


# --- token ----------------------------------------------------------------------------------


def test_token_flow_with_second_factor(world: World) -> None:
    client = english_client()
    response = client.post(
        TOKEN, {"username": "secretary", "password": PASSWORD, "otp": pyotp.TOTP(SECRET).now()}, format="json"
    )
    assert response.status_code == 200, response.data
    assert set(response.data) == {"token", "expires_at"} and response["Cache-Control"] == "no-store"
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.data['token']}")
    members = client.get("/api/v1/members/")
    assert members.status_code == 200 and [m["name"] for m in members.data["results"]] == ["张伟", "李娜"]
    assert ApiToken.objects.filter(user=world.secretary).count() == 1
    # The same code cannot be used twice.
    replay = english_client().post(
        TOKEN, {"username": "secretary", "password": PASSWORD, "otp": pyotp.TOTP(SECRET).now()}, format="json"
    )
    assert replay.status_code == 400


def test_token_refusals_issue_nothing(world: World) -> None:
    client = english_client()
    code = pyotp.TOTP(SECRET).now()
    wrong = f"{(int(code) + 500_000) % 1_000_000:06d}"
    for body in (
        {"username": "secretary", "password": PASSWORD, "otp": wrong},
        {"username": "secretary", "password": PASSWORD},
        {"username": "secretary", "password": "wrong", "otp": code},
        {"username": "nobody", "password": PASSWORD},
    ):
        response = client.post(TOKEN, body, format="json")
        assert response.status_code == 400 and set(response.data) == {"detail"}, body
    assert client.post(TOKEN, {"username": "secretary"}, format="json").status_code == 400
    assert client.post(TOKEN, {"username": "x", "password": "y", "extra": 1}, format="json").data == {
        "extra": ["Unknown field."]
    }
    assert not ApiToken.objects.exists()
    assert client.get("/api/v1/members/", HTTP_AUTHORIZATION="Bearer made-up").status_code == 401


def test_token_refused_when_second_factor_required_but_not_enrolled(world: World) -> None:
    user = create_user("newsec", PASSWORD, home_org=world.branch2, acting_user=SYSTEM)
    grant_role(user, world.branch2, "secretary", acting_user=SYSTEM)
    response = english_client().post(TOKEN, {"username": "newsec", "password": PASSWORD}, format="json")
    assert response.status_code == 400 and "second factor" in response.data["detail"]
    assert not ApiToken.objects.exists()
    # A plain member needs no second factor.
    make_user("plain", "member", world.branch2)
    plain = english_client().post(TOKEN, {"username": "plain", "password": PASSWORD}, format="json")
    assert plain.status_code == 200


# --- users ----------------------------------------------------------------------------------


@pytest.fixture
def county_b_admin(world: World) -> APIClient:
    """A system administrator of the other county: manages users there only."""
    client = english_client()
    client.default_format = "json"
    client.force_authenticate(make_user("admin_b", "system_admin", world.county_b))
    return client


def test_users_are_scoped(api: Api, world: World, county_b_admin: APIClient) -> None:
    listed = {u["username"] for u in api("sysadmin").get(USERS).data["results"]}
    assert {"province_staff", "county_staff", "secretary", "outsider"} <= listed
    assert {u["username"] for u in county_b_admin.get(USERS).data["results"]} == {"outsider", "admin_b"}
    assert county_b_admin.get(f"{USERS}{world.county_staff.pk}/").status_code == 404
    assert county_b_admin.patch(f"{USERS}{world.county_staff.pk}/", {"is_active": False}).status_code == 404
    # Seeing members is not managing accounts.
    assert api("province_staff").get(USERS).data["results"] == []
    assert api("outsider").get(f"{USERS}{world.secretary.pk}/").status_code == 404


def test_user_output_has_no_secrets(api: Api, world: World) -> None:
    response = api("sysadmin").get(f"{USERS}{world.secretary.pk}/")
    assert response.status_code == 200
    assert not {"password", "totp_secret", "totp_confirmed", "totp_last_step"} & set(response.data)
    assert response.data["roles"] == [
        {"id": world.secretary.grants.get().pk, "role": "secretary", "organization": "430102001001"}
    ]
    assert response.data["home_org"] == "430102001001"
    body = response.content.decode()
    assert "totp" not in body and "password" not in body


def test_roles_beside_the_viewer_are_not_shown(world: World, county_b_admin: APIClient) -> None:
    grant_role(world.outsider, world.county, "supervisor", acting_user=SYSTEM)
    roles = county_b_admin.get(f"{USERS}{world.outsider.pk}/").data["roles"]
    assert [r["organization"] for r in roles] == ["430103"]


def test_create_user(api: Api, world: World) -> None:
    client = api("sysadmin")
    response = client.post(
        USERS,
        {
            "username": "Zhao.Min",
            "password": PASSWORD,
            "home_org": "430102001001",
            "member": world.member2.pk,
            "email": "zm@example.cn",
        },
    )
    assert response.status_code == 201, response.data
    assert response.data["username"] == "zhao.min" and response.data["member"] == world.member2.pk
    assert "password" not in response.data and audited("user.create")


def test_update_user(api: Api, world: World) -> None:
    client = api("sysadmin")
    user_id = world.member_user.pk
    assert client.patch(f"{USERS}{user_id}/", {"is_active": False}).data["is_active"] is False
    assert audited("user.update")
    assert client.patch(f"{USERS}{user_id}/", {"member": None}).data["member"] is None
    read_only = client.patch(f"{USERS}{user_id}/", {"username": "x"})
    assert read_only.data == {"username": ["This field is read-only."]}
    assert client.patch(f"{USERS}{user_id}/", {"password": "x"}).data == {"password": ["Unknown field."]}
    self_off = client.patch(f"{USERS}{world.sysadmin.pk}/", {"is_active": False})
    assert self_off.status_code == 400 and "is_active" in self_off.data


def test_create_user_refusals(api: Api, world: World, county_b_admin: APIClient) -> None:
    before = User.objects.count()
    outside = county_b_admin.post(USERS, {"username": "x1", "password": PASSWORD, "home_org": "430102"})
    assert outside.status_code == 400 and "home_org" in outside.data
    taken = api("sysadmin").post(USERS, {"username": "secretary", "password": PASSWORD, "home_org": "430102"})
    assert taken.status_code == 400 and "username" in taken.data
    weak = api("sysadmin").post(USERS, {"username": "x2", "password": "123", "home_org": "430102"})
    assert weak.status_code == 400 and "password" in weak.data
    linked = api("sysadmin").post(
        USERS, {"username": "x3", "password": PASSWORD, "home_org": "430102", "member": world.member.pk}
    )  # already has an account
    assert linked.status_code == 400 and "member" in linked.data
    assert User.objects.count() == before


# --- grants ---------------------------------------------------------------------------------


def test_grant_and_revoke(api: Api, world: World) -> None:
    client = api("secadmin")
    body = {"user": world.county_staff.pk, "organization": "430102001", "role": "supervisor"}
    response = client.post(GRANTS, body)
    assert response.status_code == 201, response.data
    assert response.data["granted_by"] == "secadmin" and response.data["organization"] == "430102001"
    assert audited("grant.create")
    listed = client.get(GRANTS, {"user": world.county_staff.pk}).data["results"]
    assert sorted(g["role"] for g in listed) == ["committee_staff", "supervisor"]
    assert client.delete(f"{GRANTS}{response.data['id']}/").status_code == 204
    assert audited("grant.delete")
    assert not RoleGrant.objects.filter(pk=response.data["id"]).exists()


def test_grant_refusals(api: Api, world: World) -> None:
    county_b_admin = english_client()
    county_b_admin.default_format = "json"
    county_b_admin.force_authenticate(make_user("secadmin_b", "security_admin", world.county_b))
    before = RoleGrant.objects.count()
    outside_org = county_b_admin.post(
        GRANTS, {"user": world.outsider.pk, "organization": "430102", "role": "member"}
    )
    assert outside_org.status_code in (400, 404) and "organization" in outside_org.data
    outside_user = county_b_admin.post(
        GRANTS, {"user": world.county_staff.pk, "organization": "430103", "role": "member"}
    )
    assert outside_user.status_code == 400 and "user" in outside_user.data
    self_grant = api("secadmin").post(
        GRANTS, {"user": world.secadmin.pk, "organization": "430000", "role": "member"}
    )
    assert self_grant.status_code == 400 and "user" in self_grant.data
    three_admins = api("secadmin").post(
        GRANTS, {"user": world.auditor.pk, "organization": "430000", "role": "security_admin"}
    )
    assert three_admins.status_code == 400 and "role" in three_admins.data
    assert RoleGrant.objects.count() == before
    grant = world.county_staff.grants.get()
    assert county_b_admin.get(f"{GRANTS}{grant.pk}/").status_code == 404
    assert county_b_admin.delete(f"{GRANTS}{grant.pk}/").status_code == 404
    assert api("county_staff").delete(f"{GRANTS}{grant.pk}/").status_code == 404  # no manage_grants
    assert RoleGrant.objects.filter(pk=grant.pk).exists()
