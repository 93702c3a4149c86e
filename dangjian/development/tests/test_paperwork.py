"""The person's file (全程纪实) and the generated paperwork as PDFs: what they say, that the ID
number stays masked, that a paper waits for the step it rests on, that each download is audited,
and that nobody outside the branch's reach gets one."""

from io import BytesIO

import pytest
from django.test import Client

from dangjian.core.masking import mask_id_number
from dangjian.core.models import AuditEntry
from dangjian.development.models import Applicant
from dangjian.development.services import answer_objection, record_objection
from dangjian.testing.world import World

from .helpers import days_ago, facts, register, township_staff, up_to

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "en"  # the pages' English text (the PDFs are Chinese)
    return client


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    # Lines are joined: a long name may wrap at the end of a line.
    return "".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages).replace("\n", "")


def test_the_file_lists_every_step_with_its_facts_and_masks_the_id_number(world: World) -> None:
    a = register(world, name="钱文静")
    a = up_to(world, a, 12)
    record_objection(a, received_on=days_ago(438), text="群众反映情况需核实", acting_user=world.secretary)
    objection = a.objections.get()
    answer_objection(objection, answer="经核实不属实", answered_on=days_ago(436), acting_user=world.secretary)
    a = up_to(world, a, 18)
    page = client_for(world.secretary).get(f"/development/{a.pk}/").content.decode()
    assert f"/development/{a.pk}/file.pdf" in page

    response = client_for(world.secretary).get(f"/development/{a.pk}/file.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "钱文静" in text and world.branch.name in text
    assert a.id_number not in text and mask_id_number(a.id_number) in text
    for number in (2, 9, 13, 14, 15, 17):
        assert facts(world, number)["on"].isoformat() in text, number
    assert "王书记" in text  # who acted (the talks)
    assert "secretary" in text and "township_staff" in text  # who recorded
    assert world.member.name in text and world.member2.name in text  # contacts, introducers
    assert "政治审查合格" in text and "预审通过" in text  # conclusions
    assert "No.2026001" in text  # the application form's number
    assert days_ago(440).isoformat() in text and days_ago(430).isoformat() in text  # the notice
    assert "群众反映情况需核实" in text and "经核实不属实" in text
    assert "应到 2 人，实到 2 人，赞成 2 人" in text  # the vote's counts, in Chinese
    assert "发展党员全程纪实" in text and "第 13 步" in text
    entry = AuditEntry.objects.get(action="development.export")
    assert entry.detail == "file.pdf" and entry.org_path == world.branch.path


def test_the_file_lists_the_documents_of_each_step(world: World) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dangjian.development.services import record_step
    from dangjian.dues.tests.images import png

    a = register(world)
    record_step(
        a,
        2,
        {**facts(world, 2)},
        files=[SimpleUploadedFile("谈话记录.png", png(), content_type="image/png")],
        acting_user=world.secretary,
    )
    text = pdf_text(client_for(world.secretary).get(f"/development/{a.pk}/file.pdf").content)
    assert "谈话记录.png" in text


def test_outsiders_get_no_file_and_no_paper(world: World) -> None:
    a = up_to(world, register(world), 13)
    for user in (world.outsider, world.member_user, world.users["sysadmin"]):
        client = client_for(user)
        assert client.get(f"/development/{a.pk}/file.pdf").status_code == 404
        assert client.get(f"/development/{a.pk}/papers/notice.pdf").status_code == 404
    assert not AuditEntry.objects.filter(action="development.export").exists()


def test_the_public_notice_once_the_branch_committee_has_reviewed(world: World) -> None:
    a = up_to(world, register(world, name="孙立新"), 11)
    client = client_for(world.secretary)
    refused = client.get(f"/development/{a.pk}/papers/notice.pdf", follow=True)
    assert refused.redirect_chain[-1][0] == f"/development/{a.pk}/"
    assert "available once this step is recorded" in refused.content.decode()
    assert not AuditEntry.objects.filter(action="development.export").exists()

    a = up_to(world, a, 12)
    page = client.get(f"/development/{a.pk}/").content.decode()
    assert f"/development/{a.pk}/papers/notice.pdf" in page
    assert f"/development/{a.pk}/papers/prereview.pdf" not in page
    response = client.get(f"/development/{a.pk}/papers/notice.pdf")
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "孙立新" in text and "公示" in text
    assert f"{a.birth_date:%Y-%m}" in text and a.ethnicity in text
    assert world.member.name in text and world.member2.name in text  # the introducers
    assert world.branch.name in text and world.township.name in text  # where to raise objections
    assert a.activist_on.isoformat() in text and a.candidate_on.isoformat() in text
    assert a.id_number not in text

    # Once step 13 is recorded the notice states the recorded period.
    a = up_to(world, a, 13)
    text = pdf_text(client.get(f"/development/{a.pk}/papers/notice.pdf").content)
    assert days_ago(440).isoformat() in text and days_ago(430).isoformat() in text
    assert AuditEntry.objects.filter(action="development.export", detail="notice.pdf").count() == 2


def test_the_pre_review_result_notice(world: World) -> None:
    a = up_to(world, register(world, name="周一鸣"), 12)
    client = client_for(township_staff(world))
    assert client.get(f"/development/{a.pk}/papers/prereview.pdf").status_code == 302
    a = up_to(world, a, 13)
    response = client.get(f"/development/{a.pk}/papers/prereview.pdf")
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "周一鸣" in text and "预审通过" in text and world.township.name in text
    assert days_ago(420).isoformat() in text  # the pre-review's date


@pytest.mark.parametrize(("number", "after"), [(4, 3), (8, 7), (18, 17)])
def test_the_filing_forms(world: World, number: int, after: int) -> None:
    a = up_to(world, register(world, name="吴海燕"), after - 1)
    client = client_for(world.secretary)
    assert client.get(f"/development/{a.pk}/papers/filing-{number}.pdf").status_code == 302
    a = up_to(world, a, after)
    response = client.get(f"/development/{a.pk}/papers/filing-{number}.pdf")
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "吴海燕" in text and "备案" in text and world.township.name in text
    assert facts(world, after)["on"].isoformat() in text
    assert a.id_number not in text
    if number == 18:
        assert "No.2026001" in text and world.member2.name in text
        assert Applicant.objects.get(pk=a.pk).voted_on.isoformat() in text


def test_an_unknown_paper_is_404(world: World) -> None:
    a = register(world)
    assert client_for(world.secretary).get(f"/development/{a.pk}/papers/other.pdf").status_code == 404
