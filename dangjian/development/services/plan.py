"""The yearly development plan: set or corrected by the Party organization one level above the
grassroots committee, and checked by the approval (step 17), which is refused once the year's
admissions have reached the plan — the plan is changed first."""

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, events
from dangjian.core.exceptions import OutOfScope
from dangjian.core.scoping import in_scope
from dangjian.core.services import account_of, write_service
from dangjian.core.workflow import level_above
from dangjian.organizations.models import Organization

from .. import rules
from ..models import Applicant, Plan
from ..plans import TARGETS, admitted_by, committee_of, is_grassroots

FIRST_YEAR = 2000
NUMBERS = ("admissions", *TARGETS)
MAX_ADMISSIONS = 100_000  # far above any committee's year; catches a typing slip
NOTE_MAX = 200

SETS_PLAN = level_above(lambda c: c, label="the Party organization one level above the committee")


def target_labels() -> dict[str, str]:
    return {
        "admissions": _("admissions"),
        "women": _("women"),
        "under_35": _("under 35"),
        "frontline": _("front-line workers and farmers"),
        "college": _("college-educated"),
        "nonpublic": _("non-public sectors"),
    }


def check_year(year: int) -> None:
    last = timezone.localdate().year + 1
    if not FIRST_YEAR <= year <= last:
        raise rules.fail(
            _("A development plan is for a year from %(first)s to next year (%(last)s).")
            % {"first": FIRST_YEAR, "last": last},
            code="plan",
        )


def clean_numbers(data: Mapping[str, Any]) -> dict[str, int]:
    """The plan's numbers: whole, zero or more, each target at most the admissions."""
    labels = target_labels()
    values: dict[str, int] = {}
    for name in NUMBERS:
        raw = data.get(name)
        raw = 0 if raw in (None, "") and name != "admissions" else raw
        try:
            value = int(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            value = -1
        if not 0 <= value <= MAX_ADMISSIONS:
            raise rules.fail(
                _("Enter the %(what)s as a whole number of zero or more.") % {"what": labels[name]},
                name,
                code="plan",
            )
        values[name] = value
    for name in TARGETS:
        if values[name] > values["admissions"]:
            raise rules.fail(
                _("The target for %(what)s (%(n)s) cannot exceed the admissions planned (%(admissions)s).")
                % {"what": labels[name], "n": values[name], "admissions": values["admissions"]},
                name,
                code="plan",
            )
    return values


def _check_setter(committee: Organization, acting_user: Any) -> None:
    if not in_scope(acting_user, committee, "change"):
        raise OutOfScope(f"organization {committee.pk}")
    if not SETS_PLAN(acting_user, committee):
        raise ValidationError(
            _("The development plan of %(org)s is set by the Party organization one level above it.")
            % {"org": committee.name},
            code="actor",
        )


def _set(
    committee: Organization,
    year: int,
    data: Mapping[str, Any],
    expected_version: int | None,
    acting_user: Any,
) -> Plan | None:
    """Set one committee's plan (the caller holds the transaction); None when nothing changed.
    `expected_version` 0 means the page saw no plan yet; None skips the check."""
    _check_setter(committee, acting_user)
    check_year(year)
    if not is_grassroots(committee):
        raise rules.fail(
            _(
                "%(org)s is not a grassroots committee (no branch directly under it): "
                "it has no plan of its own."
            )
            % {"org": committee.name},
            code="plan",
        )
    values = clean_numbers(data)
    note = str(data.get("note") or "").strip()
    if len(note) > NOTE_MAX:
        raise rules.fail(_("Keep the note to at most 200 characters."), "note", code="plan")
    plan = Plan.objects.select_for_update().filter(organization=committee, year=year).first()
    if expected_version is not None and expected_version != (plan.version if plan else 0):
        raise ValidationError(
            _(
                "The plan of %(org)s was changed by someone else since the page was opened: "
                "reload and try again."
            )
            % {"org": committee.name},
            code="stale",
        )
    done = admitted_by(committee, year).count()
    if values["admissions"] < done:
        raise rules.fail(
            _("%(org)s has already admitted %(done)s in %(year)s: the plan cannot be lower.")
            % {"org": committee.name, "done": done, "year": year},
            "admissions",
            code="plan",
        )
    old = {name: getattr(plan, name) for name in (*NUMBERS, "note")} if plan else {}
    new: dict[str, Any] = {**values, "note": note}
    if plan is not None and old == new:
        return None
    if plan is None:
        plan = Plan.objects.create(organization=committee, year=year, set_by=account_of(acting_user), **new)
    else:
        for name, value in new.items():
            setattr(plan, name, value)
        plan.set_by = account_of(acting_user)
        plan.version += 1
        plan.save()
    audit.record(
        "development.plan",
        actor=acting_user,
        obj=plan,
        org_path=committee.path,
        changes={
            "year": [None, year],
            **{k: [old.get(k), v] for k, v in new.items() if old.get(k) != v},
        },
    )
    events.changed("development.plan", committee.pk, date(year, 1, 1))
    return plan


@write_service("development.plan")
def set_plan(
    committee: Organization,
    year: int,
    data: Mapping[str, Any],
    *,
    expected_version: int | None = None,
    acting_user: Any,
) -> Plan | None:
    """Set or correct `committee`'s plan for `year` (`data`: admissions, the targets, a note)."""
    return _set(committee, year, data, expected_version, acting_user)


@write_service("development.plan")
def set_plans(
    year: int,
    entries: Sequence[tuple[Organization, Mapping[str, Any], int | None]],
    *,
    acting_user: Any,
) -> list[Plan]:
    """The plans of several committees from one table: all or none. A refusal names each
    committee it concerns."""
    changed: list[Plan] = []
    problems: list[str] = []
    for committee, data, version in entries:
        try:
            with transaction.atomic():
                plan = _set(committee, year, data, version, acting_user)
        except ValidationError as exc:
            problems += [f"{committee.name}: {m}" if committee.name not in m else m for m in exc.messages]
            continue
        if plan is not None:
            changed.append(plan)
    if problems:
        raise ValidationError(problems, code="plan")
    return changed


def check_within_plan(applicant: Applicant, on: date) -> None:
    """The approval (step 17) dated `on`: refused when the grassroots committee above the branch
    has a plan for that year and its admissions have reached it. Without a plan the approval
    goes ahead (the plan page and the standing rule show committees admitting without one)."""
    committee = committee_of(applicant.organization)
    if committee is None:
        return
    # Locked so that two approvals at once cannot both take the plan's last place.
    plan = Plan.objects.select_for_update().filter(organization=committee, year=on.year).first()
    if plan is None:
        return
    done = admitted_by(committee, on.year).count()
    if done >= plan.admissions:
        raise rules.fail(
            _(
                "Admissions beyond the development plan need the plan changed first: the plan of "
                "%(org)s for %(year)s allows %(plan)s and %(done)s are approved already."
            )
            % {"org": committee.name, "year": on.year, "plan": plan.admissions, "done": done},
            code="plan",
        )
