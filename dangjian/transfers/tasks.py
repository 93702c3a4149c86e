"""Probation reminders, run by the Huey worker (`dangjian run_huey`).

A probationary member becomes full after one year, by vote of the branch member assembly; the
branch must prepare that meeting. Its secretaries (where a branch has none with an account, the
committee staff of the organization above) are reminded twice per member:

- 30 days before the probation ends: key `probation:<member id>:before:<due date>`;
- on the day it ends, or at the first run after it (overdue): key `probation:<member id>:due:<due date>`.

The due date is in the key, so an extension brings a fresh pair of reminders for its new end.
The rule is a plain function of the day (`due_probation_reminders`), so tests run it on any
date; the periodic task only calls it with today. It runs daily, and each stage fires for a
window, not a single day, so a day the worker was down is caught up at the next run; the keys
keep it to one reminder each.
"""

import logging
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from dangjian.accounts.models import RoleGrant
from dangjian.accounts.roles import Role
from dangjian.core.tree import STEPLEN
from dangjian.members.models import Member
from dangjian.notifications.services import Message, chunked, notify_many

from .queries import ProbationDue, due_rows

logger = logging.getLogger(__name__)

REMIND_BEFORE_DAYS = 30
# Probations over for longer than this are left to the lists and supervision: without a horizon,
# the first run after an upgrade would remind every branch of every probation ever left undecided.
OVERDUE_HORIZON_DAYS = 90
CHUNK = 500


def _secretaries(rows: Sequence[ProbationDue]) -> dict[int, list[int]]:
    """{organization id: user ids} — secretaries granted on the member's own branch; where there
    are none, the committee staff of the organization above."""
    found: dict[int, list[int]] = defaultdict(list)
    orgs = {r.member.organization_id: r.member.organization.path for r in rows}
    grants = RoleGrant.objects.filter(
        organization_id__in=list(orgs), role=Role.SECRETARY, user__is_active=True
    ).values_list("organization_id", "user_id")
    for org_id, user_id in grants:
        found[org_id].append(user_id)
    orphans: dict[str, set[int]] = defaultdict(set)
    for org_id, path in orgs.items():
        if not found[org_id] and len(path) > STEPLEN:
            orphans[path[:-STEPLEN]].add(org_id)
    if orphans:
        staff = RoleGrant.objects.filter(
            organization__path__in=list(orphans), role=Role.COMMITTEE_STAFF, user__is_active=True
        ).values_list("organization__path", "user_id")
        for parent_path, user_id in staff:
            for org_id in orphans[parent_path]:
                found[org_id].append(user_id)
    return found


def _message(row: ProbationDue, users: list[int], today: date) -> Message:
    member = row.member
    before = row.due > today
    heading = f"{member.organization.name} · {member.name}"
    if before:
        title = _("Probation of %(name)s ends on %(date)s") % {"name": member.name, "date": row.due}
        advice = _("Prepare the branch member assembly that decides on the conversion.")
    else:
        title = _("Probation of %(name)s has ended: decide at a branch assembly") % {"name": member.name}
        advice = _("Hold the branch member assembly and record its decision (convert, extend or cancel).")
    lines = [heading, _("Joined on %(date)s.") % {"date": member.join_date}, advice]
    return Message(
        users,
        kind="probation.due",
        key=f"probation:{member.pk}:{'before' if before else 'due'}:{row.due:%Y%m%d}",
        title=title,
        body="\n".join(lines),
        url=reverse("member_membership", args=[member.pk]),
    )


def due_probation_reminders(today: date) -> int:
    """Remind the branches of probations ending within 30 days, and of those that ended (up to
    90 days ago) without a decision (one awaiting approval counts as taken). Returns how many
    notifications were created."""
    rows = [
        r
        for r in due_rows(Member.objects.all(), REMIND_BEFORE_DAYS, today)
        # A branch whose decision awaits the committee's approval has nothing left to prepare.
        if r.due >= today - timedelta(days=OVERDUE_HORIZON_DAYS) and not r.awaiting_approval
    ]
    created = 0
    with translation.override(settings.LANGUAGE_CODE):  # no per-user language is stored
        for chunk in chunked(rows, CHUNK):
            users = _secretaries(chunk)
            created += notify_many(
                _message(r, users[r.member.organization_id], today)
                for r in chunk
                if users[r.member.organization_id]
            )
    logger.info("probation reminders for %s: %d members, %d new", today, len(rows), created)
    return created


# Daily at 08:20 Beijing time (see HUEY["utc"]), after the meeting reminders' first run.
@db_periodic_task(crontab(minute="20", hour="8"))
def remind_probation() -> int:
    return due_probation_reminders(timezone.localdate())
