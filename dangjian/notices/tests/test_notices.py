"""Notices: states, recipients, bad input, scope, read receipts, counts and reminders."""

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from dangjian.core.exceptions import OutOfScope
from dangjian.core.models import AuditEntry
from dangjian.core.scoping import SYSTEM
from dangjian.members.models import MemberStatus
from dangjian.notices import queries, services
from dangjian.notices.models import Notice, NoticeRead, NoticeState
from dangjian.notifications.models import Notification
from dangjian.testing.world import World, make_member, make_user

Api = Callable[[str], APIClient]
BODY = "<p>请全体党员<strong>按时</strong>参加学习。</p>"


def _notice(world: World, org: Any = None, *, send: bool = True, **data: Any) -> Notice:
    org = org or world.branch
    fields = {"title": "关于开展主题党日的通知", "body": BODY, **data}
    notice = services.create_notice(org, fields, acting_user=SYSTEM)
    return services.send_notice(notice, acting_user=SYSTEM) if send else notice


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# --- services: states and bad input ---------------------------------------------------------------


def test_draft_send_edit_withdraw(world: World) -> None:
    notice = _notice(world, send=False)
    assert notice.state == NoticeState.DRAFT
    assert not queries.received_by(world.member).filter(pk=notice.pk).exists()  # a draft is unseen
    notice = services.send_notice(notice, acting_user=world.secretary)
    assert notice.state == NoticeState.SENT and notice.sent_at
    with pytest.raises(ValidationError):
        services.send_notice(notice, acting_user=world.secretary)
    notice = services.update_notice(notice, {"body": "<p>改为周六上午。</p>"}, acting_user=world.secretary)
    assert notice.edited_at is not None
    [revision] = notice.revisions.all()
    assert "按时" in revision.body and "周六" in notice.body
    notice = services.withdraw_notice(notice, acting_user=world.secretary)
    assert notice.state == NoticeState.WITHDRAWN
    assert not queries.received_by(world.member).filter(pk=notice.pk).exists()
    with pytest.raises(ValidationError, match="withdrawn"):
        services.update_notice(notice, {"title": "再改"}, acting_user=world.secretary)
    assert Notice.objects.get(pk=notice.pk).title == "关于开展主题党日的通知"
    actions = set(AuditEntry.objects.filter(action__startswith="notice.").values_list("action", "success"))
    assert {("notice.send", True), ("notice.update", True), ("notice.withdraw", True)} <= actions
    assert ("notice.update", False) in actions  # the refused edit is on record


def test_bad_input_is_refused_and_nothing_stored(world: World) -> None:
    today = timezone.localdate()
    cases: list[tuple[dict[str, Any], str]] = [
        ({"title": "长" * 101, "body": BODY}, "title"),
        ({"title": "", "body": BODY}, "title"),
        ({"title": "t", "body": "<script>alert(1)</script>"}, "body"),
        ({"title": "t", "body": BODY, "must_read": True, "deadline": today - timedelta(days=1)}, "deadline"),
        ({"title": "t", "body": BODY, "deadline": today + timedelta(days=3)}, "deadline"),
        ({"title": "t", "body": BODY, "cascade": True}, "cascade"),  # a branch does not cascade
    ]
    for data, field in cases:
        with pytest.raises(ValidationError) as exc:
            services.create_notice(world.branch, data, acting_user=world.secretary)
        assert field in exc.value.message_dict, data
    assert not Notice.objects.exists()
    assert AuditEntry.objects.filter(action="notice.create", success=False).count() == len(cases)


def test_script_in_body_is_stripped(world: World) -> None:
    notice = _notice(world, body='<p onclick="x()">学习</p><script>alert(1)</script><img src=x onerror=y>')
    assert notice.body == "<p>学习</p>"
    assert "script" not in str(notice.body_html)


