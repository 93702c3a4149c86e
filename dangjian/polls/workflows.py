"""A poll's workflow (`core.workflow`): a draft is opened (the electorate frozen) or cancelled; an
open poll is closed (early by its managers, or by the system at its deadline) or cancelled. Only
the branch's own secretary or organizer (a grant on the branch itself) runs its polls; committee
staff above read them. The services check the manager first and refuse anyone else as out of
scope (404), as the poll pages always have."""

from django.utils.translation import gettext_lazy

from dangjian.accounts.roles import Role
from dangjian.core.workflow import Transition, Workflow, role_on

from .models import Poll, PollStatus

MANAGER_ROLES = frozenset({Role.SECRETARY, Role.ORGANIZER})
MANAGERS = (role_on(MANAGER_ROLES, of=lambda p: p.organization, label="the branch's secretary or organizer"),)

POLL_FLOW = Workflow(
    model=Poll,
    states=PollStatus,
    field="status",
    transitions=(
        Transition(
            name="open",
            source=(PollStatus.DRAFT,),
            target=PollStatus.OPEN,
            who=MANAGERS,
            note="none",
            done=gettext_lazy("The poll is open; its voters were notified."),
        ),
        Transition(
            name="close",
            source=(PollStatus.OPEN,),
            target=PollStatus.CLOSED,
            who=MANAGERS,  # and the system, at the deadline
            done=gettext_lazy("The poll is closed; the results are shown."),
        ),
        Transition(
            name="cancel",
            source=(PollStatus.DRAFT, PollStatus.OPEN),
            target=PollStatus.CANCELLED,
            who=MANAGERS,
            note="none",
            done=gettext_lazy("The poll was cancelled."),
        ),
    ),
    org=lambda p: p.organization,
    audit="poll",
    event="polls.poll",
    note_field="",  # the close's reason ("early", "deadline") goes to the history and the audit
    related=("organization",),
    back=lambda p: f"/polls/{p.pk}/",
)
