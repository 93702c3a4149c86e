"""Writes of theme practice: posts and their holders, commitments and their fulfilment, the
publication of a year's commitments, registrations with a community branch and their service
tasks (the workflows' moves; confirmed hours earn points), pairings with households and their
visits. Every write is atomic, scoped and audited; a refusal changes nothing."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, events
from dangjian.core.exceptions import OutOfScope
from dangjian.core.phone import validate_phone
from dangjian.core.scoping import in_scope
from dangjian.core.services import account_of, require_scope, write_service
from dangjian.core.tree import STEPLEN
from dangjian.core.workflow import reaches
from dangjian.members.models import ON_ROLL_STATUSES, Member
from dangjian.organizations.models import BRANCH_KINDS, MEMBER_HOLDING_KINDS, Organization, Sector
from dangjian.points import accrual
from dangjian.points.models import RuleKind, SourceType

from .models import (
    NAME_MAX,
    NOTE_MAX,
    OPEN_REGISTRATION,
    TEXT_MAX,
    Commitment,
    CommitmentRelease,
    Fulfilment,
    Pairing,
    PairingState,
    Post,
    PostHolder,
    Registration,
    RegistrationState,
    ServiceTask,
    Visit,
)
from .workflows import COMMUNITY, REGISTRATION_FLOW, TASK_FLOW, TASK_MEMBER, check_hours

# Branches where members live and work in one place: they serve there and do not register.
RESIDENTIAL_SECTORS = (Sector.COMMUNITY, Sector.RURAL)
COUNTY_DEPTH = 3  # province / city / county: a member registers within their own county


# --- shared checks ---------------------------------------------------------------------------


def _text(value: Any, field: str, limit: int, message: str) -> str:
    text = str(value or "").strip()
    if not text or len(text) > limit:
        raise ValidationError({field: message})
    return text


def _year(year: Any) -> int:
    this_year = timezone.localdate().year
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= this_year + 1:
        raise ValidationError(
            {"year": _("Enter a year from %(first)s to %(last)s.") % {"first": 2000, "last": this_year + 1}}
        )
    return year


def _day(value: Any, field: str, *, not_future: bool = False) -> date:
    if not isinstance(value, date) or value.year < 2000:
        raise ValidationError({field: _("Enter a date.")})
    if not_future and value > timezone.localdate():
        raise ValidationError({field: _("The date cannot be in the future.")})
    return value


def _branch(org: Organization) -> None:
    if org.kind not in MEMBER_HOLDING_KINDS:
        raise ValidationError(_("This is kept by a branch (a branch or general branch holding members)."))


def _member_of(org: Organization, member: Member) -> None:
    if member.organization_id != org.pk or member.status not in ON_ROLL_STATUSES:
        raise ValidationError({"member": _("Choose a member on this branch's roll.")})


def may_change(user: Any, org: Organization) -> bool:
    """Those who may change `org`'s records (its officers, the levels above)."""
    return reaches(user, org, "change")


def _own_member(user: Any) -> int | None:
    return getattr(user, "member_id", None) if getattr(user, "is_authenticated", False) else None


# --- posts ----------------------------------------------------------------------------------


def _post_data(data: dict[str, Any]) -> dict[str, str]:
    return {
        "name": _text(data.get("name"), "name", NAME_MAX, _("Name the post (at most 60 characters).")),
        "duties": _text(
            data.get("duties"), "duties", TEXT_MAX, _("Write the post's duties (at most 1000 characters).")
        ),
    }


def _unique_name(org: Organization, name: str, pk: int | None = None) -> None:
    same = Post.objects.filter(organization=org, name=name)
    if (same.exclude(pk=pk) if pk is not None else same).exists():
        raise ValidationError({"name": _("The branch already has a post of that name.")})


