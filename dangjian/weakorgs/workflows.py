"""The listing's workflow (`core.workflow`): the county confirms or removes a candidate; the
listed organization (its officers, or the level above it) plans, records progress and submits;
the county accepts or returns it, or carries it over to next year, and looks back six months
after acceptance.

"The county" is a writing grant covering the county committee that screened (so the city and the
province above it too), and never someone who writes on or inside the listed organization: an
organization does not judge its own case, whatever it also holds above. Nobody accepts what they
submitted.
"""

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.accounts.models import User
from dangjian.accounts.roles import Role
from dangjian.core.dates import add_months
from dangjian.core.workflow import (
    Deadline,
    Inputs,
    Transition,
    Who,
    Workflow,
    by_stamp,
    in_reach,
    level_above,
    not_inside,
    role_on,
)

from .models import WORKING, Listing, ListingState

OFFICERS = frozenset({Role.SECRETARY, Role.ORGANIZER, Role.COMMITTEE_STAFF})
PLAN_DAYS = 30

_OFFICER = role_on(OFFICERS, lambda li: li.organization)
_ABOVE = level_above(lambda li: li.organization)
COUNTY = in_reach("change", lambda li: li.county, "the county (change covering the county committee)")
# The county judges the rectification and does not write it: the level above, short of the county.
OWNER = Who(
    "the organization's officers, or the level above it below the county",
    lambda user, li: _OFFICER(user, li) or (_ABOVE(user, li) and not COUNTY(user, li)),
)
NOT_INSIDE = not_inside(
    lambda li: li.organization,
    gettext_lazy("A listed organization's case is decided by the county, not by the organization itself."),
)
NOT_SUBMITTER = by_stamp(
    "submitted_by", gettext_lazy("Whoever submitted the rectification cannot also accept or return it.")
)


def _county_refusal(listing: Listing) -> str:
    return _("This is decided by %(county)s.") % {"county": listing.county.name}


def _owner_refusal(listing: Listing) -> str:
    return _("The rectification is written by the organization's officers or the level above it.")


def _planned(listing: Listing, inputs: Inputs) -> None:
    if not (listing.plan.strip() and listing.leader.strip() and listing.contact.strip()):
        raise ValidationError(
            {"plan": _("Write the plan and name the county leader in charge and the township contact.")}
        )


def _has_progress(listing: Listing, inputs: Inputs) -> None:
    if not listing.progress.exists():
        raise ValidationError(_("Record the progress made before submitting for acceptance."))


def _lookback_due(listing: Listing, inputs: Inputs) -> None:
    if listing.lookback_at is not None:
        raise ValidationError(_("The look-back has been recorded already."))
    if listing.lookback_due is None or listing.lookback_due > timezone.localdate():
        raise ValidationError(
            _("The look-back is due six months after acceptance, on %(day)s.")
            % {"day": listing.lookback_due.isoformat() if listing.lookback_due else "—"}
        )


def lookback_day(accepted: date) -> date:
    """Six months on (the same day of the month, or the month's last when it has none)."""
    return add_months(accepted, 6)


def plan_day(listed: date) -> date:
    return listed + timedelta(days=PLAN_DAYS)


def _by_county(name: str, source: tuple[str, ...], target: str, done: Any, **kw: Any) -> Transition:
    unless = (NOT_INSIDE, NOT_SUBMITTER) if target in ("accepted", "returned") else (NOT_INSIDE,)
    return Transition(
        name, source, target, who=(COUNTY,), refusal=_county_refusal, unless=unless, done=done, **kw
    )


def _by_owner(name: str, source: tuple[str, ...], target: str, done: Any, **kw: Any) -> Transition:
    return Transition(name, source, target, who=(OWNER,), refusal=_owner_refusal, done=done, **kw)


def responsible_accounts(listing: Listing) -> list[int]:
    """Who is reminded of the plan's deadline: the listed organization's officers."""
    officers = Q(grants__organization_id=listing.organization_id, grants__role__in=OFFICERS)
    return sorted(set(User.objects.filter(officers, is_active=True).values_list("pk", flat=True)))


def county_accounts(listing: Listing) -> list[int]:
    """Who is reminded of the look-back: the county's staff."""
    staff = Q(grants__organization_id=listing.county_id, grants__role=Role.COMMITTEE_STAFF)
    return sorted(set(User.objects.filter(staff, is_active=True).values_list("pk", flat=True)))


PLAN_DEADLINE = Deadline(
    states=(ListingState.LISTED,),
    column="plan_due",
    notify=responsible_accounts,
    title=lambda li: _("Rectification plan due: %(org)s") % {"org": li.organization.name},
    url=lambda li: f"/weak/{li.pk}/",
)
LOOKBACK_DEADLINE = Deadline(
    states=(ListingState.ACCEPTED,),
    column="lookback_due",
    notify=county_accounts,
    title=lambda li: _("Look back on %(org)s") % {"org": li.organization.name},
    url=lambda li: f"/weak/{li.pk}/",
    days_before=(0,),
)

LISTING_FLOW = Workflow(
    model=Listing,
    states=ListingState,
    transitions=(
        _by_county(
            "confirm",
            (ListingState.CANDIDATE,),
            ListingState.LISTED,
            gettext_lazy("The organization is on the list."),
            stamp="listed",
        ),
        _by_county(
            "remove",
            (ListingState.CANDIDATE,),
            ListingState.REMOVED,
            gettext_lazy("Candidate removed from the list."),
            note="required",
            note_required_message=gettext_lazy("Give the reason for removing it."),
        ),
        _by_owner(
            "plan",
            (ListingState.LISTED,),
            ListingState.PLANNED,
            gettext_lazy("Rectification plan made."),
            stamp="planned",
            guards=(_planned,),
            note="none",
        ),
        _by_owner(
            "submit",
            WORKING,
            ListingState.SUBMITTED,
            gettext_lazy("Submitted for acceptance."),
            stamp="submitted",
            guards=(_planned, _has_progress),
            note="none",
        ),
        _by_county(
            "accept",
            (ListingState.SUBMITTED,),
            ListingState.ACCEPTED,
            gettext_lazy("Rectification accepted."),
            stamp="decided",
        ),
        _by_county(
            "return",
            (ListingState.SUBMITTED,),
            ListingState.RETURNED,
            gettext_lazy("Returned for further rectification."),
            stamp="decided",
            note="required",
            note_required_message=gettext_lazy("Say what is still missing."),
        ),
        _by_county(
            "carry_over",
            (ListingState.LISTED, *WORKING),
            ListingState.CARRIED_OVER,
            gettext_lazy("Carried over to next year."),
            stamp="decided",
            note="required",
            note_required_message=gettext_lazy("Give the reason for carrying it over."),
        ),
        # Six months after acceptance the county looks back: the state stays, the note is kept.
        _by_county(
            "look_back",
            (ListingState.ACCEPTED,),
            ListingState.ACCEPTED,
            gettext_lazy("Look-back recorded."),
            stamp="lookback",
            guards=(_lookback_due,),
            note="required",
            note_required_message=gettext_lazy("Write what the look-back found."),
        ),
    ),
    org=lambda li: li.organization,
    audit="weak_listing",
    event="weakorgs.listing",
    event_on=lambda li: date(li.year, 12, 31),
    gate="view",
    related=("organization", "county"),
    view_related=("organization", "county"),
    deadlines=(PLAN_DEADLINE, LOOKBACK_DEADLINE),
    back=lambda li: f"/weak/{li.pk}/",
)
