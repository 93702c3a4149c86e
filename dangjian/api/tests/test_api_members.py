import random
from collections.abc import Callable
from datetime import date
from typing import Any

from django.utils import timezone
from rest_framework.test import APIClient

from dangjian.core.idnumber import generate_id_number
from dangjian.core.models import AuditEntry
from dangjian.members.models import Member
from dangjian.testing.world import World, make_member

Api = Callable[[str], APIClient]
MEMBERS = "/api/v1/members/"
rng = random.Random(11)


def new_member_data(**extra: Any) -> dict[str, Any]:
    return {
        "name": "赵敏",
        "id_number": generate_id_number(rng, date(1985, 6, 1), "female"),
        "phone": "13912345678",
        "category": "full",
        "join_date": "2010-07-01",
        "full_date": "2011-07-01",
        "organization": "430102001002",
        **extra,
    }


def test_list_is_scoped_and_masked(api: Api, world: World) -> None:
    response = api("county_staff").get(MEMBERS)
    rows = response.data["results"]
    assert [r["name"] for r in rows] == ["张伟", "李娜"]
    first = rows[0]
    assert first["id_number"] == world.member.id_number_masked and "*" in first["id_number"]
    assert first["phone"] == world.member.phone_masked and "*" in first["phone"]
    assert first["organization"] == "430102001001" and first["organization_name"] == "第一党支部"
    assert first["party_group"] == world.group.pk
    body = response.content.decode()
    for member in (world.member, world.member2):
        assert member.id_number not in body and member.phone not in body
    assert [r["name"] for r in api("outsider").get(MEMBERS).data["results"]] == ["王芳"]


def test_detail_is_masked_and_outsider_gets_404(api: Api, world: World) -> None:
    response = api("secretary").get(f"{MEMBERS}{world.member.pk}/")
    assert response.status_code == 200
    assert response.data["id_number"] == world.member.id_number_masked
    assert world.member.id_number not in response.content.decode()
    assert api("outsider").get(f"{MEMBERS}{world.member.pk}/").status_code == 404
    assert api("outsider").patch(f"{MEMBERS}{world.member.pk}/", {"name": "x"}).status_code == 404


def test_reveal(api: Api, world: World) -> None:
    url = f"{MEMBERS}{world.member.pk}/reveal/"
    response = api("secretary").post(url, {"field": "id_number"})
    assert response.status_code == 200
    assert response.data == {"field": "id_number", "value": world.member.id_number}
    assert response["Cache-Control"] == "no-store"
    assert AuditEntry.objects.filter(
        action="member.reveal",
        actor_name="secretary",
        success=True,
        object_id=str(world.member.pk),
        detail="id_number",
    ).exists()
    assert api("secretary").post(url, {"field": "phone"}).data["value"] == world.member.phone
    assert api("secretary").post(url, {"field": "name"}).status_code == 400
    assert api("outsider").post(url, {"field": "id_number"}).status_code == 404
    # The member user sees the record but may not reveal: the service refuses, shown as 404,
    # and the refused attempt is on the audit record.
    assert api("member_user").post(url, {"field": "id_number"}).status_code == 404
    assert AuditEntry.objects.filter(action="member.reveal", actor_name="member_user", success=False).exists()


def test_create(api: Api, world: World) -> None:
    data = new_member_data()
    response = api("county_staff").post(MEMBERS, data)
    assert response.status_code == 201, response.data
    member = Member.objects.get(pk=response.data["id"])
    assert member.id_number == data["id_number"] and member.organization == world.branch2
    assert member.gender == "female" and member.birth_date == date(1985, 6, 1)  # from the ID
    # Out, the birth date is a year-month to those who may reveal it (the full date by reveal).
    assert response.data["gender"] == "female" and response.data["birth"] == "1985-06"
    assert "birth_date" not in response.data
    assert response.data["id_number"] == member.id_number_masked
    assert data["id_number"] not in response.content.decode()
    entry = AuditEntry.objects.get(action="member.create", object_id=str(member.pk))
    assert data["id_number"] not in str(entry.changes)  # audit keeps the masked form only


def test_create_refusals_leave_no_row(api: Api, world: World) -> None:
    client = api("county_staff")
    before = Member.objects.count()
    valid = new_member_data()["id_number"]
    bad_check_digit = valid[:17] + ("0" if valid[-1] != "0" else "1")
    response = client.post(MEMBERS, new_member_data(id_number=bad_check_digit))
    assert response.status_code == 400 and "id_number" in response.data
    duplicate = client.post(MEMBERS, new_member_data(id_number=world.member.id_number))
    assert duplicate.status_code == 400 and "id_number" in duplicate.data
    unknown = client.post(MEMBERS, new_member_data(nickname="小赵"))
    assert unknown.status_code == 400 and unknown.data == {"nickname": ["Unknown field."]}
    wrong_type = client.post(MEMBERS, new_member_data(join_date="abc"))
    assert wrong_type.status_code == 400 and "join_date" in wrong_type.data
    missing_org = client.post(MEMBERS, {k: v for k, v in new_member_data().items() if k != "organization"})
    assert missing_org.status_code == 400 and "organization" in missing_org.data
    outside = client.post(MEMBERS, new_member_data(organization="430103001001"))
    assert outside.status_code == 400 and "organization" in outside.data
    committee = client.post(MEMBERS, new_member_data(organization="430102"))  # not a branch
    assert committee.status_code == 400 and "organization" in committee.data
    foreign_group = client.post(MEMBERS, new_member_data(party_group=world.group.pk))  # branch A's group
    assert foreign_group.status_code == 400 and "party_group" in foreign_group.data
    assert Member.objects.count() == before


