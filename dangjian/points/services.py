"""All writes to point rules and hand-entered point entries (accrual lives in `accrual.py`).

Who may write: a committee's rules — change scope on the committee. A hand-entered entry — change
scope on the member (secretary, organizer, committee staff), or the member themself claiming
their own (e.g. volunteer hours); it counts only once approved by someone else with change scope
on the member's organization: never by whoever entered it, and never by the member it is for.
"""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, events
from dangjian.core.services import account_of as _account
from dangjian.core.services import require_scope, write_service
from dangjian.members.models import ON_ROLL_STATUSES, Member, MemberStatus
from dangjian.organizations.models import COMMITTEE_KINDS, Organization
from dangjian.orglife.models import MeetingKind

from .accrual import check_year
from .models import (
    MANUAL_KINDS,
    MAX_RULE_POINTS,
    MEETING_KIND_RULES,
    CapPeriod,
    EntryState,
    PointEntry,
    PointRule,
    RuleKind,
    SourceType,
)
from .rules import RuleBook, kinds_overlap
from .workflows import ENTRY_FLOW

RULE_FIELDS = ["name", "points", "meeting_kinds", "cap_points", "cap_period", "active"]
MAX_CAP = 1000
MAX_HOURS = 24  # volunteer hours in one entry: one day's service
NEGATIVE_KINDS = frozenset({RuleKind.ABSENCE})
EITHER_SIGN_KINDS = frozenset({RuleKind.MANUAL})


