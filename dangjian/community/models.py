"""Theme practice and serving the masses (主题实践、服务群众, work point 20).

* **Posts** (设岗定责): a branch defines posts with their duties and assigns its members to them.
* **Commitments** (承诺践诺): each member's public commitments of a year, made by the member or
  by the branch on their behalf; the branch records their fulfilment; the branch may publish the
  year's commitments on its feed (`CommitmentRelease`, a feed source).
* **Registrations** (在职党员到社区报到): a member whose branch is at their workplace registers
  with a community branch where they live (`workflows.REGISTRATION_FLOW`); the community branch
  assigns service tasks, the member reports them done with the hours, the community branch
  confirms them (`workflows.TASK_FLOW`), and confirmed hours earn points at the home branch.
* **Pairings** (结对帮扶): a branch pairs a member with a household in difficulty and logs visits.

Scope: posts, commitments and pairings sit at their branch. A registration and its tasks are
seen from both branches (`scope_path_fields`), and are a member's own rows: read by the member,
and by those who may change either branch's records, not by the other members of either branch.
A pairing (a household's name, address and phone) is read by the member paired and by those who
may change the branch's records.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.core.fields import EncryptedTextField, account_stamp
from dangjian.core.scoping import ScopedQuerySet
from dangjian.members.models import Member
from dangjian.organizations.models import Organization

NAME_MAX = 60
TEXT_MAX = 1000
NOTE_MAX = 200
MAX_HOURS = 24  # one task is at most a day's service


class Post(models.Model):
    """A post of a branch (政策宣传岗, 环境卫生岗) with its duties and the members on it."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="community_posts", verbose_name=_("branch")
    )
    name = models.CharField(_("post"), max_length=NAME_MAX)
    duties = models.TextField(_("duties"), max_length=TEXT_MAX)
    members = models.ManyToManyField(
        Member, through="PostHolder", related_name="community_posts", verbose_name=_("members")
    )
    created_by = account_stamp()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "organization__path"

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["organization__path", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="community_post_name_uniq")
        ]

    def __str__(self) -> str:
        return self.name


class PostHolder(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="holders")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    assigned_by = account_stamp()
    assigned_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "post__organization__path"

    class Meta:
        verbose_name = _("post holder")
        ordering = ["post_id", "member__name", "id"]
        constraints = [models.UniqueConstraint(fields=["post", "member"], name="community_post_holder_uniq")]

    def __str__(self) -> str:
        return f"{self.post_id} {self.member_id}"


class Fulfilment(models.TextChoices):
    OPEN = "open", _("Not yet assessed")
    DONE = "done", _("Fulfilled")
    PARTLY = "partly", _("Partly fulfilled")
    NOT = "not", _("Not fulfilled")


class Commitment(models.Model):
    """One public commitment of a member for a year (承诺践诺)."""

    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="commitments", verbose_name=_("member")
    )
    # The branch that keeps it: the member's branch when it was made (a transfer leaves it there).
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("branch")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    text = models.TextField(pgettext_lazy("commitment", "commitment"), max_length=TEXT_MAX)
    by_member = models.BooleanField(_("made by the member"), default=True)
    fulfilment = models.CharField(
        _("fulfilment"), max_length=8, choices=Fulfilment.choices, default=Fulfilment.OPEN
    )
    fulfilment_note = models.CharField(_("note on fulfilment"), max_length=NOTE_MAX, blank=True)
    assessed_by = account_stamp()
    assessed_at = models.DateTimeField(null=True, blank=True)
    created_by = account_stamp()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "organization__path"

    class Meta:
        verbose_name = pgettext_lazy("commitment", "commitment")
        verbose_name_plural = _("commitments")
        ordering = ["organization__path", "year", "member__name", "id"]
        indexes = [models.Index(fields=["organization", "year"], name="community_commit_org_year_idx")]

    def __str__(self) -> str:
        return self.text[:40]