def test_partial_update_with_version(api: Api, world: World) -> None:
    client = api("secretary")
    url = f"{MEMBERS}{world.member2.pk}/"
    response = client.patch(url, {"job_title": "教师", "phone": "13700001111", "version": 1})
    assert response.status_code == 200, response.data
    assert response.data["version"] == 2 and response.data["phone"] == "137****1111"
    assert AuditEntry.objects.filter(
        action="member.update", object_id=str(world.member2.pk), success=True
    ).exists()
    stale = client.patch(url, {"job_title": "x", "version": 1})
    assert stale.status_code == 409 and stale.data["code"] == "stale"
    assert client.patch(url, {"id_number": "123"}).status_code == 400
    assert Member.objects.get(pk=world.member2.pk).job_title == "教师"
    # Moving within reach; the secretary's reach is one branch, so another branch is "no such".
    assert "organization" in client.patch(url, {"organization": "430102001002"}).data
    moved = api("county_staff").patch(url, {"organization": "430102001002"})
    assert moved.status_code == 200 and moved.data["organization"] == "430102001002"


def test_member_user_cannot_write(api: Api, world: World) -> None:
    assert api("member_user").get(f"{MEMBERS}{world.member.pk}/").status_code == 200
    assert api("member_user").patch(f"{MEMBERS}{world.member.pk}/", {"job_title": "x"}).status_code == 404


def test_count(api: Api, world: World) -> None:
    client = api("county_staff")
    assert client.get(f"{MEMBERS}count/", {"org": "430102001"}).data == {"count": 2}
    assert client.get(f"{MEMBERS}count", {"org": "430102"}).data == {"count": 2}
    Member.objects.filter(pk=world.member2.pk).update(status="left")  # off the roll
    assert client.get(f"{MEMBERS}count/", {"org": "430102"}).data == {"count": 1}
    assert api("province_staff").get(f"{MEMBERS}count/", {"org": "430000"}).data == {"count": 2}
    assert client.get(f"{MEMBERS}count/", {"org": "430103"}).status_code == 404
    assert client.get(f"{MEMBERS}count/", {"org": "nope"}).status_code == 404
    assert client.get(f"{MEMBERS}count/").status_code == 400


def names(response: Any) -> list[str]:
    return [row["name"] for row in response.data["results"]]


def test_filters(api: Api, world: World) -> None:
    client = api("province_staff")
    assert names(client.get(MEMBERS, {"org": "430102"})) == ["张伟", "李娜"]
    assert names(client.get(MEMBERS, {"org": "430103001001"})) == ["王芳"]
    assert names(client.get(MEMBERS, {"org": "unknown"})) == []
    assert names(client.get(MEMBERS, {"gender": "female"})) == ["李娜", "王芳"]
    assert names(client.get(MEMBERS, {"q": "张"})) == ["张伟"]
    assert names(client.get(MEMBERS, {"join_year": 2015})) == ["李娜"]
    assert names(client.get(MEMBERS, {"sector": "community", "category": "full", "status": "active"})) == [
        "张伟",
        "李娜",
        "王芳",
    ]
    assert client.get(MEMBERS, {"join_year": "abc"}).status_code == 400
    assert client.get(MEMBERS, {"age_band": "200+"}).status_code == 400
    # county_staff filtering on the whole province still sees only their county.
    assert names(api("county_staff").get(MEMBERS, {"org": "430000"})) == ["张伟", "李娜"]


def test_age_band_edges(api: Api, world: World) -> None:
    """Bands count the age reached this year (whole calendar years): a birthday later this
    year already counts, and nothing depends on the day of the year (see filters.age_band_q)."""
    year = timezone.localdate().year
    births = {
        "今年三十六（年初）": date(year - 36, 1, 1),
        "今年三十六（年末）": date(year - 36, 12, 31),
        "今年三十五（年末）": date(year - 35, 12, 31),
        "今年四十六（年初）": date(year - 46, 1, 1),
        "今年四十五（年末）": date(year - 45, 12, 31),
    }
    for name, birth in births.items():
        make_member(
            world.branch2,
            name,
            birth=birth,
            join_date=date(year - 10, 7, 1),
            full_date=date(year - 9, 7, 1),
        )
    client = api("county_staff")
    by_band = {
        band: set(names(client.get(MEMBERS, {"age_band": band, "org": "430102001002"})))
        for band in ("18-35", "36-45", "46-60")
    }
    assert by_band == {
        "18-35": {"今年三十五（年末）"},
        "36-45": {"今年三十六（年初）", "今年三十六（年末）", "今年四十五（年末）"},
        "46-60": {"今年四十六（年初）"},
    }


def test_list_query_budget(api: Api, world: World, django_assert_max_num_queries: Any) -> None:
    for i in range(12):  # distinct birth dates: the same date gives only 500 possible ID numbers
        make_member(world.branch2, f"党员{i}", birth=date(1970 + i, 5, 4))
    client = api("province_staff")
    with django_assert_max_num_queries(6):
        response = client.get(MEMBERS, {"page_size": 10, "org": "430102"})
    assert response.status_code == 200 and len(response.data["results"]) == 10
    with django_assert_max_num_queries(6):
        assert len(client.get(response.data["next"]).data["results"]) == 4
