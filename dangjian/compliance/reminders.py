"""Reminders before compliance due dates, and escalation of overdue results to the level above.

- `send_due_reminders(today)`: a stored result that is not met (on track or at risk) and falls
  due within N days, for an N of its rule set's `settings["reminders"]` (default [14, 3]), is
  reminded to the organization's accountable people, once per N. Key
  `compliance-due:<org id>:<rule ref>:<due date>:<N>`.
- `escalate_overdue(today)`: overdue results are reported to the committee staff of the nearest
  ancestor that has any, in ONE digest per recipient and escalation day (up to 20 lines and a
  count of the rest). Key `compliance-overdue:<escalation day>`.

Keys name the organization and the rule by code, never the result row: the engine deletes and
re-inserts results at every recompute (nightly, and on each change), so a result id lives a day
at most and a key on it would remind everyone again every morning. A rule is named by its rule
set's code and its own (`<set>.<rule>`), so loading a corrected version of a rule set in the
middle of a month does not remind the whole province a second time.

Escalation is batched, so its key cannot name a result: a notification has one key, and a
digest lists many results. Each overdue result instead has a fixed escalation day (see
`escalation_day`), and a recipient's digest of that day is the one notification for all the
results of the day: a rerun finds it and sends nothing; results are listed once per day they
are escalated on, never again on the days after.

Both are plain functions of the day, called by one thin periodic task at 07:30 (after the
nightly recompute at 01:10 has moved statuses with the calendar). Both are idempotent, so a
rerun, a retry or a worker that was down is harmless; both read results in chunks of CHUNK
rows, with a fixed number of queries per chunk.
"""

import hashlib
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import reduce
from operator import or_
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from dangjian.accounts.models import RoleGrant
from dangjian.accounts.roles import Role
from dangjian.core.tree import ancestor_paths
from dangjian.notifications.services import Message, notify_many
from dangjian.organizations.models import MEMBER_HOLDING_KINDS

from .models import Result, Rule, RuleKind, RuleSet, Status
from .queries import progress_text, rule_title, status_label

logger = logging.getLogger(__name__)

CHUNK = 500  # results per query (and per grant query)
DEFAULT_REMINDERS = (14, 3)
# Roles reminded when a rule names none: whoever keeps a branch's records; a committee's staff.
BRANCH_ROLES = (Role.SECRETARY, Role.ORGANIZER)
COMMITTEE_ROLES = (Role.COMMITTEE_STAFF,)
# Escalations older than this are left to the supervision pages: without a horizon, the first
# run after an upgrade would report every result overdue since spring.
ESCALATION_HORIZON = timedelta(days=7)
DIGEST_LINES = 20
RULE_REF_MAX = 60  # keeps every key within Notification.key's 120 characters

RESULT_FIELDS = [
    "id",
    "organization_id",
    "organization__name",
    "organization__kind",
    "organization__path",
    "rule_id",
    "year",
    "status",
    "value",
    "target",
    "due_on",
]


def checklist_url(org_id: int, year: int) -> str:
    """The organization's checklist for `year`."""
    return reverse("org_compliance", args=[org_id]) + f"?year={year}"


def rule_ref(rule: Rule, rule_set: RuleSet) -> str:
    """`<rule-set code>.<rule code>`, the same across versions of the set; a digest of it when
    the codes are too long for a key."""
    ref = f"{rule_set.code}.{rule.code}"
    if len(ref) > RULE_REF_MAX:
        ref = hashlib.blake2b(ref.encode(), digest_size=12).hexdigest()
    return ref


@dataclass
class Rules:
    """The measured rules of the active rule sets, by id."""

    rules: dict[int, Rule] = field(default_factory=dict)
    sets: dict[int, RuleSet] = field(default_factory=dict)

    @classmethod
    def active(cls) -> "Rules":
        found = cls()
        for rule_set in RuleSet.objects.filter(active=True).prefetch_related("rules"):
            for rule in rule_set.rules.all():
                if rule.measured:
                    found.rules[rule.pk] = rule
                    found.sets[rule.pk] = rule_set
        return found

    def by_set(self) -> dict[RuleSet, list[int]]:
        grouped: dict[RuleSet, list[int]] = defaultdict(list)
        for rule_id, rule_set in self.sets.items():
            grouped[rule_set].append(rule_id)
        return grouped

    def ref(self, rule_id: int) -> str:
        return rule_ref(self.rules[rule_id], self.sets[rule_id])


