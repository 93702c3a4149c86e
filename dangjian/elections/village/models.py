"""The village and community "two committees" elections (村(社区)两委换届, work point 21).

A village committee (村民委员会) or residents' committee (居民委员会) is not a Party organization:
it is elected by the villagers or residents, and has no Party roll. It is kept here attached to
the village's (or community's) Party organization, whose term follows it.

A township plans the elections of the villages under it for a year (`VillageElection`, one row
per village): the candidates' qualification review (资格联审, `Candidate`), the election day,
the results on the village committee (`VillageSeat`; the Party side is the village Party
organization's own confirmed term change) and the township's filing (备案).

Scope: every row sits at the village Party organization (`organization__path`), so the village's
officers, the township above and the county read it.
"""

from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.core.fields import EncryptedTextField, account_stamp
from dangjian.core.masking import mask_id_number
from dangjian.core.scoping import ScopedQuerySet
from dangjian.members.models import Member
from dangjian.organizations.models import Organization, Sector

# The sectors whose Party organizations sit in a village or a community (and so have a village
# or residents' committee beside them).
VILLAGE_SECTORS = (Sector.RURAL, Sector.COMMUNITY)
# Work point 21: every election done (filed) by 30 June of the election year.
DUE_MONTH, DUE_DAY = 6, 30
# A village committee serves five years (Organic Law of Village Committees, 2018 amendment).
COMMITTEE_TERM_YEARS = 5
NOTE_MAX = 200
# Against typing errors: a village committee has 3 to 7 members.
COMMITTEE_MAX = 15


def due_day(year: int) -> date:
    return date(year, DUE_MONTH, DUE_DAY)


class CommitteeKind(models.TextChoices):
    VILLAGE = "village", _("Villagers' committee")
    RESIDENTS = "residents", _("Residents' committee")


class VillageCommittee(models.Model):
    """The village's (or community's) self-governing committee: not a Party organization, no
    members on a Party roll; its term and director as last filed."""

    organization = models.OneToOneField(
        Organization,
        on_delete=models.PROTECT,
        related_name="village_committee",
        verbose_name=_("village Party organization"),
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=CommitteeKind.choices)
    term_start = models.DateField(_("term start"), null=True, blank=True)
    term_end = models.DateField(_("term end"), null=True, blank=True)
    director_name = models.CharField(_("director"), max_length=50, blank=True)
    members_count = models.PositiveSmallIntegerField(_("committee members"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "organization__path"

    class Meta:
        verbose_name = _("village committee")
        verbose_name_plural = _("village committees")
        ordering = ["organization__path"]

    def __str__(self) -> str:
        return self.name


class VillageElectionState(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("village election", "Planned")
    REVIEWED = "reviewed", _("Candidates reviewed")
    ELECTED = "elected", _("Results reported")
    FILED = "filed", pgettext_lazy("village election", "Filed")


class VillageElection(models.Model):
    """One village's (or community's) two-committee election of a year, as its township plans it."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="village_elections",
        verbose_name=_("village Party organization"),
    )
    # The planning committee one level up (the metric counts on it; the plan page lists by it).
    township = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("township")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    state = models.CharField(
        _("state"), max_length=12, choices=VillageElectionState.choices, default=VillageElectionState.PLANNED
    )
    planned_on = models.DateField(_("planned election day"))
    held_on = models.DateField(_("election held on"), null=True, blank=True)
    # The day the township filed it (the rule compares it with 30 June).
    filed_on = models.DateField(_("filed on"), null=True, blank=True)
    planned_by = account_stamp()
    reviewed_by = account_stamp()
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reported_by = account_stamp()
    reported_at = models.DateTimeField(null=True, blank=True)
    filed_by = account_stamp()
    filed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(_("note"), max_length=NOTE_MAX, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "organization__path"

    class Meta:
        verbose_name = _("village election")
        verbose_name_plural = _("village elections")
        ordering = ["organization__path", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="village_election_once_a_year"),
        ]
        indexes = [models.Index(fields=["year", "state"], name="village_election_year_idx")]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.year}"

    @property
    def late(self) -> bool:
        """Planned or held after 30 June: allowed, but flagged (work point 21's deadline)."""
        day = self.held_on or self.planned_on
        return day > due_day(self.year)


class VillagePost(models.TextChoices):
    """The posts candidates stand for: the village committee's, and the Party side's (the
    village Party organization's committee, elected in its own term change)."""

    DIRECTOR = "director", _("Committee director")
    DEPUTY_DIRECTOR = "deputy_director", _("Deputy director")
    COMMITTEE_MEMBER = "committee_member", _("Committee member")
    PARTY_SECRETARY = "party_secretary", _("Party secretary")
    PARTY_DEPUTY = "party_deputy", _("Party deputy secretary")
    PARTY_MEMBER = "party_member", _("Party committee member")


# The posts on the village committee itself (its results are recorded here).
COMMITTEE_POSTS = (VillagePost.DIRECTOR, VillagePost.DEPUTY_DIRECTOR, VillagePost.COMMITTEE_MEMBER)


class ReviewResult(models.TextChoices):
    PENDING = "pending", _("Not yet reviewed")
    PASSED = "passed", pgettext_lazy("qualification review", "Passed")
    FAILED = "failed", pgettext_lazy("qualification review", "Failed")


class Candidate(models.Model):
    """A candidate for one post, and the qualification review (资格联审) of the departments
    (organization, discipline, police, courts, civil affairs…): passed or failed, with their note.
    The ID number is encrypted; its blind index is the members' one, so a candidate who is a
    Party member is recognized by it."""

    election = models.ForeignKey(VillageElection, on_delete=models.CASCADE, related_name="candidates")
    name = models.CharField(_("name"), max_length=50)
    id_number = EncryptedTextField(_("ID number"), context="village.candidate.id_number")
    id_number_bidx = models.CharField(max_length=32, editable=False, db_index=True)
    member = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("member")
    )
    post = models.CharField(_("post"), max_length=20, choices=VillagePost.choices)
    review = models.CharField(
        _("qualification review"), max_length=8, choices=ReviewResult.choices, default=ReviewResult.PENDING
    )
    review_note = models.CharField(_("departments' note"), max_length=NOTE_MAX, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "election__organization__path"

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["election", "id_number_bidx", "post"], name="village_candidate_once_per_post"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.post}"

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)


class VillageSeat(models.Model):
    """One candidate elected to the village committee, with the post and the votes received."""

    election = models.ForeignKey(VillageElection, on_delete=models.CASCADE, related_name="seats")
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="+")
    post = models.CharField(_("post"), max_length=20, choices=VillagePost.choices)
    votes = models.PositiveIntegerField(_("votes for"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "election__organization__path"

    class Meta:
        verbose_name = _("elected to the village committee")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["election", "candidate"], name="village_seat_once"),
        ]

    def __str__(self) -> str:
        return f"{self.candidate_id} {self.post}"
