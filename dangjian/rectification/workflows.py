"""The problem's workflow (`core.workflow`): the organization (or the member) rectifies and
submits; the level above accepts or returns, or agrees to carry it over to next year.

For an organization's problem "the level above" is its parent committee, and whoever holds a
writing grant on or inside the organization never accepts its own problem; for a member's
problem it is the branch (change on it), never the member. Nobody accepts what they submitted.
"""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.accounts.models import User
from dangjian.accounts.roles import Role
from dangjian.core.workflow import (
    Deadline,
    Inputs,
    Transition,
    Unless,
    Who,
    Workflow,
    by_stamp,
    by_subject,
    level_above,
    not_inside,
    reaches,
    role_on,
)

from .models import EDITABLE, Problem, ProblemState

OFFICERS = frozenset({Role.SECRETARY, Role.ORGANIZER, Role.COMMITTEE_STAFF})


_OFFICER = role_on(OFFICERS, lambda p: p.organization)
_ABOVE = level_above(lambda p: p.organization)
_INSIDE = not_inside(
    lambda p: p.organization,
    gettext_lazy("An organization's problem is accepted by the level above, not by the organization itself."),
)


def _owner_side(user: Any, problem: Problem) -> bool:
    """The organization's own officers; for a member's problem also the member themself."""
    if problem.member_id is not None:
        member = getattr(user, "member", None) if getattr(user, "is_authenticated", False) else None
        if member is not None and member.pk == problem.member_id:
            return True
    return _OFFICER(user, problem)


def _acceptor(user: Any, problem: Problem) -> bool:
    """The level above; for a member's own problem, the branch (change on it)."""
    if problem.member_id is not None:
        return reaches(user, problem.organization, "change")
    return _ABOVE(user, problem)


OWNER = Who("the organization's officers, or the member concerned", _owner_side)
ACCEPTOR = Who("the level above (the branch, for a member's problem)", _acceptor)
NOT_SUBMITTER = by_stamp(
    "submitted_by", gettext_lazy("Whoever submitted a problem cannot also accept or return it.")
)
NOT_THE_MEMBER = by_subject(
    lambda p: p.member_id, gettext_lazy("A member's problem is accepted by the branch, not by the member.")
)
# A member's problem is accepted by the branch, whose officers of course write inside it.
NOT_INSIDE = Unless(
    _INSIDE.label, lambda user, p: p.member_id is None and _INSIDE.check(user, p), _INSIDE.message
)


def _measured(problem: Problem, inputs: Inputs) -> None:
    if not problem.measure.strip():
        raise ValidationError({"measure": _("Write the rectification measure before submitting.")})


def _owner_refusal(problem: Problem) -> str:
    return _("This problem is rectified by its organization's officers or the member concerned.")


def _acceptor_refusal(problem: Problem) -> str:
    if problem.member_id is not None:
        return _("A member's problem is accepted or returned by the branch.")
    return _("An organization's problem is accepted or returned by the level above.")


def _by_owner(name: str, source: tuple[str, ...], target: str, done: Any, **kw: Any) -> Transition:
    return Transition(name, source, target, who=(OWNER,), refusal=_owner_refusal, done=done, **kw)


def _by_acceptor(name: str, target: str, done: Any, source: tuple[str, ...], **kw: Any) -> Transition:
    return Transition(
        name,
        source,
        target,
        who=(ACCEPTOR,),
        refusal=_acceptor_refusal,
        unless=(NOT_SUBMITTER, NOT_THE_MEMBER, NOT_INSIDE),
        stamp="decided",
        done=done,
        **kw,
    )


def responsible_accounts(problem: Problem) -> list[int]:
    """Who is reminded of the deadline: the organization's officers and the member concerned."""
    officers = Q(grants__organization_id=problem.organization_id, grants__role__in=OFFICERS)
    concerned = Q(member_id=problem.member_id) if problem.member_id is not None else Q(pk__in=[])
    return sorted(set(User.objects.filter(officers | concerned, is_active=True).values_list("pk", flat=True)))


# Reminded while still with its organization (or member): not once submitted.
DEADLINE = Deadline(
    states=EDITABLE,
    column="deadline",
    notify=responsible_accounts,
    title=lambda p: _("Problem to rectify: %(problem)s") % {"problem": p.description[:40]},
    url=lambda p: f"/problems/{p.pk}/",
)

PROBLEM_FLOW = Workflow(
    model=Problem,
    states=ProblemState,
    transitions=(
        _by_owner(
            "start",
            (ProblemState.OPEN,),
            ProblemState.IN_PROGRESS,
            gettext_lazy("Rectification begun."),
            stamp="started",
            note="none",
        ),
        _by_owner(
            "submit",
            EDITABLE,
            ProblemState.SUBMITTED,
            gettext_lazy("Submitted for acceptance."),
            stamp="submitted",
            guards=(_measured,),
            note="none",
        ),
        _by_acceptor(
            "accept",
            ProblemState.ACCEPTED,
            gettext_lazy("Problem accepted as rectified."),
            (ProblemState.SUBMITTED,),
        ),
        _by_acceptor(
            "return",
            ProblemState.RETURNED,
            gettext_lazy("Problem returned for further rectification."),
            (ProblemState.SUBMITTED,),
            note="required",
            note_required_message=gettext_lazy("Say what is still missing."),
        ),
        _by_acceptor(
            "carry_over",
            ProblemState.CARRIED_OVER,
            gettext_lazy("Problem carried over to next year."),
            EDITABLE,
            note="required",
            note_required_message=gettext_lazy("Give the reason for carrying it over."),
        ),
    ),
    org=lambda p: p.organization,
    audit="problem",
    event="rectification.problem",
    event_on=lambda p: date(p.year, 12, 31),
    gate="view",
    related=("organization",),
    view_related=("organization",),
    deadlines=(DEADLINE,),
    back=lambda p: f"/problems/{p.pk}/",
)
