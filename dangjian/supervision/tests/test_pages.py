"""The three pages and their actions: who sees what, the flows through the forms, 404 outside the
reach, and query budgets on the lists."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.core.scoping import SYSTEM
from dangjian.supervision import link_services, report_services
from dangjian.supervision.models import (
    AssessmentState,
    CommitteeLink,
    FiveStandardsAssessment,
    FiveStandardsEvidence,
    InspectionVisit,
    ReportState,
    SecretaryReport,
)
from dangjian.testing.world import World, make_org

from .helpers import ALL_MEET, EXE, PNG, client_for, county_cadre, submitted, this_year, today, upload

PAGES = ["five-standards/", "secretary-report/", "committee-links/"]
ACTIONS = [
    "five-standards/review/",
    "five-standards/evidence/",
    "five-standards/evidence/remove/",
    "secretary-report/review/",
    "committee-links/end/",
    "committee-links/visits/",
]
FILES = ["five-standards/evidence/file/", "secretary-report/file/"]


def _form(**extra: str) -> dict[str, str]:
    return {"year": str(this_year()), **ALL_MEET, **extra}


def test_outsider_gets_404_on_every_page_and_action(world: World) -> None:
    a = submitted(world.branch, world.secretary)
    e = FiveStandardsEvidence.objects.create(assessment=a, file="x.png", file_name="x.png")
    r = report_services.save_report(
        world.branch, this_year(), "述职", upload("a.png"), acting_user=world.secretary
    )
    link = link_services.link_branch(county_cadre(world), world.branch, acting_user=SYSTEM)
    outsider = client_for(world.outsider)
    for org in (world.branch, world.township, world.county):
        for page in PAGES:
            url = f"/orgs/{org.pk}/{page}"
            assert outsider.get(url).status_code == 404, url
            assert outsider.post(url, _form()).status_code == 404, url
        for action in ACTIONS:
            data = {
                "year": str(this_year()),
                "id": str(e.pk),
                "link": str(link.pk),
                "decision": "meets_standard",
            }
            assert outsider.post(f"/orgs/{org.pk}/{action}", data).status_code == 404, action
        for file in FILES:
            assert outsider.get(f"/orgs/{org.pk}/{file}?id={e.pk}&year={r.year}").status_code == 404
    assert FiveStandardsAssessment.objects.get().state == AssessmentState.SUBMITTED
    assert CommitteeLink.objects.get().ended_on is None


def test_pages_for_each_persona(world: World) -> None:
    for persona in ("province_staff", "county_staff", "secretary", "member_user"):
        client = client_for(world.users[persona])
        for page in PAGES:
            assert client.get(f"/orgs/{world.branch.pk}/{page}").status_code == 200, (persona, page)
    secretary = client_for(world.secretary).get(f"/orgs/{world.branch.pk}/five-standards/").content.decode()
    assert 'id="five-standards-form"' in secretary and "Standard activity venue" in secretary
    member = client_for(world.member_user).get(f"/orgs/{world.branch.pk}/five-standards/").content.decode()
    assert 'id="five-standards-form"' not in member and "No assessment for this year yet." in member


def test_assessment_flow_through_the_pages(world: World) -> None:
    secretary = client_for(world.secretary)
    url = f"/orgs/{world.branch.pk}/five-standards/"
    incomplete = secretary.post(url, {"year": str(this_year()), "setup_rating": "meets", "submit": "1"})
    assert incomplete.status_code == 400
    assert "Rate “Normal organizational life” before submitting." in incomplete.content.decode()
    a = FiveStandardsAssessment.objects.get()
    assert a.state == AssessmentState.DRAFT and a.setup_rating == "meets"  # the draft was kept
    response = secretary.post(
        f"/orgs/{world.branch.pk}/five-standards/evidence/",
        {"year": str(this_year()), "dimension": "venue", "file": upload("阵地.png", PNG)},
    )
    assert response.status_code == 302 and FiveStandardsEvidence.objects.count() == 1
    secretary.post(
        f"/orgs/{world.branch.pk}/five-standards/evidence/",
        {"year": str(this_year()), "file": upload("阵地.png", EXE)},
    )
    assert FiveStandardsEvidence.objects.count() == 1
    stale = secretary.post(url, _form(version=str(a.version), submit="1"))  # a file was added since
    assert stale.status_code == 400 and "reload the page" in stale.content.decode()
    a.refresh_from_db()
    assert secretary.post(url, _form(version=str(a.version), submit="1")).status_code == 302
    assert FiveStandardsAssessment.objects.get().state == AssessmentState.SUBMITTED
    page = secretary.get(url).content.decode()
    assert "Awaiting the decision of the level above." in page and 'id="review"' not in page
    evidence = FiveStandardsEvidence.objects.get()
    download = client_for(world.county_staff).get(
        f"/orgs/{world.branch.pk}/five-standards/evidence/file/?id={evidence.pk}"
    )
    assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PNG  # type: ignore[attr-defined]
    # The secretary cannot decide; the county can.
    version = str(FiveStandardsAssessment.objects.get().version)
    review = f"/orgs/{world.branch.pk}/five-standards/review/"
    data = {"year": str(this_year()), "version": version, "decision": "meets_standard"}
    secretary.post(review, data)
    assert FiveStandardsAssessment.objects.get().state == AssessmentState.SUBMITTED
    county = client_for(world.county_staff)
    assert 'id="review"' in county.get(url).content.decode()
    assert county.get(f"/orgs/{world.township.pk}/five-standards/").content.decode().count("第一党支部") >= 2
    county.post(review, {**data, "decision": "returned"})  # no reason: refused
    assert FiveStandardsAssessment.objects.get().state == AssessmentState.SUBMITTED
    county.post(review, data)
    assert FiveStandardsAssessment.objects.get().state == AssessmentState.MEETS_STANDARD
    assert "Meets the standard" in secretary.get(url).content.decode()


def test_report_flow_through_the_pages(world: World) -> None:
    secretary = client_for(world.secretary)
    url = f"/orgs/{world.branch.pk}/secretary-report/"
    response = secretary.post(
        url,
        {"year": str(this_year()), "text": "一年来的工作", "attachment": upload("述职.png"), "submit": "1"},
    )
    assert response.status_code == 302
    r = SecretaryReport.objects.get()
    assert r.state == ReportState.SUBMITTED and r.attachment_name == "述职.png"
    file = client_for(world.county_staff).get(
        f"/orgs/{world.branch.pk}/secretary-report/file/?year={this_year()}"
    )
    assert file.status_code == 200
    county = client_for(world.county_staff)
    township = county.get(f"/orgs/{world.township.pk}/secretary-report/").content.decode()
    assert 'id="awaiting"' in township and "第一党支部" in township
    review = f"/orgs/{world.branch.pk}/secretary-report/review/"
    county.post(
        review, {"year": str(this_year()), "version": str(r.version), "comment": "补充", "return": "1"}
    )
    assert SecretaryReport.objects.get().state == ReportState.RETURNED
    r = SecretaryReport.objects.get()
    secretary.post(
        url, {"year": str(this_year()), "version": str(r.version), "text": "修改后", "submit": "1"}
    )
    r = SecretaryReport.objects.get()
    assert r.state == ReportState.SUBMITTED and r.text == "修改后"
    county.post(
        review, {"year": str(this_year()), "version": str(r.version), "grade": "good", "evaluate": "1"}
    )
    assert SecretaryReport.objects.get().grade == "good"
    assert "Good" in secretary.get(url).content.decode()


def test_links_page(world: World) -> None:
    cadre = county_cadre(world)
    county = client_for(world.county_staff)
    url = f"/orgs/{world.county.pk}/committee-links/"
    page = county.get(url).content.decode()
    assert "Links no branch yet." in page and "2 branches below are linked by no committee member" in page
    refused = county.post(url, {"cadre": cadre.pk, "branch": world.township.pk, "since": today().isoformat()})
    assert refused.status_code == 400 and "is not a branch under 芙蓉区委" in refused.content.decode()
    assert (
        county.post(
            url, {"cadre": cadre.pk, "branch": world.branch.pk, "since": today().isoformat()}
        ).status_code
        == 302
    )
    page = county.get(url).content.decode()
    assert "1 branch below is linked by no committee member" in page and "第二党支部" in page
    link = CommitteeLink.objects.get()
    future = (today() + timedelta(days=1)).isoformat()
    visit = {"link": link.pk, "visited_on": future, "checked": "台账", "findings": "齐全"}
    county.post(f"/orgs/{world.county.pk}/committee-links/visits/", visit)
    assert not InspectionVisit.objects.exists()
    county.post(
        f"/orgs/{world.county.pk}/committee-links/visits/", {**visit, "visited_on": today().isoformat()}
    )
    assert InspectionVisit.objects.count() == 1
    branch_page = (
        client_for(world.secretary).get(f"/orgs/{world.branch.pk}/committee-links/").content.decode()
    )
    assert "张伟" in branch_page and "台账" in branch_page
    # The secretary of the branch cannot link from the committee's page (which it cannot see).
    assert (
        client_for(world.secretary).post(url, {"cadre": cadre.pk, "branch": world.branch2.pk}).status_code
        == 404
    )
    county.post(f"/orgs/{world.county.pk}/committee-links/end/", {"link": link.pk})
    assert CommitteeLink.objects.get().ended_on == today()


def _queries(client: object, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200  # type: ignore[attr-defined]
    return len(ctx.captured_queries)


@pytest.mark.parametrize("page", PAGES)
def test_list_pages_keep_a_query_budget(world: World, page: str) -> None:
    county = client_for(world.county_staff)
    url = f"/orgs/{world.township.pk}/{page}"
    first = _queries(county, url)
    assert first <= 16, first
    # More branches, with records, cost no more queries.
    cadre = county_cadre(world)
    for n in range(5):
        branch = make_org(world.township, f"新支部{n}", f"43010200109{n}", "branch", "community")
        link_services.link_branch(cadre, branch, acting_user=SYSTEM)
        submitted(branch, SYSTEM)
        report = report_services.save_report(branch, this_year(), "述职", acting_user=SYSTEM)
        report_services.submit_report(report, acting_user=SYSTEM)
    assert _queries(county, url) <= first
    assert _queries(county, f"/orgs/{world.county.pk}/{page}") <= 16