def _chunks(rows: QuerySet[Result]) -> Iterator[list[dict[str, Any]]]:
    """Rows in id order, CHUNK at a time (keyset pagination: each query one index range)."""
    last = 0
    while True:
        chunk = list(rows.filter(id__gt=last).order_by("id").values(*RESULT_FIELDS)[:CHUNK])
        if chunk:
            yield chunk
        if len(chunk) < CHUNK:
            return
        last = chunk[-1]["id"]


def _years(*days: date) -> list[int]:
    return sorted({d.year for d in days})


# --- before the due date ------------------------------------------------------------------------


def reminder_days(rule_set: RuleSet) -> list[int]:
    return sorted(rule_set.settings.get("reminders", DEFAULT_REMINDERS))


def reminder_due(days: list[int], days_left: int) -> int | None:
    """Which reminder is due `days_left` days before the date: the tightest N ≥ days_left. A
    worker that missed the 14-day run sends the 14-day reminder at 11 days; one that missed
    both sends only the 3-day one at 2 days (not two at once)."""
    if days_left < 0:
        return None
    return next((n for n in days if n >= days_left), None)


def accountable_roles(rule: Rule, org_kind: str) -> tuple[str, ...]:
    named = rule.spec.get("accountable") or []
    if named:
        return tuple(named)
    return BRANCH_ROLES if org_kind in MEMBER_HOLDING_KINDS else COMMITTEE_ROLES


def _holders(org_ids: Iterable[int], roles: Iterable[str]) -> dict[tuple[int, str], list[int]]:
    """{(organization id, role): active user ids} for grants on exactly those organizations."""
    holders: dict[tuple[int, str], list[int]] = defaultdict(list)
    grants = (
        RoleGrant.objects.filter(organization_id__in=set(org_ids), role__in=set(roles), user__is_active=True)
        .values_list("organization_id", "role", "user_id")
        .order_by()
    )
    for org_id, role, user_id in grants:
        holders[(org_id, role)].append(user_id)
    return holders


def _due_message(
    row: dict[str, Any], rule: Rule, ref: str, n: int, days_left: int, users: list[int]
) -> Message:
    title = rule_title(rule)
    if days_left == 0:
        heading = _("Due today: %(rule)s") % {"rule": title}
    else:
        heading = ngettext("Due in %(days)d day: %(rule)s", "Due in %(days)d days: %(rule)s", days_left) % {
            "days": days_left,
            "rule": title,
        }
    due_on: date = row["due_on"]
    lines = [
        row["organization__name"],
        _("Due date: %(date)s") % {"date": due_on.isoformat()},
        _("Progress: %(progress)s") % {"progress": progress_text(rule, row["value"], row["target"])},
        _("Status: %(status)s") % {"status": status_label(row["status"])},
    ]
    return Message(
        users,
        kind="compliance.due",
        key=f"compliance-due:{row['organization_id']}:{ref}:{due_on.isoformat()}:{n}",
        title=heading,
        body="\n".join(lines),
        url=checklist_url(row["organization_id"], row["year"]),
    )


def _due_rows(rules: Rules, today: date) -> QuerySet[Result]:
    """Results not met whose due date is today or within their rule set's longest reminder."""
    where = []
    for rule_set, rule_ids in rules.by_set().items():
        days = reminder_days(rule_set)
        if not days:
            continue
        horizon = today + timedelta(days=days[-1])
        years = [y for y in _years(today, horizon) if rule_set.applies_in(y)]
        if years:
            where.append(Q(rule_id__in=rule_ids, year__in=years, due_on__gte=today, due_on__lte=horizon))
    if not where:
        return Result.objects.none()
    return Result.objects.filter(reduce(or_, where), status__in=[Status.ON_TRACK, Status.AT_RISK])


