"""The generic notification service: idempotent creation, reading, emailing at most once."""

from smtplib import SMTPException
from typing import Any

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

from dangjian.core.exceptions import OutOfScope
from dangjian.core.models import AuditEntry
from dangjian.notifications import emails
from dangjian.notifications.models import Notification
from dangjian.notifications.services import Message, mark_all_read, mark_read, notify, notify_many
from dangjian.testing.world import World


def remind(users: list[Any], key: str = "deadline:1", **extra: Any) -> int:
    fields = {"kind": "deadline", "key": key, "title": "报送截止提醒", "body": "请于月底前报送。", "url": "/"}
    return notify(users, **(fields | extra))


def test_notify_is_idempotent_per_user_and_key(world: World) -> None:
    audit_rows = AuditEntry.objects.count()
    assert remind([world.secretary, world.county_staff.pk, world.secretary]) == 2
    assert remind([world.secretary, world.member_user]) == 1  # only the new user
    assert remind([world.secretary], key="deadline:2") == 1  # another reminder
    assert Notification.objects.count() == 4
    assert AuditEntry.objects.count() == audit_rows  # messages, not records: not audited


def test_notify_many_in_batches(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from dangjian.notifications import services

    monkeypatch.setattr(services, "BATCH", 2)
    users = [world.secretary.pk, world.county_staff.pk, world.member_user.pk]
    messages = [Message(users, "deadline", f"deadline:{i}", f"提醒{i}") for i in range(3)]
    assert notify_many(messages) == 9
    assert notify_many(messages) == 0
    assert Notification.objects.filter(key="deadline:2").count() == 3


@pytest.mark.parametrize("url", ["https://evil.example/", "//evil.example/", "meetings/1/", "/\\evil"])
def test_links_stay_on_the_site(world: World, url: str) -> None:
    with pytest.raises(ValueError):
        remind([world.secretary], url=url)
    assert not Notification.objects.exists()


def test_mark_read_only_own(world: World) -> None:
    remind([world.secretary, world.member_user])
    mine = Notification.objects.get(user=world.secretary)
    with pytest.raises(OutOfScope):
        mark_read(mine, acting_user=world.member_user)
    assert mark_read(mine, acting_user=world.secretary).read_at is not None
    first = Notification.objects.get(pk=mine.pk).read_at
    mark_read(mine, acting_user=world.secretary)  # again: unchanged
    assert Notification.objects.get(pk=mine.pk).read_at == first
    assert Notification.objects.get(user=world.member_user).read_at is None


def test_mark_all_read(world: World) -> None:
    for i in range(3):
        remind([world.secretary, world.member_user], key=f"deadline:{i}")
    assert mark_all_read(world.secretary) == 3
    assert mark_all_read(world.secretary) == 0
    assert Notification.objects.restrict(world.member_user).unread().count() == 3


def test_restrict_is_own_only_whatever_the_grants(world: World) -> None:
    remind([world.member_user])
    assert not Notification.objects.restrict(world.province_staff, "view").exists()
    assert not Notification.objects.restrict(world.sysadmin, "manage_users").exists()
    assert Notification.objects.restrict(world.member_user, "change").count() == 1


# --- emails -----------------------------------------------------------------------------------


@pytest.fixture
def with_email(world: World, settings: Any) -> Notification:
    settings.NOTIFICATION_EMAIL = True
    world.secretary.email = "mishu@example.cn"
    world.secretary.save(update_fields=["email"])
    remind([world.secretary])
    return Notification.objects.get()


def test_deliver_sends_once(with_email: Notification) -> None:
    assert emails.deliver([with_email.pk]) == 1
    assert emails.deliver([with_email.pk]) == 0
    assert len(mail.outbox) == 1 and mail.outbox[0].subject == "报送截止提醒"
    assert "请于月底前报送。" in mail.outbox[0].body


def test_a_failed_send_is_retried_later(with_email: Notification, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: Any, messages: Any) -> int:
        raise SMTPException("mail server down")

    with monkeypatch.context() as patch:
        patch.setattr(EmailBackend, "send_messages", refuse)
        with pytest.raises(SMTPException):
            emails.deliver([with_email.pk])
    assert Notification.objects.get().emailed_at is None  # claim released for the retry
    assert emails.deliver([with_email.pk]) == 1


def test_deliver_does_nothing_when_not_configured(with_email: Notification, settings: Any) -> None:
    settings.NOTIFICATION_EMAIL = False
    assert emails.deliver([with_email.pk]) == 0
    assert mail.outbox == []


def test_the_email_task_runs_after_commit(
    world: World, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.NOTIFICATION_EMAIL = True
    world.secretary.email = "mishu@example.cn"
    world.secretary.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        remind([world.secretary])
    assert mail.outbox == [] and len(callbacks) == 1  # nothing is sent before the commit
    callbacks[0]()  # the commit: Huey (immediate in tests) runs the task
    assert len(mail.outbox) == 1
