"""The development pages: the branch's board (everyone in development by stage, with what is due
next), registering an application, and a person's page (every step in order with the forms for
the steps the user may record next)."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.core import attachments
from dangjian.core.exceptions import OutOfScope
from dangjian.core.masking import birth_year, birth_year_month
from dangjian.core.views import apply_errors, get_for_user
from dangjian.core.workflow import attach_steps, reaches
from dangjian.organizations.models import Organization
from dangjian.supervision.common import int_param
from dangjian.transfers.models import ProbationDecision

from . import services
from .forms import AnswerForm, EndForm, ObjectionForm, RegisterForm, StepForm
from .models import OPEN_STAGES, Applicant, Objection, Stage, Step, StepFile
from .paperwork import available_papers
from .steps import PROBATION_FLOW_STEPS, STEPS, approval_limits, due, next_numbers
from .workflows import DEVELOPMENT_FLOW, WHO

GATE = DEVELOPMENT_FLOW.gate


def _branch(request: HttpRequest, pk: int) -> Organization:
    org = get_for_user(request, Organization, pk, GATE)
    if not org.holds_members:
        raise Http404
    return org


@login_required
def board(request: HttpRequest, pk: int) -> HttpResponse:
    org = _branch(request, pk)
    today = timezone.localdate()
    rows = list(
        Applicant.objects.filter(organization=org).restrict(request.user, GATE).order_by("applied_on", "id")
    )
    for row in rows:
        row.due = due(row, today)  # type: ignore[attr-defined]
    columns = [(Stage(s), [r for r in rows if r.stage == s]) for s in OPEN_STAGES]
    return render(
        request,
        "development/board.html",
        {
            "org": org,
            "columns": columns,
            "closed": [r for r in rows if r.stage not in OPEN_STAGES],
            "registers": WHO["branch"](request.user, Applicant(organization=org)),
        },
    )


@login_required
def register(request: HttpRequest, pk: int) -> HttpResponse:
    org = _branch(request, pk)
    form = RegisterForm(request.POST or None, initial={"applied_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            applicant = services.register_application(
                org,
                data,
                applied_on=data.pop("applied_on"),
                note=data.pop("note"),
                files=request.FILES.getlist("files"),
                acting_user=request.user,
            )
        except OutOfScope as exc:
            raise Http404 from exc
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Application registered."))
            return redirect("development_person", pk=applicant.pk)
    return render(request, "development/register.html", {"org": org, "form": form})


def _may_record(user: Any, applicant: Applicant, number: int) -> bool:
    kind = STEPS[number]
    if kind.move:
        return any(t.name == kind.move for t in DEVELOPMENT_FLOW.allowed(user, applicant))
    return bool(WHO[kind.by](user, applicant))


def _steps(applicant: Applicant) -> list[Step]:
    steps = list(
        applicant.records.select_related("recorded_by", "meeting", "party_group")
        .prefetch_related("people", "files")
        .order_by("number", "on", "id")
    )
    for step in steps:
        step.title = STEPS[step.number].title  # type: ignore[attr-defined]
        step.late = (step.number == 2 and step.on > applicant.talk_due) or (  # type: ignore[attr-defined]
            step.number == 17
            and applicant.voted_on is not None
            and step.on > approval_limits(applicant.voted_on)[0]
        )
    return steps


def _probation_steps(applicant: Applicant) -> list[dict[str, Any]]:
    """Steps 23 and 24 as the probation flow of `transfers` recorded them: each decision of the
    branch assembly on the member's probation, and the committee's approval or rejection of it,
    linking to the member's page where they are taken."""
    if applicant.member_id is None:
        return []
    rows: list[dict[str, Any]] = []
    decisions = ProbationDecision.objects.filter(member_id=applicant.member_id).select_related("meeting")
    for d in sorted(decisions, key=lambda d: (d.decided_on, d.pk)):
        rows.append({"number": 23, "title": PROBATION_FLOW_STEPS[23], "on": d.decided_on, "decision": d})
        if d.reviewed_at is not None:
            rows.append(
                {
                    "number": 24,
                    "title": PROBATION_FLOW_STEPS[24],
                    "on": timezone.localdate(d.reviewed_at),
                    "decision": d,
                }
            )
    return rows


