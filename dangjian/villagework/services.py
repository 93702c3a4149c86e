"""Writes of the village work (point 22): the county flags poverty-alleviation villages, assigns
first secretaries and work team members (one current first secretary per village), hands them
over (`workflows.ASSIGNMENT_FLOW`), assesses them each quarter and records training; the assigned
person or the village's secretary keeps the work log with photos. Every write is scoped, audited,
and refused whole (nothing changed) with a message in the user's language."""

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import attachments, audit, events, uploads
from dangjian.core.exceptions import OutOfScope
from dangjian.core.phone import validate_phone
from dangjian.core.scoping import in_scope
from dangjian.core.services import account_of, require_scope, write_service
from dangjian.core.workflow import reaches
from dangjian.members.models import Member
from dangjian.organizations.models import COMMITTEE_KINDS, Organization, OrgKind, Sector

from .models import (
    NAME_MAX,
    NOTE_MAX,
    REASON_MAX,
    UNIT_MAX,
    Assessment,
    Assignment,
    AssignmentState,
    Grade,
    LogKind,
    LogPhoto,
    PovertyVillage,
    TeamRole,
    TrainingAttendance,
    TrainingSession,
    WorkLog,
)
from .quarters import quarter_bounds, quarter_of
from .workflows import ASSIGNMENT_FLOW, THE_PERSON, VILLAGE_OFFICER

# A village party organization: a rural branch or general branch (a village's 党支部 / 党总支).
VILLAGE_KINDS = frozenset({OrgKind.BRANCH, OrgKind.GENERAL_BRANCH, OrgKind.JOINT_BRANCH})
MAX_PHOTOS = 9
PHOTO_MAX_BYTES = 10 * 1024 * 1024
PHOTO_KINDS = ("jpeg", "png")
TOPIC = "villagework.assignment"


def is_village(org: Organization) -> bool:
    return org.sector == Sector.RURAL and org.kind in VILLAGE_KINDS


def may_act_for_county(user: Any, county: Organization) -> bool:
    """The county's writes: a writing grant covering the county committee (so the city and the
    province above it too); the township's and the village's officers read only."""
    return county.kind in COMMITTEE_KINDS and reaches(user, county, "change")


def _require_county(county: Organization, acting_user: Any) -> None:
    require_scope(acting_user, county, "view")
    if county.kind not in COMMITTEE_KINDS:
        raise ValidationError(_("Village work is arranged by a county committee."))
    if not reaches(acting_user, county, "change"):
        raise ValidationError(
            _("This is done by those who may change the county committee's records."), code="actor"
        )


def _require_village(county: Organization, village: Organization) -> None:
    if not (village.path.startswith(county.path) and village.pk != county.pk and is_village(village)):
        raise ValidationError(
            {
                "village": _(
                    "Choose a village party organization (rural branch or general branch) below the county."
                )
            }
        )


def _text(value: Any, field: str, limit: int, message: str, *, required: bool = True) -> str:
    text = str(value or "").strip()
    if (required and not text) or len(text) > limit:
        raise ValidationError({field: message % {"max": limit}})
    return text


def _day(value: Any, field: str) -> date:
    if not isinstance(value, date):
        raise ValidationError({field: _("Enter a date.")})
    if value.year < 2000:
        raise ValidationError({field: _("Enter a date from 2000 on.")})
    return value


def _changed(village_id: int, on: date | None = None) -> None:
    events.changed(TOPIC, village_id, on)


# --- poverty-alleviation villages ---------------------------------------------------------------


@write_service("poverty_village.flag")
def flag_village(
    county: Organization,
    village: Organization,
    start: Any,
    reason: str,
    end: Any = None,
    *,
    acting_user: Any,
) -> PovertyVillage:
    """The county flags a village as a poverty-alleviation village from `start` (until `end`,
    or open), saying why. Periods of one village do not overlap."""
    _require_county(county, acting_user)
    _require_village(county, village)
    start = _day(start, "start")
    if end is not None:
        end = _day(end, "end")
        if end < start:
            raise ValidationError({"end": _("The end cannot be before the start.")})
    reason = _text(reason, "reason", REASON_MAX, _("Say why (at most %(max)s characters)."))
    Organization.objects.select_for_update().filter(pk=village.pk).first()  # one flag at a time
    overlap = PovertyVillage.objects.filter(village=village).filter(
        Q(end__isnull=True) | Q(end__gte=start), **({"start__lte": end} if end else {})
    )
    if overlap.exists():
        raise ValidationError(
            {"start": _("This village is already flagged for part of this period; end that flag first.")}
        )
    flag = PovertyVillage.objects.create(
        village=village,
        county=county,
        start=start,
        end=end,
        reason=reason,
        created_by=account_of(acting_user),
    )
    audit.record(
        "poverty_village.flag",
        actor=acting_user,
        obj=flag,
        org_path=village.path,
        changes={"start": [None, str(start)], "end": [None, str(end or "")], "reason": [None, reason]},
    )
    _changed(village.pk, start)
    return flag


