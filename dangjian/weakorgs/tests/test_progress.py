"""Correcting the rectification's record: an entry's date or text corrected, an entry deleted with
its evidence, a file taken back — by whoever may record progress (the organization's officers or
the level above, short of the county), while the listing is with the organization; audited with
the old values; a stale correction refused; files deleted only once the deletion is committed."""

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from django.utils import timezone

from dangjian.accounts.roles import Role
from dangjian.core.exceptions import OutOfScope
from dangjian.core.models import AuditEntry
from dangjian.orglife.tests.helpers import jpeg_bytes, upload
from dangjian.testing.world import World, make_user
from dangjian.weakorgs import services
from dangjian.weakorgs.models import Evidence, Listing, Progress

from .helpers import PLAN, listed

TODAY = timezone.localdate()


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _planned_with_entry(world: World) -> tuple[Listing, Progress]:
    listing = services.save_plan(listed(world), PLAN, acting_user=world.secretary)
    entry = services.add_progress(
        listing, "召开支委会", TODAY, [upload("会议.jpg", jpeg_bytes())], acting_user=world.secretary
    )
    return listing, entry


def _stored(entry: Progress, media: Path) -> list[Path]:
    return [media / e.file.name for e in Evidence.objects.filter(progress=entry)]


def _outcome(call: Any) -> str:
    """ "ok", "404" or the refusal's code of a correction; always rolled back."""
    try:
        with transaction.atomic():
            call()
            transaction.set_rollback(True)
    except OutOfScope:
        return "404"
    except ValidationError as exc:
        return str(exc.code or "invalid")
    return "ok"


def test_who_may_correct_delete_and_take_back(world: World, media: Path) -> None:
    listing, entry = _planned_with_entry(world)
    [evidence] = entry.evidence.all()
    township_staff = make_user("township_staff", Role.COMMITTEE_STAFF, world.township)
    expected = {
        "secretary": "ok",  # the branch that recorded it
        "county_staff": "closed",  # the county judges the record, does not write it
        "province_staff": "closed",
        "member_user": "closed",
        "outsider": "404",
    }
    users = {**{p: world.users[p] for p in expected}, "township_staff": township_staff}
    expected["township_staff"] = "ok"  # the level above may record progress, so correct it too
    for persona, result in expected.items():
        user = users[persona]
        calls = {
            "edit": lambda u=user: services.update_progress(listing, entry.pk, {"note": "改"}, acting_user=u),
            "delete": lambda u=user: services.delete_progress(listing, entry.pk, acting_user=u),
            "remove": lambda u=user: services.remove_evidence(listing, evidence.pk, acting_user=u),
        }
        for name, call in calls.items():
            assert (persona, name, _outcome(call)) == (persona, name, result)
    other = Listing.objects.get(organization=world.branch2, year=listing.year)  # a candidate too
    other = services.MOVES["confirm"](other, acting_user=world.county_staff)
    other = services.save_plan(other, PLAN, acting_user=township_staff)
    with pytest.raises(OutOfScope):  # an entry is found only through its own listing
        services.update_progress(other, entry.pk, {"note": "改"}, acting_user=township_staff)
    assert Progress.objects.get(pk=entry.pk).note == "召开支委会" and Evidence.objects.count() == 1


def test_a_correction_is_audited_with_old_and_new_values(world: World, media: Path) -> None:
    listing, entry = _planned_with_entry(world)
    yesterday = TODAY - timedelta(days=1) if TODAY.timetuple().tm_yday > 1 else TODAY
    saved = services.update_progress(
        listing, entry.pk, {"note": "召开支委会并整改", "on": yesterday}, acting_user=world.secretary
    )
    assert (saved.note, saved.on, saved.version) == ("召开支委会并整改", yesterday, 1)
    [entry_audit] = AuditEntry.objects.filter(action="weak_listing.progress_edit", success=True)
    assert entry_audit.changes["note"] == ["召开支委会", "召开支委会并整改"]
    if yesterday != TODAY:
        assert entry_audit.changes["on"] == [TODAY.isoformat(), yesterday.isoformat()]
    with pytest.raises(ValidationError) as info:  # a page drawn before the correction
        services.update_progress(
            listing, entry.pk, {"note": "旧页面"}, expected_version=0, acting_user=world.secretary
        )
    assert info.value.code == "stale"
    for bad in ({"note": " "}, {"note": "进" * 2001}, {"on": TODAY + timedelta(days=1)}, {"on": "昨天"}):
        with pytest.raises(ValidationError):
            services.update_progress(listing, entry.pk, bad, acting_user=world.secretary)
    # Saying the same again changes nothing and records nothing.
    services.update_progress(listing, entry.pk, {"note": "召开支委会并整改"}, acting_user=world.secretary)
    assert AuditEntry.objects.filter(action="weak_listing.progress_edit", success=True).count() == 1
    assert Progress.objects.get(pk=entry.pk).version == 1


