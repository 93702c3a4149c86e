"""Every write of the village elections: the township's plan, the candidates and their
qualification review, the results, and the moves (`workflows.VILLAGE_FLOW`). Filing writes the new
term and director to the village committee."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, events
from dangjian.core.dates import add_years
from dangjian.core.exceptions import OutOfScope
from dangjian.core.idnumber import normalize_id_number, parse_id_number
from dangjian.core.services import account_of, write_service
from dangjian.core.tree import STEPLEN
from dangjian.core.workflow import reaches
from dangjian.members.models import Member
from dangjian.members.validation import id_bidx
from dangjian.organizations.models import COMMITTEE_KINDS, Organization

from .models import (
    COMMITTEE_MAX,
    COMMITTEE_POSTS,
    COMMITTEE_TERM_YEARS,
    NOTE_MAX,
    VILLAGE_SECTORS,
    Candidate,
    CommitteeKind,
    ReviewResult,
    VillageCommittee,
    VillageElection,
    VillageElectionState,
    VillagePost,
    due_day,
)
from .workflows import NOT_INSIDE, TOPIC, TOWNSHIP, VILLAGE, VILLAGE_FLOW

S = VillageElectionState


@dataclass
class _Probe:
    """An election not yet written, for the workflow's actor checks."""

    organization: Organization


def is_township(org: Organization) -> bool:
    """A township's or street's committee (乡镇党委, 街道党工委): a committee of the rural or
    community sector, which plans the elections of the villages and communities under it."""
    return org.kind in COMMITTEE_KINDS and org.sector in VILLAGE_SECTORS


def is_village(org: Organization) -> bool:
    """A village's or community's Party organization: of a rural or community sector, directly
    under a township."""
    if org.sector not in VILLAGE_SECTORS or org.depth <= 1:
        return False
    parent = Organization.objects.filter(path=org.path[:-STEPLEN]).only("kind", "sector").first()
    return parent is not None and is_township(parent)


def villages_of(township: Organization) -> Any:
    """The village and community Party organizations directly under `township` (none when it
    is not a township)."""
    if not is_township(township):
        return Organization.objects.none()
    return Organization.objects.filter(
        path__startswith=township.path, depth=township.depth + 1, sector__in=VILLAGE_SECTORS
    ).order_by("path")


def may_plan(user: Any, village: Organization) -> bool:
    """Whether `user` is the township above `village` (or higher): who plans and files."""
    return TOWNSHIP(user, _Probe(village))


def is_township_of(user: Any, election: VillageElection) -> bool:
    """Whether `user` acts as the township for `election` (plans, reviews, files): a grant
    covering the village's parent, and none on or inside the village itself."""
    return may_plan(user, election.organization) and not NOT_INSIDE.check(user, election)


def may_record(user: Any, election: VillageElection) -> bool:
    return VILLAGE(user, election)


def _day(value: Any, field: str, errors: dict[str, str]) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        errors[field] = _("Enter a date as YYYY-MM-DD.")
        return None


def _changed(e: VillageElection) -> None:
    events.changed(TOPIC, e.organization_id, due_day(e.year))
    events.changed(TOPIC, e.township_id, due_day(e.year))