@write_service("poverty_village.end")
def end_flag(flag: PovertyVillage, end: Any, *, acting_user: Any) -> PovertyVillage:
    """The village leaves the list (摘帽) on `end`."""
    flag = PovertyVillage.objects.select_for_update().select_related("county", "village").get(pk=flag.pk)
    if not in_scope(acting_user, flag, "change"):
        raise OutOfScope(f"poverty village {flag.pk}")
    _require_county(flag.county, acting_user)
    end = _day(end, "end")
    if end < flag.start:
        raise ValidationError({"end": _("The end cannot be before the start.")})
    before = flag.end
    flag.end = end
    flag.save(update_fields=["end"])
    audit.record(
        "poverty_village.end",
        actor=acting_user,
        obj=flag,
        org_path=flag.village.path,
        changes={"end": [str(before or ""), str(end)]},
    )
    _changed(flag.village_id, end)
    return flag


def flag_on(village: Organization, day: date) -> PovertyVillage | None:
    return (
        PovertyVillage.objects.filter(village=village, start__lte=day)
        .filter(Q(end__isnull=True) | Q(end__gte=day))
        .first()
    )


# --- assignments ----------------------------------------------------------------------------------


def _overlapping_first_secretary(
    village: Organization, start: date, end: date | None, exclude: int | None = None
) -> Assignment | None:
    rows = Assignment.objects.filter(village=village, role=TeamRole.FIRST_SECRETARY).filter(
        Q(end__isnull=True) | Q(end__gte=start)
    )
    if end is not None:
        rows = rows.filter(start__lte=end)
    return rows.exclude(pk=exclude or 0).order_by("start").first()


def _member(value: Any, acting_user: Any) -> Member | None:
    if value in (None, ""):
        return None
    member = value if isinstance(value, Member) else None
    if member is None:
        try:
            pk = int(value)
        except (TypeError, ValueError):
            pk = 0
        if 0 < pk < 2**31:  # a number the database can hold
            member = Member.objects.restrict(acting_user, "view").filter(pk=pk).first()
    elif not in_scope(acting_user, member, "view"):
        member = None
    if member is None:
        raise ValidationError({"member": _("No member with this number within your reach.")})
    return member


@write_service("village_assignment.create")
def assign(
    county: Organization, village: Organization, data: dict[str, Any], *, acting_user: Any
) -> Assignment:
    """The county sends a person to a flagged village: `role`, `name`, `sending_unit`, `phone`,
    `start`, optionally `end` (planned) and `member` (a member within reach: when they have an
    account, they keep their own work log). A first secretary's period may not overlap the
    village's other first secretary's: the predecessor is handed over first, and the successor
    may start the next day."""
    _require_county(county, acting_user)
    _require_village(county, village)
    errors: dict[str, str] = {}
    role = str(data.get("role") or "")
    if role not in TeamRole.values:
        errors["role"] = _("Choose the role.")
    try:
        name = _text(data.get("name"), "name", NAME_MAX, _("Give the name (at most %(max)s characters)."))
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
        name = ""
    try:
        unit = _text(
            data.get("sending_unit"),
            "sending_unit",
            UNIT_MAX,
            _("Give the sending unit (at most %(max)s characters)."),
        )
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
        unit = ""
    try:
        phone = validate_phone(str(data.get("phone") or ""))
    except ValidationError as exc:
        errors["phone"] = exc.messages[0]
        phone = ""
    if errors:
        raise ValidationError(errors)
    start = _day(data.get("start"), "start")
    end = data.get("end")
    if end is not None:
        end = _day(end, "end")
        if end < start:
            raise ValidationError({"end": _("The end cannot be before the start.")})
    member = _member(data.get("member"), acting_user)
    Organization.objects.select_for_update().filter(pk=village.pk).first()  # one assignment at a time
    if flag_on(village, start) is None:
        raise ValidationError(
            {
                "start": _(
                    "The village is not flagged as a poverty-alleviation village on this day; flag it first."
                )
            }
        )
    if role == TeamRole.FIRST_SECRETARY:
        other = _overlapping_first_secretary(village, start, end)
        if other is not None:
            raise ValidationError(
                {
                    "start": _(
                        "%(village)s already has a first secretary for this period: %(name)s, from "
                        "%(start)s%(until)s. Hand that assignment over first; the successor may "
                        "start the next day."
                    )
                    % {
                        "village": village.name,
                        "name": other.name,
                        "start": other.start,
                        "until": (_(" to %(end)s") % {"end": other.end}) if other.end else "",
                    }
                },
                code="overlap",
            )
    assignment = Assignment.objects.create(
        village=village,
        county=county,
        role=role,
        name=name,
        sending_unit=unit,
        phone=phone,
        member=member,
        start=start,
        end=end,
        created_by=account_of(acting_user),
    )
    audit.record(
        "village_assignment.create",
        actor=acting_user,
        obj=assignment,
        org_path=village.path,
        changes={
            "role": [None, role],
            "name": [None, name],
            "sending_unit": [None, unit],
            "start": [None, str(start)],
            "member": [None, member.pk if member else None],
        },
    )
    ASSIGNMENT_FLOW.started(assignment, acting_user)
    _changed(village.pk, start)
    return assignment


