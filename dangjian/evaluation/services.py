"""The campaign's life: created and opened by the branch, rating closed, grades set and proposed
by the branch, approved or returned by the committee one level up.

Who may act: the branch's steps need the change scope on the branch (secretary, organizer,
committee staff). Approving or returning needs the change scope on the branch's *parent* and is
never done by whoever proposed. Every move is checked against `models.TRANSITIONS`.
"""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, events
from dangjian.core.scoping import in_scope
from dangjian.core.services import account_of as account
from dangjian.core.services import require_scope, write_service
from dangjian.core.tree import STEPLEN
from dangjian.organizations.models import Organization

from .models import GRADING_STATES, TRANSITIONS, CampaignState, EvaluationCampaign, Grade, ProposedGrade
from .queries import participants

NOTE_MAX = 300
REVIEW_MAX = 500


def state_label(state: str) -> str:
    return str(CampaignState(state).label)


def locked(campaign: EvaluationCampaign, target: str | None = None) -> EvaluationCampaign:
    """The campaign re-read under a row lock; refuses a move the TRANSITIONS table forbids."""
    campaign = (
        EvaluationCampaign.objects.select_for_update(of=("self",))
        .select_related("branch")
        .get(pk=campaign.pk)
    )
    if target is not None and target not in TRANSITIONS[campaign.state]:
        raise ValidationError(
            _("The campaign is “%(state)s”; it cannot move to “%(target)s”.")
            % {"state": state_label(campaign.state), "target": state_label(target)},
            code="transition",
        )
    return campaign


def _move(campaign: EvaluationCampaign, target: str, acting_user: Any, **changes: Any) -> None:
    before = campaign.state
    campaign.state = target
    for key, value in changes.items():
        setattr(campaign, key, value)
    campaign.save(update_fields=["state", *changes])
    audit.record(
        f"evaluation.{target}",
        actor=acting_user,
        obj=campaign,
        org_path=campaign.branch.path,
        changes={"state": [before, target]},
        detail=str(changes.get("review_note", "")),
    )


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
    campaign = locked(campaign, CampaignState.OPEN)
    require_scope(acting_user, campaign, "change")
    if participants(campaign.branch).count() < 2:
        raise ValidationError(
            _("Members rate each other: the branch needs at least two members on the roll.")
        )
    _move(campaign, CampaignState.OPEN, acting_user)
    return campaign


@write_service("evaluation.rating_closed")
def close_rating(campaign: EvaluationCampaign, *, acting_user: Any) -> EvaluationCampaign:
    """No more self-assessments or ratings; the branch now grades."""
    campaign = locked(campaign, CampaignState.RATING_CLOSED)
    require_scope(acting_user, campaign, "change")
    _move(campaign, CampaignState.RATING_CLOSED, acting_user)
    return campaign


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
    campaign = locked(campaign, CampaignState.PROPOSED)
    require_scope(acting_user, campaign, "change")
    members = list(participants(campaign.branch))
    graded = set(ProposedGrade.objects.filter(campaign=campaign).values_list("member_id", flat=True))
    missing = [m.name for m in members if m.pk not in graded]
    if missing:
        raise ValidationError(
            _("Set a grade for every member first: %(names)s.") % {"names": "、".join(missing[:20])},
            code="incomplete",
        )
    ProposedGrade.objects.filter(campaign=campaign).exclude(member_id__in=[m.pk for m in members]).delete()
    _move(
        campaign,
        CampaignState.PROPOSED,
        acting_user,
        proposed_by=account(acting_user),
        proposed_at=timezone.now(),
    )
    return campaign


def approver_org(campaign: EvaluationCampaign) -> Organization:
    """The organization one level above the branch: the level that approves."""
    return Organization.objects.get(path=campaign.branch.path[:-STEPLEN])


def _check_approver(campaign: EvaluationCampaign, acting_user: Any) -> None:
    require_scope(acting_user, campaign, "view")
    if campaign.branch.depth <= 1:
        raise ValidationError(_("This branch has no committee above it to approve."), code="approver")
    parent = approver_org(campaign)
    if not in_scope(acting_user, parent, "change"):
        raise ValidationError(
            _("The grades are approved or returned by the committee one level up (%(org)s).")
            % {"org": parent.name},
            code="approver",
        )
    if account(acting_user) is not None and acting_user.pk == campaign.proposed_by_id:
        raise ValidationError(
            _("Whoever proposed the grades cannot also approve or return them."), code="approver"
        )


@write_service("evaluation.approved")
def approve(campaign: EvaluationCampaign, *, note: str = "", acting_user: Any) -> EvaluationCampaign:
    campaign = locked(campaign, CampaignState.APPROVED)
    _check_approver(campaign, acting_user)
    if len(note.strip()) > REVIEW_MAX:
        raise ValidationError({"note": _("Keep the note to at most 500 characters.")})
    _move(
        campaign,
        CampaignState.APPROVED,
        acting_user,
        decided_by=account(acting_user),
        decided_at=timezone.now(),
        review_note=note.strip(),
    )
    return campaign


@write_service("evaluation.returned")
def return_campaign(campaign: EvaluationCampaign, *, note: str, acting_user: Any) -> EvaluationCampaign:
    """Send the grades back to the branch to fix, saying what (the branch proposes again)."""
    campaign = locked(campaign, CampaignState.RETURNED)
    _check_approver(campaign, acting_user)
    note = (note or "").strip()
    if not note or len(note) > REVIEW_MAX:
        raise ValidationError({"note": _("Say what the branch should change (at most 500 characters).")})
    _move(
        campaign,
        CampaignState.RETURNED,
        acting_user,
        decided_by=account(acting_user),
        decided_at=timezone.now(),
        review_note=note,
    )
    return campaign
