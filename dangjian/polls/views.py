"""Pages: a branch's polls (management under the organization), a poll with its ballot form, and
the results once it is closed. Members reach them from the 支部 tab (`/my/branch/`)."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dangjian.core.exceptions import OutOfScope
from dangjian.core.tree import subtree_q
from dangjian.core.views import apply_errors, get_for_user
from dangjian.core.workflow import attach_steps
from dangjian.members.models import Member
from dangjian.organizations.models import BRANCH_KINDS, Organization, PartyGroup

from . import services
from .models import Electorate, Poll, PollKind, PollStatus
from .queries import (
    has_voted,
    is_elector,
    results,
    turnout_pct,
    visible_polls,
    voted_count,
    voted_counts,
)

TEXT = {"class": "form-control"}
LIST_LIMIT = 100


class PollForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200, widget=forms.TextInput(attrs=TEXT))
    description = forms.CharField(
        label=gettext_lazy("Description"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={**TEXT, "rows": 3}),
    )
    options = forms.CharField(
        label=gettext_lazy("Options"),
        help_text=gettext_lazy("One option a line, at least two."),
        widget=forms.Textarea(attrs={**TEXT, "rows": 4}),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Choice"),
        choices=PollKind.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    max_choices = forms.IntegerField(
        label=gettext_lazy("At most this many choices"),
        help_text=gettext_lazy("For multiple choice only."),
        required=False,
        min_value=2,
        max_value=20,
        widget=forms.NumberInput(attrs=TEXT),
    )
    anonymous = forms.BooleanField(
        label=gettext_lazy("Anonymous: nobody can see who chose what"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    electorate = forms.ChoiceField(
        label=gettext_lazy("Who may vote"),
        choices=Electorate.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    party_group = forms.ModelChoiceField(
        label=gettext_lazy("Party group"),
        queryset=PartyGroup.objects.none(),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    members = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Chosen members"),
        queryset=Member.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 5}),
    )
    closes_at = forms.DateTimeField(
        label=gettext_lazy("Voting closes at"),
        widget=forms.DateTimeInput(attrs={**TEXT, "type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def __init__(self, *args: Any, org: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["party_group"].queryset = PartyGroup.objects.filter(organization=org)  # type: ignore[attr-defined]
        members = Member.objects.on_roll().filter(organization=org, category="full").order_by("name", "pk")
        self.fields["members"].queryset = members  # type: ignore[attr-defined]


def _poll(request: HttpRequest, pk: int) -> Poll:
    """The poll if the user sees it (404 otherwise), closed first if its deadline has passed."""
    poll = visible_polls(request.user).select_related("organization").filter(pk=pk).first()
    if poll is None:
        raise Http404
    return services.close_if_due(poll)


@login_required
def org_polls(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for_user(request, Organization, pk)
    if org.kind in BRANCH_KINDS:
        services.close_due_polls(org=org)  # a poll past its deadline shows as closed
    polls = list(
        visible_polls(request.user)
        .filter(subtree_q(org.path, "organization__path"))
        .select_related("organization")
        .order_by("-created_at", "-pk")[:LIST_LIMIT]
    )
    counts = voted_counts(polls)
    rows = [(p, counts.get(p.pk, 0), turnout_pct(counts.get(p.pk, 0), p.eligible_count)) for p in polls]
    return render(
        request,
        "polls/org_polls.html",
        {
            "org": org,
            "rows": rows,
            "can_manage": org.kind in BRANCH_KINDS and services.can_manage(request.user, org),
        },
    )


@login_required
def poll_create(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for_user(request, Organization, pk, "change")
    if org.kind not in BRANCH_KINDS or not services.can_manage(request.user, org):
        raise Http404
    form = PollForm(request.POST if request.method == "POST" else None, org=org)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            poll = services.create_poll(
                org,
                data,
                data["options"].splitlines(),
                party_group=data["party_group"],
                members=list(data["members"] or []),
                acting_user=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Poll saved as a draft. Open it when it is ready."))
            return redirect("poll_detail", poll.pk)
    return render(request, "polls/poll_form.html", {"org": org, "form": form})


def _initial(poll: Poll) -> dict[str, Any]:
    """The draft's fields as the form shows them."""
    return {
        "title": poll.title,
        "description": poll.description,
        "options": "\n".join(poll.options.order_by("position").values_list("label", flat=True)),
        "kind": poll.kind,
        "max_choices": poll.max_choices if poll.kind == PollKind.MULTIPLE else None,
        "anonymous": poll.anonymous,
        "electorate": poll.electorate,
        "party_group": poll.party_group_id,
        "members": list(poll.chosen_members.values_list("pk", flat=True)),
        "closes_at": timezone.localtime(poll.closes_at),
    }


@login_required
def poll_edit(request: HttpRequest, pk: int) -> HttpResponse:
    poll = _poll(request, pk)
    org = poll.organization
    if poll.status != PollStatus.DRAFT or not services.can_manage(request.user, org):
        raise Http404
    form = PollForm(request.POST if request.method == "POST" else None, org=org, initial=_initial(poll))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_poll(
                poll,
                data,
                data["options"].splitlines(),
                party_group=data["party_group"],
                members=list(data["members"] or []),
                acting_user=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("poll_detail", poll.pk)
    return render(request, "polls/poll_form.html", {"org": org, "form": form, "poll": poll})


@login_required
def poll_detail(request: HttpRequest, pk: int) -> HttpResponse:
    poll = _poll(request, pk)
    voted = voted_count(poll)
    already = has_voted(request.user, poll)
    may_vote = poll.status == PollStatus.OPEN and not already and is_elector(request.user, poll)
    attach_steps([poll])
    return render(
        request,
        "polls/poll_detail.html",
        {
            "poll": poll,
            "options": list(poll.options.all()),
            "voted": voted,
            "turnout": turnout_pct(voted, poll.eligible_count),
            "already": already,
            "may_vote": may_vote,
            "can_manage": services.can_manage(request.user, poll.organization),
            "chosen": [int(x) for x in request.GET.getlist("o") if x.isdigit()],
        },
    )


@login_required
@require_POST
def poll_vote(request: HttpRequest, pk: int) -> HttpResponse:
    poll = _poll(request, pk)
    try:
        services.cast_vote(poll, request.POST.getlist("options"), acting_user=request.user)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Your vote was recorded. The results are shown once the poll closes."))
    return redirect("poll_detail", poll.pk)


@login_required
def poll_results(request: HttpRequest, pk: int) -> HttpResponse:
    poll = _poll(request, pk)
    rows = results(poll)
    if rows is None:
        messages.info(request, _("The results are shown once the poll closes."))
        return redirect("poll_detail", poll.pk)
    voted = voted_count(poll)
    return render(
        request,
        "polls/poll_results.html",
        {"poll": poll, "rows": rows, "voted": voted, "turnout": turnout_pct(voted, poll.eligible_count)},
    )


def _manage(request: HttpRequest, pk: int, action: Any, done: str) -> HttpResponse:
    poll = get_for_user(request, Poll, pk, "change")
    try:
        action(poll, acting_user=request.user)
    except OutOfScope:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect("poll_detail", poll.pk)


@login_required
@require_POST
def poll_open(request: HttpRequest, pk: int) -> HttpResponse:
    return _manage(request, pk, services.open_poll, _("The poll is open; its voters were notified."))


@login_required
@require_POST
def poll_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _manage(request, pk, services.close_poll, _("The poll is closed; the results are shown."))


@login_required
@require_POST
def poll_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _manage(request, pk, services.cancel_poll, _("The poll was cancelled."))