@write_service("village_assignment.hand_over")
def hand_over(
    assignment: Assignment,
    end: Any,
    note: str,
    *,
    acting_user: Any,
    expected_version: int | None = None,
) -> Assignment:
    """End the assignment on `end` with a handover note (the county). A later assignment of
    the same village already starting on or before that day is refused by the overlap rule."""
    locked = ASSIGNMENT_FLOW.lock(assignment)
    if isinstance(end, date) and locked.role == TeamRole.FIRST_SECRETARY:
        later = (
            Assignment.objects.filter(
                village_id=locked.village_id, role=TeamRole.FIRST_SECRETARY, start__gt=locked.start
            )
            .exclude(pk=locked.pk)
            .filter(start__lte=end)
            .first()
        )
        if later is not None:
            raise ValidationError(
                {
                    "end": _("%(name)s's assignment starts on %(start)s: the last day must be before it.")
                    % {"name": later.name, "start": later.start}
                }
            )
    return ASSIGNMENT_FLOW.move(
        locked,
        "hand_over",
        acting_user=acting_user,
        note=note,
        expected_version=expected_version,
        fields={"end": end},
        extra={"end": end},
        locked=True,
    )


def may_log(user: Any, assignment: Assignment) -> bool:
    """The assigned person themself, or the village's secretary or organizer, while in post."""
    return assignment.state == AssignmentState.ACTIVE and (
        THE_PERSON(user, assignment) or VILLAGE_OFFICER(user, assignment)
    )


@write_service("village_assignment.log")
def add_log(
    assignment: Assignment,
    data: dict[str, Any],
    photos: Sequence[UploadedFile] = (),
    *,
    acting_user: Any,
) -> WorkLog:
    """One day's work: `on`, `kind`, `note`, `households` helped, with photos (JPEG or PNG,
    each checked by content, written anew without its location, at most 10 MB, 9 at once)."""
    assignment = ASSIGNMENT_FLOW.lock(assignment)
    if not (in_scope(acting_user, assignment, "change") or THE_PERSON(acting_user, assignment)):
        raise OutOfScope(f"village assignment {assignment.pk}")
    if not may_log(acting_user, assignment):
        raise ValidationError(
            _("The work log is kept by the assigned person or the village's secretary, while in post."),
            code="actor",
        )
    on = _day(data.get("on"), "on")
    if on > timezone.localdate():
        raise ValidationError({"on": _("The day cannot be in the future.")})
    if on < assignment.start or (assignment.end is not None and on > assignment.end):
        raise ValidationError({"on": _("The day must fall within the assignment.")})
    kind = str(data.get("kind") or "")
    if kind not in LogKind.values:
        raise ValidationError({"kind": _("Choose what kind of work it was.")})
    note = _text(data.get("note"), "note", NOTE_MAX, _("Write what was done (at most %(max)s characters)."))
    households = data.get("households") or 0
    if not isinstance(households, int) or not 0 <= households <= 1000:
        raise ValidationError({"households": _("Enter a number of households from 0 to 1000.")})
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": _("At most %(limit)s photos at once.") % {"limit": MAX_PHOTOS}})
    for photo in photos:  # photos only: refuse a document before anything is stored
        try:
            uploads.check_upload(photo, allowed=PHOTO_KINDS, max_bytes=PHOTO_MAX_BYTES)
        except ValidationError as exc:
            raise uploads.named_refusal(photo, exc) from exc
    log = WorkLog.objects.create(
        assignment=assignment,
        on=on,
        kind=kind,
        note=note,
        households=households,
        author=account_of(acting_user),
    )
    names = [
        row.original_name
        for row in attachments.store(
            photos,
            max_bytes=PHOTO_MAX_BYTES,
            folder="villagework",
            create=lambda fields: LogPhoto.objects.create(
                log=log, uploaded_by=account_of(acting_user), **fields
            ),
        )
    ]
    audit.record(
        "village_assignment.log",
        actor=acting_user,
        obj=assignment,
        org_path=assignment.village.path,
        changes={"log": [None, note[:200]], "kind": [None, kind], "photos": [None, names]},
    )
    return log