@write_service("village_election.plan")
def plan_election(village: Organization, year: int, planned_on: Any, *, acting_user: Any) -> VillageElection:
    """The township plans the village's election of `year` on a day of that year (after 30 June
    is allowed, and flagged)."""
    village = Organization.objects.get(pk=village.pk)
    if not reaches(acting_user, village, "change"):
        raise OutOfScope(f"organizations.organization {village.pk}")
    if not may_plan(acting_user, village):
        raise ValidationError(
            _("This is done by the township above %(org)s.") % {"org": village.name}, code="actor"
        )
    errors: dict[str, str] = {}
    if not is_village(village):
        errors["organization"] = _(
            "Only a village's or community's Party organization has a two-committee election."
        )
    day = _day(planned_on, "planned_on", errors)
    if day is not None and day.year != year:
        errors["planned_on"] = _("Plan the election on a day of %(year)s.") % {"year": year}
    if errors:
        raise ValidationError(errors)
    assert day is not None
    if VillageElection.objects.filter(organization=village, year=year).exists():
        raise ValidationError(_("This village's election of %(year)s is already planned.") % {"year": year})
    township = Organization.objects.get(path=village.path[:-STEPLEN])
    try:
        with transaction.atomic():
            election = VillageElection.objects.create(
                organization=village,
                township=township,
                year=year,
                planned_on=day,
                planned_by=account_of(acting_user),
            )
    except IntegrityError as exc:  # planned twice at once: the constraint keeps one
        raise ValidationError(
            _("This village's election of %(year)s is already planned.") % {"year": year}
        ) from exc
    VILLAGE_FLOW.started(election, acting_user)
    audit.record(
        "village_election.plan",
        actor=acting_user,
        obj=election,
        org_path=village.path,
        changes={"year": [None, year], "planned_on": [None, day.isoformat()]},
    )
    _changed(election)
    return election


def _locked(e: VillageElection, acting_user: Any, expected_version: int | None) -> VillageElection:
    e = VILLAGE_FLOW.lock(e)
    if not VILLAGE_FLOW.admits(acting_user, e):
        raise OutOfScope(f"elections.villageelection {e.pk}")
    VILLAGE_FLOW.check_version(e, expected_version)
    return e


def _as_township(e: VillageElection, acting_user: Any) -> None:
    if not is_township_of(acting_user, e):
        raise ValidationError(
            _("This is done by the township above %(org)s.") % {"org": e.organization.name}, code="actor"
        )


@write_service("village_election.replan")
def replan(
    e: VillageElection, planned_on: Any, *, acting_user: Any, expected_version: int | None = None
) -> VillageElection:
    """Move the planned day (before the results are reported)."""
    e = _locked(e, acting_user, expected_version)
    _as_township(e, acting_user)
    if e.state not in (S.PLANNED, S.REVIEWED):
        raise ValidationError(_("The day is moved only before the results are reported."), code="state")
    errors: dict[str, str] = {}
    day = _day(planned_on, "planned_on", errors)
    if day is not None and day.year != e.year:
        errors["planned_on"] = _("Plan the election on a day of %(year)s.") % {"year": e.year}
    if errors or day is None:
        raise ValidationError(errors)
    before = e.planned_on
    e.planned_on = day
    e.version += 1
    e.save(update_fields=["planned_on", "version", "updated_at"])
    audit.record(
        "village_election.replan",
        actor=acting_user,
        obj=e,
        org_path=e.organization.path,
        changes={"planned_on": [before.isoformat(), str(day)]},
    )
    return e


@write_service("village_election.candidate")
def add_candidate(e: VillageElection, name: str, id_number: str, post: str, *, acting_user: Any) -> Candidate:
    """A candidate for one post, awaiting the qualification review (while the review is open)."""
    e = _locked(e, acting_user, None)
    _as_township(e, acting_user)
    if e.state != S.PLANNED:
        raise ValidationError(_("Candidates are added while the qualification review is open."), code="state")
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name or len(name) > 50:
        errors["name"] = _("Enter the candidate's name (at most 50 characters).")
    if post not in VillagePost.values:
        errors["post"] = _("Choose the post the candidate stands for.")
    try:
        number = normalize_id_number(id_number or "")
        parse_id_number(number)
    except ValidationError as exc:
        errors["id_number"] = " ".join(exc.messages)
        number = ""
    if errors:
        raise ValidationError(errors)
    bidx = id_bidx(number)
    if e.candidates.filter(id_number_bidx=bidx, post=post).exists():
        raise ValidationError({"id_number": _("This person is already a candidate for this post.")})
    member = Member.objects.filter(id_number_bidx=bidx).only("pk", "name").first()
    candidate = Candidate.objects.create(
        election=e,
        name=name,
        id_number=number,
        id_number_bidx=bidx,
        post=post,
        member=member if member is not None and member.name == name else None,
    )
    audit.record(
        "village_election.candidate",
        actor=acting_user,
        obj=e,
        org_path=e.organization.path,
        changes={"candidate": [None, f"{name} {post}"]},
    )
    return candidate


