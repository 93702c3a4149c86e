"""Writes of problem lists: record problems (one by one, or in one step from a life meeting's
criticism, a 五化 assessment, a democratic evaluation or a special campaign's case), correct them
while they are being worked on, attach evidence, and take the workflow's moves
(`workflows.PROBLEM_FLOW`). Every write is scoped and audited."""

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.campaigns.models import Case, CaseState
from dangjian.core import attachments, audit, events
from dangjian.core.exceptions import OutOfScope
from dangjian.core.scoping import in_scope
from dangjian.core.services import account_of, require_scope, write_service
from dangjian.evaluation.models import CampaignState, Grade, ProposedGrade
from dangjian.members.models import Member
from dangjian.organizations.models import Organization
from dangjian.orglife.models import Meeting, MeetingKind, MeetingStatus
from dangjian.supervision.models import AssessmentState, FiveStandardsAssessment, Rating

from .models import EDITABLE, TEXT_MAX, Evidence, Problem, ProblemSource, ProblemState
from .workflows import OWNER, PROBLEM_FLOW

MAX_EVIDENCE = 10
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
LIFE_MEETINGS = (MeetingKind.ORG_LIFE, MeetingKind.DEMOCRATIC_LIFE)
FIELDS = ("description", "measure", "owner", "deadline")


def _clean(data: dict[str, Any], year: int, errors: dict[str, Any]) -> dict[str, Any]:
    """The editable fields, trimmed and checked; errors by field."""
    out: dict[str, Any] = {}
    for name in ("description", "measure"):
        text = str(data.get(name) or "").strip()
        if len(text) > TEXT_MAX:
            errors[name] = _("Keep it to at most %(max)s characters.") % {"max": TEXT_MAX}
        out[name] = text
    if not out["description"]:
        errors["description"] = _("Describe the problem.")
    owner = str(data.get("owner") or "").strip()
    if not owner or len(owner) > 60:
        errors["owner"] = _("Name who is responsible (at most 60 characters).")
    out["owner"] = owner
    deadline = data.get("deadline")
    if not isinstance(deadline, date):
        errors["deadline"] = _("Enter the deadline.")
    elif not year <= deadline.year <= year + 1:
        errors["deadline"] = _("The deadline falls in %(year)s or early next year.") % {"year": year}
    out["deadline"] = deadline
    return out


def _year(year: Any) -> int:
    this_year = timezone.localdate().year
    if not isinstance(year, int) or not 2000 <= year <= this_year + 1:
        raise ValidationError(
            {"year": _("Enter a year from %(first)s to %(last)s.") % {"first": 2000, "last": this_year + 1}}
        )
    return year


def _check_member(org: Organization, member: Member | None) -> None:
    if member is not None and member.organization_id != org.pk:
        raise ValidationError({"member": _("The member is not in this organization.")})


@write_service("problem.create")
def create_problem(
    org: Organization,
    data: dict[str, Any],
    *,
    acting_user: Any,
    year: int,
    source: str = ProblemSource.SELF_FOUND,
    source_ref: str = "",
    member: Member | None = None,
) -> Problem:
    """A problem on the organization's list for `year` (or on a member's own, with `member`)."""
    require_scope(acting_user, org, "change")
    year = _year(year)
    if source not in ProblemSource.values:
        raise ValidationError({"source": _("Choose where the problem was found.")})
    _check_member(org, member)
    errors: dict[str, Any] = {}
    values = _clean(data, year, errors)
    if errors:
        raise ValidationError(errors)
    problem = Problem.objects.create(
        organization=org,
        member=member,
        year=year,
        source=source,
        source_ref=source_ref,
        created_by=account_of(acting_user),
        **values,
    )
    audit.record(
        "problem.create",
        actor=acting_user,
        obj=problem,
        org_path=org.path,
        changes={name: [None, str(values[name])] for name in FIELDS} | {"source": [None, source]},
    )
    PROBLEM_FLOW.started(problem, acting_user)
    events.changed("rectification.problem", org.pk, date(year, 12, 31))
    return problem


@write_service("problem.from_meeting")
def problems_from_meeting(
    meeting: Meeting, lines: str, *, owner: str, deadline: Any, acting_user: Any
) -> list[Problem]:
    """The criticism of a closed organizational or democratic life meeting, one item per line,
    as problems on the organization's list for the meeting's year, in one step."""
    require_scope(acting_user, meeting, "change")
    if meeting.kind not in LIFE_MEETINGS or meeting.status != MeetingStatus.CLOSED:
        raise ValidationError(
            _("Problems are taken from a closed organizational or democratic life meeting.")
        )
    items = [line.strip() for line in lines.splitlines() if line.strip()]
    if not items:
        raise ValidationError({"lines": _("Write one problem per line.")})
    if len(items) > 50:
        raise ValidationError({"lines": _("At most 50 problems at once.")})
    org = meeting.organization
    year = timezone.localtime(meeting.starts_at).year
    return [
        create_problem(
            org,
            {"description": item, "owner": owner, "deadline": deadline},
            acting_user=acting_user,
            year=year,
            source=ProblemSource.LIFE_MEETING,
            source_ref=f"meeting:{meeting.pk}",
        )
        for item in items
    ]


