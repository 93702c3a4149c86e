"""The person's own account and view: issued the way a member's account is (by whoever may create
accounts in the branch), it shows the person their own progress and nothing else, and after the
approval it is the new member's account."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from dangjian.accounts.models import User
from dangjian.core.exceptions import OutOfScope
from dangjian.core.masking import mask_id_number
from dangjian.core.models import AuditEntry
from dangjian.development.models import Applicant
from dangjian.development.services import issue_account, record_objection
from dangjian.testing.world import World

from .helpers import days_ago, register, up_to

pytestmark = pytest.mark.django_db
PASSWORD = "Xy7#kq2!Lm9$"


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "en"  # the pages' English text (the PDFs are Chinese)
    return client


def issued(world: World, applicant: Applicant, username: str = "zhaoxm") -> User:
    """The account issued, and its initial password already changed by the person."""
    user = issue_account(applicant, username, PASSWORD, acting_user=world.users["sysadmin"])
    User.objects.filter(pk=user.pk).update(must_change_password=False)
    user.refresh_from_db()
    return user


def test_the_system_administrator_issues_the_account_from_its_page(world: World) -> None:
    a = register(world)
    sysadmin = client_for(world.users["sysadmin"])
    assert sysadmin.get(f"/development/{a.pk}/account/").status_code == 200
    response = sysadmin.post(f"/development/{a.pk}/account/", {"username": "zhaoxm", "password": PASSWORD})
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.account is not None and a.account.username == "zhaoxm"
    assert a.account.must_change_password and a.account.home_org == world.branch
    assert not a.account.grants.exists() and a.account.member is None
    assert AuditEntry.objects.filter(action="user.create", success=True).exists()
    assert AuditEntry.objects.filter(action="development.account", success=True).exists()
    # A second account for the same person is refused.
    with pytest.raises(ValidationError):
        issue_account(a, "zhaoxm2", PASSWORD, acting_user=world.users["sysadmin"])
    assert not User.objects.filter(username="zhaoxm2").exists()


def test_business_roles_do_not_create_accounts(world: World) -> None:
    """三员分立: the branch's officers see whether the person has an account, not the form."""
    a = register(world)
    for user in (world.secretary, world.county_staff, world.outsider):
        assert client_for(user).get(f"/development/{a.pk}/account/").status_code == 404
    with pytest.raises((OutOfScope, ValidationError)):
        issue_account(a, "zhaoxm", PASSWORD, acting_user=world.secretary)
    assert not User.objects.filter(username="zhaoxm").exists()
    page = client_for(world.secretary).get(f"/development/{a.pk}/")
    assert "issued by the system administrator" in page.content.decode()


def test_the_person_sees_their_own_progress_and_nothing_internal(world: World) -> None:
    a = up_to(world, register(world, name="赵小明"), 12)
    record_objection(a, received_on=days_ago(438), text="有人反映问题甲", acting_user=world.secretary)
    account = issued(world, a)
    client = client_for(account)
    home = client.get("/").content.decode()
    assert "/me/development/" in home
    page = client.get("/me/development/").content.decode()
    assert "赵小明" in page and world.branch.name in page
    assert "Admission under way" in page
    assert days_ago(450).isoformat() in page and days_ago(880).isoformat() in page  # steps done
    assert world.member.name in page and world.member2.name in page  # the introducers
    assert "Public notice and pre-review" in page  # what comes next
    assert mask_id_number(a.id_number) in page and a.id_number not in page
    assert "Recorded by" not in page and "Objection" not in page
    for internal in ("政治审查合格", "同意接收", "第10步", "有人反映问题甲", a.phone):
        assert internal not in page, internal


def test_the_person_reaches_nothing_else(world: World) -> None:
    a = up_to(world, register(world), 3)
    other = register(world, name="另一人")
    client = client_for(issued(world, a))
    for url in (
        f"/development/{a.pk}/",
        f"/development/{other.pk}/",
        f"/development/{a.pk}/file.pdf",
        f"/development/{a.pk}/papers/filing-4.pdf",
        f"/orgs/{world.branch.pk}/development/",
        f"/members/{world.member.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    # They cannot write either: a step posted as them changes nothing.
    assert client.post(f"/development/{a.pk}/steps/4/", {"s4-on": days_ago(1).isoformat()}).status_code == 404
    assert Applicant.objects.get(pk=a.pk).last_step == 3


def test_someone_without_a_record_has_no_development_page(world: World) -> None:
    assert client_for(world.member_user).get("/me/development/").status_code == 404
    assert client_for(world.secretary).get("/me/development/").status_code == 404


def test_on_admission_the_account_becomes_the_members(world: World) -> None:
    a = up_to(world, register(world), 16)
    account = issued(world, a)
    a = up_to(world, a, 17)
    account.refresh_from_db()
    assert a.member is not None and account.member == a.member
    assert AuditEntry.objects.filter(action="user.update", object_id=str(account.pk)).exists()
    page = client_for(account).get("/me/development/").content.decode()
    assert "Admitted as a probationary member" in page
