"""Who is told of a campaign, and when: the receiving organizations' officers when it is launched,
some days before its deadline and on the day (`DEADLINE`, through the kernel's reminders), and
whenever the sender reminds those who have not reported. Recipients are read in one query for
any number of organizations: a province's campaign reaches some 190,000 of them."""

from collections.abc import Iterable, Mapping, Sequence

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.models import RoleGrant
from dangjian.accounts.roles import Role
from dangjian.core.workflow import Deadline
from dangjian.notifications.services import Message, notify_many, platform_language

from .models import TO_SUBMIT, Assignment, CampaignState

CHUNK = 5000
OFFICERS = frozenset({Role.SECRETARY, Role.ORGANIZER, Role.COMMITTEE_STAFF})


def officers_of(assignments: Sequence[Assignment]) -> Mapping[int, list[int]]:
    """Assignment pk → the active accounts holding an officer's grant on its organization."""
    by_org: dict[int, list[int]] = {}
    org_ids = list({a.organization_id for a in assignments})
    for start in range(0, len(org_ids), CHUNK):
        rows = RoleGrant.objects.filter(
            organization_id__in=org_ids[start : start + CHUNK], role__in=OFFICERS, user__is_active=True
        ).values_list("organization_id", "user_id")
        for org_id, user_id in rows:
            by_org.setdefault(org_id, []).append(user_id)
    return {a.pk: sorted(set(by_org.get(a.organization_id, []))) for a in assignments}


def _title(assignment: Assignment) -> str:
    return _("Task from %(sender)s: %(title)s") % {
        "sender": assignment.campaign.organization.name,
        "title": assignment.campaign.title,
    }


DEADLINE = Deadline(
    states=TO_SUBMIT,
    column="deadline",
    notify=lambda a: officers_of([a])[a.pk],
    notify_all=officers_of,
    where={"campaign__state": CampaignState.LAUNCHED},
    title=_title,
    url=lambda a: f"/assignments/{a.pk}/",
    days_before=(3, 1, 0),
)


def _send(assignments: Iterable[Assignment], kind: str, key: str, urgent: bool = False) -> int:
    rows = list(assignments)
    recipients = officers_of(rows)
    with platform_language():
        messages = [
            Message(
                user_ids=recipients[a.pk],
                kind=kind,
                key=f"{key}:{a.pk}",
                title=_title(a),
                body=_("Report by %(date)s.") % {"date": a.deadline.isoformat()},
                url=f"/assignments/{a.pk}/",
                urgent=urgent,
            )
            for a in rows
            if recipients[a.pk]
        ]
    return notify_many(messages)


def launched(campaign_id: int) -> int:
    """Tell every receiving organization's officers (run by the job queue after the launch)."""
    rows = Assignment.objects.filter(campaign_id=campaign_id).select_related("campaign__organization")
    return _send(rows.iterator(chunk_size=CHUNK), "campaign.launched", f"campaign:{campaign_id}")


def missing(rows: QuerySet[Assignment]) -> int:
    """Remind the organizations of `rows` still to report (once a day: the key names the day)."""
    today = timezone.localdate().isoformat()
    return _send(
        rows.filter(state__in=TO_SUBMIT).select_related("campaign__organization"),
        "campaign.remind",
        f"campaign-remind:{today}",
    )
