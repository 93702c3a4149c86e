"""Correcting calls and nominations, and taking back evidence: a draft call is edited in full by
whoever may draft it, an open one only has its dates extended (with a reason, audited); a
nomination is corrected by the nominating officers before anyone above acts on it (the deeds only
once submitted); evidence is removed while it may be added. Stale versions are refused, and the
buttons are shown only to those who may use them."""

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from dangjian.core.exceptions import OutOfScope
from dangjian.core.models import AuditEntry
from dangjian.honours import services
from dangjian.honours.models import Call, Nomination, NominationState
from dangjian.orglife.tests.helpers import jpeg_bytes, upload
from dangjian.testing.world import World, add_every_role

from .helpers import call_of, nominate


def _client(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


def _call_form(call: Call, **extra: Any) -> dict[str, Any]:
    return {
        "title": call.title,
        "criteria": call.criteria,
        "categories": call.categories,
        "nominations_due": call.nominations_due.isoformat(),
        "publish_by": call.publish_by.isoformat(),
        "version": call.version,
    } | extra


def test_a_draft_call_is_corrected_in_full_by_its_committee(world: World) -> None:
    call = call_of(world, opened=False)
    later = timezone.localdate() + timedelta(days=20)
    county = _client(world, "county_staff")
    assert f"/honour-calls/{call.pk}/edit/" in county.get(f"/honour-calls/{call.pk}/").content.decode()
    form = county.get(f"/honour-calls/{call.pk}/edit/")
    assert form.status_code == 200 and call.criteria in form.content.decode()
    sent = county.post(
        f"/honour-calls/{call.pk}/edit/",
        _call_form(
            call,
            title="七一表彰",
            categories=["member"],
            nominations_due=later.isoformat(),
            publish_by=(later + timedelta(days=30)).isoformat(),
        ),
    )
    assert sent.status_code == 302 and sent["Location"] == f"/honour-calls/{call.pk}/"
    call.refresh_from_db()
    assert (call.title, call.categories, call.nominations_due, call.version) == (
        "七一表彰",
        ["member"],
        later,
        1,
    )
    assert call.year == later.year
    entry = AuditEntry.objects.get(action="honour_call.update", success=True)
    assert entry.changes["title"] == ["“两优一先”评选表彰", "七一表彰"]
    # The form based on version 0 is now stale: refused, nothing changed.
    stale = county.post(f"/honour-calls/{call.pk}/edit/", _call_form(call, title="又改", version=0))
    assert stale.status_code == 200  # the form again, with the refusal
    assert Call.objects.get().title == "七一表彰"
    # The publication date must still leave the review and the notice after the deadline.
    with pytest.raises(ValidationError):
        services.update_call(call, {"publish_by": later}, acting_user=world.county_staff)


def test_an_open_call_only_has_its_dates_extended_with_a_reason(world: World) -> None:
    call = call_of(world)
    due = call.nominations_due
    with pytest.raises(ValidationError) as refused:
        services.update_call(call, {"title": "改名"}, reason="笔误", acting_user=world.county_staff)
    assert "title" in refused.value.message_dict
    with pytest.raises(ValidationError) as earlier:
        services.update_call(
            call, {"nominations_due": due - timedelta(days=1)}, reason="提前", acting_user=world.county_staff
        )
    assert "nominations_due" in earlier.value.message_dict
    with pytest.raises(ValidationError) as no_reason:
        services.update_call(
            call, {"nominations_due": due + timedelta(days=1)}, acting_user=world.county_staff
        )
    assert "reason" in no_reason.value.message_dict
    county = _client(world, "county_staff")
    page = county.get(f"/honour-calls/{call.pk}/edit/").content.decode()
    assert "open-call-hint" in page and 'name="reason"' in page
    # A day later (the deadline stays within the call's year, so not past 31 December).
    new_due = due + timedelta(days=1) if (due.month, due.day) != (12, 31) else due
    publish_by = call.publish_by + timedelta(days=3)
    county.post(
        f"/honour-calls/{call.pk}/edit/",
        _call_form(
            call,
            title="不会被改",
            nominations_due=new_due.isoformat(),
            publish_by=publish_by.isoformat(),
            reason="基层申请延期",
        ),
    )
    call.refresh_from_db()
    assert call.title == "“两优一先”评选表彰"  # shown, not taken
    assert (call.nominations_due, call.publish_by, call.version) == (new_due, publish_by, 2)
    entry = AuditEntry.objects.filter(action="honour_call.update", success=True).get()
    assert entry.detail == "基层申请延期" and "publish_by" in entry.changes


def test_a_call_is_edited_only_by_who_may_draft_it_and_not_once_closed(world: World) -> None:
    call = call_of(world, opened=False)
    url = f"/honour-calls/{call.pk}/"
    for persona in ("secretary", "member_user"):  # read the county's call? no: not found
        assert _client(world, persona).get(f"{url}edit/").status_code == 404
    assert _client(world, "outsider").post(f"{url}edit/", _call_form(call, title="越界")).status_code == 404
    with pytest.raises(OutOfScope):
        services.update_call(call, {"title": "越界"}, acting_user=world.outsider)
    assert Call.objects.get().title == call.title
    services.open_call(call, acting_user=world.county_staff)
    services.close_call(call, acting_user=world.county_staff)
    page = _client(world, "county_staff").get(url).content.decode()
    assert f"{url}edit/" not in page  # under review: nothing to edit
    assert _client(world, "county_staff").get(f"{url}edit/").status_code == 302
    with pytest.raises(ValidationError):
        services.update_call(
            call,
            {"publish_by": call.publish_by + timedelta(days=9)},
            reason="x",
            acting_user=world.county_staff,
        )


def test_a_reader_of_the_call_sees_no_edit_buttons(world: World, settings: Any, tmp_path: Any) -> None:
    """The county's supervisor and the system administrator read the call and the nomination but
    change neither: no edit or remove buttons, and the edit pages are not found for them. The
    province (whose staff may change the county's records) is offered the edit."""
    settings.MEDIA_ROOT = tmp_path
    add_every_role(world)
    call = call_of(world, opened=False)
    call_url = f"/honour-calls/{call.pk}/"
    for persona in ("supervisor", "sysadmin"):
        client = _client(world, persona)
        page = client.get(call_url)
        assert page.status_code == 200 and call.title in page.content.decode()
        assert f"{call_url}edit/" not in page.content.decode(), persona
        assert client.get(f"{call_url}edit/").status_code == 404, persona
    assert f"{call_url}edit/" in _client(world, "province_staff").get(call_url).content.decode()
    services.open_call(call, acting_user=world.county_staff)
    nomination = nominate(world, call, submit=False)
    services.add_evidence(nomination, [upload("证书.jpg", jpeg_bytes())], acting_user=world.secretary)
    url = f"/nominations/{nomination.pk}/"
    for persona in ("supervisor", "county_staff", "member_user"):
        page = _client(world, persona).get(url).content.decode()
        assert "证书.jpg" in page, persona  # reads the evidence
        assert f"{url}edit/" not in page and "/remove/" not in page, persona
    assert (
        "/edit/"
        not in _client(world, "member_user").get(f"/orgs/{world.branch.pk}/honour-calls/").content.decode()
    )
    secretary_page = _client(world, "secretary").get(url).content.decode()
    assert f"{url}edit/" in secretary_page and "/remove/" in secretary_page


def test_a_draft_nomination_is_corrected_in_full_a_submitted_one_in_its_deeds(world: World) -> None:
    call = call_of(world)
    nomination = nominate(world, call, submit=False)
    secretary = _client(world, "secretary")
    url = f"/nominations/{nomination.pk}/edit/"
    form = secretary.get(url)
    assert form.status_code == 200 and nomination.story in form.content.decode()
    sent = secretary.post(
        url,
        {"category": "member", "nominee_member": world.member.pk, "story": "扎根基层二十年", "version": 0},
    )
    assert sent.status_code == 302
    nomination.refresh_from_db()
    assert (nomination.nominee_member, nomination.story, nomination.version) == (
        world.member,
        "扎根基层二十年",
        1,
    )
    entry = AuditEntry.objects.get(action="nomination.update", success=True)
    assert entry.changes["nominee_member"] == [world.member2.name, world.member.name]
    # Someone outside the nominating organization's subtree cannot be named.
    with pytest.raises(ValidationError):
        services.update_nomination(
            nomination, {"nominee_member": world.member_b}, acting_user=world.secretary
        )
    submitted = services.submit_nomination(nomination, acting_user=world.secretary)
    assert "submitted-hint" in secretary.get(url).content.decode()
    secretary.post(
        url,
        {
            "category": "member",
            "nominee_member": world.member2.pk,
            "story": "补充事迹",
            "version": submitted.version,
        },
    )
    nomination.refresh_from_db()
    assert (nomination.nominee_member, nomination.story) == (world.member, "补充事迹")  # the nominee stays
    with pytest.raises(ValidationError):
        services.update_nomination(nomination, {"nominee_member": world.member2}, acting_user=world.secretary)
    # The level above reviewing the old text is refused as stale: it sees the correction first.
    stale = _client(world, "county_staff").post(f"/nominations/{nomination.pk}/recommend/", {"version": 1})
    assert stale.status_code == 302 and Nomination.objects.get().state == NominationState.SUBMITTED


def test_a_nomination_is_corrected_only_by_its_officers_and_not_once_recommended(world: World) -> None:
    call = call_of(world)
    nomination = nominate(world, call)
    url = f"/nominations/{nomination.pk}/edit/"
    assert _client(world, "outsider").post(url, {"story": "越界"}).status_code == 404
    assert _client(world, "county_staff").get(url).status_code == 302  # reads, does not nominate
    with pytest.raises(ValidationError):
        services.update_nomination(nomination, {"story": "改写"}, acting_user=world.county_staff)
    with pytest.raises(ValidationError) as stale:
        services.update_nomination(
            nomination, {"story": "改写"}, expected_version=0, acting_user=world.secretary
        )
    assert stale.value.code == "stale"
    services.recommend_nomination(nomination, acting_user=world.county_staff)
    assert f"{url}" not in _client(world, "secretary").get(f"/nominations/{nomination.pk}/").content.decode()
    with pytest.raises(ValidationError):
        services.update_nomination(nomination, {"story": "改写"}, acting_user=world.secretary)
    assert Nomination.objects.get().story == "带头参加志愿服务十年"


def test_evidence_uploaded_by_mistake_is_removed_before_the_decision(
    world: World, settings: Any, tmp_path: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    call = call_of(world)
    nomination = nominate(world, call)
    [row, kept] = services.add_evidence(
        nomination,
        [upload("错传.jpg", jpeg_bytes()), upload("证书.jpg", jpeg_bytes())],
        acting_user=world.secretary,
    )
    nomination.refresh_from_db()
    url = f"/nominations/{nomination.pk}/evidence/{row.pk}/remove/"
    secretary = _client(world, "secretary")
    assert url in secretary.get(f"/nominations/{nomination.pk}/").content.decode()
    assert _client(world, "outsider").post(url).status_code == 404
    assert (
        _client(world, "secretary").post(f"/nominations/{nomination.pk}/evidence/999999/remove/").status_code
        == 404
    )
    _client(world, "county_staff").post(url)  # reads it, may not change its evidence
    assert nomination.evidence.count() == 2
    secretary.post(url, {"version": nomination.version - 1})  # stale
    assert nomination.evidence.count() == 2
    with django_capture_on_commit_callbacks(execute=True):  # the file goes once committed
        assert secretary.post(url, {"version": nomination.version}).status_code == 302
    assert list(nomination.evidence.all()) == [kept]
    assert len(list(tmp_path.rglob("*.jpg"))) == 1
    entry = AuditEntry.objects.get(action="nomination.evidence_remove", success=True)
    assert entry.changes == {"evidence": ["错传.jpg", None]}
    services.recommend_nomination(nomination, acting_user=world.county_staff)
    page = secretary.get(f"/nominations/{nomination.pk}/").content.decode()
    assert "/remove/" not in page
    with pytest.raises(ValidationError):
        services.remove_evidence(nomination, kept.pk, acting_user=world.secretary)
    assert nomination.evidence.count() == 1
