"""A special campaign's case onto the problem list: from the report's page, by whoever writes the
organization's problems (its officers, the committees above), once per case; the problem is the
organization's, for the campaign's year, due by the campaign's end."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from dangjian.campaigns import services as campaigns
from dangjian.campaigns.models import Assignment, Campaign, Case
from dangjian.rectification.models import Problem, ProblemSource, ProblemState
from dangjian.rectification.services import problem_from_case
from dangjian.testing.world import World

TODAY = timezone.localdate()
MAY = {"secretary": True, "county_staff": True, "member_user": False, "outsider": False}


def _case(world: World, ends_in: int = 40, **text: str) -> Case:
    data = {
        "kind": "campaign",
        "title": "整治农村陈规陋习",
        "instructions": "请各支部排查并报送案件。",
        "deadline": TODAY + timedelta(days=10),
        "ends_on": TODAY + timedelta(days=ends_in),
        "target_kinds": ["branch"],
        "fields": [],
    }
    campaign = campaigns.create_campaign(world.county, data, acting_user=world.county_staff)
    campaign = campaigns.launch(campaign, acting_user=world.county_staff)
    mine = Assignment.objects.get(campaign=campaign, organization=world.branch)
    return campaigns.add_case(
        mine, text or {"subject": "某村大操大办", "measures": "约谈当事人"}, acting_user=world.secretary
    )


def _client(user: object) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(user)  # type: ignore[arg-type]
    return client


@pytest.mark.parametrize("persona", list(MAY))
def test_who_takes_a_case_onto_the_list(world: World, persona: str) -> None:
    case = _case(world)
    client = _client(world.users[persona])
    page = client.get(f"/assignments/{case.assignment_id}/")
    posted = client.post(f"/campaign-cases/{case.pk}/problem/")
    if MAY[persona]:
        assert f'id="rectify-case-{case.pk}"' in page.content.decode()
        problem = Problem.objects.get()
        assert posted.status_code == 302 and posted["Location"] == f"/problems/{problem.pk}/"
    else:
        assert f'id="rectify-case-{case.pk}"' not in page.content.decode()
        assert posted.status_code == 404 and not Problem.objects.exists()
    if persona == "outsider":
        assert page.status_code == 404


def test_the_problem_is_the_organizations_and_is_taken_once(world: World) -> None:
    case = _case(world)
    client = _client(world.secretary)
    client.post(f"/campaign-cases/{case.pk}/problem/")
    problem = Problem.objects.get()
    assert (problem.organization_id, problem.member_id) == (world.branch.pk, None)
    assert (problem.source, problem.state) == (ProblemSource.CAMPAIGN, ProblemState.OPEN)
    assert problem.year == case.assignment.campaign.ends_on.year
    assert problem.deadline == case.assignment.campaign.ends_on  # the campaign's end, still ahead
    assert "某村大操大办" in problem.description and "约谈当事人" in problem.description
    assert problem.owner

    page = client.get(f"/assignments/{case.assignment_id}/").content.decode()
    assert f'id="case-problem-{case.pk}"' in page and f"/problems/{problem.pk}/" in page
    assert f'id="rectify-case-{case.pk}"' not in page
    again = client.post(f"/campaign-cases/{case.pk}/problem/")
    assert again.status_code == 302 and again["Location"].startswith(f"/assignments/{case.assignment_id}/")
    with pytest.raises(ValidationError):
        problem_from_case(case, acting_user=world.county_staff)
    assert Problem.objects.count() == 1
    # The sender's page links it too: the committee above reads the branch's list.
    sender = _client(world.county_staff).get(f"/assignments/{case.assignment_id}/").content.decode()
    assert f"/problems/{problem.pk}/" in sender


def test_a_concluded_case_is_not_taken(world: World) -> None:
    case = _case(world, subject="某村红白喜事攀比")
    case = campaigns.conclude_case(case, "已劝导", acting_user=world.secretary)
    client = _client(world.secretary)
    assert (
        f'id="rectify-case-{case.pk}"'
        not in client.get(f"/assignments/{case.assignment_id}/").content.decode()
    )
    client.post(f"/campaign-cases/{case.pk}/problem/")
    assert not Problem.objects.exists()


def test_after_the_campaigns_end_the_deadline_is_the_usual_one(world: World) -> None:
    case = _case(world)
    ended = TODAY - timedelta(days=1)
    Campaign.objects.filter(pk=case.assignment.campaign_id).update(ends_on=ended)
    case = Case.objects.select_related("assignment__organization", "assignment__campaign").get(pk=case.pk)
    problem = problem_from_case(case, acting_user=world.secretary)
    assert problem.year == ended.year and problem.deadline > TODAY
    assert problem.description == "某村大操大办：约谈当事人"
