"""A branch secretary on a phone (360 px) fills in the five-standards assessment and submits it."""

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from dangjian.supervision.models import AssessmentState, FiveStandardsAssessment
from dangjian.testing.browser import assert_fits
from dangjian.testing.world import build_world
from dangjian.web.tests.test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_secretary_fills_and_submits_the_assessment_on_a_phone(page: Page, live_server: Any) -> None:
    world = build_world()
    base = str(live_server)
    page.set_viewport_size({"width": 360, "height": 740})
    # The assertions read English (the default language, Chinese, is checked in web's tests).
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    log_in(page, base, "secretary", otp=True)
    page.goto(f"{base}/orgs/{world.branch.pk}/five-standards/")
    form = page.locator("#five-standards-form")
    expect(form).to_be_visible()
    assert_fits(page, 360)
    for code in ("setup", "life", "management", "rules"):
        page.select_option(f"#id_{code}_rating", "meets")
    page.select_option("#id_venue_rating", "partly")
    page.locator("#submit-assessment").click()
    # Refused: a dimension not fully met needs a note; the draft is kept.
    expect(form).to_contain_text("Say what is missing")
    page.fill("#id_venue_note", "活动室正在改造，年底前完成")
    page.locator("#submit-assessment").click()
    expect(page.locator("#assessment-state")).to_contain_text("Submitted")
    expect(page.locator("#ratings")).to_contain_text("活动室正在改造")
    assert_fits(page, 360)
    assessment = FiveStandardsAssessment.objects.get()
    assert assessment.state == AssessmentState.SUBMITTED and assessment.venue_rating == "partly"