def _clean_rule(data: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    kind = data.get("kind")
    name = str(data.get("name") or "").strip()
    if not name or len(name) > 100:
        errors["name"] = _("Enter the rule's name (at most 100 characters).")
    points = data.get("points")
    if not isinstance(points, int) or isinstance(points, bool) or points == 0:
        errors["points"] = _("Enter the points, a whole number other than 0.")
    elif abs(points) > MAX_RULE_POINTS:
        errors["points"] = _("Points are between -100 and 100.")
    elif kind in NEGATIVE_KINDS and points > 0:
        errors["points"] = _("Absence without leave takes points away: enter a negative number.")
    elif kind not in NEGATIVE_KINDS | EITHER_SIGN_KINDS and points < 0:
        errors["points"] = _("This kind of rule adds points: enter a positive number.")
    kinds = list(data.get("meeting_kinds") or [])
    if kinds and kind not in MEETING_KIND_RULES:
        errors["meeting_kinds"] = _("Only meeting attendance and absence rules name meeting kinds.")
    elif any(k not in MeetingKind.values for k in kinds):
        errors["meeting_kinds"] = _("Choose meeting kinds from the list.")
    elif kind == RuleKind.MEETING_ATTENDANCE and MeetingKind.THEME_DAY in kinds:
        errors["meeting_kinds"] = _("The theme party day has a rule of its own.")
    cap_points, cap_period = data.get("cap_points"), data.get("cap_period") or ""
    if (cap_points is None) != (cap_period == ""):
        errors["cap_points"] = _("A cap needs both the points and the period, or neither.")
    elif cap_points is not None and (not isinstance(cap_points, int) or not 0 < cap_points <= MAX_CAP):
        errors["cap_points"] = _("A cap is between 1 and 1000 points.")
    elif cap_period and cap_period not in CapPeriod.values:
        errors["cap_period"] = _("Choose a month, a quarter or a year.")
    return {
        "name": name,
        "points": points,
        "meeting_kinds": sorted(set(kinds)),
        "cap_points": cap_points,
        "cap_period": cap_period,
        "active": bool(data.get("active", True)),
    }


def _check_set(rule: PointRule, errors: dict[str, str]) -> None:
    """One meeting or payment must earn under one rule of a set only (idempotent accrual is
    per rule, so two overlapping rules would count it twice)."""
    if not rule.active:
        return
    others = PointRule.objects.filter(committee=rule.committee, year=rule.year, kind=rule.kind, active=True)
    if rule.pk:
        others = others.exclude(pk=rule.pk)
    clash = next((o for o in others if kinds_overlap(rule, o)), None)
    if clash is not None:
        errors["kind"] = _("The active rule “%(name)s” already counts the same records.") % {
            "name": clash.name
        }
    same_name = PointRule.objects.filter(committee=rule.committee, year=rule.year, name=rule.name)
    if same_name.exclude(pk=rule.pk).exists() if rule.pk else same_name.exists():
        errors["name"] = _("This committee already has a rule of that name for the year.")


@write_service("point_rule.create")
def create_rule(committee: Organization, data: dict[str, Any], *, acting_user: Any) -> PointRule:
    """A rule of `committee` for `data["year"]`: kind, name, points, meeting kinds, cap."""
    require_scope(acting_user, committee, "change")
    errors: dict[str, str] = {}
    if committee.kind not in COMMITTEE_KINDS:
        errors["committee"] = _("Point rules are set by a party committee or working committee.")
    year: int = data.get("year")  # type: ignore[assignment]
    try:
        check_year(year)
    except ValidationError as exc:
        errors.update({k: " ".join(v) for k, v in exc.message_dict.items()})
    if data.get("kind") not in RuleKind.values:
        errors["kind"] = _("Choose the kind of rule.")
    clean = _clean_rule(data, errors)
    if errors:
        raise ValidationError(errors)
    rule = PointRule(committee=committee, year=year, kind=data["kind"], **clean)
    _check_set(rule, errors)
    if errors:
        raise ValidationError(errors)
    rule.save()
    audit.record(
        "point_rule.create",
        actor=acting_user,
        obj=rule,
        org_path=committee.path,
        changes={"year": [None, year], "kind": [None, rule.kind]} | {k: [None, v] for k, v in clean.items()},
    )
    events.changed("point_rule.create", committee.pk)
    return rule


@write_service("point_rule.update")
def update_rule(rule: PointRule, data: dict[str, Any], *, acting_user: Any) -> PointRule:
    """Change a rule's name, points, meeting kinds, cap or active flag. Entries already made keep
    their points: a change applies from the next accrual on."""
    rule = PointRule.objects.select_for_update(of=("self",)).select_related("committee").get(pk=rule.pk)
    require_scope(acting_user, rule, "change")
    before = audit.snapshot(rule, RULE_FIELDS)
    merged = {"kind": rule.kind, **before, **{k: v for k, v in data.items() if k in RULE_FIELDS}}
    errors: dict[str, str] = {}
    clean = _clean_rule(merged, errors)
    if errors:
        raise ValidationError(errors)
    for key, value in clean.items():
        setattr(rule, key, value)
    _check_set(rule, errors)
    if errors:
        raise ValidationError(errors)
    rule.save(update_fields=[*RULE_FIELDS, "updated_at"])
    audit.record(
        "point_rule.update",
        actor=acting_user,
        obj=rule,
        org_path=rule.committee.path,
        changes=audit.diff(before, audit.snapshot(rule, RULE_FIELDS)),
    )
    events.changed("point_rule.update", rule.committee.pk)
    return rule


@write_service("point_rule.copy")
def copy_rules(committee: Organization, from_year: int, to_year: int, *, acting_user: Any) -> int:
    """Start a year with last year's active rules. A rule is skipped when `to_year` already has
    one of its name, or an active one counting the same records (see `_check_set`)."""
    require_scope(acting_user, committee, "change")
    check_year(to_year)
    existing = list(PointRule.objects.filter(committee=committee, year=to_year))
    taken = {r.name for r in existing}
    active = [r for r in existing if r.active]
    fields = ["kind", "name", "points", "meeting_kinds", "cap_points", "cap_period"]
    new: list[PointRule] = []
    for r in PointRule.objects.filter(committee=committee, year=from_year, active=True).order_by("id"):
        copy = PointRule(committee=committee, year=to_year, **{f: getattr(r, f) for f in fields})
        if copy.name not in taken and not any(kinds_overlap(copy, other) for other in active):
            new.append(copy)
            active.append(copy)
    PointRule.objects.bulk_create(new)
    audit.record(
        "point_rule.copy",
        actor=acting_user,
        obj=committee,
        org_path=committee.path,
        changes={"year": [from_year, to_year], "rules": [None, len(new)]},
    )
    events.changed("point_rule.copy", committee.pk)
    return len(new)


def manual_rules(org: Organization, year: int) -> list[PointRule]:
    """Rules a hand entry for a member of `org` may use: the manual and volunteer rules of the
    set that applies to the organization that year (one query)."""
    rules = RuleBook.for_org(org.path, year).applicable(org.path)
    return [r for r in rules if r.kind in MANUAL_KINDS]


@write_service("point_entry.propose")
def propose_entry(
    member: Member,
    rule: PointRule,
    *,
    reason: str,
    occurred_on: date | None = None,
    quantity: int = 1,
    acting_user: Any,
) -> PointEntry:
    """A hand entry (a good deed, volunteer hours, a discipline deduction) awaiting approval."""
    member = Member.objects.select_related("organization").get(pk=member.pk)
    own = getattr(acting_user, "member_id", None) == member.pk
    if not own:
        require_scope(acting_user, member, "change")
    today = timezone.localdate()
    occurred_on = occurred_on or today
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if member.status not in ON_ROLL_STATUSES or member.status == MemberStatus.SUSPENDED:
        errors["member"] = _("Points are kept for members on the roll.")
    if not reason or len(reason) > 200:
        errors["reason"] = _("Give the reason (at most 200 characters).")
    if not isinstance(occurred_on, date) or occurred_on > today:
        errors["occurred_on"] = _("Enter the date it happened; it cannot be in the future.")
    elif rule.pk not in {r.pk for r in manual_rules(member.organization, occurred_on.year)}:
        errors["rule"] = _("Choose a rule entered by hand that applies to this member in that year.")
    limit = MAX_HOURS if rule.kind == RuleKind.VOLUNTEER_HOUR else 1
    if not isinstance(quantity, int) or not 1 <= quantity <= limit:
        errors["quantity"] = (
            _("Enter the hours, from 1 to 24.") if limit > 1 else _("This rule counts once per entry.")
        )
    if errors:
        raise ValidationError(errors)
    entry = PointEntry.objects.create(
        member=member,
        rule=rule,
        points=rule.points * quantity,  # before the cap, which applies on approval
        quantity=quantity,
        occurred_on=occurred_on,
        source_type=SourceType.MANUAL,
        state=EntryState.PROPOSED,
        reason=reason,
        created_by=_account(acting_user),
    )
    audit.record(
        "point_entry.propose",
        actor=acting_user,
        obj=entry,
        org_path=member.organization.path,
        changes={"member": [None, member.pk], "rule": [None, rule.pk], "points": [None, entry.points]},
        detail=reason,
    )
    events.changed("point_entry.propose", member.organization.pk)
    ENTRY_FLOW.started(entry, acting_user, reason)
    return entry


@write_service("point_entry.approve")
def approve_entry(
    entry: PointEntry, *, note: str = "", acting_user: Any, expected_version: int | None = None
) -> PointEntry:
    """Approve a hand entry: it counts from now on, within its rule's cap (`workflows`)."""
    return ENTRY_FLOW.move(
        entry, "approve", note=note, acting_user=acting_user, expected_version=expected_version
    )


@write_service("point_entry.reject")
def reject_entry(
    entry: PointEntry, *, note: str, acting_user: Any, expected_version: int | None = None
) -> PointEntry:
    return ENTRY_FLOW.move(
        entry, "reject", note=note, acting_user=acting_user, expected_version=expected_version
    )
