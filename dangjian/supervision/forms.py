"""Forms of the supervision pages. They only parse; the services check every rule and their
errors are put back on these fields (`apply_errors`)."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.widgets import IsoDateInput

from .models import COMMENT_MAX, NOTE_MAX, REPORT_TEXT_MAX, Dimension, Rating, ReportGrade

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
FILE_HELP = _("PDF, Word (.docx), JPEG or PNG, up to 20 MB.")
FILE_ACCEPT = ".pdf,.docx,.jpg,.jpeg,.png"


class AssessmentForm(forms.Form):
    """One rating and one note per dimension (`setup_rating`, `setup_note`, …)."""

    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, label in Dimension.choices:
            self.fields[f"{code}_rating"] = forms.ChoiceField(
                label=label,
                required=False,
                choices=[("", "—"), *Rating.choices],
                widget=forms.Select(attrs=SELECT),
            )
            self.fields[f"{code}_note"] = forms.CharField(
                label=_("Note"),
                required=False,
                max_length=NOTE_MAX,
                widget=forms.Textarea(attrs={**TEXT, "rows": 2}),
            )

    def dimensions(self) -> list[tuple[Any, Any, Any]]:
        """(label, rating field, note field) per dimension, for the template."""
        return [(label, self[f"{code}_rating"], self[f"{code}_note"]) for code, label in Dimension.choices]


class EvidenceForm(forms.Form):
    dimension = forms.ChoiceField(
        label=_("Dimension"),
        required=False,
        choices=[("", _("All dimensions")), *Dimension.choices],
        widget=forms.Select(attrs=SELECT),
    )
    file = forms.FileField(
        label=_("File"),
        help_text=FILE_HELP,
        widget=forms.ClearableFileInput(attrs={**TEXT, "accept": FILE_ACCEPT}),
    )


class AssessmentReviewForm(forms.Form):
    DECISIONS = [
        ("meets_standard", _("Meets the standard")),
        ("below_standard", _("Does not meet the standard")),
        ("returned", _("Return for revision")),
    ]
    version = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, widget=forms.Select(attrs=SELECT))
    comment = forms.CharField(
        label=_("Comment (required to return)"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={**TEXT, "rows": 2}),
    )


class ReportForm(forms.Form):
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("Report"),
        required=False,
        max_length=REPORT_TEXT_MAX,
        widget=forms.Textarea(attrs={**TEXT, "rows": 10, "maxlength": REPORT_TEXT_MAX}),
        help_text=_("Plain text: the year's Party-building work, problems found, plans for next year."),
    )
    attachment = forms.FileField(
        label=_("Attachment (optional)"),
        required=False,
        help_text=FILE_HELP,
        widget=forms.ClearableFileInput(attrs={**TEXT, "accept": FILE_ACCEPT}),
    )
    remove_attachment = forms.BooleanField(
        label=_("Remove the attached file"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


class ReportReviewForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    grade = forms.ChoiceField(
        label=_("Grade"),
        required=False,
        choices=[("", "—"), *ReportGrade.choices],
        widget=forms.Select(attrs=SELECT),
    )
    comment = forms.CharField(
        label=_("Comments (required to return)"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={**TEXT, "rows": 2}),
    )


class LinkForm(forms.Form):
    cadre = forms.TypedChoiceField(label=_("Committee member"), coerce=int, widget=forms.Select(attrs=SELECT))
    # Any number is accepted here: the service says why an organization cannot be linked.
    branch = forms.IntegerField(label=_("Branch"), widget=forms.Select(attrs=SELECT))
    since = forms.DateField(label=_("Since"), widget=IsoDateInput())

    def __init__(
        self, *args: Any, cadres: list[tuple[int, str]], branches: list[tuple[int, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cadre"].choices = cadres  # type: ignore[attr-defined]
        self.fields["branch"].widget.choices = branches  # type: ignore[attr-defined]
        self.fields["since"].initial = timezone.localdate()


class VisitForm(forms.Form):
    link = forms.TypedChoiceField(label=_("Link"), coerce=int, widget=forms.Select(attrs=SELECT))
    visited_on = forms.DateField(label=_("Date of the visit"), widget=IsoDateInput())
    checked = forms.CharField(
        label=_("What was checked"), max_length=2000, widget=forms.Textarea(attrs={**TEXT, "rows": 2})
    )
    findings = forms.CharField(
        label=_("Findings"), max_length=2000, widget=forms.Textarea(attrs={**TEXT, "rows": 2})
    )
    follow_up = forms.CharField(
        label=_("Follow-up"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={**TEXT, "rows": 2}),
    )

    def __init__(self, *args: Any, links: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["link"].choices = links  # type: ignore[attr-defined]
        self.fields["visited_on"].initial = timezone.localdate()
