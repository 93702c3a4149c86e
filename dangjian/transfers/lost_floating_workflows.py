"""The workflows of a lost-contact case and of a floating member record (`core.workflow`).

* A lost-contact case is open until the branch (a change grant over the member's branch) closes
  it with an outcome; the service sets the member's status that follows from it.
* A floating record is open while the member is away; the home branch records the return. The
  other way out, "closed" (the member transferred or left the Party), is not an actor's move on
  the record but a consequence of another one (an acceptance, an art. 9 closing): it stays a
  direct write in `services.common.close_open_floating`.
"""

from django.utils.translation import gettext_lazy

from dangjian.core.workflow import Transition, Workflow, in_reach

from .models import CaseState, FloatingRecord, FloatingState, LostContactCase

CASE_FLOW = Workflow(
    model=LostContactCase,
    states=CaseState,
    transitions=(
        Transition(
            name="close",
            source=(CaseState.OPEN,),
            target=CaseState.CLOSED,
            who=(in_reach("change", label="a change grant over the member's branch"),),
            done=gettext_lazy("Case closed."),
        ),
    ),
    org=lambda c: c.member.organization,
    audit="lost_contact",
    event="lost_contact.close",
    note_field="closing_note",
    related=("member__organization",),
)

FLOATING_FLOW = Workflow(
    model=FloatingRecord,
    states=FloatingState,
    transitions=(
        Transition(
            name="return",
            source=(FloatingState.OPEN,),
            target=FloatingState.RETURNED,
            # The managing branch sees the record but does not change it.
            who=(in_reach("change", of=lambda r: r.home_org, label="the home branch"),),
            refusal=gettext_lazy("Only the home branch changes a floating record."),
            note="none",
            done=gettext_lazy("Return recorded; the member is active again."),
        ),
        # Not an actor's move: `services.common.close_open_floating` writes it directly. Listed so
        # that the table shows every way out of "open".
        Transition(
            name="close",
            source=(FloatingState.OPEN,),
            target=FloatingState.CLOSED,
            who=(),
            note="none",
        ),
    ),
    org=lambda r: r.home_org,
    audit="floating",
    event="floating.return",
    gate="view",  # either side sees it; only the home branch moves it (`who`)
    note_field="",
    related=("member", "home_org", "managing_org"),
)
