"""Every interval and count rule at its boundary: the day before, the day, the day after; one
vote short of half, exactly half, one more (the rules as pure checks; the services call them)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from dangjian.core.dates import add_months, add_years
from dangjian.development import rules
from dangjian.development.steps import candidate_from

DAY = timedelta(days=1)


def refused(check, *args) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as exc:
        check(*args)
    return " ".join(exc.value.messages)


def test_the_applicant_is_18_on_the_day_of_the_application() -> None:
    birth = date(2006, 5, 20)
    eighteenth = date(2024, 5, 20)
    assert "at least 18" in refused(rules.check_age, birth, eighteenth - DAY)
    rules.check_age(birth, eighteenth)
    rules.check_age(birth, eighteenth + DAY)


@pytest.mark.parametrize("since", [date(2024, 3, 1), date(2024, 2, 29), date(2023, 12, 31)])
def test_a_candidate_only_after_more_than_one_year_as_an_activist(since: date) -> None:
    anniversary = add_years(since, 1)
    assert "more than one year" in refused(rules.check_candidate_interval, since, anniversary - DAY)
    # The anniversary itself completes one year; "more than one year" begins the day after.
    assert "more than one year" in refused(rules.check_candidate_interval, since, anniversary)
    rules.check_candidate_interval(since, anniversary + DAY)
    assert candidate_from(since) == anniversary + DAY


def test_an_assessment_in_every_half_year_as_an_activist() -> None:
    since = date(2024, 1, 10)
    half, year = add_months(since, 6), add_months(since, 12)
    decided = year + timedelta(days=20)
    rules.check_assessments(since, decided, [half, year])
    assert "2024-07-10 to 2025-01-10" in refused(rules.check_assessments, since, decided, [half])
    assert "2024-01-10 to 2024-07-10" in refused(rules.check_assessments, since, decided, [year])
    # An assessment on the half-year's first day belongs to the half-year before it.
    assert "2024-01-10 to 2024-07-10" in refused(rules.check_assessments, since, decided, [since, year])


@pytest.mark.parametrize(
    ("days", "hours", "ok"), [(2, 23, False), (3, 0, True), (0, 24, True), (2, 0, False)]
)
def test_centralized_training_3_days_or_24_hours(days: int, hours: int, ok: bool) -> None:
    if ok:
        rules.check_training(days, hours)
    else:
        assert "at least 3 days or 24 class hours" in refused(rules.check_training, days, hours)


def test_the_public_notice_lasts_5_working_days_before_the_pre_review() -> None:
    monday = date(2026, 6, 1)
    review = date(2026, 6, 10)
    assert "5 working days" in refused(rules.check_notice, monday, monday + 3 * DAY, review, monday)
    rules.check_notice(monday, monday + 4 * DAY, review, monday)  # Monday to Friday
    friday = monday + 4 * DAY
    assert "5 working days" in refused(rules.check_notice, friday, friday + 5 * DAY, review, monday)
    rules.check_notice(friday, friday + 6 * DAY, review + 3 * DAY, monday)  # Fri + Mon–Thu
    assert "after the public notice" in refused(
        rules.check_notice, monday, monday + 4 * DAY, monday + 4 * DAY, monday
    )
    assert "after the branch committee" in refused(rules.check_notice, monday, friday, review, monday + DAY)


@pytest.mark.parametrize(("present", "valid"), [(4, False), (5, False), (6, True)])
def test_the_assembly_is_valid_only_with_more_than_half_present(present: int, valid: bool) -> None:
    if valid:
        rules.check_vote(10, present, present, 10)
    else:
        assert "not valid" in refused(rules.check_vote, 10, present, present, 10)


@pytest.mark.parametrize(("votes", "passed"), [(4, False), (5, False), (6, True)])
def test_passed_only_with_more_than_half_of_those_who_should_attend(votes: int, passed: bool) -> None:
    # Nine of ten present: five votes are a majority of those present, not of those who should attend.
    if passed:
        rules.check_vote(10, 9, votes, 10)
    else:
        assert "not passed" in refused(rules.check_vote, 10, 9, votes, 10)


def test_counts_checked_against_each_other_and_the_roll() -> None:
    assert "More votes for than members present" in refused(rules.check_vote, 10, 6, 7, 10)
    assert "More members present than should attend" in refused(rules.check_vote, 10, 11, 6, 12)
    assert "7 full members with voting rights" in refused(rules.check_vote, 8, 8, 8, 7)
    assert "should attend" in refused(rules.check_vote, 0, 0, 0, 7)
    rules.check_vote(7, 7, 7, 7)


def test_approval_within_three_months_or_six_with_a_reason() -> None:
    voted = date(2025, 11, 30)
    three, six = add_months(voted, 3), add_months(voted, 6)
    assert three == date(2026, 2, 28)
    rules.check_approval_date(voted, three - DAY, "")
    rules.check_approval_date(voted, three, "")
    assert "special reason" in refused(rules.check_approval_date, voted, three + DAY, "")
    rules.check_approval_date(voted, three + DAY, "上级党委书记外出学习")
    rules.check_approval_date(voted, six, "上级党委书记外出学习")
    assert "within six months" in refused(rules.check_approval_date, voted, six + DAY, "上级党委书记外出学习")


def test_dates_not_in_the_future_nor_before_the_step_before() -> None:
    from django.utils import timezone

    today = timezone.localdate()
    rules.check_date(today, today)
    assert "future" in refused(rules.check_date, today + DAY, None)
    assert "before the step before it" in refused(rules.check_date, today - DAY, today)
