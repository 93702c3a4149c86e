"""The secretary's report: written, submitted, returned or graded by the level above."""

import pytest
from django.core.exceptions import ValidationError

from dangjian.accounts.roles import Role
from dangjian.core.exceptions import OutOfScope
from dangjian.core.scoping import SYSTEM
from dangjian.supervision import report_services as services
from dangjian.supervision.models import REPORT_TEXT_MAX, ReportState, SecretaryReport
from dangjian.testing.world import World, make_user

from .helpers import EXE, PDF, secretary_and_township_staff, this_year, upload


def _submitted(world: World) -> SecretaryReport:
    r = services.save_report(world.branch, this_year(), "一年来支部工作……", acting_user=world.secretary)
    return services.submit_report(r, acting_user=world.secretary)


def test_written_submitted_and_graded(world: World) -> None:
    r = services.save_report(
        world.branch, this_year(), "  一年来……\r\n", upload("述职.pdf", PDF), acting_user=world.secretary
    )
    assert r.state == ReportState.DRAFT and r.text == "一年来……" and r.attachment_name == "述职.pdf"
    r = services.submit_report(r, expected_version=r.version, acting_user=world.secretary)
    assert r.state == ReportState.SUBMITTED
    r = services.evaluate_report(r, "fairly_good", comment="抓党建有力", acting_user=world.county_staff)
    assert (r.state, r.grade, r.review_comment) == (ReportState.EVALUATED, "fairly_good", "抓党建有力")
    assert r.reviewed_by == world.county_staff and r.reviewed_at is not None
    with pytest.raises(ValidationError, match="cannot become"):
        services.return_report(r, reason="再改", acting_user=world.county_staff)
    with pytest.raises(ValidationError, match="can no longer be changed"):
        services.save_report(world.branch, this_year(), "改", acting_user=world.secretary)


def test_returned_then_resubmitted(world: World) -> None:
    r = _submitted(world)
    with pytest.raises(ValidationError, match="Say what the secretary should revise"):
        services.return_report(r, reason="", acting_user=world.county_staff)
    r = services.return_report(r, reason="补充问题清单", acting_user=world.county_staff)
    assert r.state == ReportState.RETURNED and r.review_comment == "补充问题清单"
    r = services.save_report(world.branch, this_year(), "已补充", acting_user=world.secretary)
    assert services.submit_report(r, acting_user=world.secretary).state == ReportState.SUBMITTED


def test_refusals(world: World) -> None:
    with pytest.raises(ValidationError, match="at most 10000 characters"):
        services.save_report(
            world.branch, this_year(), "字" * (REPORT_TEXT_MAX + 1), acting_user=world.secretary
        )
    with pytest.raises(ValidationError, match="not accepted"):
        services.save_report(
            world.branch, this_year(), "x", upload("述职.pdf", EXE), acting_user=world.secretary
        )
    with pytest.raises(ValidationError, match="Only the organization's own secretary"):
        services.save_report(world.branch, this_year(), "x", acting_user=world.county_staff)
    with pytest.raises(OutOfScope):
        services.save_report(world.branch, this_year(), "x", acting_user=world.outsider)
    with pytest.raises(ValidationError, match="no level above"):
        services.save_report(world.province, this_year(), "x", acting_user=SYSTEM)
    r = services.save_report(world.branch, this_year(), "", acting_user=world.secretary)
    with pytest.raises(ValidationError, match="Write the report before submitting"):
        services.submit_report(r, acting_user=world.secretary)
    with pytest.raises(ValidationError, match="cannot become"):
        services.evaluate_report(r, "good", acting_user=world.county_staff)
    assert SecretaryReport.objects.get().state == ReportState.DRAFT


def test_grade_is_required_and_the_branch_never_grades_itself(world: World) -> None:
    r = _submitted(world)
    with pytest.raises(ValidationError, match="Choose good, fairly good, average or poor"):
        services.evaluate_report(r, "excellent", acting_user=world.county_staff)
    with pytest.raises(ValidationError, match="reviewed by the level above"):
        services.evaluate_report(r, "good", acting_user=world.secretary)
    with pytest.raises(ValidationError, match="cannot review its own work"):
        services.evaluate_report(r, "good", acting_user=secretary_and_township_staff(world))
    assert SecretaryReport.objects.get().state == ReportState.SUBMITTED


def test_a_committee_reports_to_the_level_above(world: World) -> None:
    township_staff = make_user("township_staff", Role.COMMITTEE_STAFF, world.township)
    r = services.save_report(world.township, this_year(), "街道党工委述职", acting_user=township_staff)
    r = services.submit_report(r, acting_user=township_staff)
    with pytest.raises(ValidationError, match="reviewed by the level above"):
        services.evaluate_report(r, "good", acting_user=township_staff)
    r = services.evaluate_report(r, "average", acting_user=world.county_staff)
    assert r.grade == "average"