@write_service("village_election.review_candidate")
def review_candidate(candidate: Candidate, result: str, note: str = "", *, acting_user: Any) -> Candidate:
    """The departments' joint qualification review of one candidate: passed or failed, with their
    note (required when failed)."""
    e = _locked(candidate.election, acting_user, None)
    _as_township(e, acting_user)
    candidate = Candidate.objects.get(pk=candidate.pk, election=e)
    if e.state != S.PLANNED:
        raise ValidationError(_("The qualification review is closed: reopen it to correct it."), code="state")
    note = (note or "").strip()
    if result not in (ReviewResult.PASSED, ReviewResult.FAILED):
        raise ValidationError({"result": _("Choose passed or failed.")})
    if result == ReviewResult.FAILED and not note:
        raise ValidationError({"note": _("Say why the candidate did not pass.")})
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": _("Keep the note to at most %(max)s characters.") % {"max": NOTE_MAX}})
    before = candidate.review
    candidate.review, candidate.review_note = result, note
    candidate.save(update_fields=["review", "review_note"])
    e.version += 1
    e.save(update_fields=["version", "updated_at"])
    audit.record(
        "village_election.review_candidate",
        actor=acting_user,
        obj=e,
        org_path=e.organization.path,
        changes={"candidate": candidate.pk, "review": [before, result]},
        detail=note,
    )
    return candidate


@dataclass(frozen=True)
class Seat:
    """One line of the results: which candidate, to which committee post, with how many votes."""

    candidate_id: int
    post: str
    votes: int | None = None


def _check_results(e: VillageElection, held_on: date | None, seats: Sequence[Seat]) -> None:
    errors: dict[str, str] = {}
    if held_on is None:
        errors["held_on"] = _("Enter the day the election was held.")
    elif held_on > timezone.localdate():
        errors["held_on"] = _("The election day cannot be in the future.")
    elif held_on.year != e.year:
        errors["held_on"] = _("The election of %(year)s is held in %(year)s.") % {"year": e.year}
    ids = [s.candidate_id for s in seats]
    passed = set(e.candidates.filter(pk__in=ids, review=ReviewResult.PASSED).values_list("pk", flat=True))
    if not seats:
        errors["elected"] = _("Record who was elected.")
    elif len(set(ids)) != len(ids):
        errors["elected"] = _("Each candidate is elected once, to one post.")
    elif len(seats) > COMMITTEE_MAX:
        errors["elected"] = _("At most %(n)s committee members.") % {"n": COMMITTEE_MAX}
    elif any(s.post not in COMMITTEE_POSTS for s in seats):
        errors["elected"] = _("Choose a village committee post for each elected candidate.")
    elif [s.post for s in seats].count(VillagePost.DIRECTOR) != 1:
        errors["elected"] = _("Exactly one director must be elected.")
    elif any(s.votes is not None and s.votes < 0 for s in seats):
        errors["elected"] = _("Votes cannot be negative.")
    elif passed != set(ids):
        errors["elected"] = _("Only candidates who passed the qualification review can be elected.")
    if errors:
        raise ValidationError(errors)


@write_service("village_election.results")
def record_results(
    e: VillageElection,
    held_on: date | None,
    seats: Sequence[Seat],
    *,
    acting_user: Any,
    expected_version: int | None = None,
) -> VillageElection:
    """The village committee's election results, replacing any recorded before; reported by
    `report`. Only once the qualification review is closed."""
    from .models import VillageSeat

    e = _locked(e, acting_user, expected_version)
    if not may_record(acting_user, e):
        raise ValidationError(_("The village records its election's results."), code="actor")
    if e.state != S.REVIEWED:
        raise ValidationError(
            _("Results are recorded once the candidates' qualification review is closed."), code="state"
        )
    _check_results(e, held_on, seats)
    e.seats.all().delete()
    VillageSeat.objects.bulk_create(
        VillageSeat(election=e, candidate_id=s.candidate_id, post=s.post, votes=s.votes) for s in seats
    )
    e.held_on = held_on
    e.version += 1
    e.save(update_fields=["held_on", "version", "updated_at"])
    audit.record(
        "village_election.results",
        actor=acting_user,
        obj=e,
        org_path=e.organization.path,
        changes={"held_on": str(held_on), "elected": [[s.candidate_id, s.post, s.votes] for s in seats]},
    )
    return e