def send_due_reminders(today: date) -> int:
    """Remind the accountable people of every stored result that is not met and falls due within
    one of its rule set's reminder days (never after the due date). Returns how many
    notifications were created."""
    rules = Rules.active()
    rows = _due_rows(rules, today)
    created = seen = 0
    with translation.override(settings.LANGUAGE_CODE):  # no per-user language is stored
        for chunk in _chunks(rows):
            seen += len(chunk)
            wanted = {
                role
                for r in chunk
                for role in accountable_roles(rules.rules[r["rule_id"]], r["organization__kind"])
            }
            holders = _holders((r["organization_id"] for r in chunk), wanted)
            messages = []
            for row in chunk:
                rule, rule_set = rules.rules[row["rule_id"]], rules.sets[row["rule_id"]]
                days_left = (row["due_on"] - today).days
                n = reminder_due(reminder_days(rule_set), days_left)
                roles = accountable_roles(rule, row["organization__kind"])
                users = [u for role in roles for u in holders[(row["organization_id"], role)]]
                if n is not None and users:
                    messages.append(_due_message(row, rule, rules.ref(row["rule_id"]), n, days_left, users))
            created += notify_many(messages)
    logger.info("compliance due reminders for %s: %d results, %d new", today, seen, created)
    return created


# --- after it: escalation -----------------------------------------------------------------------


def period_start(rule: Rule, day: date) -> date:
    """First day of the period containing `day` that a count rule is judged in (its month or
    quarter); the month for any other rule."""
    if rule.kind == RuleKind.COUNT and rule.spec.get("period") == "quarter":
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return day.replace(day=1)


def escalation_day(rule: Rule, due_on: date | None, today: date) -> date:
    """The day an overdue result is reported on. A due date passed unmet: the day after it
    (deadlines, per-person rules, yearly counts, every rule after the year's end). Overdue before
    its due date (a past month or quarter of a count rule fell short, coverage out of reach) or
    without a due date (a standing condition): the first day of the current period, so a result
    that stays overdue is listed again once a period (a month or quarter), not every day."""
    if due_on is not None and due_on < today:
        return due_on + timedelta(days=1)
    return period_start(rule, today)


class StaffAbove:
    """The committee staff of the nearest ancestor that has any, by organization path. Each
    ancestor's grants are read once per run (the same county is above thousands of results)."""

    def __init__(self) -> None:
        self.staff: dict[str, tuple[int, list[int]]] = {}  # path: (org id, user ids), maybe none

    def load(self, paths: Iterable[str]) -> None:
        wanted = {a for p in paths for a in ancestor_paths(p)} - self.staff.keys()
        if not wanted:
            return
        self.staff.update({path: (0, []) for path in wanted})
        grants = (
            RoleGrant.objects.filter(
                organization__path__in=wanted, role=Role.COMMITTEE_STAFF, user__is_active=True
            )
            .values_list("organization__path", "organization_id", "user_id")
            .order_by()
        )
        for path, org_id, user_id in grants:
            self.staff[path] = (org_id, [*self.staff[path][1], user_id])

    def of(self, path: str) -> tuple[str, int, list[int]] | None:
        """(path, id, staff) of the nearest strict ancestor of `path` with committee staff."""
        for ancestor in reversed(ancestor_paths(path)):
            org_id, users = self.staff[ancestor]
            if users:
                return ancestor, org_id, users
        return None


@dataclass
class Digest:
    """One recipient's overdue results of one escalation day: how many, and the first
    DIGEST_LINES in tree order (organization path, then rule position)."""

    anchor: tuple[str, int]  # (path, id) of the highest organization it reports from
    year: int
    count: int = 0
    lines: list[tuple[str, int, str]] = field(default_factory=list)

    def add(self, path: str, position: int, text: str) -> None:
        self.count += 1
        self.lines.append((path, position, text))
        if len(self.lines) > 10 * DIGEST_LINES:  # bounded memory for a county's thousands
            self.lines = sorted(self.lines)[:DIGEST_LINES]

    def first_lines(self) -> list[str]:
        return [text for _path, _position, text in sorted(self.lines)[:DIGEST_LINES]]


