"""How to pay dues: set by a branch (or a committee, inherited below), shown on 我的党费 with the
amount; the QR image checked by content and served only in scope; bad input changes nothing."""

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from dangjian.core.models import AuditEntry
from dangjian.core.scoping import SYSTEM
from dangjian.dues.instructions import effective_instructions, set_instructions
from dangjian.dues.models import PaymentInstructions
from dangjian.testing.world import World

from .images import jpeg, jpeg_header, png

TRANSFER = {
    "transfer": True,
    "account_name": "中共坡子街党支部",
    "bank": "农业银行祁阳支行",
    "account_number": "6228 4801 2345 6789",
}


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _client(user: object, lang: str = "zh-hans") -> Client:
    client = Client()
    client.cookies["django_language"] = lang
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _qr(name: str = "二维码.png", content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png() if content is None else content, content_type="image/png")


def test_secretary_sets_and_member_sees_with_amount(world: World, media: Path) -> None:
    from decimal import Decimal

    from dangjian.dues.months import this_month
    from dangjian.dues.services import set_profile

    set_profile(
        world.member, "salaried", base=Decimal("8000"), effective_from=this_month(), acting_user=SYSTEM
    )
    url = f"/orgs/{world.branch.pk}/dues/how-to-pay/"
    client = _client(world.secretary)
    assert client.get(url).status_code == 200
    data = {
        **TRANSFER,
        "cash": "on",
        "cash_contact": "组织委员李娜，每月5日前",
        "notes": "也可在主题党日现场交",
        "version": "0",
    }
    response = client.post(url, {**data, "qr": _qr()})
    assert response.status_code == 302
    row = PaymentInstructions.objects.get(organization=world.branch)
    assert row.version == 1 and row.qr_image.startswith("dues-qr/") and "二维码" not in row.qr_image
    stored = (media / row.qr_image).read_bytes()
    with Image.open(media / row.qr_image) as image:
        assert image.size == (4, 4)  # the uploaded picture, re-encoded
    assert AuditEntry.objects.filter(action="dues_instructions.set", success=True).count() == 1

    body = _client(world.member_user).get("/my/dues/").content.decode()
    section = body[body.index('id="how-to-pay"') :]
    assert "¥120.00" in body
    assert "户名：中共坡子街党支部" in section and "账号：6228 4801 2345 6789" in section
    assert "组织委员李娜" in section and "也可在主题党日现场交" in section
    assert f'src="/orgs/{world.branch.pk}/dues/how-to-pay/qr/"' in section
    image = _client(world.member_user).get(f"/orgs/{world.branch.pk}/dues/how-to-pay/qr/")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert image["X-Content-Type-Options"] == "nosniff" and b"".join(image.streaming_content) == stored


def test_no_instructions_says_whom_to_ask(world: World) -> None:
    body = _client(world.member_user).get("/my/dues/").content.decode()
    assert 'id="how-none"' in body and "支部尚未设置交纳方式" in body


def test_branch_inherits_the_committee_and_its_own_replaces_it(world: World) -> None:
    set_instructions(
        world.county, {**TRANSFER, "account_name": "县委组织部党费专户"}, acting_user=SYSTEM, qr=_qr()
    )
    effective = effective_instructions(world.branch)
    assert effective is not None and effective.inherited and effective.source == world.county
    body = _client(world.member_user).get("/my/dues/").content.decode()
    assert "县委组织部党费专户" in body and world.county.name in body
    # The member reads the inherited QR through their own branch, without any right on the county.
    assert _client(world.member_user).get(f"/orgs/{world.branch.pk}/dues/how-to-pay/qr/").status_code == 200
    assert _client(world.member_user).get(f"/orgs/{world.county.pk}/dues/how-to-pay/qr/").status_code == 404
    form = _client(world.secretary).get(f"/orgs/{world.branch.pk}/dues/how-to-pay/").content.decode()
    assert 'id="inherited"' in form

    set_instructions(world.branch, {"cash": True, "cash_contact": "组织委员"}, acting_user=world.secretary)
    effective = effective_instructions(world.branch)
    assert effective is not None and not effective.inherited
    body = _client(world.member_user).get("/my/dues/").content.decode()
    assert "县委组织部党费专户" not in body and 'id="how-qr"' not in body
    assert _client(world.member_user).get(f"/orgs/{world.branch.pk}/dues/how-to-pay/qr/").status_code == 404


