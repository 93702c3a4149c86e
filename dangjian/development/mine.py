"""The person's own view of their development (`/me/development/`), on their phone: the stage,
the steps done with their dates, what comes next and by when, and their introducers' names.

It is reached through the account linked to the record (`Applicant.account`), never by an id in
the URL, so nobody else's record can be asked for; it shows nothing the branch keeps for itself
(notes, conclusions, objections, who recorded what). Issuing that account is the page
`/development/<pk>/account/`, for whoever may create accounts in the branch."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core.exceptions import OutOfScope
from dangjian.core.views import apply_errors, get_for_user

from . import services
from .models import Applicant, Stage
from .steps import STEPS, candidate_from, due

TEXT = {"class": "form-control"}


@login_required
def my_development(request: HttpRequest) -> HttpResponse:
    applicant = Applicant.objects.filter(account_id=request.user.pk).select_related("organization").first()
    if applicant is None:
        raise Http404
    today = timezone.localdate()
    steps = [
        {"number": number, "on": on, "title": STEPS[number].title}
        for number, on in applicant.records.order_by("number", "on", "id").values_list("number", "on")
    ]
    introducers = list(
        applicant.records.filter(number=9).order_by("-on", "-id").values_list("people__name", flat=True)
    )
    return render(
        request,
        "development/mine.html",
        {
            "a": applicant,
            "steps": steps,
            "due": due(applicant, today),
            "introducers": [name for name in introducers if name],
            "candidate_from": candidate_from(applicant.activist_on)
            if applicant.stage == Stage.ACTIVIST and applicant.activist_on
            else None,
        },
    )


class AccountForm(forms.Form):
    username = forms.CharField(
        label=gettext_lazy("Username"), max_length=150, widget=forms.TextInput(attrs=TEXT)
    )
    password = forms.CharField(
        label=gettext_lazy("Initial password"),
        max_length=128,
        widget=forms.PasswordInput(attrs={**TEXT, "autocomplete": "new-password"}),
        help_text=gettext_lazy("The person changes it at the first sign-in."),
    )


@login_required
def issue_account(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue the person's account: for whoever may create accounts in the branch (the page is
    404 to everyone else, as the account pages are)."""
    applicant = get_for_user(
        request, Applicant, pk, "manage_users", select_related=["organization", "account"]
    )
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.issue_account(
                applicant,
                form.cleaned_data["username"],
                form.cleaned_data["password"],
                acting_user=request.user,
            )
        except OutOfScope as exc:
            raise Http404 from exc
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Account %(name)s issued.") % {"name": user.username})
            return redirect("development_account", pk=applicant.pk)
    return render(request, "development/account.html", {"a": applicant, "form": form})