class CommitmentRelease(models.Model):
    """The branch published the year's commitments on its feed (the feed's source record)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    count = models.PositiveIntegerField(_("commitments"))
    published_by = account_stamp()
    published_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "organization__path"

    class Meta:
        verbose_name = _("published commitments")
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="community_release_once")
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.year}"


class RegistrationState(models.TextChoices):
    REQUESTED = "requested", _("Awaiting the community")
    ACCEPTED = "accepted", pgettext_lazy("registration", "Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    ENDED = "ended", pgettext_lazy("registration", "Ended")


OPEN_REGISTRATION = (RegistrationState.REQUESTED, RegistrationState.ACCEPTED)


class Registration(models.Model):
    """An in-service member registered with the community branch where they live."""

    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="community_registrations", verbose_name=_("member")
    )
    home = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("home branch")
    )
    community = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("community branch")
    )
    state = models.CharField(
        _("state"), max_length=10, choices=RegistrationState.choices, default=RegistrationState.REQUESTED
    )
    residence = models.CharField(_("where the member lives"), max_length=NAME_MAX * 2, blank=True)
    review_note = models.CharField(_("note"), max_length=NOTE_MAX, blank=True)
    created_by = account_stamp()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    decided_by = account_stamp()
    decided_at = models.DateTimeField(null=True, blank=True)
    ended_by = account_stamp()
    ended_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()
    scope_path_fields = ("home__path", "community__path")
    scope_own_field = "member"
    scope_own_reach = "change"

    class Meta:
        verbose_name = _("community registration")
        verbose_name_plural = _("community registrations")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One open registration per member: a member serves one residential community.
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(state__in=["requested", "accepted"]),
                name="community_registration_one_open",
            )
        ]
        indexes = [models.Index(fields=["community", "state"], name="community_reg_comm_state_idx")]

    def __str__(self) -> str:
        return f"{self.member_id} → {self.community_id}"


class TaskState(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned")
    REPORTED = "reported", _("Reported done")
    CONFIRMED = "confirmed", pgettext_lazy("task", "Confirmed")
    CANCELLED = "cancelled", pgettext_lazy("task", "Cancelled")


class ServiceTask(models.Model):
    """A service task the community branch gives a registered member."""

    registration = models.ForeignKey(
        Registration, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("registration")
    )
    title = models.CharField(_("task"), max_length=NAME_MAX * 2)
    on = models.DateField(pgettext_lazy("task", "date"))
    hours_expected = models.PositiveSmallIntegerField(
        _("hours expected"), validators=[MinValueValidator(1), MaxValueValidator(MAX_HOURS)]
    )
    state = models.CharField(_("state"), max_length=10, choices=TaskState.choices, default=TaskState.ASSIGNED)
    hours = models.PositiveSmallIntegerField(_("hours served"), null=True, blank=True)
    report = models.CharField(_("what was done"), max_length=NOTE_MAX, blank=True)
    review_note = models.CharField(_("feedback"), max_length=NOTE_MAX, blank=True)
    created_by = account_stamp()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    reported_by = account_stamp()
    reported_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = account_stamp()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()
    scope_path_fields = ("registration__home__path", "registration__community__path")
    scope_own_field = "registration__member"
    scope_own_reach = "change"

    class Meta:
        verbose_name = _("service task")
        verbose_name_plural = _("service tasks")
        ordering = ["-on", "-id"]
        indexes = [models.Index(fields=["state", "on"], name="community_task_state_on_idx")]

    def __str__(self) -> str:
        return self.title


class PairingState(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("pairing", "Active")
    ENDED = "ended", pgettext_lazy("pairing", "Ended")


class Pairing(models.Model):
    """A member paired with a household in difficulty (结对帮扶)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("branch")
    )
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("member"))
    head_name = models.CharField(_("head of household"), max_length=NAME_MAX)
    address = EncryptedTextField(_("address"), context="community.pairing.address")
    phone = EncryptedTextField(_("phone"), context="community.pairing.phone")
    difficulty = models.CharField(_("difficulty"), max_length=NOTE_MAX)
    started_on = models.DateField(_("paired on"))
    state = models.CharField(
        _("state"), max_length=8, choices=PairingState.choices, default=PairingState.ACTIVE
    )
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("reason for ending"), max_length=NOTE_MAX, blank=True)
    created_by = account_stamp()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "organization__path"
    scope_own_field = "member"
    scope_own_reach = "change"

    class Meta:
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        ordering = ["organization__path", "state", "-started_on", "id"]

    def __str__(self) -> str:
        return self.head_name


class Visit(models.Model):
    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="visits")
    on = models.DateField(pgettext_lazy("visit", "date"))
    note = models.CharField(_("what was done"), max_length=NOTE_MAX)
    author = account_stamp()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "pairing__organization__path"
    scope_own_field = "pairing__member"
    scope_own_reach = "change"

    class Meta:
        verbose_name = _("visit")
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return self.note[:40]
