"""The reduction's workflow: the branch proposes, the committee one level up approves or rejects
it once (`core.workflow`)."""

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core.tree import STEPLEN
from dangjian.core.workflow import Inputs, Transition, Workflow, by_stamp, level_above
from dangjian.organizations.models import Organization

from .models import DuesReduction, ReductionState


def approver_org(reduction: DuesReduction) -> Organization:
    """The committee one level above the deciding branch: the only level that may approve."""
    return Organization.objects.get(path=reduction.organization.path[:-STEPLEN])


def _not_moved(reduction: DuesReduction, inputs: Inputs) -> None:
    if reduction.member.organization_id != reduction.organization_id:
        raise ValidationError(
            _("The member has moved to another organization since; propose it again there.")
        )


def _refusal(reduction: DuesReduction) -> str:
    return _("A reduction is approved or rejected by the committee one level up (%(org)s).") % {
        "org": approver_org(reduction).name
    }


def _decide(name: str, target: str, note: str, done: Promise, note_message: str | Promise = "") -> Transition:
    return Transition(
        name=name,
        source=(ReductionState.PROPOSED,),
        target=target,
        who=(level_above(lambda r: r.organization, label="the committee one level up"),),
        refusal=_refusal,
        unless=(
            by_stamp(
                "decided_by",
                gettext_lazy("Whoever proposed a reduction cannot also approve or reject it."),
            ),
        ),
        guards=(_not_moved,),
        note=note,
        note_required_message=note_message,
        stamp="approved",
        done=done,
    )


REDUCTION_FLOW = Workflow(
    model=DuesReduction,
    states=ReductionState,
    transitions=(
        _decide("approve", ReductionState.APPROVED, "optional", gettext_lazy("Reduction approved.")),
        _decide(
            "reject",
            ReductionState.REJECTED,
            "required",
            gettext_lazy("Reduction rejected."),
            gettext_lazy("Say why the reduction is rejected."),
        ),
    ),
    org=lambda r: r.member.organization,
    audit="dues_reduction",
    related=("organization", "member__organization"),
    audit_obj=lambda r: r.member,
    audit_changes=lambda r: {"reduction": [r.pk, r.pk]},
    back=lambda r: f"/orgs/{r.organization_id}/dues/",
)
