from django.test import Client

from dangjian.members.models import MemberStatus
from dangjian.members.services import update_member
from dangjian.testing.world import World


def test_member_count_is_the_subtree_on_the_roll(world: World) -> None:
    client = Client()
    client.force_login(world.province_staff)
    assert ">3</a>" in client.get(f"/orgs/{world.province.pk}/member-count/").content.decode()
    assert ">2</a>" in client.get(f"/orgs/{world.township.pk}/member-count/").content.decode()
    update_member(world.member2, {"status": MemberStatus.LEFT}, acting_user=world.secretary)
    assert ">1</a>" in client.get(f"/orgs/{world.township.pk}/member-count/").content.decode()


def test_org_page_shows_term_warning_breadcrumb_secretary_and_groups(world: World) -> None:
    from datetime import date

    from dangjian.organizations.services import update_organization

    update_organization(
        world.branch,
        {"term_start": date(2017, 1, 1), "term_due_end": date(2020, 1, 1)},
        acting_user=world.secretary,
    )
    update_member(world.member, {"committee_post": "secretary"}, acting_user=world.secretary)
    client = Client()
    client.force_login(world.county_staff)
    body = client.get(f"/orgs/{world.branch.pk}/").content.decode()
    assert "alert-danger" in body and "2020-01-01" in body  # the term change is overdue
    assert 'breadcrumb-item"><a href="/orgs/' in body and "湖南省委" in body
    assert "张伟" in body and "第一党小组" in body


def test_find_a_member_by_exact_id_number_or_phone(world: World) -> None:
    client = Client()
    client.force_login(world.county_staff)
    body = client.get("/members/", {"id_number": world.member.id_number.lower()}).content.decode()
    assert "张伟" in body and "李娜" not in body
    body = client.get("/members/", {"phone": world.member2.phone}).content.decode()
    assert "李娜" in body and "张伟" not in body
    # Another county's member is not found by their ID number either.
    body = client.get("/members/", {"id_number": world.member_b.id_number}).content.decode()
    assert "王芳" not in body