@login_required
def person(request: HttpRequest, pk: int) -> HttpResponse:
    applicant = get_for_user(
        request, Applicant, pk, GATE, select_related=["organization", "member", "account"]
    )
    user = request.user
    today = timezone.localdate()
    steps = _steps(applicant)
    forms = [
        (STEPS[n], StepForm(number=n, branch=applicant.organization, initial={"on": today}, prefix=f"s{n}"))
        for n in next_numbers(applicant, {s.number for s in steps})
        if _may_record(user, applicant, n)
    ]
    attach_steps([applicant])
    writes = WHO["branch"](user, applicant) or WHO["above"](user, applicant)
    in_notice = applicant.stage == Stage.ADMISSION and applicant.last_step == 12
    reveal = reaches(user, applicant.organization, "reveal_pii")
    steps = _steps(applicant)
    papers = available_papers({s.number for s in steps})
    for step in steps:
        step.papers = papers.get(step.number, [])  # type: ignore[attr-defined]
    for kind, form in forms:
        form.papers = papers.get(kind.number, [])  # type: ignore[attr-defined]
    return render(
        request,
        "development/person.html",
        {
            "a": applicant,
            "birth": birth_year_month(applicant.birth_date) if reveal else birth_year(applicant.birth_date),
            "steps": steps,
            "papers": [p for ps in papers.values() for p in ps],
            "issues_account": reaches(user, applicant.organization, "manage_users"),
            "probation_steps": _probation_steps(applicant),
            "due": due(applicant, today),
            "forms": forms,
            "ends": applicant.is_open
            and any(t.name == "end" for t in DEVELOPMENT_FLOW.allowed(user, applicant)),
            "end_form": EndForm(),
            "objections": list(applicant.objections.all()),
            "objection_form": ObjectionForm(initial={"received_on": today}) if writes and in_notice else None,
            "answer_form": AnswerForm(initial={"answered_on": today}) if writes and in_notice else None,
        },
    )


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


def _act(request: HttpRequest, applicant: Applicant, write: Callable[[], object], done: str) -> HttpResponse:
    """A write posted from the person's page: outside the user's reach 404, a refusal shown on
    the page (nothing changed), else `done`; back to the page either way."""
    try:
        write()
    except OutOfScope as exc:
        raise Http404 from exc
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, done)
    return redirect("development_person", pk=applicant.pk)


@login_required
@require_POST
def step(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    applicant = get_for_user(request, Applicant, pk, GATE, select_related=["organization"])
    if number not in STEPS:
        raise Http404
    form = StepForm(request.POST, number=number, branch=applicant.organization, prefix=f"s{number}")
    if not form.is_valid():
        messages.error(
            request,
            " ".join(
                f"{form.fields[f].label if f in form.fields else ''} {e}".strip()
                for f, errs in form.errors.items()
                for e in errs
            ),
        )
        return redirect("development_person", pk=applicant.pk)
    return _act(
        request,
        applicant,
        lambda: services.record_step(
            applicant,
            number,
            form.cleaned_data,
            files=request.FILES.getlist(f"s{number}-files"),
            expected_version=int_param(request.POST.get("version")),
            acting_user=request.user,
        ),
        _("Step recorded: %(title)s.") % {"title": STEPS[number].title},
    )


@login_required
@require_POST
def end(request: HttpRequest, pk: int) -> HttpResponse:
    applicant = get_for_user(request, Applicant, pk, GATE, select_related=["organization"])
    return _act(
        request,
        applicant,
        lambda: services.end_development(
            applicant,
            note=str(request.POST.get("note", "")),
            expected_version=int_param(request.POST.get("version")),
            acting_user=request.user,
        ),
        str(DEVELOPMENT_FLOW.by_name["end"].done),
    )


@login_required
@require_POST
def objection(request: HttpRequest, pk: int) -> HttpResponse:
    applicant = get_for_user(request, Applicant, pk, GATE, select_related=["organization"])
    form = ObjectionForm(request.POST)

    def write() -> None:
        if not form.is_valid():
            raise ValidationError(_("Enter the objection and the day it was received."))
        services.record_objection(applicant, acting_user=request.user, **form.cleaned_data)

    return _act(request, applicant, write, _("Objection recorded."))


@login_required
@require_POST
def answer(request: HttpRequest, pk: int, objection_pk: int) -> HttpResponse:
    applicant = get_for_user(request, Applicant, pk, GATE, select_related=["organization"])
    row = Objection.objects.filter(applicant=applicant, pk=objection_pk).first()
    if row is None:
        raise Http404
    form = AnswerForm(request.POST)

    def write() -> None:
        if not form.is_valid():
            raise ValidationError(_("Enter the answer and the day it was given."))
        services.answer_objection(row, acting_user=request.user, **form.cleaned_data)

    return _act(request, applicant, write, _("Answer recorded."))


@login_required
def document(request: HttpRequest, pk: int, file_pk: int) -> Any:
    applicant = get_for_user(request, Applicant, pk, GATE)
    return attachments.serve(StepFile.objects.filter(step__applicant=applicant, pk=file_pk).first())
