"""The delivery pipeline end to end: preferences route a notification to channels, the worker
sends through the real backends to a local server that speaks Aliyun SMS and WeCom (signature
and token checked), holds messages in quiet hours, keeps the daily limits, retries with a
back-off and reports what failed."""

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from dangjian.accounts.models import User
from dangjian.core.masking import mask_phone
from dangjian.notifications import channels, delivery
from dangjian.notifications.models import Delivery, DeliveryProfile, Notification
from dangjian.notifications.services import notify, set_preferences
from dangjian.testing.world import World

from . import providers
from .providers import Provider


def bj(hour: int, minute: int = 0, day: int = 4) -> datetime:
    """An aware moment on 2026-05-<day> at hour:minute Beijing time."""
    return timezone.make_aware(datetime(2026, 5, day, hour, minute))


@pytest.fixture
def provider(settings: Any) -> Iterator[Provider]:
    cache.clear()  # no WeCom token from an earlier test
    for provider in providers.serve():
        settings.NOTIFICATION_SMS_BACKEND = "aliyun"
        settings.NOTIFICATION_ALIYUN_SMS = {
            "endpoint": provider.url + "/",
            "access_key_id": providers.ACCESS_KEY_ID,
            "access_key_secret": providers.ACCESS_KEY_SECRET,
            "sign_name": "党建平台",
            "template_code": "SMS_154950909",
        }
        settings.NOTIFICATION_WECOM_BACKEND = "wecom"
        settings.NOTIFICATION_WECOM = {
            "api": provider.url,
            "corpid": providers.CORPID,
            "secret": providers.CORPSECRET,
            "agentid": str(providers.AGENTID),
        }
        settings.SITE_URL = "https://dj.example"
        yield provider


@pytest.fixture
def member(world: World) -> User:
    """The member, with a WeCom account."""
    DeliveryProfile.objects.create(user=world.member_user, wecom_userid="zhangwei")
    return world.member_user


def send(user: User, kind: str, key: str, now: datetime, **extra: Any) -> Notification:
    notify(
        [user],
        kind=kind,
        key=key,
        title="明天上午9点召开支部党员大会",
        body="地点：党员活动室",
        url="/my/meetings/",
        **extra,
    )
    notification = Notification.objects.get(user=user, key=key)
    delivery.dispatch([notification.pk], now)
    return notification


def log(notification: Notification) -> dict[str, Delivery]:
    return {d.channel: d for d in Delivery.objects.filter(notification=notification)}


# --- routing ----------------------------------------------------------------------------------


def test_default_routing_sms_only_for_meetings(world: World, member: User, provider: Provider) -> None:
    meeting = send(member, "meeting.day_before", "m:1", bj(10))
    assert {ch: d.status for ch, d in log(meeting).items()} == {"sms": "sent", "wecom": "sent"}
    compliance = send(member, "compliance.due", "c:1", bj(10))
    assert {ch: d.status for ch, d in log(compliance).items()} == {"wecom": "sent"}  # no SMS
    assert len(provider.sms) == 1 and len(provider.wecom) == 2


def test_preferences_route(world: World, member: User, provider: Provider, settings: Any) -> None:
    settings.NOTIFICATION_EMAIL = True
    member.email = "zhangwei@example.cn"
    member.save(update_fields=["email"])
    set_preferences(
        member,
        choices={"meetings": {"sms": False, "email": False}, "compliance": {"sms": True}},
        acting_user=member,
    )
    meeting = send(member, "meeting.day_before", "m:1", bj(10))
    assert set(log(meeting)) == {"wecom"}
    compliance = send(member, "compliance.due", "c:1", bj(10))
    assert set(log(compliance)) == {"sms", "wecom", "email"}
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["zhangwei@example.cn"]
    assert Notification.objects.get(pk=compliance.pk).emailed_at is not None


def test_no_delivery_where_the_user_cannot_be_reached(world: World, provider: Provider) -> None:
    # The secretary's account has no WeCom account and no email; the member record has a phone.
    n = send(world.secretary, "meeting.day_before", "m:1", bj(10))
    assert set(log(n)) == ({"sms"} if world.secretary.member_id else set())


def test_dispatch_twice_sends_once(world: World, member: User, provider: Provider) -> None:
    n = send(member, "meeting.day_before", "m:1", bj(10))
    delivery.dispatch([n.pk], bj(10, 1))
    assert len(provider.sms) == 1 and Delivery.objects.filter(notification=n).count() == 2


# --- SMS (Aliyun) -----------------------------------------------------------------------------


def test_sms_is_signed_and_the_number_never_stored(world: World, member: User, provider: Provider) -> None:
    n = send(member, "meeting.day_before", "m:1", bj(10))
    number = member.member.phone
    request = provider.sms[0]
    assert request["PhoneNumbers"] == number and request["SignName"] == "党建平台"
    assert request["TemplateCode"] == "SMS_154950909" and request["OutId"] == str(log(n)["sms"].pk)
    sms = log(n)["sms"]
    assert sms.recipient == mask_phone(number) and sms.provider_id == "9006197469364981^0"
    # Nowhere in the log, in any column.
    stored = Delivery.objects.filter(notification=n).values_list(
        "recipient", "last_error", "provider_id", named=False
    )
    assert not any(number in str(value) for row in stored for value in row)


