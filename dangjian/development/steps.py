"""The eighteen steps the platform records, from the application to the filing of the approval
(stages 1–4 of the twenty-five; stage 5 is the probation flow of `transfers`): each step's
title, who records it, the columns it fills, and the stage move it makes."""

from dataclasses import dataclass
from datetime import date

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dangjian.core.dates import add_months, add_years

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
    )
}
ASSESSMENT = 6
LAST = 18


def next_numbers(applicant: Applicant) -> list[int]:
    """The steps that may be recorded next: the one after the last, and another assessment
    while the last was an assessment. Nothing once the development has ended."""
    if applicant.stage == Stage.ENDED or applicant.last_step >= LAST:
        return []
    following = [applicant.last_step + 1]
    if applicant.last_step == ASSESSMENT:
        following.insert(0, ASSESSMENT)
    return following


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