def _digest_message(user_id: int, day: date, digest: Digest) -> Message:
    lines = digest.first_lines()
    rest = digest.count - len(lines)
    if rest:
        lines.append(_("… and %(count)d more.") % {"count": rest})
    lines.append(_("The checklist shows every organization and rule."))
    title = ngettext(
        "Overdue below your organization: %(count)d item",
        "Overdue below your organization: %(count)d items",
        digest.count,
    )
    return Message(
        [user_id],
        kind="compliance.overdue",
        key=f"compliance-overdue:{day.isoformat()}",
        title=title % {"count": digest.count},
        body="\n".join(lines),
        url=checklist_url(digest.anchor[1], digest.year),
    )


def _overdue_rows(rules: Rules, today: date) -> QuerySet[Result]:
    """Overdue results whose escalation day may fall within the horizon: due date passed in it,
    or (for rules whose current period began in it) overdue before the due date or without one."""
    earliest = today - ESCALATION_HORIZON
    where = []
    for rule_set, rule_ids in rules.by_set().items():
        years = [y for y in _years(earliest - timedelta(days=1), today) if rule_set.applies_in(y)]
        passed = Q(due_on__gte=earliest - timedelta(days=1), due_on__lt=today)
        early = [r for r in rule_ids if period_start(rules.rules[r], today) >= earliest]
        if early:
            passed |= Q(rule_id__in=early) & (Q(due_on__gte=today) | Q(due_on__isnull=True))
        if years:
            where.append(Q(rule_id__in=rule_ids, year__in=years) & passed)
    if not where:
        return Result.objects.none()
    return Result.objects.filter(reduce(or_, where), status=Status.OVERDUE)


def escalate_overdue(today: date) -> int:
    """Report the results that became overdue to the committee staff of the nearest ancestor
    that has any: one digest per recipient and escalation day (see `escalation_day`), listing up
    to DIGEST_LINES organizations and rules and counting the rest. Escalation days older than
    ESCALATION_HORIZON are skipped. Returns how many notifications were created."""
    rules = Rules.active()
    earliest = today - ESCALATION_HORIZON
    staff = StaffAbove()
    digests: dict[tuple[int, date], Digest] = {}
    seen = 0
    with translation.override(settings.LANGUAGE_CODE):  # no per-user language is stored
        for chunk in _chunks(_overdue_rows(rules, today)):
            seen += len(chunk)
            staff.load(r["organization__path"] for r in chunk)
            for row in chunk:
                rule = rules.rules[row["rule_id"]]
                day = escalation_day(rule, row["due_on"], today)
                above = staff.of(row["organization__path"])
                if above is None or not earliest <= day <= today:
                    continue
                anchor_path, anchor_id, users = above
                text = f"{row['organization__name']} · {rule_title(rule)}"
                for user_id in users:
                    digest = digests.setdefault((user_id, day), Digest((anchor_path, anchor_id), row["year"]))
                    digest.anchor = min(digest.anchor, (anchor_path, anchor_id), key=lambda a: len(a[0]))
                    digest.year = max(digest.year, row["year"])
                    digest.add(row["organization__path"], rule.position, text)
        messages = [_digest_message(user_id, day, d) for (user_id, day), d in sorted(digests.items())]
    created = notify_many(messages)
    logger.info("compliance escalation for %s: %d overdue results, %d new", today, seen, created)
    return created


# --- the periodic task --------------------------------------------------------------------------


@db_periodic_task(crontab(hour="7", minute="30"))
def remind_compliance() -> int:
    """Daily at 07:30 local time (HUEY["utc"] is False): after the nightly recompute, before the
    working day."""
    today = timezone.localdate()
    return send_due_reminders(today) + escalate_overdue(today)
