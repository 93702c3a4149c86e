"""Entries that accrue from records: closed meetings' attendance and dues paid on time.

`accrue(org, year)` walks the organizations of a subtree in batches; each batch costs four
queries whatever its size (attendance, payments, existing entries, one bulk insert), so a
county's year is a few dozen queries and no query is made per member or per meeting.

Idempotent: one source record gives one entry per member (unique in the database); sources that
already have their entry are skipped — whatever rule it was counted under, so a rule replaced
since does not count the record again — and running again creates nothing new. Every source
counts in the year of the entry's date (a meeting's day, a payment's date), so the entries a
year's run looks for are the ones it could have made.
Caps are applied in date order against what is already counted in the period, so entries made
earlier keep their points and a late-closed meeting takes only the room left.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db.models import Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, events
from dangjian.core.services import account_of, require_scope, write_service
from dangjian.core.tree import subtree_q
from dangjian.dues.models import DuesPayment, PaymentKind
from dangjian.members.models import Member
from dangjian.organizations.models import Organization
from dangjian.orglife.models import Attendance, AttendanceStatus, Meeting, MeetingStatus

from .models import EntryState, PointEntry, PointRule, RuleKind, SourceType
from .rules import CapLedger, RuleBook, meeting_rule

BATCH_ORGS = 200


@dataclass
class AccrualResult:
    created: int = 0
    points: int = 0
    removed: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "points": self.points, "removed": self.removed}


class Candidate(NamedTuple):
    occurred_on: date
    source_type: str
    source_id: int
    member_id: int
    rule: PointRule
    raw: int
    quantity: int


def check_year(year: int) -> None:
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationError({"year": _("Enter a year between 2000 and 2100.")})


def year_moments(year: int) -> tuple[datetime, datetime]:
    """The year as aware moments in the platform's time zone (meetings start at a moment)."""
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(date(year, 1, 1), time.min, tzinfo=tz),
        datetime.combine(date(year + 1, 1, 1), time.min, tzinfo=tz),
    )


def on_time_months(period_from: date, period_to: date, paid_on: date) -> int:
    """Months of a payment paid in or before the month they are for: a payment made in March
    for January–March has one month on time; one made in January for the quarter, three."""
    first = max(period_from, paid_on.replace(day=1))
    if first > period_to:
        return 0
    return (period_to.year - first.year) * 12 + period_to.month - first.month + 1


