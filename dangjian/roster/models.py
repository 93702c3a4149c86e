"""An import of a roster file into an organization's subtree, as a job with a state and counts."""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from dangjian.core.fields import EncryptedTextField, SealedFileField
from dangjian.core.scoping import ScopedQuerySet
from dangjian.organizations.models import Organization


class ImportState(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    PREVIEWED = "previewed", _("Previewed")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportOutcome(models.TextChoices):
    NONE = "", _("Not finished")
    IMPORTED = "imported", _("Imported")
    REFUSED = "refused", _("Nothing imported: rows were refused")
    DRY_RUN = "dry_run", _("Checked only (dry run)")


# Legal moves of the state machine; `ImportJob.move_to` refuses any other.
TRANSITIONS: dict[str, frozenset[str]] = {
    ImportState.UPLOADED: frozenset({ImportState.PREVIEWED, ImportState.RUNNING, ImportState.FAILED}),
    ImportState.PREVIEWED: frozenset({ImportState.PREVIEWED, ImportState.RUNNING, ImportState.FAILED}),
    ImportState.RUNNING: frozenset({ImportState.DONE, ImportState.FAILED}),
    ImportState.DONE: frozenset(),
    ImportState.FAILED: frozenset(),
}


class ImportJob(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("organization")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    # Sealed at rest (full ID numbers): see core.sealed and docs/roster.md, "Files".
    file = SealedFileField(_("file"), max_length=200, context="roster.upload")
    original_name = models.CharField(_("file name"), max_length=200)
    file_format = models.CharField(_("format"), max_length=8)
    size = models.PositiveBigIntegerField(default=0)
    partial = models.BooleanField(
        _("accept the valid rows"),
        default=False,
        help_text=_("Import the valid rows even when others are refused (otherwise nothing is imported)."),
    )
    dry_run = models.BooleanField(_("check only"), default=False)
    language = models.CharField(max_length=16, default="zh-hans")
    state = models.CharField(
        _("state"), max_length=16, choices=ImportState.choices, default=ImportState.UPLOADED
    )
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=ImportOutcome.choices, blank=True, default=""
    )
    phase = models.CharField(max_length=16, blank=True, default="")
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    total_rows = models.PositiveIntegerField(default=0)
    new_rows = models.PositiveIntegerField(default=0)
    unchanged_rows = models.PositiveIntegerField(default=0)
    refused_rows = models.PositiveIntegerField(default=0)
    report = SealedFileField(_("report"), max_length=200, blank=True, context="roster.report")
    # The preview (columns, first rows with ID numbers and phones masked), computed once: reading
    # a workbook costs seconds, and the job page is viewed many times.
    preview = EncryptedTextField(context="roster.preview")
    # When the retention sweep deleted the file, the report and the preview.
    files_deleted_at = models.DateTimeField(null=True, blank=True)
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "organization__path"

    class Meta:
        verbose_name = _("member import")
        verbose_name_plural = _("member imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.original_name} → {self.organization}"

    def move_to(self, state: str) -> None:
        if state not in TRANSITIONS[self.state]:
            raise ValidationError(
                _("This import cannot go from %(old)s to %(new)s.")
                % {"old": self.get_state_display(), "new": ImportState(state).label},
                code="state",
            )
        self.state = state

    @property
    def finished(self) -> bool:
        return self.state in (ImportState.DONE, ImportState.FAILED)

    def counts(self) -> dict[str, Any]:
        return {
            "total": self.total_rows,
            "new": self.new_rows,
            "unchanged": self.unchanged_rows,
            "refused": self.refused_rows,
        }
