"""The HTML forms: bad input is explained and changes nothing; good input is saved and audited."""

import random
from datetime import date, timedelta

from django.test import Client
from django.utils import timezone

from dangjian.accounts.models import RoleGrant, User
from dangjian.core.idnumber import generate_id_number
from dangjian.core.models import AuditEntry
from dangjian.members.models import Member
from dangjian.organizations.models import Organization
from dangjian.testing.world import World, make_user


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def member_form(**overrides: str) -> dict[str, str]:
    number = generate_id_number(random.Random(3), date(1975, 2, 3), "male")
    base = {
        "name": "陈刚",
        "id_number": number,
        "ethnicity": "汉族",
        "phone": "13600001234",
        "category": "full",
        "status": "active",
        "join_date": "2000-07-01",
        "full_date": "2001-07-01",
    }
    return base | overrides


def test_add_member_bad_then_good(world: World) -> None:
    client = client_for(world.secretary)
    url = f"/members/add/?org={world.branch.pk}"
    count = Member.objects.count()
    response = client.post(url, member_form(id_number="43010219750203001"))
    assert response.status_code == 200
    assert "invalid-feedback" in response.content.decode()
    assert Member.objects.count() == count
    response = client.post(url, member_form())
    assert response.status_code == 302
    member = Member.objects.get(name="陈刚")
    assert member.organization == world.branch and member.gender == "male"
    assert AuditEntry.objects.filter(action="member.create", object_id=str(member.pk), success=True).exists()


def test_edit_member_keeps_hidden_values_when_left_empty(world: World) -> None:
    client = client_for(world.secretary)
    old_id, old_phone = world.member.id_number, world.member.phone
    page = client.get(f"/members/{world.member.pk}/edit/").content.decode()
    assert old_id not in page and old_phone not in page
    data = member_form(
        name="张伟",
        id_number="",
        phone="",
        join_date="2005-07-01",
        full_date="2006-07-01",
        version="1",
        birth_date="1980-05-04",
        gender="male",
    )
    response = client.post(f"/members/{world.member.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    member = Member.objects.get(pk=world.member.pk)
    assert (member.id_number, member.phone, member.version) == (old_id, old_phone, 2)


def test_stale_organization_edit_is_refused(world: World) -> None:
    client = client_for(world.county_staff)
    form = {
        "name": "第二党支部",
        "code": world.branch2.code,
        "kind": "branch",
        "sector": "community",
        "version": "1",
    }
    assert client.post(f"/orgs/{world.branch2.pk}/edit/", form | {"name": "改名一"}).status_code == 302
    response = client.post(f"/orgs/{world.branch2.pk}/edit/", form | {"name": "改名二"})
    assert response.status_code == 200
    assert Organization.objects.get(pk=world.branch2.pk).name == "改名一"


def test_move_into_own_subtree_is_explained(world: World) -> None:
    client = client_for(world.county_staff)
    paths = list(Organization.objects.values_list("path", flat=True))
    response = client.post(f"/orgs/{world.township.pk}/move/", {"parent": world.township.code})
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    assert list(Organization.objects.values_list("path", flat=True)) == paths


def test_user_admin_creates_account_and_grants_within_scope_only(world: World) -> None:
    client = client_for(world.sysadmin)
    response = client.post(
        "/users/add/", {"username": "wang.fang", "password": "short", "home_org": "430103"}
    )
    assert response.status_code == 200 and not User.objects.filter(username="wang.fang").exists()
    response = client.post(
        "/users/add/",
        {
            "username": "wang.fang",
            "password": "Wang-fang-2026",
            "home_org": "430103",
            "member_id": str(world.member_b.pk),
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="wang.fang")
    assert user.member == world.member_b and user.must_change_password
    # Granting is the security administrator's (三员分立): the system administrator may not.
    grant = {"role": "secretary", "organization": "430103001001"}
    assert client.post(f"/users/{user.pk}/", grant).status_code == 404
    assert client_for(world.secadmin).post(f"/users/{user.pk}/", grant).status_code == 302
    assert RoleGrant.objects.filter(user=user, role="secretary").exists()
    # A county's administrator cannot grant on another county.
    county_admin = make_user("county_admin", "system_admin", world.county)
    other = client_for(county_admin)
    assert other.get(f"/users/{user.pk}/").status_code == 404
    assert AuditEntry.objects.filter(action="grant.create", success=True).count() >= 1


def test_security_admin_unlocks(world: World) -> None:
    User.objects.filter(pk=world.member_user.pk).update(locked_until=timezone.now() + timedelta(minutes=10))
    client = client_for(world.secadmin)
    assert "member_user" in client.get("/security/").content.decode()
    assert client.post(f"/users/{world.member_user.pk}/unlock/").status_code == 302
    assert not User.objects.get(pk=world.member_user.pk).is_locked()
    assert AuditEntry.objects.filter(action="user.unlock").exists()


def test_audit_view_filters(world: World) -> None:
    client = client_for(world.auditor)
    body = client.get("/audit/?action=member.create").content.decode()
    assert "member.create" in body and "organization.create" not in body


def test_link_and_unlink_member(world: World) -> None:
    client = client_for(world.sysadmin)
    user = world.county_staff
    assert client.post(f"/users/{user.pk}/member/", {"member": str(world.member2.pk)}).status_code == 302
    assert User.objects.get(pk=user.pk).member == world.member2
    client.post(f"/users/{user.pk}/member/", {"member": str(world.member.pk)})  # has an account already
    assert User.objects.get(pk=user.pk).member == world.member2
    client.post(f"/users/{user.pk}/member/", {"member": ""})
    assert User.objects.get(pk=user.pk).member is None
    assert AuditEntry.objects.filter(action="user.update", success=True).count() == 2
