"""The 五化 assessment's state machine: each move, and each refusal."""

import pytest
from django.core.exceptions import ValidationError

from dangjian.core.exceptions import OutOfScope
from dangjian.core.models import AuditEntry
from dangjian.core.scoping import SYSTEM
from dangjian.supervision import services
from dangjian.supervision.models import AssessmentState, FiveStandardsAssessment, FiveStandardsEvidence
from dangjian.testing.world import World

from .helpers import ALL_MEET, EXE, PDF, PNG, secretary_and_township_staff, submitted, this_year, upload


def test_secretary_saves_a_draft_then_submits(world: World) -> None:
    a = services.save_assessment(
        world.branch, this_year(), {"setup_rating": "meets"}, acting_user=world.secretary
    )
    assert a.state == AssessmentState.DRAFT and a.version == 1 and a.setup_rating == "meets"
    a = services.save_assessment(
        world.branch,
        this_year(),
        {**ALL_MEET, "venue_rating": "partly", "venue_note": "活动室面积不足"},
        expected_version=1,
        acting_user=world.secretary,
    )
    assert a.version == 2
    a = services.submit_assessment(a, expected_version=2, acting_user=world.secretary)
    assert a.state == AssessmentState.SUBMITTED
    assert a.submitted_by == world.secretary and a.submitted_at is not None
    assert AuditEntry.objects.filter(action="five_standards.submit", success=True).count() == 1


def test_submission_needs_every_rating_and_a_note_where_not_met(world: World) -> None:
    a = services.save_assessment(
        world.branch, this_year(), {"setup_rating": "meets"}, acting_user=world.secretary
    )
    with pytest.raises(ValidationError) as exc:
        services.submit_assessment(a, acting_user=world.secretary)
    assert "Rate “Normal organizational life” before submitting." in exc.value.messages
    a = services.save_assessment(
        world.branch, this_year(), {**ALL_MEET, "life_rating": "does_not_meet"}, acting_user=world.secretary
    )
    with pytest.raises(ValidationError) as exc:
        services.submit_assessment(a, acting_user=world.secretary)
    assert exc.value.messages == ["Say what is missing in “Normal organizational life”."]
    assert FiveStandardsAssessment.objects.get().state == AssessmentState.DRAFT
    assert AuditEntry.objects.filter(action="five_standards.submit", success=False).count() == 2


@pytest.mark.parametrize("persona", ["county_staff", "province_staff", "member_user"])
def test_only_the_branch_itself_fills_in(world: World, persona: str) -> None:
    with pytest.raises(ValidationError, match="Only the branch's own secretary or organizer"):
        services.save_assessment(world.branch, this_year(), ALL_MEET, acting_user=world.users[persona])
    assert not FiveStandardsAssessment.objects.exists()


def test_outsider_is_out_of_scope(world: World) -> None:
    with pytest.raises(OutOfScope):
        services.save_assessment(world.branch, this_year(), ALL_MEET, acting_user=world.outsider)
    a = submitted(world.branch, world.secretary)
    with pytest.raises(OutOfScope):
        services.decide_assessment(a, "meets_standard", acting_user=world.outsider)


def test_bad_input_is_refused(world: World) -> None:
    with pytest.raises(ValidationError, match="made by a branch"):
        services.save_assessment(world.township, this_year(), ALL_MEET, acting_user=SYSTEM)
    with pytest.raises(ValidationError, match="Enter a year from 2000 to"):
        services.save_assessment(world.branch, this_year() + 1, ALL_MEET, acting_user=world.secretary)
    with pytest.raises(ValidationError, match="Choose meets, partly meets or does not meet"):
        services.save_assessment(
            world.branch, this_year(), {"setup_rating": "great"}, acting_user=world.secretary
        )
    with pytest.raises(ValidationError, match="at most 1000 characters"):
        services.save_assessment(
            world.branch, this_year(), {"setup_note": "x" * 1001}, acting_user=world.secretary
        )


def test_county_decides_meets_the_standard_and_it_is_final(world: World) -> None:
    a = submitted(world.branch, world.secretary)
    a = services.decide_assessment(
        a, "meets_standard", comment="材料齐全", expected_version=a.version, acting_user=world.county_staff
    )
    assert a.state == AssessmentState.MEETS_STANDARD
    assert (
        a.reviewed_by == world.county_staff and a.reviewed_at is not None and a.review_comment == "材料齐全"
    )
    for call in (
        lambda: services.decide_assessment(a, "below_standard", acting_user=world.county_staff),
        lambda: services.return_assessment(a, reason="再看看", acting_user=world.county_staff),
        lambda: services.submit_assessment(a, acting_user=world.secretary),
        lambda: services.save_assessment(world.branch, this_year(), ALL_MEET, acting_user=world.secretary),
    ):
        with pytest.raises(ValidationError):
            call()
    assert FiveStandardsAssessment.objects.get().state == AssessmentState.MEETS_STANDARD


