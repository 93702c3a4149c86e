"""Huey tasks of the notifications app (found by `dangjian run_huey`, which imports every app's
tasks module)."""

from datetime import timedelta

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import deadlines, delivery, emails

EMAIL_RETRIES = 5
EMAIL_RETRY_DELAY = 600  # seconds: a mail server that is down is usually down for a while


@db_task(retries=EMAIL_RETRIES, retry_delay=EMAIL_RETRY_DELAY)
def send_notification_emails(ids: list[int]) -> int:
    """Email the notifications `ids` directly (kept for callers of the earlier email-only path;
    new notifications are emailed through `dispatch_notifications`)."""
    return emails.deliver(ids)


@db_task()
def dispatch_notifications(ids: list[int]) -> int:
    """Queue the deliveries of new notifications (after their commit) and send those due."""
    return delivery.dispatch(ids)


@db_periodic_task(crontab(minute="*"))
def send_due_deliveries() -> None:
    """Every minute: retries after their back-off, messages held back by quiet hours."""
    delivery.send_due()


@db_periodic_task(crontab(hour="8", minute="15"))
def report_delivery_failures() -> None:
    """08:15: yesterday's failed deliveries of system reminders, counted for the administrators."""
    delivery.report_failures(timezone.localdate() - timedelta(days=1))


@db_periodic_task(crontab(hour="7", minute="45"))
def remind_deadlines() -> None:
    """07:45 Beijing time: the day's reminders of workflow deadlines (problems to rectify, tasks
    to submit, …), some days before each and on the day."""
    deadlines.send_deadline_reminders(timezone.localdate())