def test_deleting_an_entry_deletes_its_files_only_when_committed(
    world: World, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    listing, entry = _planned_with_entry(world)
    [stored] = _stored(entry, media)
    assert stored.exists()
    # The deletion undone by something after it: the rows come back, so the file stays.
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        services.delete_progress(listing, entry.pk, acting_user=world.secretary)
        transaction.set_rollback(True)
    assert callbacks == [] and stored.exists() and Evidence.objects.filter(progress=entry).exists()
    with pytest.raises(ValidationError):  # stale: nothing deleted
        services.delete_progress(listing, entry.pk, expected_version=3, acting_user=world.secretary)
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_progress(listing, entry.pk, expected_version=0, acting_user=world.secretary)
    assert not stored.exists() and not Progress.objects.filter(pk=entry.pk).exists()
    [audit] = AuditEntry.objects.filter(action="weak_listing.progress_delete", success=True)
    assert audit.changes["progress"] == ["召开支委会", None] and audit.changes["evidence"] == [
        ["会议.jpg"],
        None,
    ]


def test_taking_back_a_file(world: World, media: Path, django_capture_on_commit_callbacks: Any) -> None:
    listing, entry = _planned_with_entry(world)
    [evidence] = entry.evidence.all()
    [stored] = _stored(entry, media)
    with django_capture_on_commit_callbacks(execute=True):
        name = services.remove_evidence(listing, evidence.pk, acting_user=world.secretary)
    assert name == "会议.jpg" and not stored.exists()
    assert Progress.objects.filter(pk=entry.pk).exists()  # the entry stays, without the file
    [audit] = AuditEntry.objects.filter(action="weak_listing.evidence_remove", success=True)
    assert audit.changes == {"evidence": ["会议.jpg", None]}
    with pytest.raises(OutOfScope):  # gone already
        services.remove_evidence(listing, evidence.pk, acting_user=world.secretary)


def test_the_record_stays_once_submitted_and_after_acceptance(world: World, media: Path) -> None:
    listing, entry = _planned_with_entry(world)
    [evidence] = entry.evidence.all()
    secretary = world.secretary

    def outcomes(row: Listing) -> list[str]:
        return [
            _outcome(lambda: services.update_progress(row, entry.pk, {"note": "改"}, acting_user=secretary)),
            _outcome(lambda: services.delete_progress(row, entry.pk, acting_user=secretary)),
            _outcome(lambda: services.remove_evidence(row, evidence.pk, acting_user=secretary)),
        ]

    listing = services.MOVES["submit"](listing, acting_user=secretary)
    assert outcomes(listing) == ["closed"] * 3  # the county is judging it
    listing = services.MOVES["return"](listing, note="佐证不足", acting_user=world.county_staff)
    assert outcomes(listing) == ["ok"] * 3  # returned: with the organization again
    listing = services.MOVES["submit"](listing, acting_user=secretary)
    listing = services.MOVES["accept"](listing, acting_user=world.county_staff)
    assert outcomes(listing) == ["closed"] * 3
    assert Evidence.objects.filter(pk=evidence.pk).exists()


def test_correcting_from_the_listing_page(world: World, media: Path) -> None:
    listing, entry = _planned_with_entry(world)
    [evidence] = entry.evidence.all()
    secretary, county = Client(), Client()
    secretary.force_login(world.secretary)
    county.force_login(world.county_staff)
    page = secretary.get(f"/weak/{listing.pk}/").content.decode()
    assert f"/weak/{listing.pk}/evidence/{evidence.pk}/remove/" in page
    assert f"/weak/{listing.pk}/progress/{entry.pk}/delete/" in page
    county_page = county.get(f"/weak/{listing.pk}/").content.decode()
    assert f"/evidence/{evidence.pk}/remove/" not in county_page and "progress-correct" not in county_page
    form = {f"p{entry.pk}-on": TODAY.isoformat(), f"p{entry.pk}-note": "召开支委会（补记）", "version": "0"}
    assert secretary.post(f"/weak/{listing.pk}/progress/{entry.pk}/", form).status_code == 302
    assert Progress.objects.get(pk=entry.pk).note == "召开支委会（补记）"
    stale = secretary.post(f"/weak/{listing.pk}/progress/{entry.pk}/", form, follow=True)
    assert "刷新页面" in stale.content.decode()
    refused = county.post(f"/weak/{listing.pk}/evidence/{evidence.pk}/remove/", follow=True)
    assert refused.status_code == 200 and Evidence.objects.filter(pk=evidence.pk).exists()
    outsider = Client()
    outsider.force_login(world.users["outsider"])
    assert outsider.post(f"/weak/{listing.pk}/evidence/{evidence.pk}/remove/").status_code == 404
    assert outsider.post(f"/weak/{listing.pk}/progress/{entry.pk}/delete/").status_code == 404
    assert secretary.post(f"/weak/{listing.pk}/evidence/{evidence.pk}/remove/").status_code == 302
    assert not Evidence.objects.filter(pk=evidence.pk).exists()
    assert secretary.post(f"/weak/{listing.pk}/evidence/{evidence.pk}/remove/").status_code == 404
    deleted = secretary.post(f"/weak/{listing.pk}/progress/{entry.pk}/delete/", {"version": "1"})
    assert deleted.status_code == 302 and not Progress.objects.filter(pk=entry.pk).exists()
