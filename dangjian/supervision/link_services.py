"""Committee members' links to branches (联系点, work point 24) and the inspection visits made
through them.

Who may write: the change scope on the committee (its staff, or any level above). The link's
committee is the cadre's committee; the branch must be a branch of that committee's subtree.
"""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, events
from dangjian.core.services import account_of, require_scope, write_service
from dangjian.leaders.models import LeadingCadre
from dangjian.organizations.models import Organization

from .models import CommitteeLink, InspectionVisit

TOPIC_LINK = "supervision.link"
TOPIC_VISIT = "supervision.visit"
TEXT_MAX = 2000


def _emit(topic: str, link: CommitteeLink, on: date) -> None:
    # Coverage is a figure of the branch; "each member links a branch" one of the committee.
    events.changed(topic, link.branch_id, on)
    events.changed(topic, link.committee_id, on)


@write_service("committee_link.create")
def link_branch(
    cadre: LeadingCadre, branch: Organization, *, since: date | None = None, acting_user: Any
) -> CommitteeLink:
    """Link a committee member (a leading cadre in post) to a branch of the committee's subtree."""
    cadre = LeadingCadre.objects.select_related("committee", "member").get(pk=cadre.pk)
    committee = cadre.committee
    require_scope(acting_user, committee, "change")
    since = since or timezone.localdate()
    errors: dict[str, str] = {}
    if not cadre.active:
        errors["cadre"] = _("%(name)s no longer holds a post in this committee.") % {
            "name": cadre.member.name
        }
    if not branch.is_branch or not branch.path.startswith(committee.path):
        errors["branch"] = _(
            "%(org)s is not a branch under %(committee)s; a committee member links branches of "
            "the committee's own subtree."
        ) % {
            "org": branch.name,
            "committee": committee.name,
        }
    if not isinstance(since, date) or since > timezone.localdate():
        errors["since"] = _("The link cannot start in the future.")
    if (
        not errors
        and CommitteeLink.objects.filter(cadre=cadre, branch=branch, ended_on__isnull=True).exists()
    ):
        errors["branch"] = _("%(name)s already links %(org)s.") % {
            "name": cadre.member.name,
            "org": branch.name,
        }
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            link = CommitteeLink.objects.create(
                committee=committee,
                cadre=cadre,
                branch=branch,
                since=since,
                created_by=account_of(acting_user),
            )
    except IntegrityError as exc:  # the same link made at the same moment
        raise ValidationError(
            {"branch": _("%(name)s already links %(org)s.") % {"name": cadre.member.name, "org": branch.name}}
        ) from exc
    audit.record(
        "committee_link.create",
        actor=acting_user,
        obj=link,
        org_path=committee.path,
        changes={"cadre": [None, cadre.pk], "branch": [None, branch.pk], "since": [None, str(since)]},
        object_repr=f"{cadre.member.name} → {branch.name}",
    )
    _emit(TOPIC_LINK, link, since)
    return link


@write_service("committee_link.end")
def end_link(link: CommitteeLink, *, ended_on: date | None = None, acting_user: Any) -> CommitteeLink:
    """The committee member stops linking the branch; the link and its visits stay on record."""
    link = CommitteeLink.objects.select_for_update(of=("self",)).select_related("committee").get(pk=link.pk)
    require_scope(acting_user, link, "change")
    ended_on = ended_on or timezone.localdate()
    if link.ended_on is not None:
        raise ValidationError(_("This link has already ended."), code="ended")
    if ended_on < link.since or ended_on > timezone.localdate():
        raise ValidationError({"ended_on": _("A link ends between its start and today.")})
    link.ended_on = ended_on
    link.save(update_fields=["ended_on"])
    audit.record(
        "committee_link.end",
        actor=acting_user,
        obj=link,
        org_path=link.committee.path,
        changes={"ended_on": [None, str(ended_on)]},
    )
    _emit(TOPIC_LINK, link, ended_on)
    return link


def _text(data: dict[str, Any], key: str, required: str | None, errors: dict[str, str]) -> str:
    value = str(data.get(key) or "").strip()
    if required and not value:
        errors[key] = required
    elif len(value) > TEXT_MAX:
        errors[key] = _("Keep it to at most %(max)s characters.") % {"max": TEXT_MAX}
    return value


@write_service("inspection_visit.create")
def record_visit(link: CommitteeLink, data: dict[str, Any], *, acting_user: Any) -> InspectionVisit:
    """A visit to the linked branch: its date (not in the future, within the link's time), what
    was checked, what was found, and the follow-up agreed."""
    link = CommitteeLink.objects.select_related("committee", "branch").get(pk=link.pk)
    require_scope(acting_user, link, "change")
    errors: dict[str, str] = {}
    visited_on = data.get("visited_on")
    if not isinstance(visited_on, date):
        errors["visited_on"] = _("Enter the date of the visit.")
    elif visited_on > timezone.localdate():
        errors["visited_on"] = _("A visit is recorded after it took place; the date cannot be in the future.")
    elif visited_on < link.since or (link.ended_on is not None and visited_on > link.ended_on):
        errors["visited_on"] = _("The visit must fall within the link's time (from %(since)s%(until)s).") % {
            "since": link.since,
            "until": f" {_('to')} {link.ended_on}" if link.ended_on else "",
        }
    checked = _text(data, "checked", _("Say what was checked."), errors)
    findings = _text(data, "findings", _("Say what was found."), errors)
    follow_up = _text(data, "follow_up", None, errors)
    if errors:
        raise ValidationError(errors)
    assert isinstance(visited_on, date)  # checked above
    visit = InspectionVisit.objects.create(
        link=link,
        visited_on=visited_on,
        checked=checked,
        findings=findings,
        follow_up=follow_up,
        recorded_by=account_of(acting_user),
    )
    audit.record(
        "inspection_visit.create",
        actor=acting_user,
        obj=visit,
        org_path=link.committee.path,
        changes={"visited_on": [None, str(visited_on)], "branch": [None, link.branch_id]},
    )
    _emit(TOPIC_VISIT, link, visited_on)
    return visit
