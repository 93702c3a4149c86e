"""The workflow of a meeting (`core.workflow`): planned ──close──▶ closed, planned ──cancel──▶
cancelled.

Both moves are the organization's: whoever may change the meeting (a change grant over its
organization, any level above included) — as for every other write to it. A meeting is closed
once it has ended and everyone expected is accounted for; it is cancelled only while it was not
held, with the reason (the move's note, kept in `cancel_reason`). Telling the members of a
cancellation is the service's, after the move (`services.cancel_meeting`).
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core.workflow import Inputs, Transition, Workflow, in_reach

from .models import AttendanceStatus, Meeting, MeetingStatus

HELD_NO_CANCEL = gettext_lazy(
    "This meeting has been held (attendance is recorded); record and close it instead of cancelling."
)
CANCEL_REASON_MAX = 200
# Whoever may change the meeting: the same reach every write to a meeting asks for.
ORGANIZATION = in_reach("change", label="whoever may change the meeting")


def is_held(meeting: Meeting) -> bool:
    """Held: someone was recorded present or absent (a check-in, the secretary's roll). Until
    then a planned meeting may still be moved or cancelled, even once its start has passed (it
    did not take place)."""
    return meeting.attendances.filter(status__in=(AttendanceStatus.PRESENT, AttendanceStatus.ABSENT)).exists()


def finished_refusal(meeting: Meeting) -> ValidationError:
    """Why a closed or cancelled meeting changes no more, with the code callers have known."""
    if meeting.status == MeetingStatus.CANCELLED:
        return ValidationError(
            _("This meeting was cancelled; it can no longer be changed."), code="cancelled"
        )
    return ValidationError(_("This meeting is closed; its record can no longer be changed."), code="closed")


def _ended(meeting: Meeting, inputs: Inputs) -> None:
    if meeting.ends_at > timezone.now():
        raise ValidationError(_("A meeting can be closed only after it has ended."))


def _everyone_recorded(meeting: Meeting, inputs: Inputs) -> None:
    if meeting.attendances.filter(status=AttendanceStatus.EXPECTED).exists():
        raise ValidationError(_("Record the attendance of everyone expected before closing the meeting."))


def _not_held(meeting: Meeting, inputs: Inputs) -> None:
    if is_held(meeting):
        raise ValidationError(HELD_NO_CANCEL, code="held")


def _held_on(meeting: Meeting) -> date:
    return timezone.localdate(meeting.starts_at)


MEETING_FLOW = Workflow(
    model=Meeting,
    states=MeetingStatus,
    transitions=(
        Transition(
            name="close",
            source=(MeetingStatus.PLANNED,),
            target=MeetingStatus.CLOSED,
            who=(ORGANIZATION,),
            guards=(_ended, _everyone_recorded),
            note="none",
            at="closed_at",
            done=gettext_lazy("Meeting closed; its record is locked."),
        ),
        Transition(
            name="cancel",
            source=(MeetingStatus.PLANNED,),
            target=MeetingStatus.CANCELLED,
            who=(ORGANIZATION,),
            guards=(_not_held,),
            note="optional",
            at="cancelled_at",
            done=gettext_lazy("Meeting cancelled; the expected members are told."),
        ),
    ),
    org=lambda m: m.organization,
    audit="meeting",
    # The calendar, the month's overview and the compliance rules read meetings by their day.
    event="orglife.meeting",
    event_on=_held_on,
    field="status",
    note_field="cancel_reason",
    note_max=CANCEL_REASON_MAX,
    note_max_message=gettext_lazy("Keep the reason under 200 characters."),
    note_input="reason",
    stale_message=gettext_lazy("Someone else changed this meeting meanwhile; reload and edit again."),
    state_refusal=finished_refusal,
    related=("organization",),
    back=lambda m: f"/meetings/{m.pk}/",
)
