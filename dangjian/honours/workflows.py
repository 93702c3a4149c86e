"""The workflows of calls and nominations (`core.workflow`).

A call is opened, closed for nominations, put to public notice and published (or cancelled) by
whoever may change its committee's records. A nomination is submitted or withdrawn by the
nominating organization's own officers; the level above it recommends it when that level is not
the calling committee; the calling committee approves it (from "recommended", or straight from
"submitted" when it is itself the level above) or rejects it; during the public notice an upheld
objection withdraws the approval ("revoke"). Nobody decides on what they submitted, nor on their
own nomination.
"""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.accounts.models import User
from dangjian.accounts.roles import Role
from dangjian.core.tree import STEPLEN
from dangjian.core.workflow import (
    Deadline,
    Inputs,
    Transition,
    Who,
    Workflow,
    by_stamp,
    by_subject,
    in_reach,
    level_above,
    reaches,
    role_on,
)

from .models import PENDING, TAKING, Call, CallState, Nomination, NominationState, Objection

OFFICERS = frozenset({Role.SECRETARY, Role.ORGANIZER, Role.COMMITTEE_STAFF})

# --- calls -------------------------------------------------------------------------------------

CALLER = in_reach("change", label="the calling committee (change on it)")


def _call_refusal(call: Call) -> str:
    return _("A call is moved by its committee (%(org)s) or the levels above.") % {
        "org": call.organization.name
    }


def _has_categories(call: Call, inputs: Inputs) -> None:
    if not call.categories:
        raise ValidationError({"categories": _("Choose at least one honour the call gives.")})
    if call.nominations_due < timezone.localdate():
        raise ValidationError({"nominations_due": _("The nominations' deadline has already passed.")})


def _all_decided(call: Call, inputs: Inputs) -> None:
    nominations = call.nominations.all()
    if nominations.filter(state__in=PENDING).exists():
        raise ValidationError(_("Decide every submitted nomination before the public notice."))
    if not nominations.filter(state=NominationState.APPROVED).exists():
        raise ValidationError(_("No nomination is approved: nothing to put to public notice."))


def _publicity_over(call: Call, inputs: Inputs) -> None:
    if call.publicity_until is None or timezone.localdate() <= call.publicity_until:
        until = call.publicity_until.isoformat() if call.publicity_until else "—"
        raise ValidationError(
            _("The public notice runs until %(until)s; publish after it has ended.") % {"until": until}
        )
    if Objection.objects.filter(nomination__call=call, answered_at__isnull=True).exists():
        raise ValidationError(_("Answer every objection before publishing."))


def _call_move(name: str, source: tuple[str, ...], target: str, done: Any, **kw: Any) -> Transition:
    return Transition(name, source, target, who=(CALLER,), refusal=_call_refusal, done=done, **kw)


def committee_staff(call: Call) -> list[int]:
    """Who is reminded of the publication date: the committee's own officers."""
    officers = Q(grants__organization_id=call.organization_id, grants__role__in=OFFICERS)
    return sorted(set(User.objects.filter(officers, is_active=True).values_list("pk", flat=True)))


CALL_DEADLINE = Deadline(
    states=(CallState.OPEN, CallState.REVIEWING, CallState.PUBLICITY),
    column="publish_by",
    notify=committee_staff,
    title=lambda c: _("Honours to publish: %(title)s") % {"title": c.title[:40]},
    url=lambda c: f"/honour-calls/{c.pk}/",
)

CALL_FLOW = Workflow(
    model=Call,
    states=CallState,
    transitions=(
        _call_move(
            "open",
            (CallState.DRAFT,),
            CallState.OPEN,
            gettext_lazy("The call is open for nominations."),
            stamp="opened",
            guards=(_has_categories,),
            note="none",
        ),
        _call_move(
            "close",
            (CallState.OPEN,),
            CallState.REVIEWING,
            gettext_lazy("Nominations closed; the review begins."),
            note="none",
        ),
        _call_move(
            "publicise",
            (CallState.REVIEWING,),
            CallState.PUBLICITY,
            gettext_lazy("The approved nominations are on public notice."),
            guards=(_all_decided,),
            note="none",
        ),
        _call_move(
            "publish",
            (CallState.PUBLICITY,),
            CallState.PUBLISHED,
            gettext_lazy("The honours are published."),
            stamp="published",
            guards=(_publicity_over,),
            note="none",
        ),
        _call_move(
            "cancel",
            (CallState.DRAFT, CallState.OPEN, CallState.REVIEWING),
            CallState.CANCELLED,
            gettext_lazy("The call is cancelled."),
            note="required",
            note_required_message=gettext_lazy("Give the reason for cancelling."),
        ),
    ),
    org=lambda c: c.organization,
    audit="honour_call",
    event="honours.call",
    event_on=lambda c: date(c.year, 12, 31),
    gate="view",
    related=("organization",),
    view_related=("organization",),
    deadlines=(CALL_DEADLINE,),
    back=lambda c: f"/honour-calls/{c.pk}/",
)

# --- nominations -------------------------------------------------------------------------------


def needs_recommendation(nomination: Nomination) -> bool:
    """The level above the nominating organization recommends first, unless it is the calling
    committee itself (which then decides straight away)."""
    return nomination.nominating_organization.path[:-STEPLEN] != nomination.call.organization.path