def test_a_wrong_secret_is_refused_by_the_provider(
    world: World, member: User, provider: Provider, settings: Any
) -> None:
    settings.NOTIFICATION_ALIYUN_SMS = settings.NOTIFICATION_ALIYUN_SMS | {"access_key_secret": "wrong"}
    n = send(member, "meeting.day_before", "m:1", bj(10))
    sms = log(n)["sms"]
    assert sms.status == "failed" and sms.last_error.startswith("SignatureDoesNotMatch")
    assert provider.sms == []


def test_signature_matches_the_documented_example() -> None:
    # The worked example of Alibaba Cloud's RPC signature documentation (DescribeRegions).
    params = {
        "AccessKeyId": "testid",
        "Action": "DescribeRegions",
        "Format": "XML",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
        "SignatureVersion": "1.0",
        "Timestamp": "2016-02-23T12:46:24Z",
        "Version": "2014-05-26",
    }
    assert channels.aliyun_signature(params, "testsecret") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="
    # The same example in the Chinese documentation spells the parameter "TimeStamp".
    params["TimeStamp"] = params.pop("Timestamp")
    assert channels.aliyun_signature(params, "testsecret") == "CT9X0VtwR86fNWSnsc6v8YGOjuE="
    assert channels.percent_encode("a b*~") == "a%20b%2A~"


def test_sms_throttled_is_retried_with_back_off(world: World, member: User, provider: Provider) -> None:
    provider.throttle_sms = 2
    n = send(member, "meeting.day_before", "m:1", bj(10))
    sms = log(n)["sms"]
    assert (sms.status, sms.attempts, sms.due_at) == ("queued", 1, bj(10, 1))
    assert sms.last_error.startswith("isv.BUSINESS_LIMIT_CONTROL")
    assert delivery.send_due(bj(10, 0, 4) + timedelta(seconds=59)) == {}  # not due yet
    delivery.send_due(bj(10, 1))
    sms.refresh_from_db()
    assert (sms.status, sms.attempts, sms.due_at) == ("queued", 2, bj(10, 5))  # 4 minutes
    delivery.send_due(bj(10, 5))
    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == ("sent", 3) and len(provider.sms) == 1


def test_permanent_failure_is_reported_to_the_sender(world: World, member: User, provider: Provider) -> None:
    provider.wecom_users = set()  # the member left the WeCom directory
    n = send(member, "notice.must_read", "notice:1", bj(10), sender=world.secretary)
    wecom = log(n)["wecom"]
    assert wecom.status == "failed" and wecom.last_error.startswith("81013")
    report = Notification.objects.get(user=world.secretary, kind="delivery.failed")
    assert n.title in report.title and member.member.name in report.body
    assert not Delivery.objects.filter(notification=report).exists()  # the report stays in the inbox


def test_retries_end_in_failure_and_the_system_summary(
    world: World, member: User, provider: Provider, settings: Any
) -> None:
    settings.NOTIFICATION_MAX_ATTEMPTS = 2
    admin = User.objects.create_superuser("root", password="x" * 20)
    provider.throttle_sms = 5
    n = send(member, "meeting.day_before", "m:1", bj(10))
    delivery.send_due(bj(11))
    sms = log(n)["sms"]
    assert (sms.status, sms.attempts) == ("failed", 2)
    assert not Notification.objects.filter(kind="delivery.failed").exists()  # no sender: no report
    assert delivery.report_failures(bj(10).date()) == 1
    summary = Notification.objects.get(user=admin, kind="delivery.failures")
    assert summary.title.startswith("1 ") and "SMS: 1" in summary.body
    assert delivery.report_failures(bj(10).date() + timedelta(days=1)) == 0


# --- WeCom ------------------------------------------------------------------------------------


def test_wecom_token_is_cached_and_refreshed_when_expired(
    world: World, member: User, provider: Provider
) -> None:
    send(member, "compliance.due", "c:1", bj(10))
    send(member, "compliance.due", "c:2", bj(10))
    assert provider.token_count == 1  # one gettoken for both
    provider.expire_tokens()
    send(member, "compliance.due", "c:3", bj(10))
    assert provider.token_count == 2 and len(provider.wecom) == 3
    assert provider.requests[-3:] == ["/cgi-bin/message/send", "/cgi-bin/gettoken", "/cgi-bin/message/send"]
    card = provider.wecom[0]
    assert card["touser"] == "zhangwei" and card["agentid"] == providers.AGENTID
    assert card["msgtype"] == "textcard" and card["textcard"]["url"] == "https://dj.example/my/meetings/"


