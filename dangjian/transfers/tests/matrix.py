"""Records of every model of the transfers and identity apps for the scope matrix
(web/tests/test_scope_matrix.py): a full set in a branch outside every persona's reach, and a
transfer and a card inside the test province so pages are also visited with objects in reach."""

from dangjian.core.dates import add_years
from dangjian.core.scoping import SYSTEM
from dangjian.identity.services import issue_card
from dangjian.organizations.models import Organization
from dangjian.testing.world import World, make_member
from dangjian.transfers import services

from .helpers import closed_assembly, days_ago, probationary


def movement_records(world: World, outside: Organization) -> None:
    leaving = make_member(outside, "陈迁")
    away = make_member(outside, "林流")
    lost = make_member(outside, "吴失")
    services.start_transfer(leaving, destination="中共某省某党支部", reason="调动", acting_user=SYSTEM)
    services.register_floating(
        away,
        {"left_on": days_ago(30), "destination": "外地", "reason": "务工", "contact": "13900001111"},
        acting_user=SYSTEM,
    )
    issue_card(away, acting_user=SYSTEM)
    case = services.open_case(lost, lost_on=days_ago(60), acting_user=SYSTEM)
    services.log_search(
        case, tried_on=days_ago(5), method="phone", detail="电话", result="关机", acting_user=SYSTEM
    )
    probationer = probationary(outside, "郑预", add_years(days_ago(10), -1))
    services.record_decision(
        probationer, outcome="convert", meeting=closed_assembly(outside, days_ago(2)), acting_user=SYSTEM
    )
    # Inside the test province: a transfer within county A and a card, so the matrix also opens
    # these pages with objects in reach (and checks no full ID number or phone is on them).
    services.start_transfer(world.member2, to_org=world.branch2, reason="调动", acting_user=SYSTEM)
    issue_card(world.member, acting_user=SYSTEM)
