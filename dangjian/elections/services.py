"""Every write to a term change: the request and its correction, the results, and the moves
(`workflows.TERM_FLOW`). Confirming writes the new term to the organization
(`organizations.services.record_term`) and the elected committee to its members
(`members.services.update_member`): no second write path to either."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit
from dangjian.core.exceptions import OutOfScope
from dangjian.core.services import account_of, write_service
from dangjian.members.models import CommitteePost, Member, MemberCategory, MemberStatus
from dangjian.members.services import update_member
from dangjian.organizations.models import Organization
from dangjian.organizations.services import record_term

from .models import OPEN, PLAN_MAX, SEATS_MAX, Elected, TermChange, TermChangeState
from .workflows import ORGANIZATION, TERM_FLOW

EDITABLE = (TermChangeState.REQUESTED, TermChangeState.RETURNED)
REQUEST_FIELDS = ("planned_on", "seats", "plan")


def _day(value: Any, field: str, errors: dict[str, str]) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        errors[field] = _("Enter a date as YYYY-MM-DD.")
        return None


def _clean_request(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    planned = _day(data.get("planned_on"), "planned_on", errors)
    if planned is not None and planned < timezone.localdate():
        errors["planned_on"] = _("Plan the election for today or a later day.")
    try:
        seats = int(str(data.get("seats", "")).strip())
    except ValueError:
        seats = 0
    if not 1 <= seats <= SEATS_MAX:
        errors["seats"] = _("Enter the number of committee seats, from 1 to %(max)s.") % {"max": SEATS_MAX}
    plan = str(data.get("plan") or "").strip()
    if not plan:
        errors["plan"] = _("Describe the arrangements and the nominees.")
    elif len(plan) > PLAN_MAX:
        errors["plan"] = _("Keep it to at most %(max)s characters.") % {"max": PLAN_MAX}
    if errors:
        raise ValidationError(errors)
    return {"planned_on": planned, "seats": seats, "plan": plan}


def _check_org(org: Organization, acting_user: Any) -> None:
    if not may_request(acting_user, org):
        raise OutOfScope(f"organizations.organization {org.pk}")
    if org.depth <= 1:
        raise ValidationError(
            _("The top organization's term change is not decided here: it has no committee above.")
        )


@dataclass
class _Probe:
    """A term change not yet written, for the workflow's actor checks."""

    organization: Organization


def may_request(user: Any, org: Organization) -> bool:
    """Whether `user` writes for `org` (its officers, or a level above): who files its request."""
    return ORGANIZATION(user, _Probe(org))


@write_service("term_change.request")
def request_term_change(org: Organization, data: dict[str, Any], *, acting_user: Any) -> TermChange:
    """The organization asks the committee above to approve its term change."""
    org = Organization.objects.get(pk=org.pk)
    _check_org(org, acting_user)
    clean = _clean_request(data)
    if TermChange.objects.filter(organization=org, state__in=OPEN).exists():
        raise ValidationError(_("A term change of this organization is already under way."), code="open")
    try:
        with transaction.atomic():
            tc = TermChange.objects.create(
                organization=org,
                requested_by=account_of(acting_user),
                requested_at=timezone.now(),
                **clean,
            )
    except IntegrityError as exc:  # two requests at once: the constraint keeps one
        raise ValidationError(
            _("A term change of this organization is already under way."), code="open"
        ) from exc
    TERM_FLOW.started(tc, acting_user)
    audit.record(
        "term_change.request",
        actor=acting_user,
        obj=tc,
        org_path=org.path,
        changes={k: [None, str(v)] for k, v in clean.items()},
    )
    return tc


def _locked(tc: TermChange, acting_user: Any, expected_version: int | None) -> TermChange:
    tc = TERM_FLOW.lock(tc)
    if not TERM_FLOW.admits(acting_user, tc):
        raise OutOfScope(f"elections.termchange {tc.pk}")
    TERM_FLOW.check_version(tc, expected_version)
    return tc


@write_service("term_change.update")
def update_request(
    tc: TermChange, data: dict[str, Any], *, acting_user: Any, expected_version: int | None = None
) -> TermChange:
    """Correct the request while the committee above has not approved it."""
    tc = _locked(tc, acting_user, expected_version)
    if tc.state not in EDITABLE:
        raise ValidationError(_("Only a request not yet approved can be corrected."), code="state")
    clean = _clean_request({**{k: getattr(tc, k) for k in REQUEST_FIELDS}, **data})
    changes = {k: [str(getattr(tc, k)), str(v)] for k, v in clean.items() if getattr(tc, k) != v}
    for name, value in clean.items():
        setattr(tc, name, value)
    tc.version += 1
    tc.save(update_fields=[*REQUEST_FIELDS, "version", "updated_at"])
    audit.record(
        "term_change.update", actor=acting_user, obj=tc, org_path=tc.organization.path, changes=changes
    )
    return tc