@write_service("community_post.create")
def create_post(org: Organization, data: dict[str, Any], *, acting_user: Any) -> Post:
    require_scope(acting_user, org, "change")
    _branch(org)
    clean = _post_data(data)
    _unique_name(org, clean["name"])
    post = Post.objects.create(organization=org, created_by=account_of(acting_user), **clean)
    audit.record(
        "community_post.create",
        actor=acting_user,
        obj=post,
        org_path=org.path,
        changes={k: [None, v] for k, v in clean.items()},
    )
    return post


@write_service("community_post.update")
def update_post(
    post: Post, data: dict[str, Any], *, expected_version: int | None = None, acting_user: Any
) -> Post:
    post = Post.objects.select_for_update().select_related("organization").get(pk=post.pk)
    require_scope(acting_user, post, "change")
    if expected_version is not None and expected_version != post.version:
        raise ValidationError(
            _("Someone changed this record after you opened it; reload the page and try again."), code="stale"
        )
    clean = _post_data(data)
    _unique_name(post.organization, clean["name"], post.pk)
    changes = {k: [getattr(post, k), v] for k, v in clean.items() if getattr(post, k) != v}
    for key, value in clean.items():
        setattr(post, key, value)
    post.version += 1
    post.save()
    audit.record(
        "community_post.update", actor=acting_user, obj=post, org_path=post.organization.path, changes=changes
    )
    return post


@write_service("community_post.assign")
def assign(post: Post, member: Member, *, acting_user: Any) -> PostHolder:
    post = Post.objects.select_related("organization").get(pk=post.pk)
    require_scope(acting_user, post, "change")
    _member_of(post.organization, member)
    if PostHolder.objects.filter(post=post, member=member).exists():
        raise ValidationError({"member": _("The member already holds this post.")})
    holder = PostHolder.objects.create(post=post, member=member, assigned_by=account_of(acting_user))
    audit.record(
        "community_post.assign",
        actor=acting_user,
        obj=post,
        org_path=post.organization.path,
        changes={"member": [None, member.pk]},
    )
    return holder


@write_service("community_post.unassign")
def unassign(post: Post, member_id: int, *, acting_user: Any) -> None:
    post = Post.objects.select_related("organization").get(pk=post.pk)
    require_scope(acting_user, post, "change")
    deleted, _rows = PostHolder.objects.filter(post=post, member_id=member_id).delete()
    if not deleted:
        raise ValidationError({"member": _("The member does not hold this post.")})
    audit.record(
        "community_post.unassign",
        actor=acting_user,
        obj=post,
        org_path=post.organization.path,
        changes={"member": [member_id, None]},
    )


# --- commitments ----------------------------------------------------------------------------


def _commitment_text(text: Any) -> str:
    return _text(text, "text", TEXT_MAX, _("Write the commitment (at most 1000 characters)."))


@write_service("community_commitment.create")
def make_commitment(member: Member, year: int, text: str, *, acting_user: Any) -> Commitment:
    """A commitment of `member` for `year`: by the member themself, or by the branch (those who may
    change its records) on their behalf."""
    member = Member.objects.select_related("organization").get(pk=member.pk)
    own = _own_member(acting_user) == member.pk
    if not own:
        require_scope(acting_user, member, "view")
        if not may_change(acting_user, member.organization):
            raise ValidationError(_("A commitment is made by the member themself or by their branch."))
    if member.status not in ON_ROLL_STATUSES:
        raise ValidationError({"member": _("Commitments are made by members on the roll.")})
    year, text = _year(year), _commitment_text(text)
    row = Commitment.objects.create(
        member=member,
        organization=member.organization,
        year=year,
        text=text,
        by_member=own,
        created_by=account_of(acting_user),
    )
    audit.record(
        "community_commitment.create",
        actor=acting_user,
        obj=row,
        org_path=member.organization.path,
        changes={"member": [None, member.pk], "year": [None, year], "text": [None, text]},
    )
    return row