def test_outsider_cannot_write(world: World) -> None:
    with pytest.raises(OutOfScope):
        services.create_notice(world.branch, {"title": "t", "body": BODY}, acting_user=world.outsider)
    with pytest.raises(OutOfScope):
        services.create_notice(world.branch, {"title": "t", "body": BODY}, acting_user=world.member_user)
    notice = _notice(world)
    with pytest.raises(OutOfScope):
        services.withdraw_notice(notice, acting_user=world.outsider)
    assert Notice.objects.get(pk=notice.pk).state == NoticeState.SENT


def test_attachment_checked_by_content(world: World, media: Path) -> None:
    notice = _notice(world, send=False)
    fake = SimpleUploadedFile("通知.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError):
        services.add_attachment(notice, fake, acting_user=world.secretary)
    pdf = SimpleUploadedFile("通知.pdf", b"%PDF-1.4\n%...\n", content_type="application/pdf")
    row = services.add_attachment(notice, pdf, acting_user=world.secretary)
    services.send_notice(notice, acting_user=world.secretary)
    # A recipient downloads it; an outsider gets 404.
    member = make_user("reader", None, world.branch, member=world.member2)
    assert _client(member).get(f"/notice-attachments/{row.pk}/").status_code == 200
    assert _client(world.outsider).get(f"/notice-attachments/{row.pk}/").status_code == 404


# --- recipients and scope ---------------------------------------------------------------------------


def test_cascade_recipients(world: World) -> None:
    down = _notice(world, world.county, cascade=True)
    own = _notice(world, world.county, title="区委机关通知")
    assert queries.received_by(world.member).filter(pk=down.pk).exists()
    assert not queries.received_by(world.member).filter(pk=own.pk).exists()  # not cascaded
    assert not queries.received_by(world.member_b).filter(pk=down.pk).exists()  # other county
    assert set(queries.recipients(down)) == {world.member, world.member2}
    world.member2.status = MemberStatus.LOST_CONTACT
    world.member2.save()
    assert set(queries.recipients(down)) == {world.member}  # active members only
    probationary = make_member(world.branch2, "赵敏", category="probationary", full_date=None)
    assert probationary in set(queries.recipients(down))


def test_member_pages_scope(world: World) -> None:
    mine = _notice(world)
    down = _notice(world, world.county, cascade=True, title="区委通知")
    other = _notice(world, world.branch_b, title="坡子街通知")
    member = _client(world.member_user)
    assert member.get(f"/my/notices/{mine.pk}/").status_code == 200
    assert member.get(f"/my/notices/{down.pk}/").status_code == 200  # cascaded from above
    assert member.get(f"/my/notices/{other.pk}/").status_code == 404  # another branch's
    branch_page = member.get("/my/branch/").content.decode()
    assert "区委通知" in branch_page and "关于开展主题党日的通知" in branch_page
    assert "坡子街通知" not in branch_page
    # The sender's pages: outsiders and plain members get 404.
    for path in (f"/orgs/{world.branch.pk}/notices/", f"/orgs/{world.branch.pk}/notices/{mine.pk}/"):
        assert _client(world.outsider).get(path).status_code == 404
        assert member.get(path).status_code == 404
        assert _client(world.secretary).get(path).status_code == 200
    # A branch below a cascading committee sees the notice with its own members' reads.
    assert _client(world.secretary).get(f"/orgs/{world.branch.pk}/notices/{down.pk}/").status_code == 200
    # …but cannot send or withdraw it.
    response = _client(world.secretary).post(f"/orgs/{world.branch.pk}/notices/{down.pk}/withdraw/")
    assert response.status_code == 404
    assert Notice.objects.get(pk=down.pk).state == NoticeState.SENT


def test_sender_pages_write(world: World) -> None:
    client = _client(world.secretary)
    base = f"/orgs/{world.branch.pk}/notices/"
    response = client.post(base + "new/", {"title": "长" * 101, "body": BODY})
    assert response.status_code == 400 and not Notice.objects.exists()
    response = client.post(base + "new/", {"title": "学习通知", "body": BODY, "must_read": "on"})
    notice = Notice.objects.get()
    assert response.status_code == 302 and notice.state == NoticeState.DRAFT and notice.must_read
    client.post(f"{base}{notice.pk}/send/", {"version": notice.version})
    notice.refresh_from_db()
    assert notice.state == NoticeState.SENT
    response = client.post(
        f"{base}{notice.pk}/edit/",
        {"title": "学习通知（更正）", "body": "<p>地点改为村部。</p>", "version": notice.version},
    )
    assert response.status_code == 302
    page = _client(world.member_user).get(f"/my/notices/{notice.pk}/").content.decode()
    assert "学习通知（更正）" in page and "地点改为村部" in page and "按时" in page  # earlier text kept


# --- reads, counts, reminders -----------------------------------------------------------------------


def test_opening_records_one_read(world: World) -> None:
    notice = _notice(world, must_read=True)
    client = _client(world.member_user)
    client.get(f"/my/notices/{notice.pk}/")
    client.get(f"/my/notices/{notice.pk}/")
    [read] = NoticeRead.objects.all()
    assert read.member == world.member and read.org_path == world.branch.path
    # The sender cannot make a read happen; a non-recipient's opening records nothing.
    assert services.mark_read(notice, world.member_b) is False
    assert NoticeRead.objects.count() == 1
    assert not AuditEntry.objects.filter(action__contains="read").exists()  # reads are not audited


def test_read_share_per_child_and_who_has_not_read(world: World) -> None:
    make_member(world.branch2, "赵敏")
    notice = _notice(world, world.county, cascade=True)
    services.mark_read(notice, world.member)
    total, rows = queries.share_by_child(notice, world.county)
    assert (total.recipients, total.reads) == (3, 1)
    [township] = rows
    assert township.organization == world.township and township.percent == 33
    total, rows = queries.share_by_child(notice, world.township)
    shares = {r.organization.name: (r.reads, r.recipients) for r in rows if r.organization}
    assert shares == {"第一党支部": (1, 2), "第二党支部": (0, 1)}
    people = dict((m.name, at is not None) for m, at in queries.members_with_state(notice, world.branch))
    assert people == {"张伟": True, "李娜": False}
    page = _client(world.county_staff).get(f"/orgs/{world.county.pk}/notices/{notice.pk}/").content.decode()
    assert f'href="/orgs/{world.township.pk}/notices/{notice.pk}/"' in page  # drill down
    page = _client(world.secretary).get(f"/orgs/{world.branch.pk}/notices/{notice.pk}/").content.decode()
    assert "李*" in page and "李娜" not in page  # masked


def test_remind_the_unread_once_a_day(world: World) -> None:
    notice = _notice(world)
    make_user("member2_user", None, world.branch, member=world.member2)
    services.mark_read(notice, world.member)
    assert services.remind_unread(notice, world.branch, acting_user=world.secretary) == 1
    assert services.remind_unread(notice, world.branch, acting_user=world.secretary) == 0
    [sent] = Notification.objects.filter(kind="notice")
    assert sent.user.member == world.member2 and sent.url == f"/my/notices/{notice.pk}/"
    assert AuditEntry.objects.filter(action="notice.remind", success=True).count() == 2
    with pytest.raises(OutOfScope):
        services.remind_unread(notice, world.branch, acting_user=world.outsider)


def test_home_shows_unread_must_read(world: World) -> None:
    notice = _notice(world, must_read=True, deadline=timezone.localdate() + timedelta(days=3))
    client = _client(world.member_user)
    assert "home-must-read" in client.get("/").content.decode()
    client.get(f"/my/notices/{notice.pk}/")
    assert "home-must-read" not in client.get("/").content.decode()


# --- query budgets ------------------------------------------------------------------------------


def _count(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_pages_queries_do_not_grow(world: World) -> None:
    notice = _notice(world, world.county, cascade=True)
    member, staff = _client(world.member_user), _client(world.county_staff)
    pages = [
        (member, "/my/branch/"),
        (staff, f"/orgs/{world.county.pk}/notices/"),
        (staff, f"/orgs/{world.county.pk}/notices/{notice.pk}/"),
        (staff, f"/orgs/{world.branch.pk}/notices/{notice.pk}/"),
    ]
    before = [_count(c, p) for c, p in pages]
    for i in range(5):
        extra = make_member(world.branch, f"新党员{i}", birth=date(1970 + i, 1, 2))
        services.mark_read(notice, extra)
        _notice(world, world.county, cascade=True, title=f"通知{i}", pinned=i % 2 == 0)
        _notice(world, title=f"支部通知{i}", must_read=True)
    assert [_count(c, p) for c, p in pages] == before


# --- API ------------------------------------------------------------------------------------------


def test_api(api: Api, world: World) -> None:
    url = "/api/v1/notices/"
    bad = api("secretary").post(url, {"organization": world.branch.code, "title": "长" * 101, "body": BODY})
    assert bad.status_code == 400 and "title" in bad.data
    response = api("secretary").post(
        url, {"organization": world.branch.code, "title": "学习通知", "body": BODY, "must_read": True}
    )
    assert response.status_code == 201, response.data
    pk = response.data["id"]
    assert api("member_user").get(f"{url}{pk}/").status_code == 404  # a draft
    assert api("secretary").post(f"{url}{pk}/send/").data["state"] == "sent"
    assert api("outsider").get(f"{url}{pk}/").status_code == 404
    assert api("outsider").post(f"{url}{pk}/withdraw/").status_code == 404
    assert [n["id"] for n in api("member_user").get(url).data["results"]] == [pk]
    assert api("member_user").post(f"{url}{pk}/read/").data == {"recorded": True}
    assert api("member_user").post(f"{url}{pk}/read/").data == {"recorded": False}
    stats = api("secretary").get(f"{url}{pk}/stats/").data
    assert (stats["recipients"], stats["reads"]) == (2, 1)
    assert api("outsider").get(f"{url}{pk}/stats/").status_code == 404
    patched = api("secretary").patch(f"{url}{pk}/", {"title": "学习通知（更正）"})
    assert patched.status_code == 200 and patched.data["edited_at"]
    assert api("member_user").patch(f"{url}{pk}/", {"title": "x"}).status_code == 404


# --- the rights matrix (docs/architecture.md) ------------------------------------------------------

MATRIX = {
    "member_user": False,
    "organizer": True,
    "secretary": True,
    "county_staff": True,
    "supervisor": False,
    "sysadmin": False,
    "secadmin": False,
    "auditor": False,
}


@pytest.mark.parametrize("persona", list(MATRIX))
def test_who_may_send(world: World, persona: str) -> None:
    from dangjian.testing.world import add_every_role

    add_every_role(world)
    user = world.users[persona]
    allowed = MATRIX[persona]
    response = _client(user).post(f"/orgs/{world.branch.pk}/notices/new/", {"title": "通知", "body": BODY})
    assert (response.status_code == 302) is allowed
    assert Notice.objects.exists() is allowed
    if not allowed:
        assert response.status_code == 404


SENDER_ROUTES = ["", "edit/", "send/", "withdraw/", "remind/", "attach/"]


@pytest.mark.parametrize("persona", ["outsider", "member_user", "secretary"])
def test_sender_routes_outside_the_reach_are_404(world: World, persona: str) -> None:
    """Every sender route, by GET and POST, for a notice of a branch outside the persona's reach —
    named with its own organization and with one inside the reach: 404, nothing changes."""
    outside, inside = (
        (world.branch, world.branch_b) if persona == "outsider" else (world.branch_b, world.branch)
    )
    other = _notice(world, outside, title="坡子街通知")
    client = _client(world.users[persona])
    for org in (outside, inside):
        for route in SENDER_ROUTES:
            path = f"/orgs/{org.pk}/notices/{other.pk}/{route}"
            assert client.get(path).status_code in (404, 405), path
            assert client.post(path, {"title": "改", "body": BODY}).status_code == 404, path
    other.refresh_from_db()
    assert (other.state, other.title, other.version) == (NoticeState.SENT, "坡子街通知", 2)
    assert not Notification.objects.filter(kind="notice").exists()
