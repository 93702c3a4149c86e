"""The demo county's year of weak and lax organizations (point 11), so the screening page, the
listings and the two rules of point 11 have something to show.

Last year: three organizations listed by hand — one accepted and looked back on six months later,
one accepted, one carried over (so this year's screening finds it again). This year: the county
runs the screening over the records the demo already holds; the candidates with the most reasons
are confirmed, the next three removed with a reason, the rest left to decide; one organization is
listed by hand. Of those listed, most have a plan, some have progress, some were submitted, two
accepted, one carried over; one has gone past its 30 days without a plan. Everything goes through
the services, as the county's staff and the branches would; dates of last year are set back to
last year afterwards (the services stamp today). The personas' branch is left out.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.core.scoping import SYSTEM
from dangjian.core.tree import subtree_q
from dangjian.organizations.models import Organization
from dangjian.weakorgs import services
from dangjian.weakorgs.models import Listing, ListingState
from dangjian.weakorgs.workflows import lookback_day

from .life import BRANCH_KINDS

PLAN = {
    "plan": "调整充实支部班子；每月召开支委会、每季度召开党员大会；建立党费收缴台账；县乡两级定期督导。",
    "leader": "县委常委、组织部长",
    "contact": "乡镇党委组织委员",
}
REMOVALS = (
    "经核实，支委会记录在纸质台账中，已补录平台",
    "书记已于本月选出，平台信息已更新",
    "欠交党费为流出党员，已联系补交",
)


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10)))


def _rectify(listing: Listing, on: date, county: Any, *, submit: bool = True) -> Listing:
    listing = services.save_plan(listing, PLAN, acting_user=SYSTEM)
    services.add_progress(listing, "召开支委会，调整班子分工，建立整改台账", on, acting_user=SYSTEM)
    return services.MOVES["submit"](listing, acting_user=SYSTEM) if submit else listing


def _last_year(county: Organization, orgs: list[Organization], today: date, staff: Any) -> int:
    year = today.year - 1
    rows = [
        services.add_by_hand(county, org, year, "群众反映强烈，县委直接列入", acting_user=staff)
        for org in orgs
    ]
    looked, accepted, carried = rows
    for row in (looked, accepted):
        _rectify(row, date(year, 6, 15), county)
        services.MOVES["accept"](row, note="整顿到位，同意销号", acting_user=staff)
    services.save_plan(carried, PLAN, acting_user=SYSTEM)
    services.MOVES["carry_over"](carried, note="班子调整需待村级换届后完成", acting_user=staff)
    for row, accepted_on in ((looked, date(year, 6, 30)), (accepted, date(year, 11, 30))):
        Listing.objects.filter(pk=row.pk).update(
            listed_at=_at(date(year, 3, 1)),
            plan_due=date(year, 3, 31),
            accepted_at=_at(accepted_on),
            decided_at=_at(accepted_on),
            lookback_due=lookback_day(accepted_on),
        )
    # Six months after the first acceptance: due by now whatever the day the demo is loaded.
    Listing.objects.filter(pk=looked.pk).update(lookback_due=min(today, lookback_day(date(year, 6, 30))))
    services.MOVES["look_back"](
        Listing.objects.get(pk=looked.pk), note="班子稳定，组织生活正常开展，整顿成果巩固", acting_user=staff
    )
    return len(rows)


def create_county_weak(
    county: Organization, *, lively: Organization | None = None, today: date | None = None
) -> dict[str, int]:
    """Last year's and this year's lists of `county` (see the module's docstring)."""
    today = today or timezone.localdate()
    staff = User.objects.filter(username="county_staff").first() or SYSTEM
    branches = list(
        Organization.objects.filter(subtree_q(county.path), kind__in=BRANCH_KINDS)
        .exclude(pk=lively.pk if lively is not None else 0)
        .order_by("path")[:4]
    )
    if len(branches) < 4:
        return {}
    made = _last_year(county, branches[:3], today, staff)
    services.screen(county, today.year, acting_user=staff)
    candidates = sorted(
        Listing.objects.filter(county=county, year=today.year, state=ListingState.CANDIDATE)
        .exclude(organization=lively)
        .select_related("organization"),
        key=lambda li: (-len(li.reasons), li.organization.path),
    )
    confirmed = [services.MOVES["confirm"](li, acting_user=staff) for li in candidates[:6]]
    for li, reason in zip(candidates[6:9], REMOVALS, strict=False):
        services.MOVES["remove"](li, note=reason, acting_user=staff)
    if not Listing.objects.filter(organization=branches[3], year=today.year).exists():
        confirmed.append(
            services.add_by_hand(
                county, branches[3], today.year, "信访反映问题集中，县委直接列入", acting_user=staff
            )
        )
    on = max(date(today.year, 1, 1), today - timedelta(days=10))
    for i, li in enumerate(confirmed):
        if i == 0:  # past its 30 days without a plan
            Listing.objects.filter(pk=li.pk).update(
                listed_at=_at(today - timedelta(days=40)), plan_due=today - timedelta(days=10)
            )
        elif i in (1, 2):
            li = _rectify(li, on, county)
            services.MOVES["accept"](li, note="整顿到位，同意销号", acting_user=staff)
        elif i == 3:
            _rectify(li, on, county)
        elif i == 4:
            services.MOVES["carry_over"](li, note="涉及村部建设，需跨年度完成", acting_user=staff)
        elif i == 5:
            _rectify(li, on, county, submit=False)
    return {
        "last_year": made,
        "candidates": len(candidates),
        "listed": len(confirmed),
        "removed": min(3, max(0, len(candidates) - 6)),
    }
