"""The workflows of a community registration and of its service tasks (`core.workflow`).

A registration is two-sided, like a transfer: the home branch (the member's workplace branch)
and the community branch both see it. The community branch's officers (or the level above it)
accept or decline it; the member withdraws a request or ends an accepted registration; the
community branch may also end it. The home branch reads it and takes no move.

A task is given by the community branch; the member reports it done with the hours served; the
community branch confirms it with its feedback (the hours then earn points at the home branch),
sends it back to the member, or cancels one not yet reported.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.accounts.roles import Role
from dangjian.core.workflow import Transition, Who, Workflow, level_above, role_on, the_member

from .models import MAX_HOURS, Registration, RegistrationState, ServiceTask, TaskState

OFFICERS = frozenset({Role.SECRETARY, Role.ORGANIZER, Role.COMMITTEE_STAFF})

_COMMUNITY_OFFICER = role_on(OFFICERS, lambda r: r.community)
_COMMUNITY_ABOVE = level_above(lambda r: r.community)
COMMUNITY = Who(
    "the community branch's officers, or the level above it",
    lambda user, r: _COMMUNITY_OFFICER(user, r) or _COMMUNITY_ABOVE(user, r),
)
MEMBER = the_member(lambda r: r.member_id)
TASK_COMMUNITY = Who(COMMUNITY.label, lambda user, t: COMMUNITY(user, t.registration))
TASK_MEMBER = the_member(lambda t: t.registration.member_id)


def _community_refusal(registration: Registration) -> str:
    return _("This is decided by the community branch %(org)s.") % {"org": registration.community.name}


def _member_refusal(registration: Registration) -> str:
    return _("Only the member who registered may do this.")


def _task_community_refusal(task: ServiceTask) -> str:
    return _community_refusal(task.registration)


def _task_member_refusal(task: ServiceTask) -> str:
    return _("Only the member the task was given to reports it done.")


def check_hours(hours: Any) -> int:
    """Whole hours from 1 to a day's 24 (a refusal in the user's words otherwise)."""
    if isinstance(hours, bool) or not isinstance(hours, int) or not 1 <= hours <= MAX_HOURS:
        raise ValidationError(
            {"hours": _("Enter the hours served, a whole number from 1 to %(max)s.") % {"max": MAX_HOURS}}
        )
    return hours


def _hours_given(task: ServiceTask, inputs: Any) -> None:
    check_hours(inputs.extra.get("hours"))


def _registration_accepted(task: ServiceTask, inputs: Any) -> None:
    if task.registration.state != RegistrationState.ACCEPTED:
        raise ValidationError(_("The registration is no longer accepted."))


REGISTRATION_FLOW = Workflow(
    model=Registration,
    states=RegistrationState,
    transitions=(
        Transition(
            "accept",
            (RegistrationState.REQUESTED,),
            RegistrationState.ACCEPTED,
            who=(COMMUNITY,),
            refusal=_community_refusal,
            stamp="decided",
            done=gettext_lazy("Registration accepted."),
        ),
        Transition(
            "decline",
            (RegistrationState.REQUESTED,),
            RegistrationState.DECLINED,
            who=(COMMUNITY,),
            refusal=_community_refusal,
            stamp="decided",
            note="required",
            note_required_message=gettext_lazy("Give the reason for declining."),
            done=gettext_lazy("Registration declined."),
        ),
        Transition(
            "withdraw",
            (RegistrationState.REQUESTED,),
            RegistrationState.WITHDRAWN,
            who=(MEMBER,),
            refusal=_member_refusal,
            stamp="ended",
            done=gettext_lazy("Registration withdrawn."),
        ),
        Transition(
            "end",
            (RegistrationState.ACCEPTED,),
            RegistrationState.ENDED,
            who=(MEMBER, COMMUNITY),
            refusal=gettext_lazy("The member or the community branch ends a registration."),
            stamp="ended",
            note="required",
            note_required_message=gettext_lazy("Give the reason for ending it (moved house, …)."),
            done=gettext_lazy("Registration ended."),
        ),
    ),
    org=lambda r: r.community,
    audit="community_registration",
    event="community.registration",
    event_on=lambda r: timezone.localdate(),
    gate="view",
    related=("community", "home", "member"),
    view_related=("community", "home", "member"),
    back=lambda r: f"/community/registrations/{r.pk}/",
)

TASK_FLOW = Workflow(
    model=ServiceTask,
    states=TaskState,
    transitions=(
        Transition(
            "report",
            (TaskState.ASSIGNED,),
            TaskState.REPORTED,
            who=(TASK_MEMBER,),
            refusal=_task_member_refusal,
            stamp="reported",
            note="none",
            guards=(_registration_accepted, _hours_given),
            done=gettext_lazy("Reported done; the community branch will confirm it."),
        ),
        Transition(
            "confirm",
            (TaskState.REPORTED,),
            TaskState.CONFIRMED,
            who=(TASK_COMMUNITY,),
            refusal=_task_community_refusal,
            stamp="confirmed",
            done=gettext_lazy("Service confirmed."),
        ),
        Transition(
            "send_back",
            (TaskState.REPORTED,),
            TaskState.ASSIGNED,
            who=(TASK_COMMUNITY,),
            refusal=_task_community_refusal,
            note="required",
            note_required_message=gettext_lazy("Say what is still to be done."),
            done=gettext_lazy("Sent back to the member."),
        ),
        Transition(
            "cancel",
            (TaskState.ASSIGNED,),
            TaskState.CANCELLED,
            who=(TASK_COMMUNITY,),
            refusal=_task_community_refusal,
            done=gettext_lazy("Task cancelled."),
        ),
    ),
    org=lambda t: t.registration.community,
    audit="community_task",
    event="community.task",
    event_on=lambda t: t.on,
    gate="view",
    related=("registration__community", "registration__home", "registration__member"),
    view_related=("registration__community", "registration__home", "registration__member"),
    back=lambda t: f"/community/registrations/{t.registration_id}/",
)