def test_who_may_edit_and_see(world: World) -> None:
    set_instructions(world.branch, {**TRANSFER}, acting_user=SYSTEM, qr=_qr())
    edit = f"/orgs/{world.branch.pk}/dues/how-to-pay/"
    qr = f"/orgs/{world.branch.pk}/dues/how-to-pay/qr/"
    for name, edit_status, qr_status in [
        ("secretary", 200, 200),
        ("county_staff", 200, 200),
        ("member_user", 404, 200),
        ("outsider", 404, 404),
        ("auditor", 404, 404),
    ]:
        client = _client(getattr(world, name))
        assert client.get(edit).status_code == edit_status, name
        assert client.get(qr).status_code == qr_status, name
    # A member of another branch does not get this branch's QR.
    from dangjian.testing.world import make_user

    other = make_user("member_b", "member", world.branch_b, member=world.member_b)
    assert _client(other).get(qr).status_code == 404
    assert Client().get(qr).status_code == 302  # signed out: to the login page


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"transfer": True, "account_name": "支部", "bank": "农行"}, "account_number"),
        ({**TRANSFER, "account_number": "62-28"}, "account_number"),
        ({"cash": False, "notes": "  "}, "cash"),
        ({"cash": True, "cash_contact": "长" * 101}, "cash_contact"),
    ],
)
def test_bad_input_changes_nothing(world: World, data: dict[str, Any], field: str) -> None:
    set_instructions(world.branch, {"cash": True, "cash_contact": "原来的"}, acting_user=SYSTEM)
    with pytest.raises(ValidationError) as caught:
        set_instructions(world.branch, data, acting_user=world.secretary)
    assert field in caught.value.message_dict
    row = PaymentInstructions.objects.get(organization=world.branch)
    assert row.cash_contact == "原来的" and row.version == 1
    assert AuditEntry.objects.filter(action="dues_instructions.set", success=False).count() == 1


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("qr.png", b"MZ\x90\x00" + bytes(100)),  # not an image
        ("qr.png", jpeg_header()),  # a JPEG named .png
        ("qr.png", b"\x89PNG\r\n\x1a\n" + bytes(64)),  # starts like a PNG, no header
        ("qr.png", png(width=5000)),  # far too large to be a QR code
        ("qr.pdf", b"%PDF-1.4\n" + bytes(64)),  # a document, not an image
        ("qr.png", png() + bytes(2 * 1024 * 1024)),  # over 2 MB
    ],
)
def test_bad_qr_is_refused_and_nothing_stored(world: World, media: Path, name: str, content: bytes) -> None:
    response = _client(world.secretary).post(
        f"/orgs/{world.branch.pk}/dues/how-to-pay/", {**TRANSFER, "qr": _qr(name, content)}
    )
    assert response.status_code == 400
    assert 'class="invalid-feedback d-block"' in response.content.decode()
    assert not PaymentInstructions.objects.exists()
    assert not any(media.rglob("*.*"))


def test_jpeg_accepted_and_replacing_deletes_the_old_file(world: World, media: Path) -> None:
    first = set_instructions(
        world.branch, TRANSFER, acting_user=SYSTEM, qr=SimpleUploadedFile("qr.jpg", jpeg())
    )
    old = media / first.qr_image
    assert old.exists() and first.qr_type == "image/png"  # stored re-encoded
    from django.db import transaction

    with transaction.atomic():
        row = set_instructions(world.branch, TRANSFER, acting_user=SYSTEM, qr=_qr(), expected_version=1)
    assert row.qr_type == "image/png" and (media / row.qr_image).exists()
    row = set_instructions(world.branch, TRANSFER, acting_user=SYSTEM, remove_qr=True, expected_version=2)
    assert row.qr_image == ""


def test_only_the_pixels_of_the_qr_image_are_kept(world: World, media: Path) -> None:
    """Decoded and written anew: a comment, and a file appended after the image, do not reach the
    members' phones."""
    hidden = b"PK\x03\x04" + b"a zip appended after the image" + bytes(64)
    upload = SimpleUploadedFile("qr.jpg", jpeg(comment=b"GPS 28.2N 112.9E") + hidden)
    row = set_instructions(world.branch, TRANSFER, acting_user=SYSTEM, qr=upload)
    stored = (media / row.qr_image).read_bytes()
    assert stored.startswith(b"\x89PNG") and b"GPS" not in stored and b"zip appended" not in stored
    with Image.open(media / row.qr_image) as image:
        assert image.size == (16, 16)


def test_stale_edit_is_409_and_changes_nothing(world: World) -> None:
    set_instructions(world.branch, {"cash": True, "cash_contact": "甲"}, acting_user=SYSTEM)
    set_instructions(
        world.branch, {"cash": True, "cash_contact": "乙"}, acting_user=SYSTEM, expected_version=1
    )
    response = _client(world.secretary).post(
        f"/orgs/{world.branch.pk}/dues/how-to-pay/", {"cash": "on", "cash_contact": "丙", "version": "1"}
    )
    assert response.status_code == 409
    assert PaymentInstructions.objects.get(organization=world.branch).cash_contact == "乙"


def test_api_read_inherit_write_and_stale(world: World) -> None:
    from rest_framework.test import APIClient

    set_instructions(world.county, TRANSFER, acting_user=SYSTEM)
    url = f"/api/v1/organizations/{world.branch.pk}/payment-instructions/"
    member = APIClient()
    member.force_authenticate(world.member_user)
    body = member.get(url).json()
    assert body["inherited"] is True and body["set_by"] == world.county.code and body["version"] == 0
    assert body["account_number"] == TRANSFER["account_number"] and body["qr_url"] is None
    assert member.put(url, {"cash": True}, format="json").status_code == 404

    secretary = APIClient()
    secretary.force_authenticate(world.secretary)
    response = secretary.put(url, {"cash": True, "cash_contact": "组织委员", "version": 0}, format="json")
    assert response.status_code == 200 and response.json()["inherited"] is False
    assert response.json()["version"] == 1
    stale = secretary.put(url, {"cash": True, "cash_contact": "又改", "version": 0}, format="json")
    assert stale.status_code == 409
    bad = secretary.put(url, {"transfer": True, "version": 1}, format="json")
    assert bad.status_code == 400 and "account_number" in bad.json()
    unknown = secretary.put(url, {"colour": "red"}, format="json")
    assert unknown.status_code == 400
    with_qr = secretary.put(url, {"qr": _qr(), "version": "1"}, format="multipart")
    assert with_qr.status_code == 200 and with_qr.json()["qr_url"]
    outsider = APIClient()
    outsider.force_authenticate(world.outsider)
    assert outsider.get(url).status_code == 404
