"""The evaluation pages: the branch's campaign page and its actions, the level above's approval,
the member's page on which nothing shows who rated them."""

import re
from datetime import timedelta
from typing import Any

from django.test import Client

from dangjian.accounts.roles import Role
from dangjian.core.scoping import SYSTEM
from dangjian.evaluation import services
from dangjian.evaluation.models import (
    CampaignState,
    EvaluationCampaign,
    Handling,
    PeerRating,
    ProposedGrade,
    SelfAssessment,
)
from dangjian.evaluation.participation import rate_member
from dangjian.testing.world import World, make_user

from .helpers import graded, new_campaign, today


def client_for(user: object) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _state() -> str:
    return EvaluationCampaign.objects.get().state


def test_campaign_page_matrix(world: World) -> None:
    new_campaign(world.branch)
    url = f"/orgs/{world.branch.pk}/evaluation/"
    expected = {
        "province_staff": 200,
        "county_staff": 200,
        "secretary": 200,
        "member_user": 200,
        "outsider": 404,
    }
    for persona, code in expected.items():
        assert client_for(world.users[persona]).get(url).status_code == code, persona
    secretary = client_for(world.secretary).get(url).content.decode()
    assert 'id="members"' in secretary and "李娜" in secretary and 'id="close-rating"' in secretary
    member_view = client_for(world.member_user).get(url).content.decode()
    assert (
        'id="campaign-state"' in member_view
        and 'id="members"' not in member_view
        and "李娜" not in member_view
    )


def test_secretary_runs_the_round_and_county_approves(world: World) -> None:
    secretary = client_for(world.secretary)
    url = f"/orgs/{world.branch.pk}/evaluation/"
    start, end = today(), today() + timedelta(days=10)
    bad = secretary.post(url, {"opens_on": end.isoformat(), "closes_on": start.isoformat()})
    assert bad.status_code == 200 and not EvaluationCampaign.objects.exists()
    assert (
        secretary.post(url, {"opens_on": start.isoformat(), "closes_on": end.isoformat()}).status_code == 302
    )
    campaign = EvaluationCampaign.objects.get()
    secretary.post(f"/evaluation/{campaign.pk}/open/")
    assert _state() == CampaignState.OPEN
    secretary.post(f"/evaluation/{campaign.pk}/close-rating/")
    assert _state() == CampaignState.RATING_CLOSED
    response = secretary.post(
        f"/evaluation/{campaign.pk}/grades/",
        {
            f"grade_{world.member.pk}": "excellent",
            f"grade_{world.member2.pk}": "unqualified",
            f"note_{world.member2.pk}": "",
        },
    )
    assert response.status_code == 302 and not ProposedGrade.objects.exists()  # refused as a whole
    secretary.post(
        f"/evaluation/{campaign.pk}/grades/",
        {
            f"grade_{world.member.pk}": "excellent",
            f"grade_{world.member2.pk}": "unqualified",
            f"note_{world.member2.pk}": "半年未参加组织生活",
        },
    )
    secretary.post(f"/evaluation/{campaign.pk}/propose/")
    assert _state() == CampaignState.PROPOSED
    # The branch cannot approve its own proposal.
    secretary.post(f"/evaluation/{campaign.pk}/approve/")
    assert _state() == CampaignState.PROPOSED
    county = client_for(world.county_staff)
    overview = county.get(f"/orgs/{world.township.pk}/evaluation/").content.decode()
    assert 'id="awaiting"' in overview and "第一党支部" in overview
    page = county.get(url).content.decode()
    assert 'id="decide"' in page
    county.post(f"/evaluation/{campaign.pk}/return/", {"note": ""})
    assert _state() == CampaignState.PROPOSED  # returning needs a note
    county.post(f"/evaluation/{campaign.pk}/approve/", {"note": "同意"})
    assert _state() == CampaignState.APPROVED
    # Handling of the unqualified member, then a follow-up and the close.
    page = secretary.get(url).content.decode()
    assert 'id="handling-form"' in page
    secretary.post(
        f"/evaluation/{campaign.pk}/handlings/",
        {
            "member": world.member2.pk,
            "measure": "correct_within_deadline",
            "deadline": (today() + timedelta(days=90)).isoformat(),
        },
    )
    handling = Handling.objects.get()
    secretary.post(
        f"/evaluation-handlings/{handling.pk}/follow-up/", {"on": today().isoformat(), "text": "谈心谈话"}
    )
    secretary.post(f"/evaluation-handlings/{handling.pk}/close/", {"outcome": "已改正"})
    handling.refresh_from_db()
    assert handling.state == "closed" and handling.follow_ups.count() == 1  # type: ignore[attr-defined]
    assert (
        client_for(world.outsider)
        .post(f"/evaluation-handlings/{handling.pk}/close/", {"outcome": "x"})
        .status_code
        == 404
    )
    assert client_for(world.outsider).post(f"/evaluation/{campaign.pk}/approve/").status_code == 404


