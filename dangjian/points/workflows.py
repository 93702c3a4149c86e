"""A hand entry's workflow: entered (by the ledger's keepers or the member themself), then
approved or rejected once by someone else who keeps the member's ledger (`core.workflow`).
Approval applies the rule's cap; accrued entries are born approved and never move."""

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core.workflow import Transition, Workflow, by_stamp, by_subject, in_reach

from .models import EntryState, PointEntry, PointRule
from .rules import capped, period_key


def capped_points(entry: PointEntry) -> tuple[int, bool]:
    """The entry's points after its rule's cap, against what is already approved in the period.
    The rule row is locked so two approvals cannot both use the last room."""
    rule = PointRule.objects.select_for_update().get(pk=entry.rule_id)
    if rule.cap_points is None:
        return entry.points, False
    key = period_key(entry.occurred_on, rule.cap_period)
    same = PointEntry.objects.filter(
        ~Q(pk=entry.pk),
        member_id=entry.member_id,
        rule=rule,
        state=EntryState.APPROVED,
        occurred_on__year=entry.occurred_on.year,
    ).values_list("occurred_on", "points")
    used = sum(abs(p) for day, p in same if period_key(day, rule.cap_period) == key)
    return capped(entry.points, used, rule.cap_points)


class EntryWorkflow(Workflow):
    """The kernel's workflow, where approval writes the capped points (so the generic move view
    and the services take the same move)."""

    def write(
        self,
        obj: Any,
        transition: Transition,
        acting_user: Any,
        note: str,
        fields: dict[str, Any],
        changes: dict[str, list[Any]],
    ) -> Any:
        before = obj.points
        if transition.target == EntryState.APPROVED:
            points, was_capped = capped_points(obj)
            fields = {**fields, "points": points, "capped": was_capped}
        changes = {"points": [before, fields.get("points", before)], **changes}
        return super().write(obj, transition, acting_user, note, fields, changes)


def _decide(name: str, target: str, note: str, done: Any, note_message: Any = "") -> Transition:
    return Transition(
        name=name,
        source=(EntryState.PROPOSED,),
        target=target,
        who=(in_reach("change", label="keeps the member's ledger"),),
        unless=(
            by_stamp(
                "created_by", gettext_lazy("Whoever entered points cannot also approve or reject them.")
            ),
            by_subject(lambda e: e.member_id, gettext_lazy("Nobody approves or rejects their own points.")),
        ),
        note=note,
        note_required_message=note_message,
        stamp="decided",
        done=done,
    )


def _decided(entry: PointEntry) -> str:
    return _("This entry is %(state)s; it cannot change any more.") % {"state": EntryState(entry.state).label}


ENTRY_FLOW = EntryWorkflow(
    model=PointEntry,
    states=EntryState,
    transitions=(
        _decide("approve", EntryState.APPROVED, "optional", gettext_lazy("Entry approved.")),
        _decide(
            "reject",
            EntryState.REJECTED,
            "required",
            gettext_lazy("Entry rejected."),
            gettext_lazy("Say why the entry is rejected."),
        ),
    ),
    org=lambda e: e.member.organization,
    audit="point_entry",
    related=("member__organization", "rule"),
    back=lambda e: f"/orgs/{e.member.organization_id}/points/",
    view_related=("member",),
    state_refusal=_decided,  # the words its pages always used
)
