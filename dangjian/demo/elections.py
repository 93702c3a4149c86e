"""The demo county's term changes (换届), so the pages and the reminders have something to show.

Of the county's branches whose term ends within six months or has ended (the demo tree places
some there): one changed its term earlier this year (requested, approved, elected and confirmed:
its new term and committee are on the roll), one is approved with its election in ten days, one
awaits the county's approval and one was returned for correction. The rest are left for the
county's page to show as not requested. Everything goes through the services, as the branches
and the county's staff would; the confirmed change's dates are set back afterwards. The
personas' branch is left out.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.core.dates import add_months
from dangjian.core.scoping import SYSTEM
from dangjian.core.tree import subtree_q
from dangjian.elections import services
from dangjian.elections.models import TermChange
from dangjian.members.models import Member, MemberCategory, MemberStatus
from dangjian.organizations.models import Organization

from .life import BRANCH_KINDS

PLAN = "按期召开党员大会选举新一届支部委员会；候选人预备人选经党员推荐、支委会研究提出，报上级党组织审查。"


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10)))


def _request(org: Organization, planned_on: date, seats: int) -> TermChange:
    return services.request_term_change(
        org, {"planned_on": planned_on, "seats": seats, "plan": PLAN}, acting_user=SYSTEM
    )


def _elect(tc: TermChange, today: date, staff: Any) -> bool:
    full = list(
        Member.objects.filter(
            organization_id=tc.organization_id, status=MemberStatus.ACTIVE, category=MemberCategory.FULL
        ).order_by("id")[: tc.seats]
    )
    if not full:
        return False
    posts = ["secretary", "deputy_secretary", *["committee_member"] * (len(full) - 2)][: len(full)]
    seats = [services.Seat(m.pk, post, 20 - i) for i, (m, post) in enumerate(zip(full, posts, strict=True))]
    services.record_results(tc, today, seats, acting_user=SYSTEM)
    services.report(tc, acting_user=SYSTEM)
    services.confirm(tc, note="同意选举结果", acting_user=staff)
    return True


def _set_back(tc: TermChange, org: Organization, held: date) -> None:
    """The confirmed change happened earlier this year: its dates, and the term it started."""
    org.refresh_from_db()
    org.term_start = held
    end = org.default_term_end()
    Organization.objects.filter(pk=org.pk).update(term_start=held, term_due_end=end)
    TermChange.objects.filter(pk=tc.pk).update(
        planned_on=held,
        held_on=held,
        term_start=held,
        term_due_end=end,
        requested_at=_at(held - timedelta(days=30)),
        decided_at=_at(held - timedelta(days=25)),
        reported_at=_at(held),
        confirmed_at=_at(held + timedelta(days=5)),
    )


def create_county_terms(
    county: Organization, *, lively: Organization | None = None, today: date | None = None
) -> int:
    """The term changes of `county`'s branches (see the module's docstring); how many."""
    today = today or timezone.localdate()
    staff = User.objects.filter(username="county_staff").first() or SYSTEM
    due = list(
        Organization.objects.filter(
            subtree_q(county.path), kind__in=BRANCH_KINDS, term_due_end__lte=add_months(today, 6)
        )
        .exclude(pk=lively.pk if lively is not None else 0)
        .order_by("term_due_end", "path")[:4]
    )
    made = 0
    for i, org in enumerate(due):
        tc = _request(org, today + timedelta(days=10 if i == 1 else 20), 3)
        made += 1
        if i == 0:
            services.approve(tc, acting_user=staff)
            if _elect(tc, today, staff):
                _set_back(tc, org, max(date(today.year, 1, 1), today - timedelta(days=60)))
        elif i == 1:
            services.approve(tc, note="同意换届，请按程序组织选举", acting_user=staff)
        elif i == 3:
            services.return_request(tc, note="委员职数应为5名，请调整后重新报送", acting_user=staff)
    return made


def create_village_elections(county: Organization, *, today: date | None = None) -> int:
    """The two-committee elections of one township of `county` this year (work point 21): the
    first village filed before 30 June, its Party secretary elected director (一肩挑); the second
    elected and reported, awaiting the township's filing; the third in the qualification review,
    one candidate still waiting; the rest not yet planned. How many planned."""
    import random

    from dangjian.core.idnumber import generate_id_number
    from dangjian.elections.village import services as village
    from dangjian.elections.village.models import Candidate, VillageElection

    today = today or timezone.localdate()
    rng = random.Random(21)
    townships = Organization.objects.filter(subtree_q(county.path), depth=county.depth + 1).order_by("path")
    town = next(
        (t for t in townships if village.is_township(t) and village.villages_of(t).count() >= 3), None
    )
    if town is None:
        return 0
    staff = SYSTEM
    # The first village is one whose Party secretary is on its own roll (a general branch's
    # secretary may sit in one of its branches): the one elected director as well (一肩挑).
    candidates = list(village.villages_of(town)[:12])
    led = {
        o
        for o in Member.objects.filter(organization__in=candidates, committee_post="secretary").values_list(
            "organization_id", flat=True
        )
    }
    first = next((o for o in candidates if o.pk in led), candidates[0])
    villages = [first, *[o for o in candidates if o.pk != first.pk][:2]]
    held = min(date(today.year, 5, 16), today)

    def person() -> str:
        return generate_id_number(
            rng, date(rng.randint(1965, 1990), rng.randint(1, 12), rng.randint(1, 28)), "male"
        )

    made = 0
    for i, org in enumerate(villages):
        e = village.plan_election(org, today.year, held if i < 2 else today, acting_user=staff)
        made += 1
        secretary = Member.objects.filter(organization=org, committee_post="secretary").first()
        director = (secretary.name, secretary.id_number) if secretary and i == 0 else ("刘建国", person())
        village.add_candidate(e, director[0], director[1], "director", acting_user=staff)
        village.add_candidate(e, "陈秀英", person(), "committee_member", acting_user=staff)
        village.add_candidate(e, "王志强", person(), "committee_member", acting_user=staff)
        if i == 2:
            first = Candidate.objects.filter(election=e).order_by("id").first()
            assert first is not None
            village.review_candidate(
                first, "passed", "组织、纪检、公安、法院、民政联审无异议", acting_user=staff
            )
            continue
        for c in Candidate.objects.filter(election=e).order_by("id"):
            failed = c.name == "王志强" and i == 1
            note = "公安部门：近三年有治安处罚记录" if failed else "组织、纪检、公安、法院、民政联审无异议"
            village.review_candidate(c, "failed" if failed else "passed", note, acting_user=staff)
        village.close_review(e, acting_user=staff)
        passed = list(Candidate.objects.filter(election=e, review="passed").order_by("id"))
        seats = [
            village.Seat(c.pk, "director" if n == 0 else "committee_member", 420 - n * 30)
            for n, c in enumerate(passed)
        ]
        village.record_results(e, held, seats, acting_user=staff)
        village.report(e, acting_user=staff)
        if i == 0:
            village.file_election(e, note="材料齐全，予以备案", acting_user=staff)
            VillageElection.objects.filter(pk=e.pk).update(filed_on=min(date(today.year, 6, 12), today))
    return made