def _move(name: str) -> Any:
    @write_service(f"village_election.{name}")
    def move(
        e: VillageElection, *, note: str = "", acting_user: Any, expected_version: int | None = None
    ) -> VillageElection:
        return VILLAGE_FLOW.move(
            e, name, note=note, acting_user=acting_user, expected_version=expected_version
        )  # type: ignore[no-any-return]

    move.__name__ = name
    return move


close_review = _move("review")
reopen_review = _move("reopen")
report = _move("report")
return_results = _move("return_results")


@write_service("village_election.file")
def file_election(
    e: VillageElection, *, note: str = "", acting_user: Any, expected_version: int | None = None
) -> VillageElection:
    """The township files the election (备案) on today's date; the village committee takes the new
    term (five years from the election day), its director and its size."""
    e = VILLAGE_FLOW.move(
        e,
        "file",
        note=note,
        acting_user=acting_user,
        expected_version=expected_version,
        fields={"filed_on": timezone.localdate()},
    )
    assert e.held_on is not None  # the report's guard
    seats = list(e.seats.select_related("candidate"))
    director = next(s.candidate.name for s in seats if s.post == VillagePost.DIRECTOR)
    org = e.organization
    committee, _created = VillageCommittee.objects.get_or_create(
        organization=org,
        defaults={
            "name": org.name,
            "kind": CommitteeKind.RESIDENTS if org.sector == "community" else CommitteeKind.VILLAGE,
        },
    )
    committee.term_start = e.held_on
    committee.term_end = add_years(e.held_on, COMMITTEE_TERM_YEARS)
    committee.director_name = director
    committee.members_count = len(seats)
    committee.save()
    audit.record(
        "village_committee.term",
        actor=acting_user,
        obj=committee,
        org_path=org.path,
        changes={"term_start": str(committee.term_start), "director_name": director},
    )
    return e


@write_service("village_committee.save")
def save_committee(org: Organization, data: dict[str, Any], *, acting_user: Any) -> VillageCommittee:
    """Record or correct the village committee beside a village Party organization (the township
    or above)."""
    org = Organization.objects.get(pk=org.pk)
    if not may_plan(acting_user, org):
        raise OutOfScope(f"organizations.organization {org.pk}")
    errors: dict[str, str] = {}
    if not is_village(org):
        errors["organization"] = _(
            "Only a village's or community's Party organization has a village committee."
        )
    name = str(data.get("name") or "").strip()
    if not name or len(name) > 100:
        errors["name"] = _("Enter the committee's name (at most 100 characters).")
    kind = str(data.get("kind") or "")
    if kind not in CommitteeKind.values:
        errors["kind"] = _("Choose the kind of committee.")
    start = _day(data["term_start"], "term_start", errors) if data.get("term_start") else None
    end = _day(data["term_end"], "term_end", errors) if data.get("term_end") else None
    if start and end and end <= start:
        errors["term_end"] = _("The term ends after it starts.")
    try:
        count = int(data.get("members_count") or 0)
    except (TypeError, ValueError):
        count = -1
    if not 0 <= count <= COMMITTEE_MAX:
        errors["members_count"] = _("Enter the number of members, from 0 to %(max)s.") % {
            "max": COMMITTEE_MAX
        }
    if errors:
        raise ValidationError(errors)
    values = {
        "name": name,
        "kind": kind,
        "term_start": start,
        "term_end": end,
        "director_name": str(data.get("director_name") or "").strip()[:50],
        "members_count": count,
    }
    committee, _created = VillageCommittee.objects.update_or_create(organization=org, defaults=values)
    audit.record(
        "village_committee.save",
        actor=acting_user,
        obj=committee,
        org_path=org.path,
        changes={k: [None, str(v)] for k, v in values.items()},
    )
    return committee