def _taken(ref: str) -> None:
    if Problem.objects.filter(source_ref=ref).exists():
        raise ValidationError(_("Problems were already taken from this record; correct them on the list."))


def _due(year: int) -> date:
    """Three months on, within the record's year or the next (the deadline rule of `_clean`)."""
    return min(timezone.localdate() + timedelta(days=90), date(year + 1, 12, 31))


@write_service("problem.from_assessment")
def problems_from_assessment(assessment: FiveStandardsAssessment, *, acting_user: Any) -> list[Problem]:
    """A 五化 assessment the level above found below standard: one problem on the branch's list per
    dimension not fully met (its note as the problem), in one step, by the branch."""
    require_scope(acting_user, assessment.organization, "change")
    if assessment.state != AssessmentState.BELOW_STANDARD:
        raise ValidationError(_("Problems are taken from an assessment found below standard."))
    ref = f"five_standards:{assessment.pk}"
    _taken(ref)
    missing = [(label, note) for _code, label, rating, note in assessment.ratings() if rating != Rating.MEETS]
    return [
        create_problem(
            assessment.organization,
            {
                "description": f"{label}：{note}"[:TEXT_MAX],
                "owner": _("Branch secretary"),
                "deadline": _due(assessment.year),
            },
            year=assessment.year,
            source=ProblemSource.FIVE_STANDARDS,
            source_ref=ref,
            acting_user=acting_user,
        )
        for label, note in missing or [(_("Five standards"), assessment.review_comment or "")]
    ]


@write_service("problem.from_evaluation")
def problem_from_evaluation(grade: ProposedGrade, *, acting_user: Any) -> Problem:
    """A member graded unqualified in an approved democratic evaluation: a problem of their own,
    in one step, by the branch (the grade's note as the problem)."""
    campaign = grade.campaign
    require_scope(acting_user, campaign.branch, "change")
    if campaign.state != CampaignState.APPROVED or grade.grade != Grade.UNQUALIFIED:
        raise ValidationError(
            _("Problems are taken from a member graded unqualified in an approved evaluation.")
        )
    ref = f"evaluation:{campaign.pk}:{grade.member_id}"
    _taken(ref)
    member = grade.member
    if member.organization_id != campaign.branch_id:
        raise ValidationError(_("The member has moved to another organization since."))
    text = _("Graded unqualified in the democratic evaluation of %(year)s") % {"year": campaign.year}
    return create_problem(
        campaign.branch,
        {
            "description": f"{text}：{grade.note}" if grade.note else text,
            "owner": member.name,
            "deadline": _due(campaign.year),
        },
        year=campaign.year,
        source=ProblemSource.EVALUATION,
        source_ref=ref,
        member=member,
        acting_user=acting_user,
    )


def case_ref(case: Case) -> str:
    """The problem list's link to a campaign case (one problem per case)."""
    return f"campaign_case:{case.pk}"


@write_service("problem.from_case")
def problem_from_case(case: Case, *, acting_user: Any) -> Problem:
    """A case a special campaign's organization is handling: a problem on that organization's list
    for the campaign's year, in one step, by whoever writes its problems (the case's subject and
    measures as the problem, due by the campaign's end while it is ahead)."""
    # Locked, so a second request waits and finds the case taken.
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("assignment__organization", "assignment__campaign")
        .get(pk=case.pk)
    )
    org, campaign = case.assignment.organization, case.assignment.campaign
    require_scope(acting_user, org, "change")
    if case.state != CaseState.OPEN:
        raise ValidationError(_("Problems are taken from a case still being handled."))
    ref = case_ref(case)
    _taken(ref)
    today = timezone.localdate()
    # The campaign's year is the year it ends (as its open cases are counted); a list is kept at
    # most a year ahead, and a deadline falls within the list's year or the next.
    year = min(campaign.ends_on.year, today.year + 1)
    due = min(campaign.ends_on, date(year + 1, 12, 31)) if campaign.ends_on > today else _due(year)
    text = f"{case.subject}：{case.measures.strip()}" if case.measures.strip() else case.subject
    return create_problem(
        org,
        {
            "description": text[:TEXT_MAX],
            "owner": _("Branch secretary") if org.holds_members else _("Secretary"),
            "deadline": due,
        },
        year=year,
        source=ProblemSource.CAMPAIGN,
        source_ref=ref,
        acting_user=acting_user,
    )


