"""The assignment's workflow (`core.workflow`): in post, then handed over by the county, with a
handover note and the last day (the successor's assignment may start the next day).

"The county" is a writing grant covering the county committee that made the assignment (so the
city and the province above it too); the township's and the village's officers read it only.
"""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.accounts.roles import Role
from dangjian.core.workflow import Inputs, Transition, Who, Workflow, in_reach, role_on

from .models import Assignment, AssignmentState

COUNTY = in_reach("change", lambda a: a.county, "the county (change covering the county committee)")
VILLAGE_OFFICER = role_on(
    (Role.SECRETARY, Role.ORGANIZER), lambda a: a.village, "the village's secretary or organizer"
)


def _the_person(user: Any, assignment: Any) -> bool:
    member = getattr(user, "member", None) if getattr(user, "is_authenticated", False) else None
    return member is not None and assignment.member_id == member.pk


THE_PERSON = Who("the assigned person (their account's member)", _the_person)


def _county_refusal(assignment: Assignment) -> str:
    return _("This is decided by %(county)s.") % {"county": assignment.county.name}


def _handover_day(assignment: Assignment, inputs: Inputs) -> None:
    day = inputs.extra.get("end")
    if not isinstance(day, date):
        raise ValidationError({"end": _("Give the last day in post.")})
    if day < assignment.start:
        raise ValidationError({"end": _("The last day cannot be before the assignment started.")})
    if day > timezone.localdate().replace(year=timezone.localdate().year + 1):
        raise ValidationError({"end": _("The last day is at most a year from today.")})


ASSIGNMENT_FLOW = Workflow(
    model=Assignment,
    states=AssignmentState,
    transitions=(
        Transition(
            "hand_over",
            (AssignmentState.ACTIVE,),
            AssignmentState.ENDED,
            (COUNTY,),
            refusal=_county_refusal,
            guards=(_handover_day,),
            note="required",
            note_required_message=gettext_lazy("Write the handover note."),
            stamp="handed_over",
            done=gettext_lazy("Handed over."),
        ),
    ),
    org=lambda a: a.village,
    audit="village_assignment",
    event="villagework.assignment",
    note_field="handover_note",
    related=("village", "county"),
    view_related=("village", "county"),
    event_on=lambda a: a.end,
)
