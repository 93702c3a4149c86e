"""Files of a campaign: the sender attaches instructions to the draft; each receiving
organization downloads them through its own report, returns files of its own, and takes back one
sent by mistake; files are checked by content; nobody else reaches any of them."""

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from dangjian.campaigns import services
from dangjian.campaigns.models import Assignment
from dangjian.orglife.tests.helpers import EXE, PDF, stored_files, upload
from dangjian.testing.world import World


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_instructions_and_returned_files(world: World, settings: object, tmp_path: Path) -> None:
    campaign = services.create_campaign(
        world.county,
        {
            "kind": "task",
            "title": "t",
            "instructions": "i",
            "deadline": timezone.localdate(),
            "target_kinds": ["branch"],
        },
        acting_user=world.county_staff,
    )
    with pytest.raises(ValidationError):
        services.add_campaign_files(campaign, [upload("方案.pdf", EXE)], acting_user=world.county_staff)
    assert stored_files(tmp_path) == []
    [sheet] = services.add_campaign_files(campaign, [upload("方案.pdf", PDF)], acting_user=world.county_staff)
    services.launch(campaign, acting_user=world.county_staff)
    with pytest.raises(ValidationError):  # launched: the instructions are no longer changed
        services.add_campaign_files(campaign, [upload("补充.pdf", PDF)], acting_user=world.county_staff)
    mine = Assignment.objects.get(organization=world.branch)
    branch = _client(world.secretary)
    got = branch.get(f"/assignments/{mine.pk}/instructions/{sheet.pk}/")
    assert got.status_code == 200 and b"".join(got.streaming_content) == PDF
    assert branch.get(f"/campaigns/{campaign.pk}/files/{sheet.pk}/").status_code == 404  # the sender's route
    assert _client(world.outsider).get(f"/assignments/{mine.pk}/instructions/{sheet.pk}/").status_code == 404

    branch.post(f"/assignments/{mine.pk}/files/", {"files": [upload("台账.pdf", PDF)]})
    [returned] = mine.files.all()
    staff = _client(world.county_staff)
    assert staff.get(f"/assignments/{mine.pk}/files/{returned.pk}/").status_code == 200
    assert _client(world.outsider).get(f"/assignments/{mine.pk}/files/{returned.pk}/").status_code == 404
    staff.post(f"/assignments/{mine.pk}/files/{returned.pk}/remove/")  # not the sender's to remove
    assert mine.files.count() == 1
    branch.post(f"/assignments/{mine.pk}/files/{returned.pk}/remove/")
    assert mine.files.count() == 0
