"""The inbox and the navbar bell: own notifications only, reading by POST."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.notifications.models import Notification
from dangjian.notifications.services import notify
from dangjian.testing.world import World

from .conftest import client_for


def remind(user: object, key: str, title: str, url: str = "/my/meetings/") -> Notification:
    notify([user], kind="test", key=key, title=title, body="第一行\n第二行", url=url)
    return Notification.objects.get(user=user, key=key)  # type: ignore[misc]


def test_inbox_shows_only_own_unread_first(world: World) -> None:
    old = remind(world.member_user, "a", "已读的提醒")
    remind(world.member_user, "b", "未读的提醒")
    remind(world.secretary, "c", "别人的提醒")
    Notification.objects.filter(pk=old.pk).update(read_at=old.created_at)
    body = client_for(world.member_user).get("/notifications/").content.decode()
    unread, read = body.split('id="unread"')[1].split('id="read"')
    assert "未读的提醒" in unread and "已读的提醒" in read
    assert "别人的提醒" not in body
    assert "第一行<br>第二行" in unread


def test_bell_counts_unread(world: World) -> None:
    client = client_for(world.member_user)
    assert 'id="bell-count"' not in client.get("/").content.decode()
    remind(world.member_user, "a", "提醒一")
    remind(world.member_user, "b", "提醒二")
    remind(world.secretary, "c", "别人的")
    body = client.get("/").content.decode()
    assert 'id="bell"' in body and 'id="bell-count">2<' in body
    Notification.objects.bulk_create(
        Notification(user=world.member_user, kind="t", key=f"k{i}", title="x") for i in range(120)
    )
    assert 'id="bell-count">99+<' in client.get("/").content.decode()


def test_bell_costs_one_query(world: World) -> None:
    client = client_for(world.member_user)
    # Not the home, which lists the latest notices itself.
    client.get("/my/meetings/")
    with CaptureQueriesContext(connection) as ctx:
        client.get("/my/meetings/")
    notification_queries = [q for q in ctx.captured_queries if "notifications_notification" in q["sql"]]
    assert len(notification_queries) == 1


def test_another_users_notification_is_404(world: World) -> None:
    theirs = remind(world.secretary, "c", "别人的提醒")
    client = client_for(world.member_user)
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    assert client.post(f"/notifications/{theirs.pk}/read/", {"open": "1"}).status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_mark_read_by_post_only(world: World) -> None:
    mine = remind(world.member_user, "a", "提醒")
    client = client_for(world.member_user)
    assert client.get(f"/notifications/{mine.pk}/read/").status_code == 405
    response = client.post(f"/notifications/{mine.pk}/read/")
    assert response.status_code == 302 and response["Location"] == "/notifications/"
    assert Notification.objects.get(pk=mine.pk).read_at is not None


def test_open_marks_read_and_follows_the_link(world: World) -> None:
    mine = remind(world.member_user, "a", "提醒", url="/my/meetings/#upcoming-7")
    response = client_for(world.member_user).post(f"/notifications/{mine.pk}/read/", {"open": "1"})
    assert response.status_code == 302 and response["Location"] == "/my/meetings/#upcoming-7"
    assert Notification.objects.get(pk=mine.pk).read_at is not None


def test_mark_all_read(world: World) -> None:
    remind(world.member_user, "a", "提醒一")
    remind(world.member_user, "b", "提醒二")
    theirs = remind(world.secretary, "c", "别人的")
    client = client_for(world.member_user)
    assert 'id="read-all"' in client.get("/notifications/").content.decode()
    response = client.post("/notifications/read-all/")
    assert response.status_code == 302
    assert not Notification.objects.filter(user=world.member_user, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    body = client.get("/notifications/").content.decode()
    assert 'id="no-unread"' in body and 'id="read-all"' not in body


def test_anonymous_is_sent_to_login(world: World) -> None:
    from django.test import Client

    response = Client().get("/notifications/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
