"""The campaign's life: created and opened by the branch, rating closed, grades set and proposed
by the branch, approved or returned by the committee one level up.

Who may act: the branch's steps need the change scope on the branch (secretary, organizer,
committee staff). Approving or returning needs the change scope on the branch's *parent* and is
never done by whoever proposed. The moves are `workflows.CAMPAIGN_FLOW`'s.
"""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils.translation import gettext as _

from dangjian.core import audit, events
from dangjian.core.services import account_of as account
from dangjian.core.services import require_scope, write_service
from dangjian.organizations.models import Organization

from .models import GRADING_STATES, CampaignState, EvaluationCampaign, Grade, ProposedGrade
from .queries import participants
from .workflows import CAMPAIGN_FLOW

NOTE_MAX = 300


def state_label(state: str) -> str:
    return str(CampaignState(state).label)


def locked(campaign: EvaluationCampaign) -> EvaluationCampaign:
    """The campaign re-read under a row lock (with its branch)."""
    return CAMPAIGN_FLOW.lock(campaign)


def _branch_move(campaign: EvaluationCampaign, name: str, acting_user: Any) -> EvaluationCampaign:
    """A move of the branch's own: outside the branch's change scope it does not exist (404)."""
    campaign = locked(campaign)
    require_scope(acting_user, campaign, "change")
    return CAMPAIGN_FLOW.move(campaign, name, acting_user=acting_user, locked=True)


def _clean_dates(year: int, opens_on: Any, closes_on: Any, errors: dict[str, str]) -> None:
    # The evaluation of a year is held at its end or early in the next (by 30 June).
    first, last = date(year, 1, 1), date(year + 1, 6, 30)
    if not isinstance(opens_on, date):
        errors["opens_on"] = _("Enter the date the campaign opens.")
    elif not first <= opens_on <= last:
        errors["opens_on"] = _("The evaluation of %(year)s opens between %(first)s and %(last)s.") % {
            "year": year,
            "first": first,
            "last": last,
        }
    if not isinstance(closes_on, date):
        errors["closes_on"] = _("Enter the date the campaign closes.")
    elif isinstance(opens_on, date) and closes_on < opens_on:
        errors["closes_on"] = _("The campaign cannot close before it opens.")
    elif closes_on > last:
        errors["closes_on"] = _("The evaluation of %(year)s closes by %(last)s.") % {
            "year": year,
            "last": last,
        }


@write_service("evaluation.create")
def create_campaign(
    branch: Organization, year: int, opens_on: date, closes_on: date, *, acting_user: Any
) -> EvaluationCampaign:
    """The branch's campaign for `year`, in draft: dates can still change before it opens."""
    require_scope(acting_user, branch, "change")
    errors: dict[str, str] = {}
    if not branch.holds_members:
        errors["branch"] = _("Democratic evaluation is held by a branch, among its members.")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors["year"] = _("Enter a year between 2000 and 2100.")
    else:
        _clean_dates(year, opens_on, closes_on, errors)
        if EvaluationCampaign.objects.filter(branch=branch, year=year).exists():
            errors["year"] = _("This branch already has an evaluation campaign for %(year)s.") % {
                "year": year
            }
    if errors:
        raise ValidationError(errors)
    try:
        campaign = EvaluationCampaign.objects.create(
            branch=branch, year=year, opens_on=opens_on, closes_on=closes_on, created_by=account(acting_user)
        )
    except IntegrityError as exc:  # created at the same moment by someone else
        raise ValidationError(
            {"year": _("This branch already has an evaluation campaign for that year.")}
        ) from exc
    audit.record(
        "evaluation.create",
        actor=acting_user,
        obj=campaign,
        org_path=branch.path,
        changes={
            "year": [None, year],
            "opens_on": [None, str(opens_on)],
            "closes_on": [None, str(closes_on)],
        },
    )
    events.changed("evaluation.create", branch.pk)
    CAMPAIGN_FLOW.started(campaign, acting_user)
    return campaign


@write_service("evaluation.dates")
def change_dates(
    campaign: EvaluationCampaign, opens_on: date, closes_on: date, *, acting_user: Any
) -> EvaluationCampaign:
    """Move the window while the campaign is in draft or open (e.g. to give members more time)."""
    campaign = locked(campaign)
    require_scope(acting_user, campaign, "change")
    if campaign.state not in (CampaignState.DRAFT, CampaignState.OPEN):
        raise ValidationError(_("The dates can change only before rating is closed."), code="transition")
    errors: dict[str, str] = {}
    _clean_dates(campaign.year, opens_on, closes_on, errors)
    if errors:
        raise ValidationError(errors)
    before = {"opens_on": str(campaign.opens_on), "closes_on": str(campaign.closes_on)}
    campaign.opens_on, campaign.closes_on = opens_on, closes_on
    campaign.save(update_fields=["opens_on", "closes_on"])
    audit.record(
        "evaluation.dates",
        actor=acting_user,
        obj=campaign,
        org_path=campaign.branch.path,
        changes=audit.diff(before, {"opens_on": str(opens_on), "closes_on": str(closes_on)}),
    )
    events.changed("evaluation.dates", campaign.branch.pk)
    return campaign


