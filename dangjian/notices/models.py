"""Notices (通知公告) an organization sends to its members, or down its whole subtree, and the
record of who has read them.

No row is written per recipient when a notice is sent: the recipients are a query (members on
the roll, status active, of the sender organization or of its subtree), and "unread" is the
recipients minus the reads. A province's notice to 4.3 million members is one row.

A read keeps the reader's organization path as it was when they read. The read share per child
organization is summed from `NoticeTally`: one row per organization holding recipients, its
recipients counted when the notice is sent and its reads added as they happen.
"""

from django.db import models
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.core.scoping import ScopedQuerySet
from dangjian.members.models import Member
from dangjian.organizations.models import Organization
from dangjian.orglife.richtext import render

TITLE_MAX_CHARS = 100


class NoticeState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("notice", "Draft")
    SENT = "sent", pgettext_lazy("notice", "Sent")
    WITHDRAWN = "withdrawn", pgettext_lazy("notice", "Withdrawn")


class Notice(models.Model):
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="notices",
        verbose_name=_("sender organization"),
        db_index=False,  # notice_org_state_idx leads with it
    )
    # True: every organization of the sender's subtree receives it; False: the sender's own
    # members only.
    cascade = models.BooleanField(_("send down to every organization below"), default=False)
    title = models.CharField(_("title"), max_length=TITLE_MAX_CHARS)
    # Sanitized HTML (orglife.richtext); sanitized again when shown.
    body = models.TextField(_("text"))
    must_read = models.BooleanField(_("must read"), default=False)
    deadline = models.DateField(_("read by"), null=True, blank=True)
    pinned = models.BooleanField(_("pinned"), default=False)
    state = models.CharField(
        _("state"), max_length=12, choices=NoticeState.choices, default=NoticeState.DRAFT
    )
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    # Set when a sent notice is edited: recipients see "edited" and can read the earlier text.
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "organization__path"

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-pinned", "-sent_at", "-id"]
        indexes = [models.Index(fields=["organization", "state", "sent_at"], name="notice_org_state_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deadline__isnull=True) | models.Q(must_read=True),
                name="notice_deadline_only_must_read",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def body_html(self) -> SafeString:
        return render(self.body)

    @property
    def is_draft(self) -> bool:
        return self.state == NoticeState.DRAFT

    @property
    def is_sent(self) -> bool:
        return self.state == NoticeState.SENT


class NoticeRevision(models.Model):
    """The text of a sent notice before one edit, kept for good (numbered 1, 2, … per notice):
    recipients can read what the notice said before."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(_("title"), max_length=TITLE_MAX_CHARS)
    body = models.TextField(_("text"))
    # When the replaced text had been current since (sent_at or the previous edit).
    valid_from = models.DateTimeField(null=True, blank=True)
    replaced_at = models.DateTimeField(auto_now_add=True)
    replaced_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "notice__organization__path"

    class Meta:
        ordering = ["notice_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["notice", "number"], name="notice_revision_once")]

    def __str__(self) -> str:
        return f"{self.title} ({self.number})"

    @property
    def body_html(self) -> SafeString:
        return render(self.body)


class NoticeAttachment(models.Model):
    """A document or photo of a notice, checked by content and stored under a random name
    (core.uploads); served only through a view that checks the reader may read the notice."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    kind = models.CharField(max_length=8)
    uploaded_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "notice__organization__path"

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def shown_inline(self) -> bool:
        return self.kind in ("jpeg", "png", "pdf")


class NoticeRead(models.Model):
    """One member has opened one notice. `organization` and `org_path` are the reader's
    organization when they read (denormalised: the per-organization counts read index ranges
    on (notice, org_path) and never join the members)."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="reads", db_index=False)
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+", db_index=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", db_index=False)
    org_path = models.CharField(max_length=255)
    read_at = models.DateTimeField()

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "org_path"

    class Meta:
        constraints = [
            # Who has read in a branch: an anti-join on this, member by member.
            models.UniqueConstraint(fields=["notice", "member"], name="notice_read_once"),
        ]
        indexes = [
            # Read share per child organization: one range per child, index only.
            models.Index(fields=["notice", "org_path"], name="notice_read_path_idx"),
            # A member's own reads (which of the notices on their page they have opened).
            models.Index(fields=["member", "notice"], name="notice_read_member_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.notice_id}:{self.member_id}"


class NoticeTally(models.Model):
    """Recipients and reads of one notice within one organization (the organization holding the
    members directly, not its subtree).

    `recipients` is counted once, when the notice is sent (one grouped INSERT … SELECT: one row
    per organization, none per member); `reads` grows by one in the transaction recording a
    member's first reading, on the reader's organization's row. Readers of one notice therefore
    contend only with readers of their own organization, never on one row at the top. The
    shares per child organization sum these rows by path prefix (`queries.share_by_child`).
    `org_path` is the organization's path when the row was made, as `NoticeRead.org_path`."""

    # No database foreign keys (deletions still cascade, in Django): the rows are counts derived
    # from the members and the reads, written only by statements reading these ids from their
    # tables, and checking 212,000 keys one by one doubled the time of sending at the province.
    notice = models.ForeignKey(
        Notice, on_delete=models.CASCADE, related_name="tallies", db_index=False, db_constraint=False
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    org_path = models.CharField(max_length=255)
    recipients = models.PositiveIntegerField(default=0)
    reads = models.PositiveIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "org_path"

    class Meta:
        constraints = [
            # The read's upsert finds its organization's row through this.
            models.UniqueConstraint(fields=["notice", "organization"], name="notice_tally_once"),
        ]
        indexes = [
            # Shares per child organization: one range over the notice's rows below a node.
            models.Index(fields=["notice", "org_path"], name="notice_tally_path_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.notice_id}:{self.organization_id} {self.reads}/{self.recipients}"


class NoticeChildTally(models.Model):
    """The same counts summed per child organization of the sender (`path`: the child's path,
    or the sender's own for the members it holds directly), for the sender's page: a province
    notice's share per city is a sum of a few hundred rows instead of 212,000.

    A read adds one to one of `STRIPES` rows of its child, chosen by the member's id, so that
    readers of a whole city share 32 rows rather than queue on one; the recipients (summed from
    `NoticeTally` at sending) sit on stripe 0."""

    STRIPES = 32

    notice = models.ForeignKey(
        Notice, on_delete=models.CASCADE, related_name="child_tallies", db_index=False, db_constraint=False
    )
    path = models.CharField(max_length=255)
    stripe = models.PositiveSmallIntegerField(default=0)
    recipients = models.PositiveIntegerField(default=0)
    reads = models.PositiveIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "path"

    class Meta:
        constraints = [
            # The read's upsert and the sender's page (one range on the notice) both use it.
            models.UniqueConstraint(fields=["notice", "path", "stripe"], name="notice_child_tally_once"),
        ]

    def __str__(self) -> str:
        return f"{self.notice_id}:{self.path}/{self.stripe} {self.reads}/{self.recipients}"
