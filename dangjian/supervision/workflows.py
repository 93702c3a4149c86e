"""The workflows of the year's supervision records (`core.workflow`): the 五化 assessment and the
secretary's report. The organization's own secretary, organizer or staff submits; the level
above (a change grant on the parent or an ancestor) decides, grades or returns, never someone
who works inside the organization nor whoever submitted it.

Who may act comes from `core.workflow`: `role_on` (the organization's own officers),
`level_above` and `not_inside`.
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core.tree import STEPLEN
from dangjian.core.workflow import (
    Inputs,
    OrgOf,
    Transition,
    Who,
    Workflow,
    by_stamp,
    level_above,
    not_inside,
    role_on,
)
from dangjian.organizations.models import Organization

from .access import OWN_ROLES
from .common import year_end
from .models import (
    COMMENT_MAX,
    AssessmentState,
    FiveStandardsAssessment,
    Rating,
    ReportGrade,
    ReportState,
    SecretaryReport,
)


def own_officers(of: OrgOf, label: str = "the organization's own secretary, organizer or staff") -> Who:
    """A secretary, organizer or staff grant on exactly `of(record)` (the console's SYSTEM too)."""
    return role_on(OWN_ROLES, of, label)


def reviewer_refusal(of: OrgOf) -> Callable[[Any], str]:
    """Why someone who is not the level above is refused, naming the level above."""

    def refusal(obj: Any) -> str:
        org = of(obj)
        if org.depth <= 1:
            return _("This organization has no level above it to review.")
        parent = Organization.objects.get(path=org.path[:-STEPLEN])
        return _("This is reviewed by the level above (%(org)s).") % {"org": parent.name}

    return refusal


class CommentWorkflow(Workflow):
    """A workflow whose note is the reviewer's comment (up to `COMMENT_MAX` characters, stored in
    full in `review_comment` and in the audit entry; the history keeps its first 200): the
    transitions' guards check it, under the form's name `comment`."""

    def check_note(self, transition: Transition, note: str) -> str:
        return (note or "").strip() if transition.note != "none" else ""


def _org(obj: Any) -> Organization:
    return obj.organization


def _submit(refusal: Callable[[Any], str], guard: Callable[[Any, Inputs], None], done: Any) -> Transition:
    """The organization's own officers submit a draft (or a returned one) to the level above; both
    records' states are named alike (draft, returned, submitted)."""
    return Transition(
        name="submit",
        source=("draft", "returned"),
        target="submitted",
        who=(own_officers(_org),),
        refusal=refusal,
        guards=(guard,),
        note="none",
        stamp="submitted",
        done=done,
    )


REVIEWERS = (level_above(_org),)
REVIEW_EXCLUSIONS = (
    not_inside(
        _org, gettext_lazy("The organization's own secretary, organizer or staff cannot review its own work.")
    ),
    by_stamp("submitted_by", gettext_lazy("Whoever submitted it cannot also review it.")),
)


# --- the 五化 assessment ------------------------------------------------------------------------


def _not_own_branch(obj: Any) -> str:
    return _("Only the branch's own secretary or organizer fills in and submits its assessment.")


def _complete(assessment: FiveStandardsAssessment, inputs: Inputs) -> None:
    """Every dimension rated, and a note on each one not fully met saying what is missing."""
    errors: dict[str, str] = {}
    for code, label, rating, note in assessment.ratings():
        if not rating:
            errors[f"{code}_rating"] = _("Rate “%(dimension)s” before submitting.") % {"dimension": label}
        elif rating != Rating.MEETS and not note:
            errors[f"{code}_note"] = _("Say what is missing in “%(dimension)s”.") % {"dimension": label}
    if errors:
        raise ValidationError(errors)


def _assessment_comment(required: bool) -> Callable[[FiveStandardsAssessment, Inputs], None]:
    def guard(assessment: FiveStandardsAssessment, inputs: Inputs) -> None:
        if len(inputs.note) > COMMENT_MAX:
            raise ValidationError(
                {"comment": _("Keep the comment to at most %(max)s characters.") % {"max": COMMENT_MAX}}
            )
        if required and not inputs.note:
            raise ValidationError({"comment": _("Say why the assessment is returned and what to revise.")})

    return guard


def _assessment_review(name: str) -> Transition:
    return Transition(
        name=name,
        source=(AssessmentState.SUBMITTED,),
        target=name,
        who=REVIEWERS,
        refusal=reviewer_refusal(_org),
        unless=REVIEW_EXCLUSIONS,
        guards=(_assessment_comment(required=name == AssessmentState.RETURNED),),
        stamp="reviewed",
        done=gettext_lazy("Decision recorded."),
    )


ASSESSMENT_FLOW = CommentWorkflow(
    model=FiveStandardsAssessment,
    states=AssessmentState,
    transitions=(
        _submit(_not_own_branch, _complete, gettext_lazy("Assessment submitted to the level above.")),
        _assessment_review("meets_standard"),
        _assessment_review("below_standard"),
        _assessment_review("returned"),
    ),
    org=_org,
    audit="five_standards",
    event="supervision.five_standards",
    gate="view",  # the level above sees it; who may move is decided by each move's `who`
    note_field="review_comment",
    related=("organization",),
    event_on=lambda a: year_end(a.year),
    back=lambda a: f"/orgs/{a.organization_id}/five-standards/?year={a.year}",
)


# --- the secretary's report -------------------------------------------------------------------


def _not_own_org(obj: Any) -> str:
    return _("Only the organization's own secretary writes and submits its report.")


def _written(report: SecretaryReport, inputs: Inputs) -> None:
    if not report.text.strip():
        raise ValidationError({"text": _("Write the report before submitting it.")})


def _report_review(graded: bool) -> Callable[[SecretaryReport, Inputs], None]:
    """The comments (required to return) and, to evaluate, the grade (`extra["grade"]`)."""

    def guard(report: SecretaryReport, inputs: Inputs) -> None:
        errors: dict[str, str] = {}
        if len(inputs.note) > COMMENT_MAX:
            errors["comment"] = _("Keep the comments to at most %(max)s characters.") % {"max": COMMENT_MAX}
        elif not graded and not inputs.note:
            errors["comment"] = _("Say what the secretary should revise.")
        if graded and inputs.extra.get("grade") not in ReportGrade.values:
            errors["grade"] = _("Choose good, fairly good, average or poor.")
        if errors:
            raise ValidationError(errors)

    return guard


def _report_decision(name: str, done: Any) -> Transition:
    return Transition(
        name=name,
        source=(ReportState.SUBMITTED,),
        target=name,
        who=REVIEWERS,
        refusal=reviewer_refusal(_org),
        unless=REVIEW_EXCLUSIONS,
        guards=(_report_review(graded=name == ReportState.EVALUATED),),
        stamp="reviewed",
        done=done,
    )


REPORT_FLOW = CommentWorkflow(
    model=SecretaryReport,
    states=ReportState,
    transitions=(
        _submit(_not_own_org, _written, gettext_lazy("Report submitted to the level above.")),
        _report_decision("evaluated", gettext_lazy("Report evaluated.")),
        _report_decision("returned", gettext_lazy("Report returned for revision.")),
    ),
    org=_org,
    audit="secretary_report",
    event="supervision.secretary_report",
    gate="view",
    note_field="review_comment",
    related=("organization",),
    event_on=lambda r: year_end(r.year),
    back=lambda r: f"/orgs/{r.organization_id}/secretary-report/?year={r.year}",
)
