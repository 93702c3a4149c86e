"""The workflow of a notice (`core.workflow`): draft ──send──▶ sent ──withdraw──▶ withdrawn.

Both moves are the sending organization's (a change grant over it, any level above included).
Sending captures the recipients' tallies and withdrawing hides the notice from them; that is
the service's, after the move (`services`). A withdrawn notice changes no more.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core.workflow import Inputs, Transition, Workflow, in_reach

from .models import Notice, NoticeState

SENDER = in_reach("change", of=lambda n: n.organization, label="the sending organization")


def _state_refusal(notice: Notice) -> str:
    """The words each state has always refused with (each state refuses one move, or both)."""
    if notice.state == NoticeState.WITHDRAWN:
        return _("This notice was withdrawn; it can no longer be changed.")
    if notice.state == NoticeState.SENT:
        return _("This notice has already been sent.")
    return _("Only a sent notice can be withdrawn.")


def _deadline_ahead(notice: Notice, inputs: Inputs) -> None:
    if notice.deadline is not None and notice.deadline < timezone.localdate():
        raise ValidationError(
            {"deadline": _("The deadline has already passed; choose today or a later day.")}, code="past"
        )


def _sent_on(notice: Notice) -> date | None:
    return timezone.localdate(notice.sent_at) if notice.sent_at else None


NOTICE_FLOW = Workflow(
    model=Notice,
    states=NoticeState,
    transitions=(
        Transition(
            name="send",
            source=(NoticeState.DRAFT,),
            target=NoticeState.SENT,
            who=(SENDER,),
            guards=(_deadline_ahead,),
            note="none",
            done=gettext_lazy("Notice sent."),
        ),
        Transition(
            name="withdraw",
            source=(NoticeState.SENT,),
            target=NoticeState.WITHDRAWN,
            who=(SENDER,),
            note="none",
            done=gettext_lazy("Notice withdrawn; recipients no longer see it."),
        ),
    ),
    org=lambda n: n.organization,
    audit="notice",
    # What the organization has published, and how its members read it, changed: the online
    # space rule (point 10) counts sent notices and reads of must-read ones within 7 days.
    event="notices.notice",
    event_on=_sent_on,
    note_field="",
    related=("organization",),
    back=lambda n: f"/orgs/{n.organization_id}/notices/{n.pk}/",
    state_refusal=_state_refusal,
)