@write_service("problem.update")
def update_problem(
    problem: Problem, data: dict[str, Any], *, acting_user: Any, expected_version: int | None = None
) -> Problem:
    """Correct a problem while it is worked on (open, being rectified, returned)."""
    problem = PROBLEM_FLOW.lock(problem)
    require_scope(acting_user, problem, "change")
    PROBLEM_FLOW.check_version(problem, expected_version)
    if problem.state not in EDITABLE:
        raise ValidationError(_("Only a problem still being worked on can be corrected."))
    errors: dict[str, Any] = {}
    values = _clean(data, problem.year, errors)
    if errors:
        raise ValidationError(errors)
    changes = {
        name: [str(getattr(problem, name)), str(values[name])]
        for name in FIELDS
        if getattr(problem, name) != values[name]
    }
    if not changes:
        return problem
    for name, value in values.items():
        setattr(problem, name, value)
    problem.version += 1
    problem.save(update_fields=[*FIELDS, "version", "updated_at"])
    audit.record(
        "problem.update", actor=acting_user, obj=problem, org_path=problem.organization.path, changes=changes
    )
    events.changed("rectification.problem", problem.organization_id, date(problem.year, 12, 31))
    return problem


@write_service("problem.delete")
def delete_problem(problem: Problem, *, acting_user: Any) -> None:
    """Remove a problem entered by mistake: only while still open, with no evidence."""
    problem = PROBLEM_FLOW.lock(problem)
    require_scope(acting_user, problem, "change")
    if problem.state != ProblemState.OPEN or problem.evidence.exists():
        raise ValidationError(
            _("Only an open problem without evidence can be removed; carry it over instead.")
        )
    audit.record(
        "problem.delete",
        actor=acting_user,
        obj=problem,
        org_path=problem.organization.path,
        changes={"description": [problem.description, None]},
    )
    org_id, year = problem.organization_id, problem.year
    problem.delete()
    events.changed("rectification.problem", org_id, date(year, 12, 31))


def may_add_evidence(user: Any, problem: Problem) -> bool:
    """The organization's officers or the member concerned, or whoever may change its records."""
    return OWNER(user, problem) or in_scope(user, problem.organization, "change")


@write_service("problem.evidence")
def add_evidence(problem: Problem, files: Sequence[UploadedFile], *, acting_user: Any) -> list[Evidence]:
    """Evidence of the rectification, by its officers or the member concerned, while it is being
    worked on. Photos are written anew from their pixels (no EXIF location kept)."""
    problem = PROBLEM_FLOW.lock(problem)
    if not in_scope(acting_user, problem, "view"):
        raise OutOfScope(f"problem {problem.pk}")
    if not may_add_evidence(acting_user, problem):
        raise ValidationError(_("Evidence is added by the organization's officers or the member concerned."))
    if problem.state not in EDITABLE:
        raise ValidationError(_("Evidence is added while the problem is being rectified."))
    if not files:
        raise ValidationError({"files": _("Choose at least one file.")})
    if problem.evidence.count() + len(files) > MAX_EVIDENCE:
        raise ValidationError(
            {"files": _("A problem can have at most %(limit)s files of evidence.") % {"limit": MAX_EVIDENCE}}
        )
    rows = attachments.store(
        files,
        max_bytes=EVIDENCE_MAX_BYTES,
        folder="problems",
        create=lambda fields: Evidence.objects.create(
            problem=problem, uploaded_by=account_of(acting_user), **fields
        ),
    )
    audit.record(
        "problem.evidence",
        actor=acting_user,
        obj=problem,
        org_path=problem.organization.path,
        changes={"evidence": [None, [r.original_name for r in rows]]},
    )
    return rows


@write_service("problem.evidence_remove")
def remove_evidence(problem: Problem, evidence_id: int, *, acting_user: Any) -> str:
    """Take back a file uploaded by mistake, while the problem is still being worked on. The file
    goes once the removal is committed (a rollback keeps the row, so it keeps its file)."""
    problem = PROBLEM_FLOW.lock(problem)
    if not in_scope(acting_user, problem, "view"):
        raise OutOfScope(f"problem {problem.pk}")
    row = problem.evidence.filter(pk=evidence_id).first()
    if row is None:
        raise OutOfScope(f"evidence {evidence_id}")
    if not may_add_evidence(acting_user, problem) or problem.state not in EDITABLE:
        raise ValidationError(
            _("Evidence is removed while the problem is being rectified, by who may add it.")
        )
    name = attachments.remove(row)
    audit.record(
        "problem.evidence_remove",
        actor=acting_user,
        obj=problem,
        org_path=problem.organization.path,
        changes={"evidence": [name, None]},
    )
    return name


# --- the moves -------------------------------------------------------------------------------


def _move(name: str) -> Any:
    def move(
        problem: Problem, *, acting_user: Any, note: str = "", expected_version: int | None = None
    ) -> Problem:
        fields = {"carry_reason": note.strip()[:200]} if name == "carry_over" else None
        return PROBLEM_FLOW.move(
            problem,
            name,
            note=note,
            acting_user=acting_user,
            expected_version=expected_version,
            fields=fields,
        )

    move.__name__ = f"{name}_problem"
    return write_service(f"problem.{name}")(move)


start_problem = _move("start")
submit_problem = _move("submit")
accept_problem = _move("accept")
return_problem = _move("return")
carry_over_problem = _move("carry_over")
MOVES = {
    "start": start_problem,
    "submit": submit_problem,
    "accept": accept_problem,
    "return": return_problem,
    "carry_over": carry_over_problem,
}