def test_wecom_text_without_a_site_address(
    world: World, member: User, provider: Provider, settings: Any
) -> None:
    settings.SITE_URL = ""
    send(member, "compliance.due", "c:1", bj(10))
    assert provider.wecom[0]["msgtype"] == "text"
    assert provider.wecom[0]["text"]["content"].startswith("明天上午9点召开支部党员大会")


def test_wecom_throttled_is_retried(world: World, member: User, provider: Provider) -> None:
    provider.throttle_wecom = 1
    n = send(member, "compliance.due", "c:1", bj(10))
    assert log(n)["wecom"].status == "queued" and log(n)["wecom"].last_error.startswith("45009")
    delivery.send_due(bj(10, 1))
    assert log(n)["wecom"].status == "sent" and log(n)["wecom"].provider_id == "msg1"


def test_wecom_wrong_secret_fails(world: World, member: User, provider: Provider, settings: Any) -> None:
    settings.NOTIFICATION_WECOM = settings.NOTIFICATION_WECOM | {"secret": "wrong"}
    n = send(member, "compliance.due", "c:1", bj(10))
    assert log(n)["wecom"].status == "failed" and "40001" in log(n)["wecom"].last_error


# --- quiet hours, urgency, limits --------------------------------------------------------------


def test_quiet_hours_defer_to_their_end(world: World, member: User, provider: Provider) -> None:
    n = send(member, "meeting.day_before", "m:1", bj(23, 30))
    assert {d.status for d in log(n).values()} == {"queued"}
    assert {d.due_at for d in log(n).values()} == {bj(7, 0, 5)}
    assert provider.sms == [] and provider.wecom == []
    assert delivery.send_due(bj(6, 59, 5)) == {}
    delivery.send_due(bj(7, 0, 5))
    assert {d.status for d in log(n).values()} == {"sent"}


def test_own_quiet_hours(world: World, member: User, provider: Provider) -> None:
    set_preferences(member, quiet_start=20, quiet_end=9, acting_user=member)
    n = send(member, "meeting.day_before", "m:1", bj(8))
    assert log(n)["sms"].due_at == bj(9)
    with pytest.raises(Exception, match="between 20:00 and 23:00"):
        set_preferences(member, quiet_start=12, acting_user=member)


def test_urgent_is_not_held_back(world: World, member: User, provider: Provider) -> None:
    n = send(member, "notice.must_read", "notice:1", bj(23, 30), urgent=True)
    assert {d.status for d in log(n).values()} == {"sent"}


def test_email_is_not_held_back_by_quiet_hours(
    world: World, member: User, provider: Provider, settings: Any
) -> None:
    settings.NOTIFICATION_EMAIL = True
    member.email = "zhangwei@example.cn"
    member.save(update_fields=["email"])
    n = send(member, "compliance.due", "c:1", bj(23, 30))
    assert log(n)["email"].status == "sent" and log(n)["wecom"].status == "queued"


def test_daily_limit(world: World, member: User, provider: Provider, settings: Any) -> None:
    settings.NOTIFICATION_DAILY_LIMITS = {"sms": 2, "wecom": 50, "email": 100}
    sent = [send(member, "meeting.day_before", f"m:{i}", bj(10, i)) for i in range(3)]
    assert [log(n)["sms"].status for n in sent] == ["sent", "sent", "skipped"]
    assert log(sent[2])["sms"].last_error == "daily limit reached"
    assert len(provider.sms) == 2 and len(provider.wecom) == 3
    tomorrow = send(member, "meeting.day_before", "m:next", bj(10, 0, 5))  # a new Beijing day
    assert log(tomorrow)["sms"].status == "sent"


def test_console_backend_by_default(world: World, member: User, caplog: Any) -> None:
    caplog.set_level("INFO", logger="dangjian.notifications")
    n = send(member, "meeting.day_before", "m:1", bj(10))
    sms = log(n)["sms"]
    assert sms.status == "sent" and sms.provider_id == f"console-{sms.pk}"
    assert member.member.phone not in caplog.text and "明天上午9点" in caplog.text


def test_the_sweep_runs_every_minute() -> None:
    from dangjian.notifications import tasks  # registers the periodic tasks

    assert tasks.send_due_deliveries is not None
    names = {task.name for task in HUEY.read_periodic(datetime(2026, 5, 4, 3, 17))}
    assert names == {"send_due_deliveries"}


def test_a_backend_error_is_retried_and_the_batch_goes_on(
    world: World, member: User, monkeypatch: Any
) -> None:
    def broken(self: Any, message: Any) -> str:
        raise RuntimeError("bug")

    monkeypatch.setattr(channels.ConsoleBackend, "send", broken)
    n = send(member, "meeting.day_before", "m:1", bj(10))
    assert {(d.status, d.last_error, d.due_at) for d in log(n).values()} == {
        ("queued", "RuntimeError", bj(10, 1))
    }
    monkeypatch.undo()
    delivery.send_due(bj(10, 1))
    assert {d.status for d in log(n).values()} == {"sent"}