def _batches(rows: list[tuple[int, str]], size: int) -> Iterator[list[tuple[int, str]]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def _meeting_candidates(
    org_ids: list[int], paths: dict[int, str], book: RuleBook, year: int, meeting_id: int | None
) -> tuple[list[Candidate], set[int]]:
    start, end = year_moments(year)
    rows = Attendance.objects.filter(
        meeting__organization_id__in=org_ids,
        meeting__status=MeetingStatus.CLOSED,
        meeting__starts_at__gte=start,
        meeting__starts_at__lt=end,
        member__isnull=False,
        status__in=[AttendanceStatus.PRESENT, AttendanceStatus.ABSENT],
    )
    if meeting_id is not None:
        rows = rows.filter(meeting_id=meeting_id)
    found: list[Candidate] = []
    guests: set[int] = set()
    for member_id, member_org, meeting, kind, starts_at, org_id, status in rows.values_list(
        "member_id",
        "member__organization_id",
        "meeting_id",
        "meeting__kind",
        "meeting__starts_at",
        "meeting__organization_id",
        "status",
    ):
        rule = meeting_rule(book.applicable(paths[org_id]), kind, status == AttendanceStatus.PRESENT)
        if rule is None:
            continue
        if member_org not in paths:
            guests.add(member_id)  # a member of another organization attending as a guest
        day = timezone.localtime(starts_at).date()
        found.append(Candidate(day, SourceType.MEETING, meeting, member_id, rule, rule.points, 1))
    return found, guests


def _dues_candidates(org_ids: list[int], paths: dict[int, str], book: RuleBook, year: int) -> list[Candidate]:
    rows = DuesPayment.objects.filter(
        member__organization_id__in=org_ids,
        kind=PaymentKind.REGULAR,
        voided_at__isnull=True,
        paid_on__gte=date(year, 1, 1),
        paid_on__lt=date(year + 1, 1, 1),
    ).values_list("pk", "member_id", "member__organization_id", "period_from", "period_to", "paid_on")
    found: list[Candidate] = []
    for pk, member_id, org_id, first, last, paid_on in rows:
        rule = next((r for r in book.applicable(paths[org_id]) if r.kind == RuleKind.DUES_ON_TIME), None)
        months = on_time_months(first, last, paid_on)
        if rule is not None and months:
            found.append(
                Candidate(paid_on, SourceType.DUES_PAYMENT, pk, member_id, rule, rule.points * months, months)
            )
    return found


def _accrue_batch(
    orgs: list[tuple[int, str]],
    book: RuleBook,
    year: int,
    result: AccrualResult,
    *,
    meeting_id: int | None = None,
    acting_user: Any = None,
) -> None:
    paths = dict(orgs)
    org_ids = list(paths)
    candidates, guests = _meeting_candidates(org_ids, paths, book, year, meeting_id)
    if meeting_id is None:
        candidates += _dues_candidates(org_ids, paths, book, year)
    if not candidates:
        return
    rules = {c.rule.pk: c.rule for c in candidates}
    # Every sourced entry of these members in the year, under any rule: a source already counted
    # is skipped even if the rules changed since; the candidates' rules also fill the cap ledger.
    existing = PointEntry.objects.filter(
        Q(member__organization_id__in=org_ids) | Q(member_id__in=guests),
        ~Q(source_type=SourceType.MANUAL),
        occurred_on__gte=date(year, 1, 1),
        occurred_on__lt=date(year + 1, 1, 1),
    ).values_list("member_id", "rule_id", "source_type", "source_id", "occurred_on", "points", "state")
    ledger = CapLedger()
    seen: set[tuple[int, str, int | None]] = set()
    for member_id, rule_id, source_type, source_id, day, points, state in existing:
        seen.add((member_id, source_type, source_id))
        if state == EntryState.APPROVED and rule_id in rules:
            ledger.add(member_id, rules[rule_id], day, points)
    new: list[PointEntry] = []
    for c in sorted(candidates, key=lambda c: (c.occurred_on, c.source_type, c.source_id, c.member_id)):
        key = (c.member_id, c.source_type, c.source_id)
        if key in seen:
            continue
        seen.add(key)
        points, cut = ledger.take(c.member_id, c.rule, c.occurred_on, c.raw)
        new.append(
            PointEntry(
                member_id=c.member_id,
                rule=c.rule,
                points=points,
                capped=cut,
                quantity=c.quantity,
                occurred_on=c.occurred_on,
                source_type=c.source_type,
                source_id=c.source_id,
                state=EntryState.APPROVED,
                created_by=account_of(acting_user),
            )
        )
    PointEntry.objects.bulk_create(new, batch_size=500)
    result.created += len(new)
    result.points += sum(e.points for e in new)


def _lock_rules(book: RuleBook) -> None:
    """Serialize accruals (and approvals) that count under the same rules: each reads what is
    counted in a period before adding to it, so two at once could both use the last room."""
    list(PointRule.objects.select_for_update().filter(pk__in=book.ids()).values_list("pk", flat=True))


def _remove_voided(org_path: str, year: int) -> int:
    """Entries of payments voided since they accrued: the payment no longer counts, nor its points."""
    voided = DuesPayment.objects.filter(
        subtree_q(org_path, "member__organization__path"),
        voided_at__isnull=False,
        paid_on__gte=date(year, 1, 1),
        paid_on__lt=date(year + 1, 1, 1),
    ).values("pk")
    removed, _by_model = PointEntry.objects.filter(
        source_type=SourceType.DUES_PAYMENT, source_id__in=Subquery(voided)
    ).delete()
    return removed


@write_service("points.accrue")
def accrue(org: Organization, year: int, *, acting_user: Any) -> AccrualResult:
    """Create the entries the subtree's records justify for `year` (and drop those of voided
    payments). One summary audit entry for the run."""
    require_scope(acting_user, org, "change")
    check_year(year)
    book = RuleBook.for_subtree(org.path, year)
    result = AccrualResult()
    if book.by_committee:
        _lock_rules(book)
        orgs = list(Organization.objects.filter(subtree_q(org.path)).values_list("pk", "path"))
        for chunk in _batches(orgs, BATCH_ORGS):
            _accrue_batch(chunk, book, year, result, acting_user=acting_user)
    result.removed = _remove_voided(org.path, year)
    audit.record(
        "points.accrue",
        actor=acting_user,
        obj=org,
        org_path=org.path,
        changes={"year": [None, year], **{k: [None, v] for k, v in result.as_dict().items()}},
    )
    events.changed("points.accrue", org.pk)
    return result


@write_service("points.accrue_meeting")
def accrue_meeting(meeting: Meeting, *, acting_user: Any) -> AccrualResult:
    """The entries of one closed meeting (e.g. right after it was closed)."""
    meeting = Meeting.objects.select_related("organization").get(pk=meeting.pk)
    require_scope(acting_user, meeting, "change")
    if meeting.status != MeetingStatus.CLOSED:
        raise ValidationError(_("Points accrue from a meeting only once it is closed."), code="not_closed")
    year = timezone.localtime(meeting.starts_at).year
    org = meeting.organization
    book = RuleBook.for_org(org.path, year)
    result = AccrualResult()
    if book.by_committee:
        _lock_rules(book)
        _accrue_batch(
            [(org.pk, org.path)], book, year, result, meeting_id=meeting.pk, acting_user=acting_user
        )
    audit.record(
        "points.accrue_meeting",
        actor=acting_user,
        obj=meeting,
        org_path=org.path,
        changes={k: [None, v] for k, v in result.as_dict().items()},
    )
    events.changed("points.accrue_meeting", org.pk)
    return result


def accrue_one(
    member_id: int, kind: str, source_type: str, source_id: int, day: date, quantity: int, *, acting_user: Any
) -> PointEntry | None:
    """The entry one record of another app earns its member (a community task confirmed with its
    hours): under the rule of `kind` that applies at the member's branch in `day`'s year, cut by
    its cap against what the member already has under it in the period. None when no such rule
    applies; the existing entry when the record already has one (idempotent). Called inside the
    caller's write service (its transaction and audit entry)."""
    existing = PointEntry.objects.filter(member_id=member_id, source_type=source_type, source_id=source_id)
    if (found := existing.first()) is not None:
        return found
    org_id, org_path = (
        Member.objects.filter(pk=member_id).values_list("organization_id", "organization__path").get()
    )
    book = RuleBook.for_org(org_path, day.year)
    rule = next((r for r in book.applicable(org_path) if r.kind == kind), None)
    if rule is None:
        return None
    _lock_rules(book)
    ledger = CapLedger()
    counted = PointEntry.objects.filter(
        member_id=member_id,
        rule=rule,
        state=EntryState.APPROVED,
        occurred_on__gte=date(day.year, 1, 1),
        occurred_on__lt=date(day.year + 1, 1, 1),
    ).values_list("occurred_on", "points")
    for occurred_on, points in counted:
        ledger.add(member_id, rule, occurred_on, points)
    points, cut = ledger.take(member_id, rule, day, rule.points * quantity)
    entry = PointEntry.objects.create(
        member_id=member_id,
        rule=rule,
        points=points,
        capped=cut,
        quantity=quantity,
        occurred_on=day,
        source_type=source_type,
        source_id=source_id,
        state=EntryState.APPROVED,
        created_by=account_of(acting_user),
    )
    events.changed("points.accrue", org_id)
    return entry
