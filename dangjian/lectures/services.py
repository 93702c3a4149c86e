"""All writes to the lecturer pool and lecture dispatches."""

from datetime import datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit
from dangjian.core.services import require_scope, write_service
from dangjian.organizations.models import BRANCH_KINDS, COMMITTEE_KINDS, Organization
from dangjian.orglife.services import schedule_meeting

from .models import LectureDispatch, Lecturer, LecturerKind
from .workflows import DISPATCH_FLOW

LECTURE_START = time(9, 0)
LECTURE_END = time(10, 30)


@write_service("lecturer.create")
def add_lecturer(
    org: Organization,
    name: str,
    kind: str,
    title: str = "",
    *,
    is_reporter: bool = False,
    acting_user: Any,
) -> Lecturer:
    require_scope(acting_user, org, "change")
    name = name.strip()
    errors = {}
    if org.kind not in COMMITTEE_KINDS:
        errors["organization"] = _("Lecturer pools are kept by party committees.")
    if not name:
        errors["name"] = _("Enter the lecturer's name.")
    if kind not in LecturerKind.values:
        errors["kind"] = _("Choose a valid kind of lecturer.")
    if errors:
        raise ValidationError(errors)
    lecturer = Lecturer.objects.create(
        organization=org, name=name, kind=kind, title=title.strip(), is_reporter=is_reporter
    )
    audit.record(
        "lecturer.create",
        actor=acting_user,
        obj=lecturer,
        org_path=org.path,
        changes={"name": [None, name], "kind": [None, kind], "is_reporter": [None, is_reporter]},
    )
    return lecturer


@write_service("lecture_dispatch.create")
def dispatch_lecture(
    lecturer: Lecturer, branch: Organization, date: Any, topic: str, *, acting_user: Any
) -> LectureDispatch:
    lecturer = Lecturer.objects.select_related("organization").get(pk=lecturer.pk)
    require_scope(acting_user, lecturer, "change")
    require_scope(acting_user, branch, "change")
    topic = topic.strip()
    errors = {}
    if not lecturer.active:
        errors["lecturer"] = _("This lecturer is no longer active.")
    if branch.kind not in BRANCH_KINDS:
        errors["branch"] = _("Lectures are sent to a branch.")
    elif not branch.path.startswith(lecturer.organization.path):
        errors["branch"] = _("The branch must be under the committee that keeps the lecturer.")
    if not date:
        errors["date"] = _("Enter the date.")
    if not topic:
        errors["topic"] = _("Enter the topic.")
    if errors:
        raise ValidationError(errors)
    dispatch = LectureDispatch.objects.create(lecturer=lecturer, branch=branch, date=date, topic=topic)
    DISPATCH_FLOW.started(dispatch, acting_user)
    audit.record(
        "lecture_dispatch.create",
        actor=acting_user,
        obj=dispatch,
        org_path=branch.path,
        changes={"lecturer": [None, str(lecturer)], "date": [None, str(date)], "topic": [None, topic]},
    )
    return dispatch


@write_service("lecture_dispatch.confirm")
def confirm_held(dispatch: LectureDispatch, *, acting_user: Any) -> LectureDispatch:
    """The branch confirms the lecture was held: records the party lecture meeting (09:00–10:30
    local time on the dispatch date) and links it."""
    dispatch = DISPATCH_FLOW.lock(dispatch)
    require_scope(acting_user, dispatch, DISPATCH_FLOW.gate)
    # The move's own checks first: the meeting is recorded only for a move that will be taken.
    DISPATCH_FLOW.check(DISPATCH_FLOW.by_name["confirm"], acting_user, dispatch)
    if dispatch.date > timezone.localdate():
        raise ValidationError({"date": _("A lecture cannot be confirmed before its date.")})
    tz = timezone.get_current_timezone()
    meeting = schedule_meeting(
        dispatch.branch,
        {
            "kind": "party_lecture",
            "topic": dispatch.topic,
            "starts_at": datetime.combine(dispatch.date, LECTURE_START, tzinfo=tz),
            "ends_at": datetime.combine(dispatch.date, LECTURE_END, tzinfo=tz),
            "agenda": _("Lecturer: %(name)s") % {"name": dispatch.lecturer.name},
        },
        acting_user=acting_user,
    )
    return DISPATCH_FLOW.move(
        dispatch,
        "confirm",
        acting_user=acting_user,
        fields={"meeting": meeting},
        changes={"meeting": [None, meeting.pk]},
        locked=True,
    )


@write_service("lecture_dispatch.cancel")
def cancel_dispatch(dispatch: LectureDispatch, *, acting_user: Any) -> LectureDispatch:
    return DISPATCH_FLOW.move(dispatch, "cancel", acting_user=acting_user)
