"""支部动态: what a branch did, one row per completed record (a meeting closed, a theme party day, a
new member, a transfer received, a notice sent, a poll closed, an honour
published), and the photo album of each.

Rows are written when the source record is completed (`signals`, calling `services.sync`) and by
the backfill command for records that existed before; the feed then reads one indexed table in
(occurred_at, id) order, which pages by keyset whatever the number of sources (docs/feed.md).
"""

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.core.scoping import ScopedQuerySet
from dangjian.organizations.models import Organization


class FeedKind(models.TextChoices):
    MEETING = "meeting", _("Meeting held")
    THEME_DAY = "theme_day", _("Theme party day")
    MEMBER_JOINED = "member_joined", _("New member")
    TRANSFER_IN = "transfer_in", _("Transferred in")
    NOTICE = "notice", _("Notice")
    POLL_CLOSED = "poll_closed", _("Poll closed")
    HONOUR = "honour", pgettext_lazy("feed", "Honour")
    COMMITMENTS = "commitments", _("Commitments published")


class FeedItem(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("organization")
    )
    kind = models.CharField(_("kind of activity"), max_length=16, choices=FeedKind.choices)
    occurred_at = models.DateTimeField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    # A notice sent down to every organization below: shown in their feeds too.
    cascade = models.BooleanField(default=False)
    # Attendance of a meeting, turnout of a poll: `part` of `whole`.
    part = models.PositiveIntegerField(null=True, blank=True)
    whole = models.PositiveIntegerField(null=True, blank=True)
    # A withdrawn notice leaves the feed; its row (and any album) stays.
    hidden = models.BooleanField(default=False)
    source_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    source_id = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[Any] = ScopedQuerySet.as_manager()
    scope_path_field = "organization__path"

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [models.Index(fields=["organization", "occurred_at", "id"], name="feed_org_time_idx")]
        constraints = [
            models.UniqueConstraint(fields=["source_type", "source_id"], name="feed_one_per_source")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk} of organization {self.organization_id}"

    @property
    def share_pct(self) -> int | None:
        if self.part is None or not self.whole:
            return None
        return round(100 * self.part / self.whole)


class FeedPhoto(models.Model):
    item = models.ForeignKey(FeedItem, on_delete=models.CASCADE, related_name="photos")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    file = models.CharField(max_length=200)  # storage name, random
    thumbnail = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[Any] = ScopedQuerySet.as_manager()
    scope_path_field = "organization__path"

    def __str__(self) -> str:
        return f"photo {self.pk} of activity {self.item_id}"
