"""Emailing notifications: at most once each, to active users who have an address, and only when
a mail server is configured (settings.NOTIFICATION_EMAIL)."""

from collections.abc import Sequence

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils import timezone

from .models import Notification


def _message(notification: Notification) -> EmailMessage:
    lines = [notification.body] if notification.body else []
    if notification.url and settings.SITE_URL:
        lines.append(settings.SITE_URL + notification.url)
    # A header may not contain a line break; titles are one line, but be sure.
    subject = " ".join(notification.title.split())
    return EmailMessage(subject, "\n\n".join(lines) or subject, to=[notification.user.email])


def _claim(notification: Notification) -> bool:
    """Take the notification for this worker: False if another worker (or an earlier run of this
    task) has emailed it already. Claiming before sending is what makes "only once" hold."""
    return bool(
        Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
    )


def deliver(ids: Sequence[int]) -> int:
    """Email the notifications `ids` that were not emailed yet; returns how many were sent.

    A failure releases the claim of the message that failed and re-raises, so the task's retry
    sends it (and the ones after it) later; those already sent are not sent again.
    """
    if not settings.NOTIFICATION_EMAIL:
        return 0
    rows = (
        Notification.objects.filter(pk__in=ids, emailed_at__isnull=True, user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
        .only("id", "title", "body", "url", "user__email")
        .order_by("id")
    )
    sent = 0
    with get_connection() as connection:
        for notification in rows:
            if not _claim(notification):
                continue
            message = _message(notification)
            message.connection = connection
            try:
                message.send()
            except Exception:
                Notification.objects.filter(pk=notification.pk).update(emailed_at=None)
                raise
            sent += 1
    return sent
