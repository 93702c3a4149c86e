"""Six months before a term ends, the organization's secretary and organizers and the committee
staff of the nearest committee above that has any (a township without accounts of its own is
supervised by its county) are told to prepare the term change (the organization's page shows the same as
a banner). Once per organization and term: the key names the term's end, so a rerun, a missed day
caught up within the window, or a second worker sends nothing new. An organization whose term
change is already under way is not reminded."""

from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from dangjian.accounts.roles import Role
from dangjian.core.dates import add_months
from dangjian.core.tree import ancestor_paths
from dangjian.notifications.services import Message, notify_many, platform_language
from dangjian.organizations.models import Organization
from dangjian.transfers.services.common import keepers

from .models import OPEN

AHEAD_MONTHS = 6
# Days a reminder may still be sent late (the worker was down): the key stops a second one.
CATCH_UP_DAYS = 7


def remind_terms(today: date) -> int:
    """Remind every organization whose term ends six months from `today` (or up to CATCH_UP_DAYS
    less); returns how many notifications are new."""
    last = add_months(today, AHEAD_MONTHS)
    due = list(
        Organization.objects.filter(term_due_end__range=(last - timedelta(days=CATCH_UP_DAYS), last))
        .exclude(term_changes__state__in=OPEN)
        .only("pk", "path", "name", "term_due_end")
        .order_by("path")
    )
    if not due:
        return 0
    above = dict(
        Organization.objects.filter(path__in={p for o in due for p in ancestor_paths(o.path)})
        .values_list("path", "pk")
        .order_by()
    )
    officers = keepers([o.pk for o in due])
    staff = keepers(above.values(), roles=(Role.COMMITTEE_STAFF,))
    messages = []
    with platform_language():
        for org in due:
            users = [*officers.get(org.pk, []), *_nearest_staff(org.path, above, staff)]
            if not users:
                continue
            messages.append(
                Message(
                    users,
                    kind="term.due",
                    key=f"term-due:{org.pk}:{org.term_due_end}",
                    title=_("The term of %(org)s ends on %(day)s: prepare the term change.")
                    % {"org": org.name, "day": org.term_due_end},
                    url=reverse("org_term_changes", args=[org.pk]),
                )
            )
    return notify_many(messages)


def _nearest_staff(path: str, above: dict[str, int], staff: dict[int, list[int]]) -> list[int]:
    for ancestor in reversed(ancestor_paths(path)):
        found = staff.get(above.get(ancestor, 0))
        if found:
            return found
    return []


@db_periodic_task(crontab(hour="7", minute="50"))
def remind_terms_task() -> int:
    """Daily at 07:50 local time, with the other morning reminders."""
    return remind_terms(timezone.localdate())