@write_service("village_assignment.assess")
def assess(
    assignment: Assignment, year: Any, quarter: Any, grade: str, comment: str = "", *, acting_user: Any
) -> Assessment:
    """The county's assessment of the quarter: once per assignment and quarter, for a quarter
    that has begun and that the assignment covers."""
    assignment = ASSIGNMENT_FLOW.lock(assignment)
    if not in_scope(acting_user, assignment, "change"):
        raise OutOfScope(f"village assignment {assignment.pk}")
    if not may_act_for_county(acting_user, assignment.county):  # the township reads only
        raise ValidationError(
            _("This is done by those who may change the county committee's records."), code="actor"
        )
    if not (
        isinstance(year, int) and isinstance(quarter, int) and 2000 <= year <= 2100 and 1 <= quarter <= 4
    ):
        raise ValidationError({"quarter": _("Choose a year and a quarter (1 to 4).")})
    first, last = quarter_bounds(year, quarter)
    today = timezone.localdate()
    if first > today:
        raise ValidationError({"quarter": _("This quarter has not begun yet.")})
    if last < assignment.start or (assignment.end is not None and first > assignment.end):
        raise ValidationError({"quarter": _("The assignment does not cover this quarter.")})
    if grade not in Grade.values:
        raise ValidationError({"grade": _("Choose the grade.")})
    comment = _text(
        comment, "comment", REASON_MAX, _("Keep the comment to at most %(max)s characters."), required=False
    )
    if Assessment.objects.filter(assignment=assignment, year=year, quarter=quarter).exists():
        raise ValidationError({"quarter": _("This quarter is assessed already.")}, code="duplicate")
    row = Assessment.objects.create(
        assignment=assignment,
        year=year,
        quarter=quarter,
        grade=grade,
        comment=comment,
        assessed_by=account_of(acting_user),
    )
    audit.record(
        "village_assignment.assess",
        actor=acting_user,
        obj=assignment,
        org_path=assignment.village.path,
        changes={"quarter": [None, f"{year}Q{quarter}"], "grade": [None, grade], "comment": [None, comment]},
    )
    _changed(assignment.village_id, last)
    return row


# --- training of village secretaries -------------------------------------------------------------


def _hours(value: Any) -> Decimal:
    try:
        hours = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        hours = Decimal(-1)
    if not Decimal("0.5") <= hours <= Decimal("500"):
        raise ValidationError({"hours": _("Enter the hours, from 0.5 to 500.")})
    return hours


@write_service("village_training.create")
def create_training(county: Organization, data: dict[str, Any], *, acting_user: Any) -> TrainingSession:
    """The county records a training session for village secretaries: title, dates, hours."""
    _require_county(county, acting_user)
    title = _text(data.get("title"), "title", REASON_MAX, _("Give the title (at most %(max)s characters)."))
    start = _day(data.get("start"), "start")
    end = _day(data.get("end") or start, "end")
    if end < start:
        raise ValidationError({"end": _("The end cannot be before the start.")})
    if end - start > timedelta(days=90):
        raise ValidationError({"end": _("A session lasts at most 90 days.")})
    hours = _hours(data.get("hours"))
    session = TrainingSession.objects.create(
        county=county, title=title, start=start, end=end, hours=hours, created_by=account_of(acting_user)
    )
    audit.record(
        "village_training.create",
        actor=acting_user,
        obj=session,
        org_path=county.path,
        changes={"title": [None, title], "start": [None, str(start)], "hours": [None, str(hours)]},
    )
    return session


@write_service("village_training.attend")
def record_attendance(
    session: TrainingSession, village: Organization, name: str, *, acting_user: Any
) -> TrainingAttendance:
    """A village secretary attended the session (the county that held it)."""
    session = TrainingSession.objects.select_for_update().select_related("county").get(pk=session.pk)
    if not in_scope(acting_user, session, "change"):
        raise OutOfScope(f"training {session.pk}")
    _require_county(session.county, acting_user)
    _require_village(session.county, village)
    name = _text(name, "name", NAME_MAX, _("Give the name (at most %(max)s characters)."))
    if TrainingAttendance.objects.filter(session=session, village=village, name=name).exists():
        raise ValidationError({"name": _("Already recorded as attending.")}, code="duplicate")
    row = TrainingAttendance.objects.create(
        session=session, village=village, name=name, created_by=account_of(acting_user)
    )
    audit.record(
        "village_training.attend",
        actor=acting_user,
        obj=session,
        org_path=session.county.path,
        changes={"village": [None, village.name], "name": [None, name]},
    )
    return row


def quarter_label(day: date) -> str:
    year, quarter = quarter_of(day)
    return f"{year}Q{quarter}"
