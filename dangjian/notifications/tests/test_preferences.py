"""Notification settings: the page on 我的 and the API, own data only, refused input stores nothing."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.utils import timezone
from rest_framework.test import APIClient

from dangjian.core.models import AuditEntry
from dangjian.notifications import delivery
from dangjian.notifications.models import Delivery, DeliveryProfile, Preference
from dangjian.notifications.services import notify
from dangjian.testing.world import World

from .conftest import client_for

Api = Callable[[str], APIClient]


def test_api_defaults(api: Api, world: World) -> None:
    data = api("member_user").get("/api/v1/notifications/preferences/").json()
    assert data["channels"]["meetings"] == {"email": True, "sms": True, "wecom": True}
    assert data["channels"]["compliance"]["sms"] is False
    assert (data["quiet_start"], data["quiet_end"]) == (22, 7)
    assert data["available_channels"] == ["sms", "wecom"]  # no mail server in tests


def test_api_change_is_stored_and_audited(api: Api, world: World) -> None:
    response = api("member_user").patch(
        "/api/v1/notifications/preferences/",
        {"channels": {"meetings": {"sms": False}, "mentions": {"sms": True}}, "quiet_start": 21},
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["channels"]["meetings"]["sms"] is False and data["channels"]["mentions"]["sms"] is True
    assert data["quiet_start"] == 21 and data["quiet_end"] == 7
    assert Preference.objects.filter(user=world.member_user).count() == 2
    entry = AuditEntry.objects.get(action="notification.preferences")
    assert entry.changes == {"meetings.sms": False, "mentions.sms": True, "quiet_start": 21}
    # Back to the default: the row goes, nothing is left to diverge later.
    api("member_user").patch("/api/v1/notifications/preferences/", {"channels": {"meetings": {"sms": True}}})
    assert Preference.objects.filter(user=world.member_user).count() == 1


def test_api_refuses_bad_input_and_stores_nothing(api: Api, world: World) -> None:
    client = api("member_user")
    for body in (
        {"channels": {"gossip": {"sms": True}}},
        {"quiet_start": 12},
        {"quiet_end": 11, "channels": {"meetings": {"sms": False}}},
    ):
        response = client.patch("/api/v1/notifications/preferences/", body)
        assert response.status_code == 400, body
    assert not Preference.objects.exists() and not DeliveryProfile.objects.exists()
    refused = AuditEntry.objects.filter(action="notification.preferences", success=False)
    assert refused.count() == 3


def test_api_delivery_log_is_own_only(api: Api, world: World) -> None:
    DeliveryProfile.objects.create(user=world.secretary, wecom_userid="mishu")
    notify([world.member_user], kind="meeting.day_before", key="m:1", title="开会")
    notify([world.secretary], kind="meeting.day_before", key="m:1", title="开会")
    now = timezone.make_aware(datetime(2026, 5, 4, 10))
    delivery.dispatch(list(world.member_user.notifications.values_list("id", flat=True)), now)
    delivery.dispatch(list(world.secretary.notifications.values_list("id", flat=True)), now)
    assert Delivery.objects.exclude(notification__user=world.member_user).exists()
    results = api("member_user").get("/api/v1/notifications/deliveries/").json()["results"]
    assert [(r["channel"], r["status"]) for r in results] == [("sms", "sent")]
    number = world.member_user.member.phone
    assert results[0]["recipient"] == number[:3] + "****" + number[-4:]
    assert api("member_user").get("/api/v1/notifications/deliveries/?status=failed").json()["results"] == []


def test_api_needs_sign_in(world: World) -> None:
    assert APIClient().get("/api/v1/notifications/preferences/").status_code in (401, 403)
    assert APIClient().get("/api/v1/notifications/deliveries/").status_code in (401, 403)


def test_page_from_my_and_saving(world: World) -> None:
    client = client_for(world.member_user)
    assert "/my/notifications/" in client.get("/my/").content.decode()
    page = client.get("/my/notifications/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="pref-meetings-sms" id="pref-meetings-sms" checked' in html
    assert 'name="pref-compliance-sms" id="pref-compliance-sms">' in html
    # Only what is ticked is on: compliance by SMS on, meetings by SMS off (untouched ones kept).
    post: dict[str, Any] = {
        f"pref-{c}-{ch}": "on" for c, row in delivery.DEFAULTS.items() for ch, on in row.items() if on
    }
    post.pop("pref-meetings-sms")
    post |= {"pref-compliance-sms": "on", "quiet_start": "23", "quiet_end": "6"}
    response = client.post("/my/notifications/", post)
    assert response.status_code == 302
    matrix = delivery.matrix(world.member_user)
    assert matrix["meetings"]["sms"] is False and matrix["compliance"]["sms"] is True
    assert matrix["notices"]["wecom"] is True
    assert delivery.quiet_hours(world.member_user) == (23, 6)


def test_page_refuses_hours_out_of_range(world: World) -> None:
    client = client_for(world.member_user)
    response = client.post("/my/notifications/", {"quiet_start": "15", "quiet_end": "7"})
    assert response.status_code == 400
    assert "Quiet hours start between 20:00 and 23:00." in response.content.decode()
    assert not Preference.objects.exists() and not DeliveryProfile.objects.exists()


def test_page_needs_sign_in(client: Any) -> None:
    assert client.get("/my/notifications/").status_code == 302


def test_wecom_accounts_from_the_console(world: World, tmp_path: Any) -> None:
    from django.core.management import CommandError, call_command

    good = tmp_path / "accounts.csv"
    good.write_text("member_user,zhangwei\nsecretary,mishu\n", encoding="utf-8")
    call_command("notifications", "wecom-accounts", str(good))
    assert DeliveryProfile.objects.get(user=world.member_user).wecom_userid == "zhangwei"
    assert AuditEntry.objects.filter(action="notification.wecom_accounts", success=True).exists()
    bad = tmp_path / "bad.csv"
    bad.write_text("member_user,other\nnobody,x\n", encoding="utf-8")
    try:
        call_command("notifications", "wecom-accounts", str(bad))
    except CommandError as exc:
        assert "nobody" in str(exc)
    else:
        raise AssertionError("an unknown user must refuse the file")
    assert DeliveryProfile.objects.get(user=world.member_user).wecom_userid == "zhangwei"  # nothing changed
