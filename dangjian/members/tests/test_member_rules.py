import random
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from dangjian.core.exceptions import OutOfScope
from dangjian.core.idnumber import generate_id_number
from dangjian.core.models import AuditEntry
from dangjian.members.models import Member
from dangjian.members.services import create_member, reveal_member_field, update_member
from dangjian.testing.world import World

rng = random.Random(7)


def data(**overrides: object) -> dict:
    birth = date(1985, 6, 1)
    base = {
        "name": "赵敏",
        "id_number": generate_id_number(rng, birth, "female"),
        "phone": "13912345678",
        "category": "full",
        "join_date": date(2010, 7, 1),
        "full_date": date(2011, 7, 1),
    }
    return base | overrides


def refused(world: World, field: str, **overrides: object) -> None:
    count, audits = Member.objects.count(), AuditEntry.objects.filter(success=False).count()
    with pytest.raises(ValidationError) as exc:
        create_member(world.branch, data(**overrides), acting_user=world.secretary)
    assert field in exc.value.message_dict, exc.value.message_dict
    assert Member.objects.count() == count
    assert AuditEntry.objects.filter(success=False).count() == audits + 1


def test_create_derives_birth_and_gender_and_encrypts(world: World) -> None:
    member = create_member(world.branch, data(), acting_user=world.secretary)
    assert member.birth_date == date(1985, 6, 1) and member.gender == "female"
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM members_member WHERE id = %s", [member.pk])
        raw_id, raw_phone = cursor.fetchone()
    assert member.id_number not in raw_id and "13912345678" not in raw_phone
    assert Member.objects.get(pk=member.pk).id_number == member.id_number
    entry = AuditEntry.objects.get(action="member.create", object_id=str(member.pk))
    assert entry.changes["id_number"][1] == member.id_number_masked
    assert member.id_number not in str(entry.changes)


def test_bad_id_numbers(world: World) -> None:
    good = data()["id_number"]
    refused(world, "id_number", id_number=good[:-1] + ("0" if good[-1] != "0" else "1"))  # checksum
    refused(world, "id_number", id_number="12345")
    refused(world, "id_number", id_number=world.member.id_number)  # duplicate anywhere
    refused(world, "id_number", id_number=world.member_b.id_number.lower())  # other county too


def test_id_must_agree_with_entered_birth_and_gender(world: World) -> None:
    refused(world, "birth_date", birth_date=date(1985, 6, 2))
    refused(world, "gender", gender="male")


def test_date_rules(world: World) -> None:
    refused(world, "join_date", join_date=date(2002, 1, 1))  # before the 18th birthday
    refused(world, "full_date", full_date=date(2011, 6, 30))  # less than a year after joining
    refused(world, "full_date", category="probationary")  # probationary with a full date
    refused(world, "join_date", join_date=date(2099, 1, 1), full_date=None)
    refused(world, "phone", phone="12345")


def test_eighteenth_birthday_and_one_year_boundaries_are_allowed(world: World) -> None:
    member = create_member(
        world.branch,
        data(join_date=date(2003, 6, 1), full_date=date(2004, 6, 1)),
        acting_user=world.secretary,
    )
    assert member.pk


def test_outsider_cannot_add_or_edit(world: World) -> None:
    with pytest.raises(OutOfScope):
        create_member(world.branch, data(), acting_user=world.outsider)
    with pytest.raises(OutOfScope):
        update_member(world.member, {"name": "篡改"}, acting_user=world.outsider)
    assert Member.objects.get(pk=world.member.pk).name == "张伟"


def test_reveal_is_audited_and_needs_the_right(world: World) -> None:
    assert reveal_member_field(world.member, "phone", acting_user=world.secretary) == world.member.phone
    assert (
        AuditEntry.objects.filter(action="member.reveal", actor_name="secretary", detail="phone").count() == 1
    )
    for persona in ("member_user", "outsider", "sysadmin", "auditor"):
        with pytest.raises(OutOfScope):
            reveal_member_field(world.member, "id_number", acting_user=getattr(world, persona))


def test_update_keeps_encrypted_values_and_logs_masked_diff(world: World) -> None:
    update_member(world.member, {"phone": "13700001111"}, acting_user=world.secretary)
    member = Member.objects.get(pk=world.member.pk)
    assert member.phone == "13700001111" and member.version == 2
    entry = AuditEntry.objects.filter(action="member.update").latest("id")
    assert entry.changes["phone"][1] == "137****1111"
