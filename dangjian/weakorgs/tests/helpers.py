"""Building blocks for the weak-organization tests."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dangjian.core.exceptions import OutOfScope
from dangjian.testing.world import World
from dangjian.weakorgs import services
from dangjian.weakorgs.models import Listing
from dangjian.weakorgs.workflows import LISTING_FLOW

YEAR = timezone.localdate().year
PLAN = {"plan": "调整支部班子，每月召开支委会", "leader": "县委副书记王强", "contact": "街道组织委员李敏"}


def outcome(listing: Listing, name: str, user: Any, note: str = "理由") -> str:
    """What move `name` does for `user`: "ok" or the refusal's code; always rolled back."""
    try:
        with transaction.atomic():
            if name == "plan":
                services.save_plan(listing, PLAN, acting_user=user)
            else:
                services.MOVES[name](listing, acting_user=user, note=note)
            transaction.set_rollback(True)
    except OutOfScope:
        return "404"
    except ValidationError as exc:
        return str(exc.code or "invalid")
    return "ok"


def candidate(world: World) -> Listing:
    """The branch as a candidate of this year's screening (it has no secretary, no meetings)."""
    services.screen(world.county, YEAR, acting_user=world.county_staff)
    return Listing.objects.get(organization=world.branch, year=YEAR)


def listed(world: World) -> Listing:
    return services.MOVES["confirm"](candidate(world), acting_user=world.county_staff)


def submitted(world: World) -> Listing:
    listing = services.save_plan(listed(world), PLAN, acting_user=world.secretary)
    services.add_progress(listing, "已召开支委会", timezone.localdate(), acting_user=world.secretary)
    return services.MOVES["submit"](listing, acting_user=world.secretary)


def flow() -> Any:
    return LISTING_FLOW
