"""All writes to leading cadres, their study plans and their works.

Who may write: committee staff with "change" scope on the committee (or above) for everything;
the leader themself (the account linked to the leader's member) for their own plan and works
while they hold the post — a leader usually has no grant on the committee they lead.
"""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, events
from dangjian.core.exceptions import OutOfScope
from dangjian.core.scoping import in_scope
from dangjian.core.services import account_of, require_scope, write_service
from dangjian.core.uploads import check_upload, display_name, random_name
from dangjian.members.models import ON_ROLL_STATUSES, Member
from dangjian.organizations.models import COMMITTEE_KINDS, Organization

from .models import LeaderStudyItem, LeaderStudyPlan, LeaderWork, LeadingCadre, WorkKind

UPLOAD_PREFIX = "leader_works"
LEADER_FIELDS = ["post", "principal", "since"]


def is_self(user: Any, leader: LeadingCadre) -> bool:
    """True when `user` is the leader's own account."""
    member_id = getattr(user, "member_id", None)
    return member_id is not None and member_id == leader.member_id


def require_self_or_scope(user: Any, leader: LeadingCadre) -> None:
    """The leader themself (while in post) or staff who may change the leader's record."""
    if leader.active and is_self(user, leader):
        return
    require_scope(user, leader, "change")


def _locked(leader: LeadingCadre) -> LeadingCadre:
    return (
        LeadingCadre.objects.select_for_update(of=("self",))
        .select_related("committee", "member")
        .get(pk=leader.pk)
    )


def _clean_post(post: str, since: date | None, errors: dict[str, str]) -> str:
    post = (post or "").strip()
    if not post:
        errors["post"] = _("Enter the post, e.g. secretary or standing committee member.")
    if since is None:
        errors["since"] = _("Enter the date the post was taken up.")
    elif since > timezone.localdate():
        errors["since"] = _("The post cannot be taken up in the future.")
    return post


def _principal_taken(committee: Organization, exclude: int | None = None) -> bool:
    others = LeadingCadre.objects.filter(committee=committee, active=True, principal=True)
    return others.exclude(pk=exclude).exists() if exclude else others.exists()


@write_service("leader.appoint")
def appoint_leader(
    committee: Organization,
    member: Member,
    post: str,
    *,
    principal: bool = False,
    since: date | None = None,
    acting_user: Any,
) -> LeadingCadre:
    require_scope(acting_user, committee, "change")
    require_scope(acting_user, member, "view")
    member = Member.objects.select_related("organization").get(pk=member.pk)
    errors: dict[str, str] = {}
    since = since or timezone.localdate()
    post = _clean_post(post, since, errors)
    if committee.kind not in COMMITTEE_KINDS:
        errors["committee"] = _("Leading cadres belong to a party committee or working committee.")
    elif not member.organization.path.startswith(committee.path):
        # The leader's own branch must be under the committee: whoever supervises the leader then
        # also sees the branch meetings their dual organizational life is counted from.
        errors["member"] = _("Choose a member whose own branch is under this committee.")
    elif member.status not in ON_ROLL_STATUSES:
        errors["member"] = _("This person is no longer a member on the roll.")
    elif LeadingCadre.objects.filter(committee=committee, member=member, active=True).exists():
        errors["member"] = _("%(name)s already holds a post in this committee.") % {"name": member.name}
    if principal and "committee" not in errors and _principal_taken(committee):
        errors["principal"] = _("This committee already has a principal leader; end that post first.")
    if errors:
        raise ValidationError(errors)
    leader = LeadingCadre.objects.create(
        committee=committee, member=member, post=post, principal=principal, since=since
    )
    audit.record(
        "leader.appoint",
        actor=acting_user,
        obj=leader,
        org_path=committee.path,
        changes={"member": [None, member.pk], "post": [None, post], "principal": [None, principal]},
    )
    events.changed("leaders.leader", leader.committee_id)
    return leader


@write_service("leader.update")
def update_leader(leader: LeadingCadre, data: dict[str, Any], *, acting_user: Any) -> LeadingCadre:
    """Change post, principal flag or start date of a leader still in post."""
    leader = _locked(leader)
    require_scope(acting_user, leader, "change")
    if not leader.active:
        raise ValidationError(_("This post has ended; its record can no longer be changed."), code="ended")
    before = audit.snapshot(leader, LEADER_FIELDS)
    merged = {k: getattr(leader, k) for k in LEADER_FIELDS} | {
        k: v for k, v in data.items() if k in LEADER_FIELDS
    }
    errors: dict[str, str] = {}
    post = _clean_post(merged["post"], merged["since"], errors)
    if merged["principal"] and _principal_taken(leader.committee, exclude=leader.pk):
        errors["principal"] = _("This committee already has a principal leader; end that post first.")
    if errors:
        raise ValidationError(errors)
    leader.post, leader.principal, leader.since = post, bool(merged["principal"]), merged["since"]
    leader.save(update_fields=LEADER_FIELDS)
    audit.record(
        "leader.update",
        actor=acting_user,
        obj=leader,
        org_path=leader.committee.path,
        changes=audit.diff(before, audit.snapshot(leader, LEADER_FIELDS)),
    )
    events.changed("leaders.leader", leader.committee_id)
    return leader


