import base64
import io
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from dangjian.core.models import AuditEntry
from dangjian.core.scoping import SYSTEM
from dangjian.discussion.tests.helpers import png
from dangjian.feed import queries, services
from dangjian.feed.models import FeedItem, FeedKind, FeedPhoto
from dangjian.notices.models import Notice, NoticeState
from dangjian.orglife.models import MeetingKind
from dangjian.testing.world import World, make_member

from .helpers import closed_meeting, item_of, sent_notice

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _many(world: World, n: int) -> None:
    now = timezone.now()
    notice_type = ContentType.objects.get_for_model(Notice)
    FeedItem.objects.bulk_create(
        FeedItem(
            organization=world.branch,
            kind=FeedKind.NOTICE,
            occurred_at=now - timedelta(hours=i // 2),  # pairs share a time: the id breaks the tie
            title=f"动态{i}",
            source_type=notice_type,
            source_id=10_000 + i,
        )
        for i in range(n)
    )


def test_completed_records_write_items_and_a_withdrawal_hides_one(world: World) -> None:
    meeting = closed_meeting(world.branch, "学习党章")
    theme = closed_meeting(world.branch, "主题党日", kind=MeetingKind.THEME_DAY)
    item = item_of(meeting)
    assert (item.kind, item.title, item.organization_id) == (FeedKind.MEETING, "学习党章", world.branch.pk)
    assert (item.part, item.whole, item.share_pct) == (1, 2, 50)
    assert item_of(theme).kind == FeedKind.THEME_DAY
    newcomer = make_member(
        world.branch,
        "新党员",
        category="probationary",
        join_date=timezone.localdate() - timedelta(days=3),
        full_date=None,
    )
    assert item_of(newcomer).kind == FeedKind.MEMBER_JOINED and "新党员" in item_of(newcomer).title
    notice = sent_notice(world.branch, "通知一")
    notice.state = NoticeState.WITHDRAWN
    notice.save()
    assert item_of(notice).hidden
    # Idempotent: the backfill finds the same records and doubles nothing.
    before = FeedItem.objects.count()
    services.backfill()
    assert FeedItem.objects.count() == before


def test_backfill_writes_items_for_records_saved_without_signals(world: World) -> None:
    notice = sent_notice(world.branch, "旧通知")
    FeedItem.objects.all().delete()
    services.backfill()
    assert item_of(notice).title == "旧通知"


def test_feed_scoping_own_branch_cascade_and_outsider(world: World) -> None:
    own = sent_notice(world.branch, "本支部通知")
    down = sent_notice(world.county, "区委下发", cascade=True)
    county_only = sent_notice(world.county, "区委内部")
    sibling = sent_notice(world.branch2, "第二支部")
    titles = {i.title for i in queries.page(world.branch).items}
    assert {own.title, down.title} <= titles and not {county_only.title, sibling.title} & titles
    member = APIClient()
    member.force_authenticate(world.member_user)
    body = member.get("/api/v1/feed/").json()
    assert {own.title, down.title} <= {r["title"] for r in body["results"]}
    assert member.get(f"/api/v1/feed/?organization={world.branch2.pk}").status_code == 404
    assert member.get(f"/api/v1/feed/?organization={world.county.pk}").status_code == 404
    outsider = APIClient()
    outsider.force_authenticate(world.outsider)
    response = outsider.get(f"/api/v1/feed/?organization={world.branch.pk}")
    assert response.status_code == 404 and "本支部通知" not in response.content.decode()
    assert _client(world.outsider).get(f"/orgs/{world.branch.pk}/feed/").status_code == 404
    assert _client(world.county_staff).get(f"/orgs/{world.branch.pk}/feed/").status_code == 200
    # The cascaded notice's album opens for the branch member; the sibling's item does not.
    assert _client(world.member_user).get(f"/feed/{item_of(down).pk}/album/").status_code == 200
    assert _client(world.member_user).get(f"/feed/{item_of(sibling).pk}/album/").status_code == 404
    assert _client(world.member_user).get(f"/feed/{item_of(county_only).pk}/album/").status_code == 404


def test_keyset_pages_newest_first_without_gaps_or_repeats(world: World) -> None:
    FeedItem.objects.all().delete()
    _many(world, 45)
    api = APIClient()
    api.force_authenticate(world.member_user)
    seen: list[int] = []
    cursor = ""
    while True:
        body = api.get(f"/api/v1/feed/?organization={world.branch.pk}&page_size=10&before={cursor}").json()
        seen += [r["id"] for r in body["results"]]
        cursor = body["next"]
        if not cursor:
            break
    expected = list(FeedItem.objects.order_by("-occurred_at", "-id").values_list("pk", flat=True))
    assert seen == expected and len(seen) == 45
    huge = base64.urlsafe_b64encode(b"1." + b"9" * 30).decode()
    for cursor in ("nonsense!", huge, "x" * 500):
        bad = api.get(f"/api/v1/feed/?organization={world.branch.pk}&before={cursor}")
        assert bad.status_code == 400 and "before" in bad.json(), cursor
    for query in ("organization=²", f"organization={'9' * 40}"):
        assert api.get(f"/api/v1/feed/?{query}").status_code == 404
    assert api.get(f"/api/v1/feed/?organization={world.branch.pk}&page_size=x").status_code == 400
    assert _client(world.member_user).get(f"/orgs/{world.branch.pk}/feed/?before={huge}").status_code == 400


def test_query_count_does_not_grow_with_items(world: World) -> None:
    client = _client(world.member_user)
    _many(world, 3)
    client.get("/my/branch/")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/my/branch/").status_code == 200
    _many_more = 40
    FeedItem.objects.all().delete()
    _many(world, _many_more)
    for item in FeedItem.objects.all()[:5]:
        services.add_photos(item, [png()], acting_user=world.secretary)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/my/branch/")
    assert response.status_code == 200 and "feed-more" in response.content.decode()
    assert len(many) <= len(few) + 1, [q["sql"] for q in many.captured_queries]
    api = APIClient()
    api.force_authenticate(world.member_user)
    with CaptureQueriesContext(connection) as api_queries:
        api.get(f"/api/v1/feed/?organization={world.branch.pk}&page_size=50")
    assert len(api_queries) <= 6


def test_photos_lose_their_location_and_are_served_only_in_scope(world: World) -> None:
    item = item_of(closed_meeting(world.branch, "学习"))
    upload = png((1600, 1200), gps=True, name="现场.png")
    assert Image.open(io.BytesIO(upload.read())).getexif().get_ifd(0x8825)
    upload.seek(0)
    response = _client(world.secretary).post(f"/feed/{item.pk}/album/", {"photos": [upload]})
    assert response.status_code == 302
    photo = FeedPhoto.objects.get(item=item)
    with default_storage.open(photo.file, "rb") as f:
        data = f.read()
    assert not Image.open(io.BytesIO(data)).getexif() and b"PhoneMaker" not in data
    with default_storage.open(photo.thumbnail, "rb") as f:
        assert max(Image.open(f).size) == services.THUMB_SIDE
    assert _client(world.member_user).get(f"/feed-photos/{photo.pk}/thumb/").status_code == 200
    assert _client(world.outsider).get(f"/feed-photos/{photo.pk}/").status_code == 404
    assert AuditEntry.objects.filter(action="feed.photo.add", success=True).exists()
    # A member reads the album, with the way to the meeting's record, but cannot add to it.
    album = _client(world.member_user).get(f"/feed/{item.pk}/album/").content.decode()
    assert f'href="/meetings/{item.source_id}/"' in album and 'id="album-form"' not in album
    assert _client(world.member_user).post(f"/feed/{item.pk}/album/", {"photos": [png()]}).status_code == 404
    assert FeedPhoto.objects.count() == 1


def test_a_file_that_is_not_an_image_is_refused_and_nothing_stored(world: World, tmp_path: Any) -> None:
    item = item_of(closed_meeting(world.branch, "学习"))
    fake = SimpleUploadedFile("照片.png", b"\x89PNG\r\n\x1a\n" + b"not really" * 10)
    response = _client(world.secretary).post(f"/feed/{item.pk}/album/", {"photos": [png(), fake]})
    assert response.status_code == 400
    assert "照片.png" in response.content.decode()
    assert not FeedPhoto.objects.exists()
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]
    assert AuditEntry.objects.filter(action="feed.photo.add", success=False).exists()
    with pytest.raises(ValidationError):
        services.add_photos(item, [SimpleUploadedFile("a.jpg", b"MZ" + bytes(100))], acting_user=SYSTEM)
    assert not FeedPhoto.objects.exists()