def test_below_standard_is_final_too(world: World) -> None:
    a = submitted(world.branch, world.secretary)
    a = services.decide_assessment(a, "below_standard", comment="阵地未建", acting_user=world.province_staff)
    assert a.state == AssessmentState.BELOW_STANDARD
    with pytest.raises(ValidationError, match="cannot become"):
        services.decide_assessment(a, "meets_standard", acting_user=world.province_staff)


def test_returned_with_a_reason_then_revised_and_resubmitted(world: World) -> None:
    a = submitted(world.branch, world.secretary)
    with pytest.raises(ValidationError, match="Say why the assessment is returned"):
        services.return_assessment(a, reason="  ", acting_user=world.county_staff)
    a = services.return_assessment(a, reason="补充组织生活记录", acting_user=world.county_staff)
    assert a.state == AssessmentState.RETURNED and a.review_comment == "补充组织生活记录"
    a = services.save_assessment(
        world.branch, this_year(), {**ALL_MEET, "life_note": "已补充"}, acting_user=world.secretary
    )
    a = services.submit_assessment(a, acting_user=world.secretary)
    assert a.state == AssessmentState.SUBMITTED and a.life_note == "已补充"


def test_draft_cannot_be_decided(world: World) -> None:
    a = services.save_assessment(world.branch, this_year(), ALL_MEET, acting_user=world.secretary)
    with pytest.raises(ValidationError, match="cannot become"):
        services.decide_assessment(a, "meets_standard", acting_user=world.county_staff)
    with pytest.raises(ValidationError, match="Choose whether the branch meets the standard"):
        services.decide_assessment(a, "returned", acting_user=world.county_staff)


def test_the_branch_never_reviews_its_own_assessment(world: World) -> None:
    a = submitted(world.branch, world.secretary)
    with pytest.raises(ValidationError, match="reviewed by the level above"):
        services.decide_assessment(a, "meets_standard", acting_user=world.secretary)
    # Even holding a grant above as well: whoever works inside the branch does not judge it.
    double = secretary_and_township_staff(world)
    with pytest.raises(ValidationError, match="own secretary, organizer or staff cannot review"):
        services.decide_assessment(a, "meets_standard", acting_user=double)
    with pytest.raises(ValidationError, match="reviewed by the level above"):
        services.decide_assessment(a, "meets_standard", acting_user=world.member_user)
    assert FiveStandardsAssessment.objects.get().state == AssessmentState.SUBMITTED


def test_a_decision_on_a_stale_page_is_refused(world: World) -> None:
    a = submitted(world.branch, world.secretary)
    with pytest.raises(ValidationError, match="reload the page"):
        services.decide_assessment(
            a, "meets_standard", expected_version=a.version - 1, acting_user=world.county_staff
        )


def test_evidence_is_checked_by_content(world: World) -> None:
    a = services.save_assessment(world.branch, this_year(), ALL_MEET, acting_user=world.secretary)
    e = services.add_evidence(a, upload("活动室.png", PNG), dimension="venue", acting_user=world.secretary)
    assert e.file_name == "活动室.png" and "活动室" not in e.file.name and e.file.name.endswith(".png")
    services.add_evidence(a, upload("制度汇编.pdf", PDF), acting_user=world.secretary)
    for name, content, message in (
        ("照片.png", EXE, "This kind of file is not accepted"),
        ("制度.docx", PDF, "does not match its content"),
        ("空.pdf", b"", "The file is empty."),
    ):
        with pytest.raises(ValidationError, match=message):
            services.add_evidence(a, upload(name, content), acting_user=world.secretary)
    with pytest.raises(ValidationError, match="Choose one of the five dimensions"):
        services.add_evidence(a, upload("a.png"), dimension="food", acting_user=world.secretary)
    with pytest.raises(ValidationError, match="Only the branch's own"):
        services.add_evidence(a, upload("a.png"), acting_user=world.county_staff)
    assert FiveStandardsEvidence.objects.count() == 2
    services.remove_evidence(e, acting_user=world.secretary)
    assert FiveStandardsEvidence.objects.count() == 1


def test_evidence_is_frozen_once_submitted(world: World) -> None:
    a = services.save_assessment(world.branch, this_year(), ALL_MEET, acting_user=world.secretary)
    e = services.add_evidence(a, upload("a.png"), acting_user=world.secretary)
    services.submit_assessment(a, acting_user=world.secretary)
    with pytest.raises(ValidationError, match="before the assessment is submitted"):
        services.add_evidence(a, upload("b.png"), acting_user=world.secretary)
    with pytest.raises(ValidationError, match="stays on record"):
        services.remove_evidence(e, acting_user=world.secretary)
