"""API: own notifications only, unread filter, marking read."""

from collections.abc import Callable

from rest_framework.test import APIClient

from dangjian.notifications.models import Notification
from dangjian.notifications.services import notify
from dangjian.testing.world import World

Api = Callable[[str], APIClient]


def remind(user: object, key: str) -> Notification:
    notify([user], kind="test", key=key, title=f"提醒 {key}", url="/my/meetings/")
    return Notification.objects.get(user=user, key=key)  # type: ignore[misc]


def test_list_own_only_newest_first(api: Api, world: World) -> None:
    remind(world.member_user, "a")
    second = remind(world.member_user, "b")
    remind(world.secretary, "c")
    Notification.objects.filter(pk=second.pk).update(read_at=second.created_at)
    response = api("member_user").get("/api/v1/notifications/")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["title"] for r in results] == ["提醒 b", "提醒 a"]
    assert set(results[0]) == {"id", "kind", "title", "body", "url", "created_at", "read_at"}
    unread = api("member_user").get("/api/v1/notifications/?unread=true").json()["results"]
    assert [r["title"] for r in unread] == ["提醒 a"]
    read = api("member_user").get("/api/v1/notifications/?unread=false").json()["results"]
    assert [r["title"] for r in read] == ["提醒 b"]


def test_mark_one_read(api: Api, world: World) -> None:
    mine = remind(world.member_user, "a")
    response = api("member_user").post(f"/api/v1/notifications/{mine.pk}/read/")
    assert response.status_code == 200 and response.json()["read_at"] is not None
    assert Notification.objects.get(pk=mine.pk).read_at is not None


def test_another_users_notification_is_404(api: Api, world: World) -> None:
    theirs = remind(world.secretary, "c")
    # Even for staff whose grants cover the secretary's branch.
    for persona in ("member_user", "province_staff", "county_staff"):
        assert api(persona).post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_read_all(api: Api, world: World) -> None:
    remind(world.member_user, "a")
    remind(world.member_user, "b")
    theirs = remind(world.secretary, "c")
    response = api("member_user").post("/api/v1/notifications/read-all/")
    assert response.status_code == 200 and response.json() == {"marked": 2}
    assert api("member_user").post("/api/v1/notifications/read-all/").json() == {"marked": 0}
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_users_without_grants_have_an_inbox_too(api: Api, world: World) -> None:
    remind(world.secadmin, "a")  # the security administrator has no view/change scope
    response = api("secadmin").get("/api/v1/notifications/")
    assert response.status_code == 200 and len(response.json()["results"]) == 1
