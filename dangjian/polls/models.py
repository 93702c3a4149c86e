"""Polls (投票) in a branch's online space: single or multiple choice, named or anonymous.

Who may vote is frozen when the poll opens (`Elector`, one row per eligible member), so turnout is
measured against the electorate of that moment and a member who transfers in later does not vote.

Anonymity: the fact that a member voted (`VoterMark`) is stored apart from what they chose
(`Ballot`, `BallotChoice`). A ballot has a random UUID key, no voter column and no timestamp, so
neither an administrator nor a query can join the two. Only in a named (open) poll does the mark
point at its ballot (`VoterMark.ballot`); in an anonymous poll that column stays empty (the
service writes it only for named polls). docs/polls.md says what remains (row order on disk).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dangjian.core.scoping import ScopedQuerySet
from dangjian.members.models import Member
from dangjian.organizations.models import Organization, PartyGroup


class PollKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")


class Electorate(models.TextChoices):
    BRANCH = "branch", _("Full members of the branch")
    GROUP = "group", _("Full members of a party group")
    CHOSEN = "chosen", _("Chosen full members")


class PollStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


MAX_OPTIONS = 20


class Poll(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="polls", verbose_name=_("branch")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=PollKind.choices, default=PollKind.SINGLE)
    max_choices = models.PositiveSmallIntegerField(_("at most this many choices"), default=1)
    anonymous = models.BooleanField(_("anonymous"), default=True)
    electorate = models.CharField(
        _("who may vote"), max_length=10, choices=Electorate.choices, default=Electorate.BRANCH
    )
    party_group = models.ForeignKey(
        PartyGroup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="polls",
        verbose_name=_("party group"),
    )
    chosen_members = models.ManyToManyField(
        Member, blank=True, related_name="+", verbose_name=_("chosen members")
    )
    closes_at = models.DateTimeField(_("voting closes at"))
    status = models.CharField(
        _("status"), max_length=10, choices=PollStatus.choices, default=PollStatus.DRAFT
    )
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    eligible_count = models.PositiveIntegerField(_("eligible voters"), default=0)
    # Optimistic concurrency: a move from a page drawn before the last one is refused.
    version = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "organization__path"

    class Meta:
        verbose_name = _("poll")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "closes_at"], name="poll_status_closes_idx")]

    def __str__(self) -> str:
        return self.title


class Option(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options", verbose_name=_("poll"))
    label = models.CharField(_("option"), max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("option")
        ordering = ["poll_id", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["poll", "label"], name="poll_option_unique_label")]

    def __str__(self) -> str:
        return self.label


class Elector(models.Model):
    """A member who may vote in the poll: written once, when it opens."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="electors")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["poll", "member"], name="poll_elector_unique")]

    def __str__(self) -> str:
        return f"{self.poll_id}:{self.member_id}"


class Ballot(models.Model):
    """What was chosen. No voter, no time, a random key: nothing orders or links it to a voter."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="ballots")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return "ballot"


class BallotChoice(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="choices")
    option = models.ForeignKey(Option, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ballot", "option"], name="poll_ballot_choice_unique")]

    def __str__(self) -> str:
        return "choice"


class VoterMark(models.Model):
    """That a member voted, one per member and poll (the database refuses a second). `ballot` is
    set only in a named poll."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="marks")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    ballot = models.OneToOneField(Ballot, on_delete=models.CASCADE, null=True, blank=True, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["poll", "member"], name="poll_one_ballot_per_member")]

    def __str__(self) -> str:
        return f"{self.poll_id}:{self.member_id}"
