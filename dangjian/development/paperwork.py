"""Printed papers of a development: the person's whole file (全程纪实) in archive order, and the
paperwork the steps call for — the public notice's text (公示) and the pre-review's result notice
(预审结果通知) of step 13, the filing forms (备案表) of steps 4, 8 and 18. All are PDFs built with
WeasyPrint and the Noto CJK fonts, like the meeting record (`orglife.exports`).

A paper is available once the facts it states are recorded (`missing` says what is still
missing); the ID number is printed masked, as on the person's page.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core.masking import birth_year_month
from dangjian.core.tree import STEPLEN
from dangjian.core.workdays import nth_workday, workdays_between
from dangjian.organizations.models import Organization

from .models import Applicant, Objection, Step
from .rules import NOTICE_WORKDAYS
from .steps import STEPS

PDF_CSS = """
@page { size: A4; margin: 18mm 16mm;
        @bottom-center { content: counter(page) " / " counter(pages); font-size: 9pt; } }
body { font-family: "Noto Sans CJK SC", "Noto Serif CJK SC", sans-serif; font-size: 11pt; line-height: 1.5; }
h1 { font-size: 17pt; text-align: center; margin: 0 0 6mm; }
h2 { font-size: 12.5pt; margin: 5mm 0 2mm; }
.meta { text-align: center; color: #555; margin-bottom: 5mm; }
table { width: 100%; border-collapse: collapse; margin-bottom: 3mm; }
th, td { border: 0.6pt solid #333; padding: 1.8mm 2.2mm; vertical-align: top; text-align: left; }
th { background: #f1f1f1; width: 24%; }
.step { page-break-inside: avoid; }
.notice p { text-indent: 2em; margin: 0 0 3mm; }
.sign { margin-top: 14mm; text-align: right; }
.box { height: 28mm; }
"""


@dataclass(frozen=True)
class Paper:
    """A generated paper: its title, the step it belongs to, and the step that must be recorded
    first (the notice once the branch committee has reviewed, step 12)."""

    slug: str
    title: Promise
    step: int
    after: int
    template: str


PAPERS: dict[str, Paper] = {
    p.slug: p
    for p in (
        Paper("notice", gettext_lazy("Public notice (公示)"), 13, 12, "development/pdf/notice.html"),
        Paper(
            "prereview",
            gettext_lazy("Pre-review result notice (预审结果通知)"),
            13,
            13,
            "development/pdf/prereview.html",
        ),
        Paper("filing-4", gettext_lazy("Activist filing form (备案表)"), 4, 3, "development/pdf/filing.html"),
        Paper(
            "filing-8", gettext_lazy("Candidate filing form (备案表)"), 8, 7, "development/pdf/filing.html"
        ),
        Paper(
            "filing-18",
            gettext_lazy("Admission filing form (备案表)"),
            18,
            17,
            "development/pdf/filing.html",
        ),
    )
}


def papers_by_step() -> dict[int, list[Paper]]:
    """The papers to link next to each step on the person's page."""
    by_step: dict[int, list[Paper]] = {}
    for paper in PAPERS.values():
        by_step.setdefault(paper.step, []).append(paper)
    return by_step


def available_papers(recorded: set[int]) -> dict[int, list[Paper]]:
    """The papers that can be made, by the step they belong to, given the steps recorded."""
    return {n: [p for p in ps if p.after in recorded] for n, ps in papers_by_step().items()}


def missing(applicant: Applicant, paper: Paper) -> str:
    """Why the paper cannot be made yet ("" when it can): the step it rests on is not recorded."""
    if applicant.records.filter(number=paper.after).exists():
        return ""
    return _("%(paper)s is available once this step is recorded: %(step)s.") % {
        "paper": paper.title,
        "step": STEPS[paper.after].title,
    }


def _pdf(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import CSS, HTML  # imported here: loading Pango costs ~0.3 s at start-up

    # The papers go into the person's archive and onto the notice board: always in Chinese,
    # whatever language the officer's screen is in.
    with translation.override("zh-hans"):
        html = render_to_string(template, context)
    return HTML(string=html).write_pdf(stylesheets=[CSS(string=PDF_CSS)]) or b""


def level_above(org: Organization) -> Organization | None:
    return Organization.objects.filter(path=org.path[:-STEPLEN]).first() if org.depth > 1 else None


def _steps(applicant: Applicant) -> list[Step]:
    steps = list(
        applicant.records.select_related("recorded_by", "meeting")
        .prefetch_related("people", "files")
        .order_by("number", "on", "id")
    )
    for step in steps:
        step.title = STEPS[step.number].title  # type: ignore[attr-defined]
    return steps


def _people(steps: list[Step], number: int) -> list[str]:
    step = next((s for s in reversed(steps) if s.number == number), None)
    return [m.name for m in step.people.all()] if step else []


def _first(steps: list[Step], number: int) -> Step | None:
    return next((s for s in steps if s.number == number), None)


def _common(applicant: Applicant) -> dict[str, Any]:
    steps = _steps(applicant)
    return {
        "a": applicant,
        "org": applicant.organization,
        "above": level_above(applicant.organization),
        "birth": birth_year_month(applicant.birth_date),
        "steps": steps,
        "contacts": _people(steps, 5),
        "introducers": _people(steps, 9),
        "today": timezone.localdate(),
    }


def file_pdf(applicant: Applicant) -> bytes:
    """The whole file in archive order: every recorded step with its date, who acted and who
    recorded it, its facts and its documents; the objections and their answers."""
    context = _common(applicant)
    context["objections"] = list(Objection.objects.filter(applicant=applicant).order_by("received_on", "id"))
    return _pdf("development/pdf/file.html", context)


def notice_period(applicant: Applicant, steps: list[Step], today: date) -> tuple[date, date]:
    """The notice's first and last day: the recorded ones once step 13 is recorded; before that
    the first working day after today, for the usual number of working days."""
    recorded = _first(steps, 13)
    if recorded and recorded.notice_from and recorded.notice_until:
        return recorded.notice_from, recorded.notice_until
    start = nth_workday(date.fromordinal(today.toordinal() + 1), 1)
    return start, nth_workday(start, NOTICE_WORKDAYS)


def paper_pdf(applicant: Applicant, paper: Paper) -> bytes:
    context = _common(applicant)
    steps: list[Step] = context["steps"]
    context["paper"] = paper
    context["step"] = _first(steps, paper.step)
    context["basis"] = _first(steps, paper.after)
    if paper.slug in ("notice", "prereview"):
        start, end = notice_period(applicant, steps, context["today"])
        context.update(notice_from=start, notice_until=end, workdays=workdays_between(start, end))
    if paper.slug == "prereview":
        objections = list(Objection.objects.filter(applicant=applicant))
        context["objections_count"] = len(objections)
        context["answered_count"] = sum(1 for o in objections if o.answered_on)
    if paper.step == 8 or paper.step == 18:
        context["assessments"] = sum(1 for s in steps if s.number == 6)
        context["review"] = _first(steps, 10)
        context["training"] = _first(steps, 11)
    if paper.step == 18:
        context["form"] = _first(steps, 14)
        context["vote"] = _first(steps, 15)
        context["approval"] = _first(steps, 17)
    return _pdf(paper.template, context)
