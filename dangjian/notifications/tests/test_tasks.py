"""The Huey tasks are registered with their schedules and really run (immediate mode in tests)."""

from datetime import datetime
from typing import Any

from huey.contrib.djhuey import HUEY

from dangjian.notifications.models import Notification
from dangjian.notifications.tasks import send_notification_emails
from dangjian.orglife import tasks
from dangjian.orglife.tasks import day_before_key
from dangjian.testing.world import World

from .conftest import Schedule, local


def periodic_at(hour: int, minute: int) -> set[str]:
    # The worker's clock is local time (HUEY["utc"] is False). The delivery sweep runs every
    # minute (tested in test_delivery), the closing of due polls every five (polls' tests).
    tasks = HUEY.read_periodic(datetime(2026, 5, 4, hour, minute))
    return {task.name for task in tasks} - {"send_due_deliveries", "close_due"}


def test_periodic_tasks_are_registered_hourly_in_the_day() -> None:
    assert HUEY.immediate  # conftest
    assert periodic_at(8, 5) == {"remind_attendees"}
    assert periodic_at(21, 35) == {"remind_organizers"}
    assert periodic_at(3, 5) == set() and periodic_at(22, 5) == set()
    assert periodic_at(12, 0) == set()


def test_the_periodic_task_runs_for_real(world: World, schedule: Schedule) -> None:
    meeting = schedule(local(1, 9))
    assert tasks.remind_attendees() is None  # enqueued = run inline; no result store
    key = Notification.objects.get(user=world.member_user).key
    assert key == day_before_key(meeting.pk, meeting.starts_at)
    assert tasks.remind_organizers() is None


def test_the_email_task_runs_for_real(world: World, settings: Any) -> None:
    from django.core import mail

    from dangjian.notifications.services import notify

    settings.NOTIFICATION_EMAIL = True
    world.member_user.email = "zhangwei@example.cn"
    world.member_user.save(update_fields=["email"])
    notify([world.member_user], kind="test", key="test:1", title="提醒")
    send_notification_emails([Notification.objects.get().pk])
    assert len(mail.outbox) == 1