def _locked_commitment(row: Commitment, acting_user: Any, expected_version: int | None) -> Commitment:
    row = Commitment.objects.select_for_update().select_related("organization").get(pk=row.pk)
    if _own_member(acting_user) != row.member_id:
        require_scope(acting_user, row, "view")
    if expected_version is not None and expected_version != row.version:
        raise ValidationError(
            _("Someone changed this record after you opened it; reload the page and try again."), code="stale"
        )
    return row


def may_edit_commitment(user: Any, row: Commitment) -> bool:
    """The member, while it is not assessed; the branch (those who may change its records)."""
    if may_change(user, row.organization):
        return True
    return _own_member(user) == row.member_id and row.fulfilment == Fulfilment.OPEN


@write_service("community_commitment.update")
def edit_commitment(
    row: Commitment, text: str, *, expected_version: int | None = None, acting_user: Any
) -> Commitment:
    row = _locked_commitment(row, acting_user, expected_version)
    if not may_edit_commitment(acting_user, row):
        if _own_member(acting_user) == row.member_id:
            raise ValidationError(_("The commitment has been assessed; ask the branch to change it."))
        raise ValidationError(_("A commitment is changed only by the member who made it or by their branch."))
    text = _commitment_text(text)
    before = row.text
    row.text, row.version = text, row.version + 1
    row.save(update_fields=["text", "version", "updated_at"])
    audit.record(
        "community_commitment.update",
        actor=acting_user,
        obj=row,
        org_path=row.organization.path,
        changes={"text": [before, text]},
    )
    return row