@write_service("leader.end")
def end_leader(leader: LeadingCadre, *, ended_on: date | None = None, acting_user: Any) -> LeadingCadre:
    """The leader leaves the post. The record stays: their counts for past years still hold."""
    leader = _locked(leader)
    require_scope(acting_user, leader, "change")
    ended_on = ended_on or timezone.localdate()
    if not leader.active:
        raise ValidationError(_("This post has already ended."), code="ended")
    if ended_on < leader.since:
        raise ValidationError({"ended_on": _("A post cannot end before it began.")})
    leader.active, leader.ended_on = False, ended_on
    leader.save(update_fields=["active", "ended_on"])
    audit.record(
        "leader.end",
        actor=acting_user,
        obj=leader,
        org_path=leader.committee.path,
        changes={"active": [True, False], "ended_on": [None, str(ended_on)]},
    )
    events.changed("leaders.leader", leader.committee_id)
    return leader


@write_service("leader.plan")
def set_plan(
    leader: LeadingCadre, year: int, items: list[dict[str, Any]], *, acting_user: Any
) -> LeaderStudyPlan:
    """Create or replace the leader's personal study plan for `year`: each item has a month
    (1–12), a theme and optional readings. One bad item refuses them all."""
    leader = _locked(leader)
    require_self_or_scope(acting_user, leader)
    errors: list[str] = []
    if not 2000 <= year <= 2100:
        errors.append(_("Enter a year between 2000 and 2100."))
    clean: list[LeaderStudyItem] = []
    for n, item in enumerate(items, start=1):
        month, theme = item.get("month"), str(item.get("theme") or "").strip()
        if not isinstance(month, int) or not 1 <= month <= 12:
            errors.append(_("Item %(n)s: choose a month from 1 to 12.") % {"n": n})
        elif not theme:
            errors.append(_("Item %(n)s: enter the theme.") % {"n": n})
        else:
            readings = str(item.get("readings") or "").strip()
            clean.append(LeaderStudyItem(month=month, theme=theme[:200], readings=readings))
    if not clean and not errors:
        errors.append(_("A study plan needs at least one item."))
    if errors:
        raise ValidationError(errors)
    plan, created = LeaderStudyPlan.objects.get_or_create(leader=leader, year=year)
    before = [str(i) for i in plan.items.all()]
    plan.items.all().delete()
    for row in clean:
        row.plan = plan
    LeaderStudyItem.objects.bulk_create(clean)
    plan.save(update_fields=["updated_at"])
    audit.record(
        "leader.plan",
        actor=acting_user,
        obj=leader,
        org_path=leader.committee.path,
        changes={"year": [None if created else year, year], "items": [before, [str(i) for i in clean]]},
    )
    events.changed("leaders.leader", plan.leader.committee_id, date(plan.year, 1, 1))
    return plan


@write_service("leader.work_submit")
def submit_work(
    leader: LeadingCadre,
    data: dict[str, Any],
    attachment: UploadedFile | None = None,
    *,
    acting_user: Any,
) -> LeaderWork:
    """A study note, research report or theory article: text, an optional file (PDF, DOCX, JPEG,
    PNG, checked by content), or both. A refused file stores nothing."""
    leader = _locked(leader)
    require_self_or_scope(acting_user, leader)
    errors: dict[str, Any] = {}
    kind = str(data.get("kind") or "")
    title = str(data.get("title") or "").strip()
    body = str(data.get("body") or "").strip()
    written_on = data.get("written_on") or timezone.localdate()
    if kind not in WorkKind.values:
        errors["kind"] = _("Choose a study note, research report or theory article.")
    if not title or len(title) > 200:
        errors["title"] = _("Enter the title (at most 200 characters).")
    if not isinstance(written_on, date) or written_on > timezone.localdate():
        errors["written_on"] = _("Enter the date it was written; it cannot be in the future.")
    if not body and attachment is None:
        errors["body"] = _("Enter the text or attach the file.")
    file_kind = None
    if attachment is not None:
        try:
            file_kind = check_upload(attachment)
        except ValidationError as exc:
            errors["attachment"] = exc.messages
    if errors:
        raise ValidationError(errors)
    work = LeaderWork(
        leader=leader,
        kind=kind,
        title=title,
        body=body,
        written_on=written_on,
        created_by=account_of(acting_user),
    )
    if attachment is not None and file_kind is not None:
        work.attachment.save(random_name(UPLOAD_PREFIX, file_kind), attachment, save=False)
        work.attachment_name = display_name(attachment)
    try:
        work.save()
        audit.record(
            "leader.work_submit",
            actor=acting_user,
            obj=work,
            org_path=leader.committee.path,
            changes={
                "kind": [None, kind],
                "title": [None, title],
                "attachment": [None, work.attachment_name],
            },
        )
    except Exception:
        # The file is written before the row; a row that fails to save must not leave it behind.
        if work.attachment.name:
            default_storage.delete(work.attachment.name)
        raise
    events.changed("leaders.leader", work.leader.committee_id, work.written_on)
    return work


@write_service("leader.work_remove")
def remove_work(work: LeaderWork, *, acting_user: Any) -> None:
    """Withdraw a work. Its file is deleted once the removal is committed."""
    work = (
        LeaderWork.objects.select_for_update(of=("self",)).select_related("leader__committee").get(pk=work.pk)
    )
    if not (work.leader.active and is_self(acting_user, work.leader)) and not in_scope(
        acting_user, work, "change"
    ):
        raise OutOfScope(f"leaders.LeaderWork {work.pk}")
    name = work.attachment.name
    audit.record(
        "leader.work_remove",
        actor=acting_user,
        obj=work,
        org_path=work.leader.committee.path,
        changes={"title": [work.title, None], "attachment": [work.attachment_name or None, None]},
    )
    work.delete()
    if name:
        transaction.on_commit(lambda: default_storage.delete(name))
    events.changed("leaders.leader", work.leader.committee_id, work.written_on)
