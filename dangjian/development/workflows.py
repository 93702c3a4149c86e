"""The stage of a person in development (`core.workflow`): applicant → activist → development
candidate → admission under way → admitted, or ended with a reason at any open stage.

Each move is made by the step that decides it (steps 3, 7, 12 and 17, `steps.STEPS`): the branch's
own officers decide the first three; the Party organization one level up approves the admission,
never one of the candidate's introducers nor whoever recorded the assembly's vote. The reminders:
the talk within a month of the application, an assessment every half year, the approval within
three months of the vote.
"""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.accounts.models import User
from dangjian.accounts.roles import Role
from dangjian.core.tree import STEPLEN
from dangjian.core.workflow import Deadline, Transition, Unless, Workflow, level_above, role_on

from .models import OPEN_STAGES, Applicant, Stage, Step

OFFICERS = frozenset({Role.SECRETARY, Role.ORGANIZER, Role.COMMITTEE_STAFF})


def _branch(applicant: Applicant) -> Any:
    return applicant.organization


BRANCH_OFFICERS = role_on(OFFICERS, _branch, label="the branch's officers")
LEVEL_ABOVE = level_above(_branch, label="the Party organization one level up")
WHO = {"branch": BRANCH_OFFICERS, "above": LEVEL_ABOVE}


def _introducer(user: Any, applicant: Applicant) -> bool:
    member_id = getattr(user, "member_id", None) if getattr(user, "is_authenticated", False) else None
    return bool(member_id) and Step.objects.filter(applicant=applicant, number=9, people=member_id).exists()


def _vote_recorder(user: Any, applicant: Applicant) -> bool:
    # No account (the system) recorded nothing: its steps' `recorded_by` is empty, not its own.
    if not getattr(user, "is_authenticated", False) or getattr(user, "pk", None) is None:
        return False
    return Step.objects.filter(applicant=applicant, number=15, recorded_by_id=user.pk).exists()


NOT_INTRODUCER = Unless(
    "not one of the introducers",
    _introducer,
    gettext_lazy("An introducer of the candidate cannot approve their admission."),
)
NOT_VOTE_RECORDER = Unless(
    "not whoever recorded the vote",
    _vote_recorder,
    gettext_lazy("Whoever recorded the branch assembly's vote cannot also approve the admission."),
)


def branch_refusal(applicant: Applicant) -> str:
    return _("This step is recorded by the officers of the branch (%(org)s).") % {
        "org": applicant.organization.name
    }


def above_refusal(applicant: Applicant) -> str:
    return _("This step is taken by the Party organization one level above the branch (%(org)s).") % {
        "org": applicant.organization.name
    }


def _move(name: str, source: Stage, target: Stage, by: str, done: Any, **kw: Any) -> Transition:
    return Transition(
        name=name,
        source=(source,),
        target=target,
        who=(WHO[by],),
        refusal=branch_refusal if by == "branch" else above_refusal,
        note="none",
        done=done,
        **kw,
    )


def _officers_of(org_id: int) -> list[int]:
    return sorted(
        set(
            User.objects.filter(
                grants__organization_id=org_id, grants__role__in=OFFICERS, is_active=True
            ).values_list("pk", flat=True)
        )
    )


def _branch_officers(applicant: Applicant) -> list[int]:
    return _officers_of(applicant.organization_id)


def _officers_above(applicant: Applicant) -> list[int]:
    parent = applicant.organization.path[:-STEPLEN]
    ids = list(
        User.objects.filter(
            grants__organization__path=parent, grants__role__in=OFFICERS, is_active=True
        ).values_list("pk", flat=True)
    )
    return sorted(set(ids))


def _url(applicant: Applicant) -> str:
    return f"/development/{applicant.pk}/"


DEADLINES = (
    Deadline(
        states=(Stage.APPLICANT,),
        column="talk_due",
        notify=_branch_officers,
        title=lambda a: _("Talk with the applicant due: %(name)s") % {"name": a.name},
        url=_url,
        where={"last_step": 1},
    ),
    Deadline(
        states=(Stage.ACTIVIST,),
        column="assessment_due",
        notify=_branch_officers,
        title=lambda a: _("Half-yearly assessment of the activist due: %(name)s") % {"name": a.name},
        url=_url,
    ),
    Deadline(
        states=(Stage.ADMISSION,),
        column="approval_due",
        notify=_officers_above,
        title=lambda a: (
            _("Admission to approve within three months of the vote: %(name)s") % {"name": a.name}
        ),
        url=_url,
    ),
)

DEVELOPMENT_FLOW = Workflow(
    model=Applicant,
    states=Stage,
    transitions=(
        _move("activist", Stage.APPLICANT, Stage.ACTIVIST, "branch", gettext_lazy("Now an activist.")),
        _move(
            "candidate",
            Stage.ACTIVIST,
            Stage.CANDIDATE,
            "branch",
            gettext_lazy("Now a development candidate."),
        ),
        _move("admission", Stage.CANDIDATE, Stage.ADMISSION, "branch", gettext_lazy("Admission under way.")),
        _move(
            "admit",
            Stage.ADMISSION,
            Stage.ADMITTED,
            "above",
            gettext_lazy("Admitted as a probationary member."),
            unless=(NOT_INTRODUCER, NOT_VOTE_RECORDER),
        ),
        Transition(
            name="end",
            source=tuple(OPEN_STAGES),
            target=Stage.ENDED,
            who=(BRANCH_OFFICERS, LEVEL_ABOVE),
            refusal=branch_refusal,
            note="required",
            note_required_message=gettext_lazy("Give the reason the development ends."),
            done=gettext_lazy("The development has ended."),
        ),
    ),
    org=_branch,
    audit="development",
    field="stage",
    related=("organization",),
    deadlines=DEADLINES,
    back=_url,
)