@write_service("community_commitment.assess")
def assess(
    row: Commitment, fulfilment: str, note: str = "", *, expected_version: int | None = None, acting_user: Any
) -> Commitment:
    """The branch records how far the commitment was kept (at the year's end or any time)."""
    row = _locked_commitment(row, acting_user, expected_version)
    if not may_change(acting_user, row.organization):
        raise ValidationError(_("The branch records whether a commitment was kept."))
    if fulfilment not in (Fulfilment.DONE, Fulfilment.PARTLY, Fulfilment.NOT):
        raise ValidationError({"fulfilment": _("Choose fulfilled, partly fulfilled or not fulfilled.")})
    note = str(note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": _("Keep the note to at most %(max)s characters.") % {"max": NOTE_MAX}})
    if fulfilment != Fulfilment.DONE and not note:
        raise ValidationError({"note": _("Say what was not kept.")})
    before = row.fulfilment
    row.fulfilment, row.fulfilment_note = fulfilment, note
    row.assessed_by, row.assessed_at = account_of(acting_user), timezone.now()
    row.version += 1
    row.save(
        update_fields=["fulfilment", "fulfilment_note", "assessed_by", "assessed_at", "version", "updated_at"]
    )
    audit.record(
        "community_commitment.assess",
        actor=acting_user,
        obj=row,
        org_path=row.organization.path,
        changes={"fulfilment": [before, fulfilment]},
        detail=note,
    )
    events.changed("community.commitment", row.organization_id, date(row.year, 12, 31))
    return row


@write_service("community_commitment.publish")
def publish(org: Organization, year: int, *, acting_user: Any) -> CommitmentRelease:
    """Publish the year's commitments on the branch's feed (again: the count brought up to date)."""
    require_scope(acting_user, org, "change")
    year = _year(year)
    count = Commitment.objects.filter(organization=org, year=year).count()
    if not count:
        raise ValidationError(_("There are no commitments of %(year)s to publish.") % {"year": year})
    release = CommitmentRelease.objects.filter(organization=org, year=year).first()
    before = release.count if release else None
    if release is None:
        release = CommitmentRelease(organization=org, year=year, count=count)
    release.count, release.published_by = count, account_of(acting_user)
    release.save()  # the feed follows its save (`feed.signals`)
    audit.record(
        "community_commitment.publish",
        actor=acting_user,
        obj=release,
        org_path=org.path,
        changes={"year": [None, year], "count": [before, count]},
    )
    return release


# --- registrations --------------------------------------------------------------------------


def county_path(org: Organization) -> str:
    """The path of the county `org` lies in (itself above the county level)."""
    return org.path[: COUNTY_DEPTH * STEPLEN]


def community_branches(home: Organization) -> Any:
    """The community branches a member of `home` may register with: branches of the community
    sector in the same county, other than `home`. Listed to the member though their grants do
    not reach them (a name and a code are no secret)."""
    prefix = county_path(home)
    return (
        Organization.objects.filter(path__startswith=prefix, kind__in=BRANCH_KINDS, sector=Sector.COMMUNITY)
        .exclude(pk=home.pk)
        .order_by("path")
    )


def may_register(user: Any, member: Member) -> bool:
    return _own_member(user) == member.pk or may_change(user, member.organization)


@write_service("community_registration.create")
def register(
    member: Member, community: Organization, residence: str = "", *, acting_user: Any
) -> Registration:
    """The member (or their branch on their behalf) registers with a community branch of their
    county. The community branch then accepts or declines."""
    member = Member.objects.select_related("organization").get(pk=member.pk)
    if _own_member(acting_user) != member.pk:
        require_scope(acting_user, member, "view")
        if not may_change(acting_user, member.organization):
            raise ValidationError(_("A member registers themself, or their branch registers them."))
    home = member.organization
    if member.status not in ON_ROLL_STATUSES:
        raise ValidationError({"member": _("Members on the roll register with a community.")})
    if home.sector in RESIDENTIAL_SECTORS:
        raise ValidationError(
            _(
                "Members of community and village branches serve where they are; registration is for "
                "members whose branch is at their workplace."
            )
        )
    if community.pk == home.pk:
        raise ValidationError({"community": _("Register with a community branch, not with your own branch.")})
    if community.kind not in BRANCH_KINDS or community.sector != Sector.COMMUNITY:
        raise ValidationError({"community": _("Choose a community branch.")})
    if county_path(community) != county_path(home):
        raise ValidationError({"community": _("Choose a community branch in your own county.")})
    if Registration.objects.filter(member=member, state__in=OPEN_REGISTRATION).exists():
        raise ValidationError(_("You are already registered with a community; end that registration first."))
    residence = str(residence or "").strip()
    if len(residence) > 120:
        raise ValidationError({"residence": _("Keep the address to at most 120 characters.")})
    row = Registration.objects.create(
        member=member, home=home, community=community, residence=residence, created_by=account_of(acting_user)
    )
    REGISTRATION_FLOW.started(row, acting_user)
    audit.record(
        "community_registration.create",
        actor=acting_user,
        obj=row,
        org_path=community.path,
        changes={"member": [None, member.pk], "home": [None, home.pk], "community": [None, community.pk]},
    )
    events.changed("community.registration", community.pk)
    events.changed("community.registration", home.pk)
    return row


def _registration_move(name: str) -> Any:
    @write_service(f"community_registration.{name}")
    def move(
        row: Registration, *, note: str = "", expected_version: int | None = None, acting_user: Any
    ) -> Registration:
        moved = REGISTRATION_FLOW.move(
            row, name, acting_user=acting_user, note=note, expected_version=expected_version
        )
        events.changed("community.registration", moved.home_id)
        return moved

    return move


REGISTRATION_MOVES = {name: _registration_move(name) for name in ("accept", "decline", "withdraw", "end")}


# --- service tasks --------------------------------------------------------------------------


@write_service("community_task.create")
def assign_task(registration: Registration, data: dict[str, Any], *, acting_user: Any) -> ServiceTask:
    """The community branch gives an accepted registration a task: title, day, hours expected."""
    registration = Registration.objects.select_related("community", "home").get(pk=registration.pk)
    require_scope(acting_user, registration, "view")
    if not COMMUNITY(acting_user, registration):
        raise ValidationError(
            _("Tasks are given by the community branch %(org)s.") % {"org": registration.community.name}
        )
    if registration.state != RegistrationState.ACCEPTED:
        raise ValidationError(_("Tasks are given once the registration is accepted."))
    title = _text(data.get("title"), "title", NAME_MAX * 2, _("Name the task (at most 120 characters)."))
    on = _day(data.get("on"), "on")
    hours = data.get("hours_expected")
    try:
        hours = check_hours(hours)
    except ValidationError as exc:
        raise ValidationError({"hours_expected": exc.message_dict["hours"]}) from exc
    task = ServiceTask.objects.create(
        registration=registration,
        title=title,
        on=on,
        hours_expected=hours,
        created_by=account_of(acting_user),
    )
    TASK_FLOW.started(task, acting_user)
    audit.record(
        "community_task.create",
        actor=acting_user,
        obj=task,
        org_path=registration.community.path,
        changes={"title": [None, title], "on": [None, on.isoformat()], "hours_expected": [None, hours]},
    )
    return task


@write_service("community_task.report")
def report_task(
    task: ServiceTask, hours: Any, report: str = "", *, expected_version: int | None = None, acting_user: Any
) -> ServiceTask:
    """The member reports the task done, with the hours served (1 to 24) and what was done."""
    report = str(report or "").strip()
    if len(report) > NOTE_MAX:
        raise ValidationError({"report": _("Keep it to at most %(max)s characters.") % {"max": NOTE_MAX}})
    locked = TASK_FLOW.lock(task)
    if not TASK_FLOW.admits(acting_user, locked):
        raise OutOfScope(f"ServiceTask {task.pk}")
    if locked.on > timezone.localdate() and TASK_MEMBER(acting_user, locked):
        raise ValidationError(_("A task is reported done on or after its day."))
    fields = (
        {"hours": hours, "report": report} if not isinstance(hours, bool) and isinstance(hours, int) else {}
    )
    return TASK_FLOW.move(  # type: ignore[no-any-return]
        locked,
        "report",
        acting_user=acting_user,
        expected_version=expected_version,
        fields=fields,
        extra={"hours": hours},
        locked=True,
    )


@write_service("community_task.confirm")
def confirm_task(
    task: ServiceTask, *, note: str = "", expected_version: int | None = None, acting_user: Any
) -> ServiceTask:
    """The community branch confirms the service with its feedback; the hours earn the member
    points under their branch's community service rule (cut by its cap), if there is one."""
    moved: ServiceTask = TASK_FLOW.move(
        task, "confirm", acting_user=acting_user, note=note, expected_version=expected_version
    )
    accrual.accrue_one(
        moved.registration.member_id,
        RuleKind.COMMUNITY_SERVICE,
        SourceType.COMMUNITY_TASK,
        moved.pk,
        moved.on,
        moved.hours or 0,
        acting_user=acting_user,
    )
    events.changed("community.task", moved.registration.home_id, moved.on)
    return moved


def _task_move(name: str) -> Any:
    @write_service(f"community_task.{name}")
    def move(
        task: ServiceTask, *, note: str = "", expected_version: int | None = None, acting_user: Any
    ) -> ServiceTask:
        return TASK_FLOW.move(  # type: ignore[no-any-return]
            task, name, acting_user=acting_user, note=note, expected_version=expected_version
        )

    return move


TASK_MOVES = {"confirm": confirm_task, "send_back": _task_move("send_back"), "cancel": _task_move("cancel")}


# --- pairings -------------------------------------------------------------------------------


@write_service("community_pairing.create")
def create_pairing(org: Organization, member: Member, data: dict[str, Any], *, acting_user: Any) -> Pairing:
    """The branch pairs one of its members with a household in difficulty."""
    require_scope(acting_user, org, "change")
    _branch(org)
    _member_of(org, member)
    head = _text(data.get("head_name"), "head_name", NAME_MAX, _("Enter the head of household's name."))
    address = _text(
        data.get("address"), "address", 200, _("Enter the household's address (at most 200 characters).")
    )
    difficulty = _text(
        data.get("difficulty"), "difficulty", NOTE_MAX, _("Describe the difficulty (at most 200 characters).")
    )
    phone = str(data.get("phone") or "").strip()
    if phone:
        try:
            phone = validate_phone(phone)
        except ValidationError as exc:
            raise ValidationError({"phone": _("Enter a mobile or landline number.")}) from exc
    started = _day(data.get("started_on") or timezone.localdate(), "started_on", not_future=True)
    row = Pairing.objects.create(
        organization=org,
        member=member,
        head_name=head,
        address=address,
        phone=phone,
        difficulty=difficulty,
        started_on=started,
        created_by=account_of(acting_user),
    )
    audit.record(
        "community_pairing.create",
        actor=acting_user,
        obj=row,
        org_path=org.path,
        # No address nor phone in the audit log: the log is read more widely than the record.
        changes={"member": [None, member.pk], "head_name": [None, head]},
    )
    return row


def may_visit(user: Any, row: Pairing) -> bool:
    return _own_member(user) == row.member_id or may_change(user, row.organization)


@write_service("community_pairing.visit")
def log_visit(row: Pairing, on: Any, note: str, *, acting_user: Any) -> Visit:
    """A visit to the household: by the member paired, or recorded by the branch."""
    row = Pairing.objects.select_related("organization").get(pk=row.pk)
    if not in_scope(acting_user, row, "view"):
        raise OutOfScope(f"Pairing {row.pk}")
    if not may_visit(acting_user, row):
        raise ValidationError(_("Visits are recorded by the member paired or by the branch."))
    if row.state != PairingState.ACTIVE:
        raise ValidationError(_("The pairing has ended."))
    day = _day(on, "on", not_future=True)
    if day < row.started_on:
        raise ValidationError({"on": _("The visit cannot be before the pairing began.")})
    text = _text(note, "note", NOTE_MAX, _("Say what was done (at most 200 characters)."))
    visit = Visit.objects.create(pairing=row, on=day, note=text, author=account_of(acting_user))
    audit.record(
        "community_pairing.visit",
        actor=acting_user,
        obj=row,
        org_path=row.organization.path,
        changes={"on": [None, day.isoformat()]},
        detail=text,
    )
    return visit


@write_service("community_pairing.end")
def end_pairing(
    row: Pairing, reason: str, on: Any = None, *, expected_version: int | None = None, acting_user: Any
) -> Pairing:
    """The branch ends a pairing, with the reason (the household is out of difficulty, …)."""
    row = Pairing.objects.select_for_update().select_related("organization").get(pk=row.pk)
    require_scope(acting_user, row, "view")
    if not may_change(acting_user, row.organization):
        raise ValidationError(_("The branch ends a pairing."))
    if expected_version is not None and expected_version != row.version:
        raise ValidationError(
            _("Someone changed this record after you opened it; reload the page and try again."), code="stale"
        )
    if row.state != PairingState.ACTIVE:
        raise ValidationError(_("The pairing has ended."))
    reason = _text(reason, "reason", NOTE_MAX, _("Give the reason for ending the pairing."))
    day = _day(on or timezone.localdate(), "on", not_future=True)
    if day < row.started_on:
        raise ValidationError({"on": _("The pairing cannot end before it began.")})
    row.state, row.ended_on, row.end_reason, row.version = PairingState.ENDED, day, reason, row.version + 1
    row.save(update_fields=["state", "ended_on", "end_reason", "version", "updated_at"])
    audit.record(
        "community_pairing.end",
        actor=acting_user,
        obj=row,
        org_path=row.organization.path,
        changes={"state": [PairingState.ACTIVE, PairingState.ENDED]},
        detail=reason,
    )
    return row


def no_such_community() -> str:
    return _("No community branch with this code in the member's county.")
