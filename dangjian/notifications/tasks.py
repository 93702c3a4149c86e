"""Huey tasks of the notifications app (found by `dangjian run_huey`, which imports every app's
tasks module)."""

from huey.contrib.djhuey import db_task

from . import emails

EMAIL_RETRIES = 5
EMAIL_RETRY_DELAY = 600  # seconds: a mail server that is down is usually down for a while


@db_task(retries=EMAIL_RETRIES, retry_delay=EMAIL_RETRY_DELAY)
def send_notification_emails(ids: list[int]) -> int:
    """Email the notifications `ids` (queued by `services.notify_many` after commit)."""
    return emails.deliver(ids)
