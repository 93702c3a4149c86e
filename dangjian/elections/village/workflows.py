"""A village election's workflow (`core.workflow`):

    planned ──review──▶ reviewed ──report──▶ elected ──file──▶ filed
       ▲                  │  ▲                  │
       └─────reopen───────┘  └──return_results──┘

The township — the committee one level up from the village Party organization (a change grant
covering its parent; the county above too) — plans, reviews the candidates' qualifications,
closes the review (`review`), reopens it for correction, returns the results and files them. The
village — its officers, or a level above acting for it — records and reports the results. The
village's own officers never review nor file their own election.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core import events
from dangjian.core.workflow import Transition, Workflow, in_reach, level_above, not_inside

from .models import ReviewResult, VillageElection, VillageElectionState, VillagePost, due_day

S = VillageElectionState
TOPIC = "elections.village"


def _org(e: VillageElection) -> Any:
    return e.organization


VILLAGE = in_reach("change", of=_org, label="the village (a change grant covering its Party organization)")
TOWNSHIP = level_above(_org, label="the township (the committee one level up)")
NOT_INSIDE = not_inside(
    _org, gettext_lazy("A village's election is reviewed and filed by the township, not by the village.")
)


def _township_refusal(e: VillageElection) -> str:
    return _("This is done by the township above %(org)s.") % {"org": e.organization.name}


def _review_complete(e: VillageElection, inputs: Any) -> None:
    reviews = list(e.candidates.values_list("review", flat=True))
    if not reviews:
        raise ValidationError(_("Add the candidates before closing the qualification review."))
    if ReviewResult.PENDING in reviews:
        raise ValidationError(_("Record the review of every candidate before closing it."))
    if ReviewResult.PASSED not in reviews:
        raise ValidationError(_("No candidate passed the review: add candidates who do."))


def _results_complete(e: VillageElection, inputs: Any) -> None:
    if e.held_on is None:
        raise ValidationError({"held_on": _("Enter the day the election was held.")})
    posts = list(e.seats.values_list("post", flat=True))
    if posts.count(VillagePost.DIRECTOR) != 1:
        raise ValidationError(_("Record the elected committee, with exactly one director."))


def _township(
    name: str, source: tuple[str, ...], target: str, note: str, done: Any, stamp: str = ""
) -> Transition:
    return Transition(
        name=name,
        source=source,
        target=target,
        who=(TOWNSHIP,),
        refusal=_township_refusal,
        unless=(NOT_INSIDE,),
        guards=(_review_complete,) if name == "review" else (),
        note=note,
        note_required_message=gettext_lazy("Say what must be corrected."),
        stamp=stamp,
        done=done,
    )


def _refresh_township(e: VillageElection, before: str, transition: Transition) -> None:
    # The rule counts on the township: its results must be recomputed too.
    events.changed(TOPIC, e.township_id, due_day(e.year))


VILLAGE_FLOW = Workflow(
    model=VillageElection,
    states=VillageElectionState,
    transitions=(
        _township(
            "review",
            (S.PLANNED,),
            S.REVIEWED,
            "optional",
            gettext_lazy("Qualification review closed: the election may be held."),
            stamp="reviewed",
        ),
        _township(
            "reopen",
            (S.REVIEWED,),
            S.PLANNED,
            "required",
            gettext_lazy("Qualification review reopened for correction."),
        ),
        Transition(
            name="report",
            source=(S.REVIEWED,),
            target=S.ELECTED,
            who=(VILLAGE,),
            guards=(_results_complete,),
            note="none",
            stamp="reported",
            done=gettext_lazy("Results reported to the township."),
        ),
        _township(
            "return_results",
            (S.ELECTED,),
            S.REVIEWED,
            "required",
            gettext_lazy("Results returned for correction."),
        ),
        _township(
            "file",
            (S.ELECTED,),
            S.FILED,
            "optional",
            gettext_lazy("Election filed."),
            stamp="filed",
        ),
    ),
    org=_org,
    audit="village_election",
    event=TOPIC,
    event_on=lambda e: due_day(e.year),
    related=("organization",),
    view_related=("organization",),
    back=lambda e: reverse("village_election", args=[e.pk]),
    after=_refresh_township,
)
