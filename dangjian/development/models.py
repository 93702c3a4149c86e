"""Member development (发展党员): a person on the way from application to probationary membership,
at their branch, and each step taken as its own record (《中国共产党发展党员工作细则》, 2014).

The person's stage is a workflow state (`workflows.DEVELOPMENT_FLOW`); steps 1–22 and 25 are
`Step` rows with the facts each step needs (23 and 24, the assembly's decision on the probation
and its approval, are the `transfers` probation records, read, not copied). The ID number and
phone are encrypted like a member's and found through blind indexes under the member's contexts,
so an applicant's ID number is compared with the roll's directly. Structure figures (gender,
birth date, education, occupation) are kept for the yearly plan's targets.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.core.attachments import AttachedFile
from dangjian.core.fields import EncryptedTextField, account_stamp
from dangjian.core.masking import mask_id_number, mask_phone
from dangjian.core.scoping import ScopedQuerySet
from dangjian.members.models import Education, Gender, Member
from dangjian.organizations.models import Organization, PartyGroup
from dangjian.orglife.models import Meeting


class Stage(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    ACTIVIST = "activist", _("Activist")
    CANDIDATE = "candidate", _("Development candidate")
    ADMISSION = "admission", _("Admission under way")
    ADMITTED = "admitted", _("Admitted")
    ENDED = "ended", pgettext_lazy("development", "Ended")


OPEN_STAGES = (Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE, Stage.ADMISSION)


class Occupation(models.TextChoices):
    """The occupation categories of the Party's statistics (the plan's structure targets)."""

    WORKER = "worker", _("Worker")
    FARMER = "farmer", _("Farmer, herdsman or fisherman")
    PROFESSIONAL = "professional", _("Professional in an enterprise or institution")
    MANAGER = "manager", _("Manager in an enterprise or institution")
    OFFICIAL = "official", _("Staff of Party or government bodies")
    STUDENT = "student", _("Student")
    MILITARY = "military", _("Soldier or armed police")
    OTHER = "other", _("Other occupation")


class Recommendation(models.TextChoices):
    MEMBERS = "members", _("Recommended by members")
    LEAGUE = "league", _("Recommended by the Youth League or a mass organization (推优)")


class ApplicantQuerySet(ScopedQuerySet["Applicant"]):
    def open(self) -> "ApplicantQuerySet":
        return self.filter(stage__in=OPEN_STAGES)


class Applicant(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="applicants", verbose_name=_("branch")
    )
    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"))
    ethnicity = models.CharField(_("ethnicity"), max_length=20, default="汉族")
    education = models.CharField(_("education"), max_length=16, choices=Education.choices)
    occupation = models.CharField(_("occupation"), max_length=16, choices=Occupation.choices)
    id_number = EncryptedTextField(_("ID number"), context="applicant.id_number")
    id_number_bidx = models.CharField(max_length=32, editable=False, db_index=True)
    phone = EncryptedTextField(_("phone"), context="applicant.phone", blank=True)
    phone_bidx = models.CharField(max_length=32, blank=True, db_index=True, editable=False)
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, default=Stage.APPLICANT)
    last_step = models.PositiveSmallIntegerField(_("last step"), default=1)
    applied_on = models.DateField(_("application date"))
    activist_on = models.DateField(_("activist since"), null=True, blank=True)
    candidate_on = models.DateField(_("development candidate since"), null=True, blank=True)
    voted_on = models.DateField(_("assembly vote date"), null=True, blank=True)
    # The dates reminders run on (`workflows.DEADLINES`); each is set by the step that starts it.
    talk_due = models.DateField(_("talk due"))
    assessment_due = models.DateField(_("next assessment due"), null=True, blank=True)
    approval_due = models.DateField(_("approval due"), null=True, blank=True)
    member = models.OneToOneField(
        Member,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="development",
        verbose_name=_("member"),
    )
    # The person's own account (issued like a member's, `services.issue_account`): they read their
    # own progress at /me/development/ and nothing else; after admission it is the member's too.
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="development_record",
        verbose_name=_("account"),
    )
    review_note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = account_stamp()
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ApplicantQuerySet.as_manager()
    scope_path_field = "organization__path"

    class Meta:
        verbose_name = _("person in development")
        verbose_name_plural = _("people in development")
        ordering = ["organization", "applied_on", "id"]
        indexes = [models.Index(fields=["organization", "stage"], name="applicant_org_stage_idx")]
        constraints = [
            # One open development per person (a second application while one is open is refused
            # by the service; this holds under concurrency).
            models.UniqueConstraint(
                fields=["id_number_bidx"],
                condition=Q(stage__in=["applicant", "activist", "candidate", "admission"]),
                name="applicant_one_open_per_id",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES


class Step(models.Model):
    """One of steps 1–22 or 25, recorded once (an assessment, steps 6 and 21, repeatedly); the
    columns each step needs are filled for that step only (`steps.STEPS` names them)."""

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="records")
    number = models.PositiveSmallIntegerField(_("step"))
    on = models.DateField(_("date"))
    actor = models.CharField(_("who acted"), max_length=50, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = account_stamp()
    recorded_at = models.DateTimeField(auto_now_add=True)
    # Step 3
    recommendation = models.CharField(
        _("recommended by"), max_length=12, choices=Recommendation.choices, blank=True
    )
    # Steps 5 and 9: the contacts, the introducers (full members of the branch)
    people = models.ManyToManyField(Member, blank=True, related_name="+", verbose_name=_("members"))
    # Step 10 (the political review's conclusion), 12 and 13 (the result)
    conclusion = models.TextField(_("conclusion"), blank=True)
    # Step 11
    training_days = models.PositiveSmallIntegerField(_("training days"), null=True, blank=True)
    training_hours = models.PositiveSmallIntegerField(_("class hours"), null=True, blank=True)
    # Step 13
    notice_from = models.DateField(_("public notice from"), null=True, blank=True)
    notice_until = models.DateField(_("public notice until"), null=True, blank=True)
    # Step 14
    form_number = models.CharField(_("application form number"), max_length=40, blank=True)
    # Step 15
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("meeting")
    )
    should_attend = models.PositiveSmallIntegerField(
        _("full members with voting rights who should attend"), null=True, blank=True
    )
    present = models.PositiveSmallIntegerField(_("present"), null=True, blank=True)
    votes_for = models.PositiveSmallIntegerField(_("votes for"), null=True, blank=True)
    # Step 17, when later than three months after the vote
    reason = models.CharField(_("reason for the delay"), max_length=200, blank=True)
    # Step 19: the party group the new member is placed in (when the branch has groups)
    party_group = models.ForeignKey(
        PartyGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("party group"),
    )
    # Step 20: where the oath was taken; step 25: where the file went
    place = models.CharField(_("where"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "applicant__organization__path"

    class Meta:
        verbose_name = _("development step")
        verbose_name_plural = _("development steps")
        ordering = ["number", "on", "id"]
        indexes = [models.Index(fields=["applicant", "number"], name="devstep_applicant_num_idx")]

    def __str__(self) -> str:
        return f"{self.applicant_id}#{self.number}"


class StepFile(AttachedFile):
    """A step's document: the written application, a review's conclusion, the form's scan."""

    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="development/")

    scope_path_field = "step__applicant__organization__path"

    class Meta(AttachedFile.Meta):
        verbose_name = _("development document")