def test_member_page_on_which_nothing_shows_who_rated(world: World) -> None:
    campaign = new_campaign(world.branch)
    li_na = make_user("li_na", None, world.branch, member=world.member2)
    member = client_for(world.member_user)
    page = member.get("/my/evaluation/")
    assert page.status_code == 200 and 'id="self"' in page.content.decode()
    response = member.post(
        "/my/evaluation/", {"form": "self", "campaign": campaign.pk, "text": "认真学习党章党规。"}
    )
    assert response.status_code == 302 and SelfAssessment.objects.get().member == world.member
    response = member.post(
        "/my/evaluation/",
        {
            "form": "rate",
            "campaign": campaign.pk,
            "ratee": world.member2.pk,
            f"r{world.member2.pk}-grade": "excellent",
        },
    )
    assert response.status_code == 302 and PeerRating.objects.count() == 1
    again = member.post(
        "/my/evaluation/",
        {
            "form": "rate",
            "campaign": campaign.pk,
            "ratee": world.member2.pk,
            f"r{world.member2.pk}-grade": "qualified",
        },
    )
    assert (
        again.status_code == 200
        and "already rated" in again.content.decode()
        and PeerRating.objects.count() == 1
    )
    assert "Rated" in client_for(world.member_user).get("/my/evaluation/").content.decode()
    assert 'id="self"' in client_for(li_na).get("/my/evaluation/").content.decode()
    # A foreign campaign id is refused outright.
    other = new_campaign(world.branch_b, open_=False)
    assert (
        member.post("/my/evaluation/", {"form": "self", "campaign": other.pk, "text": "x"}).status_code == 404
    )
    assert 'id="no-member"' in client_for(world.county_staff).get("/my/evaluation/").content.decode()


def test_ratee_page_is_unchanged_by_being_rated(world: World) -> None:
    campaign = new_campaign(world.branch)
    li_na = make_user("li_na", None, world.branch, member=world.member2)

    def page(user: Any) -> str:
        body = client_for(user).get("/my/evaluation/").content.decode()
        return re.sub(r"[0-9a-zA-Z]{64}", "", body)  # the CSRF token changes per request

    before = page(li_na)
    rate_member(campaign, world.member2, "unqualified", "不参加活动", acting_user=world.member_user)
    after = page(li_na)
    assert before == after and "张伟" in after  # listed to be rated, never as a rater
    graded(campaign, {world.member.pk: "qualified", world.member2.pk: "basically_qualified"})
    # Even after the round, the member sees their grade, not the ratings behind it.
    services.propose(campaign, acting_user=SYSTEM)
    services.approve(campaign, acting_user=world.county_staff)
    final = page(li_na)
    assert 'id="my-grade"' in final and "不参加活动" not in final and "Unqualified" not in final


def test_counts_and_comments_wait_until_rating_is_closed(world: World) -> None:
    campaign = new_campaign(world.branch)
    rate_member(campaign, world.member2, "excellent", "乐于助人", acting_user=world.member_user)
    url = f"/orgs/{world.branch.pk}/evaluation/"
    # While members are still rating, a refreshed page must not show which count just changed.
    during = client_for(world.secretary).get(url).content.decode()
    assert "乐于助人" not in during and "Excellent 1" not in during
    assert "Ratings are shown once rating is closed." in during and "1 peer ratings" in during
    services.close_rating(campaign, acting_user=SYSTEM)
    after = client_for(world.secretary).get(url).content.decode()
    assert "乐于助人" in after and "Excellent 1" in after


def test_the_proposer_is_not_offered_the_approval(world: World) -> None:
    campaign = new_campaign(world.branch)
    graded(campaign, {world.member.pk: "qualified", world.member2.pk: "qualified"})
    township_staff = make_user("township_staff", Role.COMMITTEE_STAFF, world.township)
    services.propose(campaign, acting_user=township_staff)
    url = f"/orgs/{world.branch.pk}/evaluation/"
    assert 'id="decide"' not in client_for(township_staff).get(url).content.decode()
    overview = client_for(township_staff).get(f"/orgs/{world.township.pk}/evaluation/").content.decode()
    assert 'id="awaiting"' not in overview
    assert 'id="decide"' in client_for(world.county_staff).get(url).content.decode()


def test_handling_form_names_no_member_outside_the_campaign(world: World) -> None:
    campaign = new_campaign(world.branch)
    graded(campaign, {world.member.pk: "qualified", world.member2.pk: "unqualified"})
    services.propose(campaign, acting_user=SYSTEM)
    services.approve(campaign, acting_user=world.county_staff)
    secretary = client_for(world.secretary)
    for member_id in (world.member_b.pk, 999999):  # another county's member; no one
        r = secretary.post(
            f"/evaluation/{campaign.pk}/handlings/",
            {"member": member_id, "measure": "remove"},
            follow=True,
        )
        assert r.status_code == 200 and b"Only a member graded unqualified" in r.content
    assert not Handling.objects.exists()
