"""Lost-contact cases: open, log each search, close with an outcome that sets the member's status."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, events
from dangjian.core.dates import add_months
from dangjian.core.services import account_of as account
from dangjian.core.services import require_scope, write_service
from dangjian.identity.models import RevokeReason
from dangjian.identity.services import revoke_card
from dangjian.members.models import Member, MemberStatus

from ..lost_floating_workflows import CASE_FLOW
from ..models import (
    CaseOutcome,
    CaseState,
    FloatingRecord,
    FloatingState,
    LostContactCase,
    SearchLogEntry,
    SearchMethod,
)
from .common import close_open_floating, lock_member, set_status

# Party Constitution art. 9: six consecutive months without organizational life (among others),
# without proper reason, is regarded as leaving the Party.
ART9_MONTHS = 6
OPENABLE = (MemberStatus.ACTIVE, MemberStatus.FLOATING_OUT, MemberStatus.LOST_CONTACT)
TEXT_MAX = 200  # a search's result, a closing note (the columns' length)
SEARCHER_MAX = 100


def _not_future(day: date | None, field: str, errors: dict[str, str], missing: str) -> None:
    if not day:
        errors[field] = missing
    elif day > timezone.localdate():
        errors[field] = _("The date cannot be in the future.")


@write_service("lost_contact.open")
def open_case(member: Member, *, lost_on: date, circumstances: str = "", acting_user: Any) -> LostContactCase:
    member = lock_member(member.pk)
    require_scope(acting_user, member, "change")
    errors: dict[str, str] = {}
    _not_future(lost_on, "lost_on", errors, _("Enter the date contact was lost."))
    if lost_on and lost_on < member.join_date:
        errors["lost_on"] = _("The date cannot be before the member joined.")
    if member.status not in OPENABLE:
        errors["member"] = _("A case cannot be opened for a member whose status is %(status)s.") % {
            "status": member.get_status_display()  # type: ignore[attr-defined]
        }
    elif LostContactCase.objects.filter(member=member, state=CaseState.OPEN).exists():
        errors["member"] = _("A lost-contact case is already open for this member.")
    if errors:
        raise ValidationError(errors)
    case = LostContactCase.objects.create(
        member=member, lost_on=lost_on, circumstances=circumstances.strip(), opened_by=account(acting_user)
    )
    CASE_FLOW.started(case, acting_user)
    set_status(member, MemberStatus.LOST_CONTACT, acting_user=acting_user, why=f"lost-contact case {case.pk}")
    audit.record(
        "lost_contact.open",
        actor=acting_user,
        obj=case,
        org_path=member.organization.path,
        changes={"lost_on": [None, str(lost_on)]},
    )
    events.changed("lost_contact.open", member.organization.pk)
    return case


def _locked(case: LostContactCase, acting_user: Any) -> LostContactCase:
    case = CASE_FLOW.lock(case)
    require_scope(acting_user, case, "change")
    if not case.is_open:
        raise ValidationError(_("This case is closed."), code="transition")
    return case


@write_service("lost_contact.log")
def log_search(
    case: LostContactCase,
    *,
    tried_on: date,
    method: str,
    detail: str,
    result: str,
    searcher: str = "",
    acting_user: Any,
) -> SearchLogEntry:
    """One attempt to reach the member: who tried, when, how, and what came of it."""
    case = _locked(case, acting_user)
    errors: dict[str, str] = {}
    _not_future(tried_on, "tried_on", errors, _("Enter the date of the attempt."))
    if tried_on and tried_on < case.lost_on:
        errors["tried_on"] = _("The attempt cannot be before contact was lost.")
    if method not in SearchMethod.values:
        errors["method"] = _("Choose how the member was sought.")
    if not detail.strip():
        errors["detail"] = _("Say what was tried.")
    if not result.strip():
        errors["result"] = _("Say what came of it.")
    elif len(result.strip()) > TEXT_MAX:
        errors["result"] = _("Keep the result to at most 200 characters.")
    searcher = searcher.strip() or getattr(acting_user, "get_username", lambda: "")()
    if not searcher:
        errors["searcher"] = _("Say who tried.")
    elif len(searcher) > SEARCHER_MAX:
        errors["searcher"] = _("Keep the name to at most 100 characters.")
    if errors:
        raise ValidationError(errors)
    entry = SearchLogEntry.objects.create(
        case=case,
        tried_on=tried_on,
        method=method,
        detail=detail.strip(),
        result=result.strip(),
        searcher=searcher,
        recorded_by=account(acting_user),
    )
    audit.record(
        "lost_contact.log",
        actor=acting_user,
        obj=case,
        org_path=case.member.organization.path,
        changes={"tried_on": [None, str(tried_on)], "method": [None, method]},
    )
    events.changed("lost_contact.log", case.member.organization.pk)
    return entry


def _check_art9(case: LostContactCase, closed_on: date) -> None:
    """Art. 9 applies after six months and only to a member the branch actually looked for."""
    earliest = add_months(case.lost_on, ART9_MONTHS)
    if closed_on < earliest:
        raise ValidationError(
            {
                "outcome": _(
                    "Contact was lost on %(lost)s: art. 9 can apply only after six months, from %(date)s."
                )
                % {"lost": case.lost_on, "date": earliest}
            }
        )
    if not case.entries.exists():  # type: ignore[attr-defined]
        raise ValidationError({"outcome": _("Record the search for the member before closing under art. 9.")})


@write_service("lost_contact.close")
def close_case(
    case: LostContactCase,
    *,
    outcome: str,
    closed_on: date | None = None,
    note: str = "",
    acting_user: Any,
) -> LostContactCase:
    case = _locked(case, acting_user)
    closed_on = closed_on or timezone.localdate()
    if outcome not in CaseOutcome.values:
        raise ValidationError({"outcome": _("Choose the outcome.")})
    if closed_on < case.lost_on or closed_on > timezone.localdate():
        raise ValidationError({"closed_on": _("The case closes between the loss of contact and today.")})
    if outcome == CaseOutcome.STILL_LOST and not note.strip():
        raise ValidationError({"note": _("Say why the search ends without finding the member.")})
    if len(note.strip()) > TEXT_MAX:
        raise ValidationError({"note": _("Keep the note to at most 200 characters.")})
    if outcome == CaseOutcome.LEFT_PARTY:
        _check_art9(case, closed_on)
    member = lock_member(case.member_id)
    why = f"lost-contact case {case.pk}: {outcome}"
    floating = FloatingRecord.objects.filter(member=member, state=FloatingState.OPEN)
    if outcome == CaseOutcome.FOUND:
        status = MemberStatus.FLOATING_OUT if floating.exists() else MemberStatus.ACTIVE
        set_status(member, status, acting_user=acting_user, why=why)
    elif outcome == CaseOutcome.LEFT_PARTY:
        close_open_floating(member, closed_on, acting_user=acting_user, why=why)
        set_status(member, MemberStatus.LEFT, acting_user=acting_user, why=why)
        revoke_card(member, RevokeReason.LEFT, acting_user=acting_user)
    return CASE_FLOW.move(
        case,
        "close",
        acting_user=acting_user,
        note=note,
        fields={"outcome": outcome, "closed_on": closed_on, "closed_by": account(acting_user)},
        changes={"outcome": [None, outcome]},
        locked=True,
    )