class Objection(models.Model):
    """An objection raised during the public notice (公示), and the answer given to it."""

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="objections")
    received_on = models.DateField(_("received on"))
    text = models.TextField(_("objection"))
    answer = models.TextField(_("answer"), blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    recorded_by = account_stamp()
    answered_by = account_stamp()

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "applicant__organization__path"

    class Meta:
        verbose_name = _("objection")
        ordering = ["received_on", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class Plan(models.Model):
    """A grassroots committee's yearly development plan (发展党员计划): how many it may admit in
    the year (approvals, step 17, dated in the year) and how many of them should be women, under
    35, front-line workers and farmers, college-educated, in non-public sectors. Set by the level above
    (`services.plan`); an approval beyond it is refused until the plan is changed."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="development_plans", verbose_name=_("committee")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    admissions = models.PositiveIntegerField(_("admissions"))
    women = models.PositiveIntegerField(_("women"), default=0)
    under_35 = models.PositiveIntegerField(_("under 35"), default=0)
    frontline = models.PositiveIntegerField(_("front-line workers and farmers"), default=0)
    college = models.PositiveIntegerField(_("college-educated"), default=0)
    # Admissions in branches of non-public enterprises and social organizations (两新组织).
    nonpublic = models.PositiveIntegerField(_("non-public sectors"), default=0)
    note = models.CharField(_("note"), max_length=200, blank=True)
    set_by = account_stamp()
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "organization__path"

    class Meta:
        verbose_name = _("development plan")
        verbose_name_plural = _("development plans")
        ordering = ["year", "organization__path"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="devplan_one_per_org_year"),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id}/{self.year}"
