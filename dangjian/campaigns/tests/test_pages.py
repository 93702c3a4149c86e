"""Campaign pages: the sender drafts and launches from the page and follows completion level by
level; the branch fills in and submits its report; outsiders see nothing; Excel of the reports."""

from datetime import timedelta
from io import BytesIO

import openpyxl
from django.test import Client
from django.utils import timezone

from dangjian.campaigns.models import Assignment, AssignmentState, Campaign, CampaignState
from dangjian.core.models import AuditEntry
from dangjian.testing.world import World

DUE = (timezone.localdate() + timedelta(days=7)).isoformat()


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_send_fill_in_submit_accept_through_the_pages(world: World) -> None:
    staff = _client(world.county_staff)
    form = {
        "kind": "task",
        "title": "报送整治情况",
        "instructions": "请于一周内报送。",
        "deadline": DUE,
        "target_kinds": ["branch"],
        "field_1_label": "整治户数",
        "field_1_type": "number",
        "field_1_required": "on",
    }
    bad = staff.post(f"/orgs/{world.county.pk}/campaigns/new/", form | {"title": ""})
    assert bad.status_code == 200 and not Campaign.objects.exists()
    made = staff.post(f"/orgs/{world.county.pk}/campaigns/new/", form)
    campaign = Campaign.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/campaigns/{campaign.pk}/"
    staff.post(f"/campaigns/{campaign.pk}/launch/", {"version": "0"})
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.LAUNCHED and campaign.assigned == 2
    page = staff.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert 'id="children"' in page and world.township.name in page

    mine = Assignment.objects.get(organization=world.branch)
    branch = _client(world.secretary)
    listing = branch.get(f"/orgs/{world.branch.pk}/campaigns/").content.decode()
    assert f"/assignments/{mine.pk}/" in listing
    assert branch.get(f"/campaigns/{campaign.pk}/").status_code == 404  # the sender's page
    branch.post(f"/assignments/{mine.pk}/", {"form": "answers", "version": "0", "f1": "十二"})
    mine.refresh_from_db()
    assert mine.answers == {}  # refused, nothing saved
    branch.post(f"/assignments/{mine.pk}/", {"form": "answers", "version": "0", "f1": "12"})
    branch.post(f"/assignments/{mine.pk}/submit/", {"version": "1"})
    mine.refresh_from_db()
    assert mine.state == AssignmentState.SUBMITTED and mine.answers == {"f1": "12"}

    township = staff.get(f"/campaigns/{campaign.pk}/?under={world.township.pk}").content.decode()
    assert f"/assignments/{mine.pk}/" in township and 'id="awaiting"' in township
    staff.post(f"/assignments/{mine.pk}/accept/", {"version": "2"})
    mine.refresh_from_db()
    assert mine.state == AssignmentState.ACCEPTED

    sheet = staff.get(f"/campaigns/{campaign.pk}/export/")
    assert sheet.status_code == 200
    book = openpyxl.load_workbook(BytesIO(b"".join(sheet.streaming_content)))
    rows = [[c.value for c in row] for row in book.active.iter_rows(min_row=3)]
    assert [r[0] for r in rows] == [world.branch.name, world.branch2.name]
    assert rows[0][4] == "12"
    assert AuditEntry.objects.filter(action="campaign.export").count() == 1


def test_outsiders_see_nothing(world: World) -> None:
    from dangjian.campaigns import services

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
    services.launch(campaign, acting_user=world.county_staff)
    mine = Assignment.objects.get(organization=world.branch)
    outsider = _client(world.outsider)
    for url in (
        f"/campaigns/{campaign.pk}/",
        f"/campaigns/{campaign.pk}/export/",
        f"/assignments/{mine.pk}/",
        f"/orgs/{world.county.pk}/campaigns/",
    ):
        assert outsider.get(url).status_code == 404, url
    assert outsider.post(f"/assignments/{mine.pk}/submit/").status_code == 404
    assert outsider.post(f"/campaigns/{campaign.pk}/close/").status_code == 404
    staff = _client(world.county_staff)
    assert staff.get(f"/campaigns/{campaign.pk}/?under={world.branch_b.pk}").status_code == 404
    member = _client(world.member_user)
    assert member.get(f"/campaigns/{campaign.pk}/").status_code == 404
    assert member.get(f"/orgs/{world.county.pk}/campaigns/new/").status_code == 404


def test_the_senders_page_costs_the_same_whatever_the_campaigns_size(world: World) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dangjian.campaigns import services
    from dangjian.testing.world import make_org

    def launched() -> Campaign:
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
        return services.launch(campaign, acting_user=world.county_staff)

    staff = _client(world.county_staff)

    def cost(campaign: Campaign) -> int:
        staff.get(f"/campaigns/{campaign.pk}/?under={world.township.pk}")  # warm the session
        with CaptureQueriesContext(connection) as queries:
            assert staff.get(f"/campaigns/{campaign.pk}/?under={world.township.pk}").status_code == 200
        return len(queries)

    small = cost(launched())
    for n in range(3, 13):
        make_org(world.township, f"第{n}党支部", f"430102001{n:03d}", "branch", "community")
    large = launched()
    assert large.assigned == 12 and cost(large) == small
