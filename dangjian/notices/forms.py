from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.core.uploads import KINDS

from .models import TITLE_MAX_CHARS

ATTACHMENT_ACCEPT = ",".join(ext for code in ("jpeg", "png", "pdf", "docx") for ext in KINDS[code].extensions)


class NoticeForm(forms.Form):
    """The notice's fields; the service checks them (length, past deadline, cascade) and says why.
    The text is edited with the rich-text box of templates/orglife/_richtext.html."""

    title = forms.CharField(
        label=_("Title"),
        # One more than allowed, so that an over-long title reaches the service's clear message.
        max_length=TITLE_MAX_CHARS + 1,
        widget=forms.TextInput(attrs={"class": "form-control", "maxlength": TITLE_MAX_CHARS}),
    )
    must_read = forms.BooleanField(
        label=_("Must read"), required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
    )
    deadline = forms.DateField(
        label=_("Read by"),
        required=False,
        help_text=_("For a must-read notice: the day by which every recipient should have read it."),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )
    pinned = forms.BooleanField(
        label=_("Pin to the top"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    cascade = forms.BooleanField(
        label=_("Send down to every organization below"),
        required=False,
        help_text=_("Unticked: only the members of this organization itself receive it."),
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(
        self, *args: object, can_cascade: bool = False, sent: bool = False, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if not can_cascade or sent:
            del self.fields["cascade"]