@write_service("evaluation.open")
def open_campaign(campaign: EvaluationCampaign, *, acting_user: Any) -> EvaluationCampaign:
    """Members may now self-assess and rate, between the opening and closing dates."""
    return _branch_move(campaign, "open", acting_user)


@write_service("evaluation.rating_closed")
def close_rating(campaign: EvaluationCampaign, *, acting_user: Any) -> EvaluationCampaign:
    """No more self-assessments or ratings; the branch now grades."""
    return _branch_move(campaign, "rating_closed", acting_user)


@write_service("evaluation.grades")
def set_grades(
    campaign: EvaluationCampaign, grades: list[dict[str, Any]], *, acting_user: Any
) -> list[ProposedGrade]:
    """Set (or change) the branch's grade for some members: each item has `member` (id),
    `grade` and `note`; an unqualified grade needs the reason in its note. One bad item refuses
    them all."""
    campaign = locked(campaign)
    require_scope(acting_user, campaign, "change")
    if campaign.state not in GRADING_STATES:
        raise ValidationError(
            _("Grades are set after rating is closed and before they are proposed (now: “%(state)s”).")
            % {"state": state_label(campaign.state)},
            code="transition",
        )
    members = {m.pk: m for m in participants(campaign.branch)}
    errors: list[str] = []
    clean: dict[int, tuple[str, str]] = {}
    for item in grades:
        member_id, grade = item.get("member"), item.get("grade")
        note = str(item.get("note") or "").strip()
        member = members.get(member_id) if isinstance(member_id, int) else None
        if member is None:
            errors.append(_("Member %(id)s is not evaluated in this branch.") % {"id": member_id})
        elif grade not in Grade.values:
            errors.append(_("%(name)s: choose a grade.") % {"name": member.name})
        elif len(note) > NOTE_MAX:
            errors.append(_("%(name)s: keep the note to at most 300 characters.") % {"name": member.name})
        elif grade == Grade.UNQUALIFIED and not note:
            errors.append(_("%(name)s: give the reason for the unqualified grade.") % {"name": member.name})
        else:
            clean[member.pk] = (str(grade), note)
    if errors:
        raise ValidationError(errors)
    existing = {g.member_id: g for g in ProposedGrade.objects.filter(campaign=campaign, member_id__in=clean)}
    changes: dict[str, list[Any]] = {}
    saved: list[ProposedGrade] = []
    for member_id, (grade, note) in clean.items():
        row = existing.get(member_id) or ProposedGrade(campaign=campaign, member_id=member_id)
        changes[str(member_id)] = [row.grade or None, grade]
        row.grade, row.note = grade, note
        row.save()
        saved.append(row)
    audit.record(
        "evaluation.grades", actor=acting_user, obj=campaign, org_path=campaign.branch.path, changes=changes
    )
    events.changed("evaluation.grades", campaign.branch.pk)
    return saved


@write_service("evaluation.proposed")
def propose(campaign: EvaluationCampaign, *, acting_user: Any) -> EvaluationCampaign:
    """Send the grades to the committee one level up. Every member evaluated needs a grade; the
    grades of members who have left the branch since are dropped (they are evaluated there)."""
    campaign = _branch_move(campaign, "proposed", acting_user)
    members = participants(campaign.branch).values_list("pk", flat=True)
    ProposedGrade.objects.filter(campaign=campaign).exclude(member_id__in=list(members)).delete()
    return campaign


@write_service("evaluation.approved")
def approve(
    campaign: EvaluationCampaign, *, note: str = "", expected_version: int | None = None, acting_user: Any
) -> EvaluationCampaign:
    """The committee one level up approves the grades (not whoever proposed them)."""
    return CAMPAIGN_FLOW.move(
        campaign, "approved", note=note, expected_version=expected_version, acting_user=acting_user
    )


@write_service("evaluation.returned")
def return_campaign(
    campaign: EvaluationCampaign, *, note: str, expected_version: int | None = None, acting_user: Any
) -> EvaluationCampaign:
    """Send the grades back to the branch to fix, saying what (the branch proposes again)."""
    return CAMPAIGN_FLOW.move(
        campaign, "returned", note=note, expected_version=expected_version, acting_user=acting_user
    )
