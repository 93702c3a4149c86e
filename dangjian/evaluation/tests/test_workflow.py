"""The campaign and the handling on the workflow kernel: history, a long approval note, a stale
version."""

import pytest
from django.core.exceptions import ValidationError

from dangjian.core.models import AuditEntry, StateChange
from dangjian.core.scoping import SYSTEM
from dangjian.evaluation import services
from dangjian.evaluation.handling import close_handling, create_handling
from dangjian.evaluation.models import CampaignState
from dangjian.testing.world import World

from .helpers import graded, new_campaign, today


def test_campaign_history_and_a_long_note(world: World) -> None:
    campaign = new_campaign(world.branch, by=world.secretary)
    graded(campaign, {world.member.pk: "qualified", world.member2.pk: "unqualified"})
    services.propose(campaign, acting_user=world.secretary)
    campaign.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.approve(campaign, expected_version=campaign.version - 1, acting_user=world.county_staff)
    assert exc.value.code == "stale"
    with pytest.raises(ValidationError) as exc:
        services.approve(campaign, note="很" * 501, acting_user=world.county_staff)
    assert "500" in exc.value.message_dict["note"][0]
    services.approve(campaign, note="同意" * 150, acting_user=world.county_staff)  # 300: kept whole
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.APPROVED and campaign.review_note == "同意" * 150
    assert list(StateChange.of(campaign).values_list("move", flat=True)) == [
        "create",
        "open",
        "rating_closed",
        "proposed",
        "approved",
    ]
    handling = create_handling(campaign, world.member2, "remove", acting_user=SYSTEM)
    close_handling(handling, "已除名", acting_user=world.secretary)
    handling.refresh_from_db()
    assert (handling.state, handling.outcome, handling.closed_on) == ("closed", "已除名", today())
    entry = AuditEntry.objects.get(action="evaluation.handling_close", success=True)
    assert entry.changes == {"state": ["open", "closed"]} and entry.detail == "已除名"
    assert list(StateChange.of(handling).values_list("move", flat=True)) == ["create", "handling_close"]