_OFFICER = role_on(OFFICERS, lambda n: n.nominating_organization)
_ABOVE = level_above(lambda n: n.nominating_organization)


def _recommender(user: Any, nomination: Nomination) -> bool:
    return needs_recommendation(nomination) and _ABOVE(user, nomination)


def _approver(user: Any, nomination: Nomination) -> bool:
    ready = nomination.state != NominationState.SUBMITTED or not needs_recommendation(nomination)
    return ready and reaches(user, nomination.call.organization, "change")


NOMINATOR = Who("the nominating organization's officers", lambda u, n: _OFFICER(u, n))
RECOMMENDER = Who("the level above the nominating organization", _recommender)
APPROVER = Who("the calling committee (change on it)", _approver)
REJECTER = Who("the level above or the calling committee", lambda u, n: _recommender(u, n) or _approver(u, n))
NOT_PROPOSER = by_stamp(
    "submitted_by", gettext_lazy("Whoever submitted a nomination cannot also recommend or decide on it.")
)
NOT_NOMINEE = by_subject(
    lambda n: n.nominee_member_id, gettext_lazy("Nobody recommends or decides on their own nomination.")
)


def _nominator_refusal(nomination: Nomination) -> str:
    return _("A nomination is submitted or withdrawn by the officers of %(org)s.") % {
        "org": nomination.nominating_organization.name
    }


def _reviewer_refusal(nomination: Nomination) -> str:
    if nomination.state == NominationState.SUBMITTED and needs_recommendation(nomination):
        return _("This nomination is first recommended by the level above %(org)s.") % {
            "org": nomination.nominating_organization.name
        }
    return _("This nomination is decided by %(org)s.") % {"org": nomination.call.organization.name}


def _call_open(nomination: Nomination, inputs: Inputs) -> None:
    call = nomination.call
    if call.state != CallState.OPEN or call.nominations_due < timezone.localdate():
        raise ValidationError(_("The call no longer takes nominations."))
    if not nomination.story.strip():
        raise ValidationError({"story": _("Tell the nominee's deeds before submitting.")})


def _call_reviewing(nomination: Nomination, inputs: Inputs) -> None:
    if nomination.call.state not in TAKING:
        raise ValidationError(_("The call's review is over."))


def _call_in_publicity(nomination: Nomination, inputs: Inputs) -> None:
    if nomination.call.state != CallState.PUBLICITY:
        raise ValidationError(_("An approval is withdrawn only during the public notice."))


def _review(name: str, source: tuple[str, ...], target: str, who: Who, done: Any, **kw: Any) -> Transition:
    return Transition(
        name,
        source,
        target,
        who=(who,),
        refusal=_reviewer_refusal,
        unless=(NOT_PROPOSER, NOT_NOMINEE),
        done=done,
        **kw,
    )


NOMINATION_FLOW = Workflow(
    model=Nomination,
    states=NominationState,
    transitions=(
        Transition(
            "submit",
            (NominationState.DRAFT,),
            NominationState.SUBMITTED,
            who=(NOMINATOR,),
            refusal=_nominator_refusal,
            guards=(_call_open,),
            stamp="submitted",
            note="none",
            done=gettext_lazy("Nomination submitted."),
        ),
        Transition(
            "withdraw",
            (NominationState.DRAFT, NominationState.SUBMITTED),
            NominationState.WITHDRAWN,
            who=(NOMINATOR,),
            refusal=_nominator_refusal,
            done=gettext_lazy("Nomination withdrawn."),
        ),
        _review(
            "recommend",
            (NominationState.SUBMITTED,),
            NominationState.RECOMMENDED,
            RECOMMENDER,
            gettext_lazy("Nomination recommended to the calling committee."),
            guards=(_call_reviewing,),
            stamp="recommended",
        ),
        _review(
            "approve",
            (NominationState.SUBMITTED, NominationState.RECOMMENDED),
            NominationState.APPROVED,
            APPROVER,
            gettext_lazy("Nomination approved."),
            guards=(_call_reviewing,),
            stamp="decided",
        ),
        _review(
            "reject",
            (NominationState.SUBMITTED, NominationState.RECOMMENDED),
            NominationState.REJECTED,
            REJECTER,
            gettext_lazy("Nomination rejected."),
            guards=(_call_reviewing,),
            stamp="decided",
            note="required",
            note_required_message=gettext_lazy("Give the reason for rejecting."),
        ),
        _review(
            "revoke",
            (NominationState.APPROVED,),
            NominationState.REJECTED,
            APPROVER,
            gettext_lazy("Approval withdrawn."),
            guards=(_call_in_publicity,),
            stamp="decided",
            note="required",
            note_required_message=gettext_lazy("Give the reason for withdrawing the approval."),
        ),
    ),
    org=lambda n: n.nominating_organization,
    audit="nomination",
    event="honours.nomination",
    event_on=lambda n: date(n.call.year, 12, 31),
    gate="view",
    related=("nominating_organization", "call__organization", "nominee_member", "nominee_organization"),
    view_related=("nominating_organization", "call__organization"),
    back=lambda n: f"/nominations/{n.pk}/",
)
