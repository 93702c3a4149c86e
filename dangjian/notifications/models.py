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

from dangjian.core.scoping import ScopedQuerySet


class NotificationQuerySet(ScopedQuerySet["Notification"]):
    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)


# The bell and the member's home count unread notifications up to here and show "99+" above
# it: one short index range read, however many reminders a user has left unread.
UNREAD_CAP = 100
UNREAD_MEMO = "_dj_unread_count"


class _CappedCount(models.Func):
    """How many rows a subquery returns, for a subquery that carries its own LIMIT."""

    template = "(SELECT COUNT(*) FROM %(expressions)s AS capped)"
    output_field = models.IntegerField()


def latest_unread(user: Any, limit: int) -> list["Notification"]:
    """The user's `limit` newest unread notifications, each carrying the unread count (capped)
    for the bell: one query where a list and a count would be two. With none unread the count
    is 0, and so the memo is set either way."""
    mine = Notification.objects.restrict(user).unread()
    capped = _CappedCount(models.Subquery(mine.values("id")[:UNREAD_CAP]))
    rows = list(mine.annotate(unread_total=capped).order_by("-created_at", "-id")[:limit])
    if getattr(user, "is_authenticated", False):
        setattr(user, UNREAD_MEMO, rows[0].unread_total if rows else 0)  # type: ignore[attr-defined]
    return rows


def unread_count(user: Any) -> int:
    """Unread notifications of `user`, at most UNREAD_CAP: one query, kept on the user object for
    the rest of the request (the home and the navbar's bell both show it)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    memo: int | None = getattr(user, UNREAD_MEMO, None)
    if memo is None:
        memo = Notification.objects.restrict(user).unread().values("id")[:UNREAD_CAP].count()
        setattr(user, UNREAD_MEMO, memo)
    return memo


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("user"),
    )
    # A short code of what this is about ("meeting.day_before"), for filtering and icons.
    kind = models.CharField(_("kind of notification"), max_length=40)
    # Names the reminder ("meeting-day-before:<meeting id>:<date>"): unique per user, so a retried or
    # repeated job never creates it again.
    key = models.CharField(max_length=120)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    # A path within the site ("/meetings/42/"), never an absolute URL (no open redirect).
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)
    # Urgent messages are not held back by the quiet hours.
    urgent = models.BooleanField(_("urgent"), default=False)
    # Who caused it (a sender of a notice), told when it cannot be delivered; empty for the
    # system's own reminders.
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sender"),
    )

    objects = NotificationQuerySet.as_manager()
    # Only the user's own notifications, whatever the action and the user's grants: a
    # province's staff have no business reading a branch secretary's reminders.
    scope_user_field = "user"

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


# --- delivery beyond the inbox ----------------------------------------------------------------


class Channel(models.TextChoices):
    """Where a notification goes besides the inbox (which always has it)."""

    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    WECOM = "wecom", _("WeCom")


class Category(models.TextChoices):
    """What a notification is about, for the user's preferences (a kind maps to one)."""

    MEETINGS = "meetings", _("Meeting reminders")
    COMPLIANCE = "compliance", _("Work-point reminders")
    MUST_READ = "must_read", _("Must-read notices")
    NOTICES = "notices", _("Notices")
    APPROVALS = "approvals", _("Approvals")
    MENTIONS = "mentions", _("Mentions and replies")
    OTHER = "other", _("Other messages")


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")
    SKIPPED = "skipped", _("skipped")


class DeliveryQuerySet(ScopedQuerySet["Delivery"]):
    pass


class Delivery(models.Model):
    """One notification sent (or to be sent) on one channel: the delivery log.

    Holds no address: `recipient` is masked (138****5678, the WeCom account, z***@example.cn);
    the number itself is decrypted from the member record only when the worker sends."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("notification")
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    provider_id = models.CharField(_("provider message id"), max_length=100, blank=True)
    recipient = models.CharField(_("recipient (masked)"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # When the worker may (next) try: now, the end of the quiet hours, or after a back-off.
    due_at = models.DateTimeField(_("due at"), default=timezone.now)
    sent_at = models.DateTimeField(_("time sent"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    objects = DeliveryQuerySet.as_manager()
    # The log of the user's own notifications only (as the notifications themselves).
    scope_user_field = "notification__user"

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="delivery_once_per_channel")
        ]
        indexes = [
            # The worker's sweep: queued rows that are due, oldest first.
            models.Index(fields=["status", "due_at"], name="delivery_due_idx"),
            # The daily limit: a user's deliveries sent on a channel today.
            models.Index(fields=["channel", "status", "sent_at"], name="delivery_sent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.notification_id} {self.channel} {self.status}"


class Preference(models.Model):
    """A user's choice for one category on one channel; without a row, the default applies
    (`delivery.DEFAULTS`)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    category = models.CharField(_("kind of notification"), max_length=20, choices=Category.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    enabled = models.BooleanField(_("enabled"))

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "category", "channel"], name="preference_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.category} {self.channel} {self.enabled}"


class DeliveryProfile(models.Model):
    """Per-user delivery settings: quiet hours (Beijing time) and the WeCom account (set by an
    administrator from the organization's WeCom directory)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="delivery_profile"
    )
    quiet_start = models.PositiveSmallIntegerField(_("quiet hours start"), default=22)
    quiet_end = models.PositiveSmallIntegerField(_("quiet hours end"), default=7)
    wecom_userid = models.CharField(_("WeCom account"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("delivery settings")
        verbose_name_plural = _("delivery settings")

    def __str__(self) -> str:
        return f"{self.user_id} {self.quiet_start}-{self.quiet_end}"