@dataclass(frozen=True)
class Seat:
    """One line of the results as entered: who, to which post, with how many votes."""

    member_id: int
    post: str
    votes: int | None = None


def _check_results(tc: TermChange, held_on: date | None, seats: Sequence[Seat]) -> list[Member]:
    errors: dict[str, str] = {}
    today = timezone.localdate()
    approved = timezone.localdate(tc.decided_at) if tc.decided_at else None
    if held_on is None:
        errors["held_on"] = _("Enter the day the election was held.")
    elif held_on > today:
        errors["held_on"] = _("The election day cannot be in the future.")
    elif approved is not None and held_on < approved:
        errors["held_on"] = _("The election cannot precede the approval of %(day)s.") % {
            "day": approved.isoformat()
        }
    ids = [s.member_id for s in seats]
    if not seats:
        errors["elected"] = _("Record who was elected.")
    elif len(set(ids)) != len(ids):
        errors["elected"] = _("Each member is elected once, to one post.")
    elif len(seats) > tc.seats:
        errors["elected"] = _("More elected than the %(n)s seats approved.") % {"n": tc.seats}
    elif [s.post for s in seats].count(CommitteePost.SECRETARY) != 1:
        errors["elected"] = _("Exactly one secretary must be elected.")
    elif any(s.post not in CommitteePost.values or not s.post for s in seats):
        errors["elected"] = _("Choose a post for each elected member.")
    elif any(s.votes is not None and s.votes < 0 for s in seats):
        errors["elected"] = _("Votes cannot be negative.")
    members = {
        m.pk: m
        for m in Member.objects.filter(
            pk__in=ids,
            organization_id=tc.organization_id,
            status=MemberStatus.ACTIVE,
            category=MemberCategory.FULL,
        )
    }
    if not errors and len(members) != len(ids):
        # Probationary members have no right to be elected (Party Constitution art. 7).
        errors["elected"] = _("Only full members of the organization on its roll can be elected.")
    if errors:
        raise ValidationError(errors)
    return [members[i] for i in ids]


@write_service("term_change.results")
def record_results(
    tc: TermChange,
    held_on: date | None,
    seats: Sequence[Seat],
    *,
    acting_user: Any,
    expected_version: int | None = None,
) -> TermChange:
    """The election's results, replacing any recorded before; reported by `report`."""
    tc = _locked(tc, acting_user, expected_version)
    if tc.state != TermChangeState.APPROVED:
        raise ValidationError(_("Results are recorded once the term change is approved."), code="state")
    _check_results(tc, held_on, seats)
    tc.elected.all().delete()
    Elected.objects.bulk_create(
        Elected(term_change=tc, member_id=s.member_id, post=s.post, votes=s.votes) for s in seats
    )
    tc.held_on = held_on
    tc.version += 1
    tc.save(update_fields=["held_on", "version", "updated_at"])
    audit.record(
        "term_change.results",
        actor=acting_user,
        obj=tc,
        org_path=tc.organization.path,
        changes={"held_on": str(held_on), "elected": [[s.member_id, s.post, s.votes] for s in seats]},
    )
    return tc


def _move(name: str) -> Any:
    @write_service(f"term_change.{name}")
    def move(
        tc: TermChange, *, note: str = "", acting_user: Any, expected_version: int | None = None
    ) -> TermChange:
        return TERM_FLOW.move(tc, name, note=note, acting_user=acting_user, expected_version=expected_version)  # type: ignore[no-any-return]

    move.__name__ = name
    return move


approve = _move("approve")
return_request = _move("return")
resubmit = _move("resubmit")
report = _move("report")
return_results = _move("return_results")
withdraw = _move("withdraw")


@write_service("term_change.confirm")
def confirm(
    tc: TermChange, *, note: str = "", acting_user: Any, expected_version: int | None = None
) -> TermChange:
    """The committee above confirms the results: the organization's new term starts on the
    election day, and its members' committee posts become the elected ones (the others' are
    cleared)."""
    tc = TERM_FLOW.move(tc, "confirm", note=note, acting_user=acting_user, expected_version=expected_version)
    assert tc.held_on is not None  # the report's guard
    org = record_term(tc.organization, tc.held_on, acting_user=acting_user)
    tc.term_start, tc.term_due_end = org.term_start, org.term_due_end
    tc.save(update_fields=["term_start", "term_due_end"])
    posts = dict(tc.elected.values_list("member_id", "post"))
    sitting = Member.objects.filter(organization_id=tc.organization_id).exclude(committee_post="")
    for member in [*sitting.exclude(pk__in=posts), *Member.objects.filter(pk__in=posts)]:
        post = posts.get(member.pk, "")
        if member.committee_post != post:
            update_member(member, {"committee_post": post}, acting_user=acting_user)
    return tc