def test_a_photo_is_removed_with_its_files(world: World, tmp_path: Any) -> None:
    item = item_of(closed_meeting(world.branch, "学习"))
    (photo,) = services.add_photos(item, [png()], acting_user=world.secretary)
    assert _client(world.member_user).post(f"/feed-photos/{photo.pk}/remove/").status_code == 404
    assert _client(world.secretary).post(f"/feed-photos/{photo.pk}/remove/").status_code == 302
    assert not FeedPhoto.objects.exists()


def test_the_demo_branch_year_shows_in_its_feed(world: World) -> None:
    from dangjian.demo.activity import create_demo_activity
    from dangjian.orglife.models import Meeting, MeetingStatus

    create_demo_activity(world.branch, today=timezone.localdate())
    closed = Meeting.objects.filter(organization=world.branch, status=MeetingStatus.CLOSED)
    kinds = {i.kind for i in queries.page(world.branch, size=100).items}
    assert FeedItem.objects.filter(organization=world.branch, kind__in=["meeting", "theme_day"]).count() == (
        closed.count()
    )
    assert {FeedKind.MEETING, FeedKind.THEME_DAY} <= kinds


def test_a_transfer_in_and_a_closed_poll_reach_the_receiving_branch_feed(world: World) -> None:
    from dangjian.polls.services import close_poll
    from dangjian.polls.tests.helpers import open_poll_in
    from dangjian.transfers.services.transfers import accept_transfer, start_transfer

    transfer = start_transfer(world.member2, to_org=world.branch2, reason="工作调动", acting_user=SYSTEM)
    assert not FeedItem.objects.filter(kind=FeedKind.TRANSFER_IN).exists()  # sent, not yet received
    accept_transfer(transfer, acting_user=SYSTEM)
    item = item_of(transfer)
    assert (item.kind, item.organization_id) == (FeedKind.TRANSFER_IN, world.branch2.pk)
    assert world.member2.name in item.title
    poll = close_poll(open_poll_in(world.branch), acting_user=SYSTEM)
    closed = item_of(poll)
    assert (closed.kind, closed.part, closed.whole) == (FeedKind.POLL_CLOSED, 0, poll.eligible_count)


def test_a_member_reads_their_branch_feed_only_while_on_its_roll(world: World) -> None:
    """An account linked to a member and holding no role reads the member's branch feed; once the
    member has left the roll, the branch's activity (names of new members among it) is closed."""
    from dangjian.accounts.models import User
    from dangjian.members.models import MemberStatus

    sent_notice(world.branch, "本支部通知")
    account = User.objects.create_user("linked_only", password="x", member=world.member2)
    client = APIClient()
    client.force_authenticate(account)
    url = f"/api/v1/feed/?organization={world.branch.pk}"
    assert "本支部通知" in client.get(url).content.decode()
    world.member2.status = MemberStatus.LEFT
    world.member2.save(update_fields=["status"])
    account = User.objects.get(pk=account.pk)  # a new request loads the member afresh
    client.force_authenticate(account)
    assert client.get(url).status_code == 404
