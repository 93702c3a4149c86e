"""A branch's discussion (讨论): threads, their posts (the opening one and the replies), images on
posts, members' reports of posts, and the word lists committees set for their subtree.

States are explicit (docs/discussion.md):
- Thread: held (its opening post awaits review) → open ⇄ closed; held → rejected.
- Post: held → published | rejected; a post published at once starts as published.
- Hiding is a flag beside the state (who, when, why): hidden content disappears for members and
  stays, with its text, in the audit entry of the hiding.
- Report: open → resolved (the post hidden or the report dismissed).
"""

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.organizations.models import Organization

from .access import DiscussionQuerySet, reach

TITLE_MAX = 80
BODY_MAX = 5000  # characters as typed (plain text or HTML source)
REASON_MAX = 200


class ThreadState(models.TextChoices):
    HELD = "held", _("Awaiting review")
    OPEN = "open", pgettext_lazy("thread", "Open")
    CLOSED = "closed", pgettext_lazy("thread", "Closed")
    REJECTED = "rejected", _("Rejected")


class PostState(models.TextChoices):
    HELD = "held", _("Awaiting review")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")


class ReportState(models.TextChoices):
    OPEN = "open", pgettext_lazy("report", "Open")
    RESOLVED = "resolved", _("Resolved")


class Resolution(models.TextChoices):
    HIDDEN = "hidden", _("Post hidden")
    DISMISSED = "dismissed", _("Dismissed")


class Hideable(models.Model):
    hidden = models.BooleanField(_("hidden"), default=False)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.CharField(_("reason"), max_length=REASON_MAX, blank=True)

    class Meta:
        abstract = True


class Thread(Hideable):
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="threads", verbose_name=_("organization")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    author_name = models.CharField(_("author"), max_length=100)
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    state = models.CharField(_("state"), max_length=10, choices=ThreadState.choices, default=ThreadState.OPEN)
    pinned = models.BooleanField(_("pinned"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Raised by every published reply: lists show the liveliest threads first.
    last_activity_at = models.DateTimeField(db_index=True)
    reply_count = models.PositiveIntegerField(default=0)

    objects: ClassVar[Any] = DiscussionQuerySet.as_manager()
    scope_path_field = "organization__path"
    scope_reach = staticmethod(reach)

    class Meta:
        verbose_name = _("thread")
        verbose_name_plural = _("threads")
        indexes = [models.Index(fields=["organization", "last_activity_at", "id"], name="thread_list")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.state in (ThreadState.OPEN, ThreadState.CLOSED)


class Post(Hideable):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    # The thread's organization, kept on the post so scoping is one range on one join.
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    author_name = models.CharField(_("author"), max_length=100)
    opening = models.BooleanField(default=False)  # the thread's first post, its body
    body = models.TextField(_("text"))  # sanitized HTML (orglife.richtext)
    state = models.CharField(
        _("state"), max_length=10, choices=PostState.choices, default=PostState.PUBLISHED
    )
    held_words = models.CharField(max_length=200, blank=True)  # the listed words it matched
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[Any] = DiscussionQuerySet.as_manager()
    scope_path_field = "organization__path"
    scope_reach = staticmethod(reach)

    class Meta:
        verbose_name = pgettext_lazy("discussion", "post")
        verbose_name_plural = pgettext_lazy("discussion", "posts")
        indexes = [models.Index(fields=["organization", "state"], name="post_review")]

    def __str__(self) -> str:
        return f"{self.thread.title} #{self.pk}"


class PostImage(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="images")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    file = models.CharField(max_length=200)  # storage name, random
    thumbnail = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()

    objects: ClassVar[Any] = DiscussionQuerySet.as_manager()
    scope_path_field = "organization__path"
    scope_reach = staticmethod(reach)

    def __str__(self) -> str:
        return f"image {self.pk} of post {self.post_id}"


class Report(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reports")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=REASON_MAX)
    state = models.CharField(max_length=10, choices=ReportState.choices, default=ReportState.OPEN)
    resolution = models.CharField(max_length=10, choices=Resolution.choices, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[Any] = DiscussionQuerySet.as_manager()
    scope_path_field = "organization__path"
    scope_reach = staticmethod(reach)

    class Meta:
        verbose_name = pgettext_lazy("discussion", "report")
        constraints = [models.UniqueConstraint(fields=["post", "reporter"], name="report_once")]

    def __str__(self) -> str:
        return f"report {self.pk} of post {self.post_id}"


class WordList(models.Model):
    """Words a committee holds for review in its subtree; a branch's posts are checked against the
    lists of every organization above it (and its own), all together."""

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="+")
    words = models.TextField(blank=True)  # one a line
    version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[Any] = DiscussionQuerySet.as_manager()
    scope_path_field = "organization__path"
    scope_reach = staticmethod(reach)

    def __str__(self) -> str:
        return f"word list of {self.organization_id}"

    def word_list(self) -> list[str]:
        return [w.strip() for w in self.words.splitlines() if w.strip()]
