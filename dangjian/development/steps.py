"""The steps the platform records, from the application to the archiving of the file: each step's
title, who records it, the columns it fills, and the stage move it makes.

Stages 1–4 (steps 1–18) are taken in order. Stage 5, the probation, follows the approval (17):
placement (19) and the oath (20) are recorded once each, in either order and beside the filing
(18); the continued assessment (21) as often as the branch assesses; the application for full
membership (22) once the year is up; archiving (25) once the member is full. Steps 23 and 24 —
the assembly's decision on the probation and the committee's approval — are the `transfers`
probation decisions (`PROBATION_FLOW_STEPS`), shown on the person's page, never recorded here."""

from dataclasses import dataclass
from datetime import date

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dangjian.core.dates import add_months, add_years
from dangjian.members.models import MemberCategory, MemberStatus

from .models import Applicant, Stage

BRANCH = "branch"  # the branch's own officers
ABOVE = "above"  # the Party organization one level up


@dataclass(frozen=True)
class StepKind:
    number: int
    title: Promise
    by: str  # BRANCH or ABOVE
    fields: tuple[str, ...]  # besides `on` (the date), `note` and the documents
    move: str = ""  # the workflow move the step makes (`workflows.DEVELOPMENT_FLOW`)


STEPS: dict[int, StepKind] = {
    s.number: s
    for s in (
        StepKind(1, _("Written application (递交入党申请书)"), BRANCH, ()),
        StepKind(2, _("Talk with the applicant (党组织派人谈话)"), BRANCH, ("actor",)),
        StepKind(
            3,
            _("Activist recommended and decided (确定入党积极分子)"),
            BRANCH,
            ("recommendation",),
            "activist",
        ),
        StepKind(4, _("Activist filed with the committee above (报上级党委备案)"), ABOVE, ()),
        StepKind(5, _("Contacts appointed (指定培养联系人)"), BRANCH, ("people",)),
        StepKind(6, _("Half-yearly assessment (培养教育考察)"), BRANCH, ()),
        StepKind(7, _("Development candidate decided (确定发展对象)"), BRANCH, (), "candidate"),
        StepKind(8, _("Candidate filed with the committee above (报上级党委备案)"), ABOVE, ()),
        StepKind(9, _("Introducers (确定入党介绍人)"), BRANCH, ("people",)),
        StepKind(10, _("Political review (政治审查)"), BRANCH, ("conclusion",)),
        StepKind(11, _("Centralized training (集中培训)"), BRANCH, ("training_days", "training_hours")),
        StepKind(12, _("Branch committee review (支部委员会审查)"), BRANCH, ("conclusion",), "admission"),
        StepKind(
            13,
            _("Public notice and pre-review by the committee above (公示和上级党委预审)"),
            ABOVE,
            ("notice_from", "notice_until", "conclusion"),
        ),
        StepKind(14, _("Application form issued (填写入党志愿书)"), BRANCH, ("form_number",)),
        StepKind(
            15,
            _("Branch assembly vote (支部大会讨论)"),
            BRANCH,
            ("meeting", "should_attend", "present", "votes_for"),
        ),
        StepKind(16, _("Talk by the committee above (上级党委派人谈话)"), ABOVE, ("actor",)),
        StepKind(17, _("Approval by the committee above (上级党委审批)"), ABOVE, ("reason",), "admit"),
        StepKind(
            18, _("Filed with the organization department above (报再上一级党委组织部门备案)"), ABOVE, ()
        ),
        StepKind(
            19, _("Placed in the branch and a party group (编入党支部和党小组)"), BRANCH, ("party_group",)
        ),
        StepKind(20, _("Oath (入党宣誓)"), BRANCH, ("actor", "place")),
        StepKind(21, _("Continued education and assessment (继续教育考察)"), BRANCH, ()),
        StepKind(22, _("Application for full membership (提出转正申请)"), BRANCH, ()),
        StepKind(25, _("File archived (材料归档)"), BRANCH, ("place",)),
    )
}
ASSESSMENT = 6
APPROVAL = 17
LAST = 18  # the last step of stages 1–4
PROBATION_ASSESSMENT = 21
FULL_APPLICATION = 22
ARCHIVED = 25
# Steps 23 and 24, taken in the probation flow of `transfers` (its decisions), not recorded here.
PROBATION_FLOW_STEPS = {
    23: _("Branch assembly on full membership (支部大会讨论转正)"),
    24: _("Approval of full membership by the committee above (上级党委审批)"),
}


def next_numbers(applicant: Applicant, done: set[int] | None = None) -> list[int]:
    """The steps that may be recorded next. Before the approval: the one after the last, and
    another assessment while the last was an assessment. After it (stage 5): the filing,
    placement and oath not yet recorded, another assessment while the member is probationary,
    the application once, and the archiving once the member is full (the dates and the
    probation year are the rules' part). `done` is the set of recorded step numbers (read when
    not given, and only after the approval). Nothing once the development has ended."""
    if applicant.stage == Stage.ENDED:
        return []
    if applicant.last_step < APPROVAL:
        following = [applicant.last_step + 1]
        if applicant.last_step == ASSESSMENT:
            following.insert(0, ASSESSMENT)
        return following
    if done is None:
        done = set(applicant.records.values_list("number", flat=True))
    member = applicant.member
    on_roll = member is not None and member.status != MemberStatus.LEFT
    probationary = on_roll and member.category == MemberCategory.PROBATIONARY  # type: ignore[union-attr]
    full = on_roll and member.category == MemberCategory.FULL  # type: ignore[union-attr]
    following = [n for n in (LAST, 19, 20) if n not in done]
    if probationary:
        following.append(PROBATION_ASSESSMENT)
        if FULL_APPLICATION not in done:
            following.append(FULL_APPLICATION)
    if full and ARCHIVED not in done:
        following.append(ARCHIVED)
    return following


def probation_done(applicant: Applicant) -> bool:
    """Stage 5 reached its end: the file is archived (or the member left the roll)."""
    return applicant.last_step >= ARCHIVED


def candidate_from(activist_on: date) -> date:
    """The first day a development candidate may be decided: the day after the first
    anniversary of becoming an activist ("经过一年以上": more than one full year)."""
    return date.fromordinal(add_years(activist_on, 1).toordinal() + 1)


@dataclass(frozen=True)
class Due:
    """What the board shows next to a person: what is due, by when, and whether it is late."""

    what: Promise | str
    by: date | None
    late: bool


def due(applicant: Applicant, today: date) -> Due | None:
    """The next step and the date it is bound by, from the record's own columns (no query: the
    board lists many): the talk within a month, the next half-yearly assessment while an
    activist, the approval within three months of the vote."""
    if applicant.last_step >= APPROVAL:
        return None  # the probation's dates are the probation flow's (`transfers`)
    numbers = next_numbers(applicant)
    if not numbers:
        return None
    number = numbers[-1]
    by: date | None = None
    if number == 2:
        by = applicant.talk_due
    elif applicant.stage == Stage.ACTIVIST:
        by = applicant.assessment_due
    elif number in (16, 17):
        by = applicant.approval_due
    return Due(STEPS[number].title, by, bool(by and by < today))


def approval_limits(voted_on: date) -> tuple[date, date]:
    """The last day of the approval: three months after the vote, six with a recorded reason."""
    return add_months(voted_on, 3), add_months(voted_on, 6)
