"""A lecture dispatch's workflow (`core.workflow`): proposed, then held (the branch confirms it,
which records the party lecture meeting) or cancelled; both are final. Whoever may change the
dispatch (a grant on its branch or above) takes either move."""

from django.utils.translation import gettext_lazy

from dangjian.core.workflow import Transition, Workflow, in_reach

from .models import DispatchStatus, LectureDispatch

CHANGERS = (in_reach("change", label="a change grant on the branch or above"),)

DISPATCH_FLOW = Workflow(
    model=LectureDispatch,
    states=DispatchStatus,
    field="status",
    transitions=(
        Transition(
            name="confirm",
            source=(DispatchStatus.PROPOSED,),
            target=DispatchStatus.HELD,
            who=CHANGERS,
            note="none",
            done=gettext_lazy("Lecture confirmed; the party lecture meeting was recorded."),
        ),
        Transition(
            name="cancel",
            source=(DispatchStatus.PROPOSED,),
            target=DispatchStatus.CANCELLED,
            who=CHANGERS,
            note="none",
            done=gettext_lazy("Dispatch cancelled."),
        ),
    ),
    org=lambda d: d.branch,
    audit="lecture_dispatch",
    event="lectures.dispatch",
    note_field="",
    related=("branch", "lecturer"),
    event_on=lambda d: d.date,
    back=lambda d: f"/orgs/{d.branch_id}/lecturers/?year={d.date.year}",
)
