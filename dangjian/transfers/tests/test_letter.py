"""The introduction letter: a real PDF, Chinese text readable, masked ID, audited download."""

from io import BytesIO

from django.test import Client
from pypdf import PdfReader

from dangjian.core.models import AuditEntry
from dangjian.testing.world import World
from dangjian.transfers import services

DESTINATION = "中共深圳市南山区粤海街道科技园党支部"


def text_of(body: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(BytesIO(body)).pages)


def test_out_of_platform_letter_names_the_destination(world: World) -> None:
    t = services.start_transfer(
        world.member, destination=DESTINATION, reason="赴外省工作", acting_user=world.secretary
    )
    client = Client()
    client.force_login(world.secretary)
    response = client.get(f"/transfers/{t.pk}/letter.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = text_of(response.content)
    assert DESTINATION in text
    assert "张伟" in text and "第一党支部" in text and t.letter_no in text
    assert "中国共产党党员组织关系介绍信" in text.replace(" ", "")
    assert world.member.id_number not in text and world.member.id_number_masked in text
    assert AuditEntry.objects.filter(
        action="transfer.export", actor_name="secretary", object_id=str(t.pk)
    ).exists()


def test_who_may_print_the_letter(world: World) -> None:
    t = services.start_transfer(
        world.member2, to_org=world.branch_b, reason="调动", acting_user=world.secretary
    )
    for user, status in (
        (world.outsider, 200),  # the receiving side
        (world.member_user, 404),  # another member of the branch: view only
        (world.auditor, 404),
    ):
        client = Client()
        client.force_login(user)
        assert client.get(f"/transfers/{t.pk}/letter.pdf").status_code == status, user


def test_member_prints_their_own_letter_once_sent(world: World) -> None:
    t = services.request_transfer(to_org=world.branch2, reason="搬家", acting_user=world.member_user)
    client = Client()
    client.force_login(world.member_user)
    assert client.get(f"/transfers/{t.pk}/letter.pdf").status_code == 404  # not issued yet
    services.approve_request(t, acting_user=world.secretary)
    assert client.get(f"/transfers/{t.pk}/letter.pdf").status_code == 200
