"""Pages of honours: an organization's calls (its own, and those of the committees above it that
it may nominate for or whose public notice its members read), one call with its nominations and
objections, one nomination with its evidence and history, the nominate form, a committee's
published honours, and the public notice page (no login)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.core import attachments
from dangjian.core.exceptions import OutOfScope
from dangjian.core.params import is_int
from dangjian.core.scoping import in_scope
from dangjian.core.views import apply_errors, get_for_user
from dangjian.core.workflow import attach_steps
from dangjian.organizations.models import COMMITTEE_KINDS, Organization

from . import queries, services
from .forms import CallEditForm, CallForm, NominationEditForm, NominationForm, PublicityForm
from .models import Call, CallState, Evidence, Nomination, NominationState, Objection
from .workflows import CALL_FLOW, NOMINATION_FLOW, NOMINATOR


def _int(raw: Any) -> int | None:
    raw = str(raw or "")
    return int(raw) if is_int(raw) and len(raw) < 12 else None


NOMINATION_RELATED = [
    "call__organization",
    "nominating_organization",
    "nominee_member",
    "nominee_organization",
]


@login_required
def org_calls(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for_user(request, Organization, pk)
    is_committee = org.kind in COMMITTEE_KINDS
    can_call = is_committee and in_scope(request.user, org, "change")
    form = CallForm(request.POST if request.method == "POST" and can_call else None)
    if form.is_bound and form.is_valid():
        try:
            call = services.create_call(org, form.cleaned_data, acting_user=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Call for nominations drafted; open it when ready."))
            return redirect("honour_call_detail", pk=call.pk)
    own = list(Call.objects.filter(organization=org).order_by("-year", "-id")[:50]) if is_committee else []
    officer = NOMINATOR(request.user, Nomination(nominating_organization=org))
    answerable = list(queries.calls_from_above(org, (CallState.OPEN,)))
    published = list(queries.calls_from_above(org, (CallState.PUBLISHED,)).order_by("-publish_by")[:5])
    notice_calls = list(queries.calls_from_above(org, (CallState.PUBLICITY,)))
    if org.kind in COMMITTEE_KINDS:
        notice_calls += [c for c in own if c.state == CallState.PUBLICITY]
    on_notice = list(queries.on_notice([c.pk for c in notice_calls]))
    objectable = {n.pk for n in on_notice if services.may_object(request.user, n)}
    mine = list(queries.objections_of(request.user, org))
    nominations = list(
        Nomination.objects.filter(nominating_organization=org)
        .select_related("call", "nominee_member", "nominee_organization")
        .order_by("-call__year", "-id")[:100]
    )
    return render(
        request,
        "honours/org_calls.html",
        {
            "org": org,
            "own": own,
            "can_call": can_call,
            "form": form,
            "answerable": answerable,
            "officer": officer,
            "notice_calls": notice_calls,
            "on_notice": on_notice,
            "objectable": objectable,
            "published": published,
            "nominations": nominations,
            "my_objections": mine,
        },
    )


@login_required
@require_POST
def object_to(request: HttpRequest, pk: int) -> HttpResponse:
    """An objection to a nomination on public notice, raised from the organization's page."""
    org = get_for_user(request, Organization, pk)
    paths = [*queries.ancestor_paths(org.path), org.path]
    nomination = (
        Nomination.objects.filter(
            pk=_int(request.POST.get("nomination")) or 0, call__organization__path__in=paths
        )
        .select_related("call__organization", "nominating_organization")
        .first()
    )
    if nomination is None:
        raise Http404
    try:
        services.raise_objection(nomination, str(request.POST.get("text", "")), acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Objection recorded; the committee will answer it."))
    return redirect("org_honour_calls", pk=org.pk)


@login_required
def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_for_user(request, Call, pk, select_related=["organization"])
    rows = list(
        Nomination.objects.restrict(request.user, "view")
        .filter(call=call)
        .select_related("nominating_organization", "nominee_member", "nominee_organization")
        .order_by("category", "id")
    )
    objections = list(
        Objection.objects.filter(nomination__call=call)
        .select_related(
            "nomination__nominee_member", "nomination__nominee_organization", "nomination__call__organization"
        )
        .order_by("raised_at", "id")
    )
    answerable = {o.pk for o in objections if services.may_answer(request.user, o)}
    attach_steps([call])
    return render(
        request,
        "honours/call.html",
        {
            "call": call,
            "rows": rows,
            "counts": queries.state_counts(rows),
            "objections": objections,
            "answerable": answerable,
            "moves": CALL_FLOW.allowed(request.user, call),
            "can_edit": services.may_edit_call(request.user, call),
            "publicity_form": PublicityForm(),
        },
    )


@login_required
def call_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a draft call, or extend the dates of an open one (with a reason)."""
    call = get_for_user(request, Call, pk, "change", select_related=["organization"])
    if not services.may_edit_call(request.user, call):
        messages.error(request, _("Only a draft or open call can be changed."))
        return redirect("honour_call_detail", pk=call.pk)
    form = CallEditForm(request.POST if request.method == "POST" else None, call=call)
    if form.is_bound and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.update_call(
                call,
                data,
                reason=str(data.pop("reason", "")),
                expected_version=_int(request.POST.get("version")),
                acting_user=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Call for nominations updated."))
            return redirect("honour_call_detail", pk=call.pk)
    return render(request, "honours/call_edit.html", {"call": call, "form": form})


@login_required
@require_POST
def call_move(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """A move of a call, through its service (opening the notice sets its dates, publishing
    publishes the nominations)."""
    call = get_for_user(request, Call, pk, select_related=["organization"])
    form = PublicityForm(request.POST)
    kwargs: dict[str, Any] = {
        "note": str(request.POST.get("note", "")),
        "expected_version": _int(request.POST.get("version")),
    }
    if name == "publicise" and form.is_valid():
        kwargs["until"] = form.cleaned_data["until"]
    try:
        services.CALL_MOVES[name](call, acting_user=request.user, **kwargs)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, str(CALL_FLOW.by_name[name].done))
    return redirect("honour_call_detail", pk=call.pk)


@login_required
@require_POST
def answer(request: HttpRequest, pk: int, objection_pk: int) -> HttpResponse:
    call = get_for_user(request, Call, pk)
    objection = Objection.objects.filter(pk=objection_pk, nomination__call=call).first()
    if objection is None:
        raise Http404
    try:
        services.answer_objection(
            objection,
            str(request.POST.get("answer", "")),
            upheld=request.POST.get("upheld") == "1",
            acting_user=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Objection answered."))
    return redirect("honour_call_detail", pk=call.pk)


@login_required
def nominate(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for_user(request, Organization, pk, "change")
    call = (
        queries.calls_from_above(org, (CallState.OPEN,)).filter(pk=_int(request.GET.get("call")) or 0).first()
    )
    if call is None:
        raise Http404
    form = NominationForm(request.POST if request.method == "POST" else None, call=call, org=org)
    if form.is_bound and form.is_valid():
        try:
            nomination = services.create_nomination(call, org, form.cleaned_data, acting_user=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Nomination drafted; add evidence and submit it."))
            return redirect("nomination_detail", pk=nomination.pk)
    return render(request, "honours/nominate.html", {"org": org, "call": call, "form": form})


@login_required
def nomination_detail(request: HttpRequest, pk: int) -> HttpResponse:
    nomination = get_for_user(
        request,
        Nomination,
        pk,
        select_related=NOMINATION_RELATED,
    )
    attach_steps([nomination])
    moves = NOMINATION_FLOW.allowed(request.user, nomination)
    return render(
        request,
        "honours/nomination.html",
        {
            "n": nomination,
            "evidence": list(nomination.evidence.all()),
            "objections": list(nomination.objections.all()),
            "can_add_evidence": services.may_add_evidence(request.user, nomination),
            "can_edit": services.may_edit_nomination(request.user, nomination),
            "moves": moves,
            "takes_note": any(t.note != "none" for t in moves),
        },
    )


@login_required
def nomination_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a nomination: every field while a draft, the deeds once submitted."""
    nomination = get_for_user(
        request,
        Nomination,
        pk,
        select_related=NOMINATION_RELATED,
    )
    if not services.may_edit_nomination(request.user, nomination):
        messages.error(
            request,
            _("A nomination is corrected by the nominating officers before it is recommended or decided."),
        )
        return redirect("nomination_detail", pk=nomination.pk)
    form = NominationEditForm(request.POST if request.method == "POST" else None, nomination=nomination)
    if form.is_bound and form.is_valid():
        data = dict(form.cleaned_data)
        if nomination.state != NominationState.DRAFT:
            data = {"story": data["story"]}
        try:
            services.update_nomination(
                nomination, data, expected_version=_int(request.POST.get("version")), acting_user=request.user
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Nomination updated."))
            return redirect("nomination_detail", pk=nomination.pk)
    return render(request, "honours/nomination_edit.html", {"n": nomination, "form": form})


@login_required
@require_POST
def evidence_remove(request: HttpRequest, pk: int, evidence_pk: int) -> HttpResponse:
    nomination = get_for_user(request, Nomination, pk)
    try:
        name = services.remove_evidence(
            nomination,
            evidence_pk,
            expected_version=_int(request.POST.get("version")),
            acting_user=request.user,
        )
    except OutOfScope as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Removed %(name)s.") % {"name": name})
    return redirect("nomination_detail", pk=nomination.pk)


@login_required
@require_POST
def nomination_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    nomination = get_for_user(request, Nomination, pk)
    try:
        services.add_evidence(
            nomination,
            request.FILES.getlist("files"),
            expected_version=_int(request.POST.get("version")),
            acting_user=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Evidence added."))
    return redirect("nomination_detail", pk=nomination.pk)


@login_required
def evidence_file(request: HttpRequest, pk: int, evidence_pk: int) -> Any:
    nomination = get_for_user(request, Nomination, pk)
    row = Evidence.objects.filter(nomination=nomination, pk=evidence_pk).first()
    return attachments.serve(row)


@login_required
def org_honours(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for_user(request, Organization, pk)
    return render(
        request,
        "honours/honours.html",
        {"org": org, "rows": list(queries.published_honours(org)), "public": False},
    )


def public_honours(request: HttpRequest, org_pk: int) -> HttpResponse:
    """Public (no login): the honours a committee has published, as its public notice would show
    them — name, branch, honour, year and deeds, nothing else. Nothing of a call not yet
    published; a committee with nothing published is not found."""
    org = Organization.objects.filter(pk=org_pk).first()
    rows = list(queries.published_honours(org)) if org is not None else []
    if not rows:
        raise Http404
    response = render(request, "honours/honours.html", {"org": org, "rows": rows, "public": True})
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
