"""Rule sets (the year's work points as data), their rules, and the stored results.

A result is one organization × rule × year: status, value against target, next due date. Rules
with monthly or quarterly cadence keep one row a year too: value counts the periods met and the
status says whether a period was missed; the per-period detail of one organization is cheap to
compute live for its checklist page. A rollup is one non-leaf organization × rule × year: how
many organizations of its subtree (itself included) have each status, so a dashboard reads a few
hundred small rows instead of scanning results or records.
"""

from django.conf import settings as django_settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dangjian.core.scoping import ScopedQuerySet
from dangjian.organizations.models import Organization


class RuleKind(models.TextChoices):
    COUNT = "count", _("Count per period")
    DEADLINE = "deadline", _("By a deadline")
    PER_PERSON = "per_person", _("Every person")
    COVERAGE = "coverage", _("Coverage of the organizations below")
    STATE = "state", _("Standing condition")
    NOT_MEASURED = "not_measured", _("Not measured")


class Status(models.TextChoices):
    MET = "met", _("Met")
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    OVERDUE = "overdue", _("Overdue")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")
    NOT_MEASURED = "not_measured", _("Not measured")


# Statuses a stored result can have, in the order rollups count them.
STORED_STATUSES = (Status.MET, Status.ON_TRACK, Status.AT_RISK, Status.OVERDUE)


class RuleSet(models.Model):
    code = models.SlugField(_("code"), max_length=64)
    version = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=200)
    # None: a standing rule set that applies every year.
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    scope = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("applies within")
    )
    # Only the newest loaded version of a code is active; older ones stay for the record.
    active = models.BooleanField(_("active"), default=True)
    settings = models.JSONField(default=dict, blank=True)
    source = models.TextField(_("source file"))
    source_name = models.CharField(max_length=200, blank=True)
    loaded_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    loaded_at = models.DateTimeField(_("loaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("rule set")
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="ruleset_code_version")]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    def applies_in(self, year: int) -> bool:
        return self.year is None or self.year == year


class Rule(models.Model):
    rule_set = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="rules")
    code = models.SlugField(_("code"), max_length=64)
    position = models.PositiveSmallIntegerField()
    point = models.PositiveSmallIntegerField(_("work point"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=RuleKind.choices)
    # The validated rule as loaded (metric, period, minimum, deadline, applies_to, …).
    spec = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("rule")
        ordering = ["rule_set", "position"]
        constraints = [models.UniqueConstraint(fields=["rule_set", "code"], name="rule_code_unique")]

    def __str__(self) -> str:
        return f"{self.code}: {self.title}"

    @property
    def measured(self) -> bool:
        return self.kind != RuleKind.NOT_MEASURED


class Result(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="results")
    year = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices)
    value = models.IntegerField(default=0)
    target = models.IntegerField(default=0)
    due_on = models.DateField(null=True, blank=True)
    computed_at = models.DateTimeField()

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "organization__path"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "year", "rule"], name="result_once"),
        ]
        indexes = [models.Index(fields=["rule", "year", "status"], name="result_rule_status_idx")]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.rule_id} {self.year}: {self.status}"


class StatusCounts(models.Model):
    """How many results have each stored status (and how many there are)."""

    applicable = models.IntegerField(default=0)
    met = models.IntegerField(default=0)
    on_track = models.IntegerField(default=0)
    at_risk = models.IntegerField(default=0)
    overdue = models.IntegerField(default=0)

    class Meta:
        abstract = True


class Rollup(StatusCounts):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="rollups")
    year = models.PositiveSmallIntegerField()

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "organization__path"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "year", "rule"], name="rollup_once"),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.rule_id} {self.year}: {self.met}/{self.applicable}"

    @property
    def share_met(self) -> float | None:
        return self.met / self.applicable if self.applicable else None


class Snapshot(StatusCounts):
    """A non-leaf organization's rollups summed over all rules, as they stood at the end of a
    month (the current month is overwritten by every recompute): the dashboard's trend line,
    one row per organization and month, not per rule."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "organization__path"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "year", "month"], name="snapshot_once"),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.year}-{self.month:02d}: {self.met}/{self.applicable}"


class Tally(StatusCounts):
    """One organization's own results of a year counted by status, over all rules: what the
    "most overdue below" list sorts, so it reads one row per organization instead of grouping
    every result of a subtree."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "organization__path"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "year"], name="tally_once")]
        indexes = [models.Index(fields=["year", "-overdue"], name="tally_overdue_idx")]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.year}: {self.overdue} overdue"
