"""In-app notifications: one row per user and reminder, shown in the user's inbox (and emailed
when a mail server is configured).

A notification is the user's own data, not a record of an organization: it is reached through
its user only (`restrict` ignores the org tree), and `key` names the reminder so that the same
reminder is never created twice for a user, however often a job re-runs.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.scoping import SYSTEM, ScopedQuerySet


class NotificationQuerySet(ScopedQuerySet["Notification"]):
    def restrict(self, user: Any, action: str = "view") -> "NotificationQuerySet":
        """Only the user's own notifications, whatever the action and the user's grants: a
        province's staff have no business reading a branch secretary's reminders."""
        if user is SYSTEM:
            return self.all()
        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(user=user.pk)

    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("user"),
    )
    # A short code of what this is about ("meeting.day_before"), for filtering and icons.
    kind = models.CharField(_("kind of notification"), max_length=40)
    # Names the reminder ("meeting-day-before:<meeting id>"): unique per user, so a retried or
    # repeated job never creates it again.
    key = models.CharField(max_length=120)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    # A path within the site ("/meetings/42/"), never an absolute URL (no open redirect).
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notification_once")]
        # The inbox and the navbar's unread count: one user's unread rows, newest first.
        indexes = [models.Index(fields=["user", "read_at", "created_at"], name="notification_inbox_idx")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
