"""Pages: the committee's list, the leader's page, plan and works, /my/leader/; scope."""

from datetime import date
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.core.models import AuditEntry
from dangjian.core.scoping import SYSTEM
from dangjian.leaders.models import LeaderStudyPlan, LeaderWork, LeadingCadre
from dangjian.leaders.services import appoint_leader
from dangjian.orglife.forms import lecturer_candidates
from dangjian.testing.world import World

from .helpers import EXE, PDF, meeting


def client_for(user: User) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client


def _leader(world: World) -> LeadingCadre:
    return appoint_leader(
        world.county, world.member, "书记", principal=True, since=date(2020, 1, 1), acting_user=SYSTEM
    )


def test_committee_list_shows_counts_and_appoints(world: World) -> None:
    leader = _leader(world)
    year = timezone.localdate().year - 1
    meeting(world.branch, "branch_assembly", date(year, 3, 1), present=[world.member])
    url = f"/orgs/{world.county.pk}/leaders/"
    page = client_for(world.county_staff).get(f"{url}?year={year}")
    assert page.status_code == 200
    body = page.content.decode()
    assert "张伟" in body and 'id="appoint"' in body and "Below ≥ 4 target" in body
    assert '<td data-label="Branch study attended">1</td>' in body
    assert client_for(world.province_staff).get(url).status_code == 200
    for persona in ("outsider", "secretary", "member_user"):  # not within their reach
        assert client_for(world.users[persona]).get(url).status_code == 404

    bad = client_for(world.county_staff).post(
        url, {"member_id": world.member_b.pk, "post": "常委", "since": "2024-01-01"}
    )
    assert bad.status_code == 400 and "No member with this number" in bad.content.decode()
    twice = client_for(world.county_staff).post(
        url, {"member_id": world.member2.pk, "post": "副书记", "principal": "on", "since": "2024-01-01"}
    )
    assert twice.status_code == 400 and "already has a principal leader" in twice.content.decode()
    ok = client_for(world.county_staff).post(
        url, {"member_id": world.member2.pk, "post": "副书记", "since": "2024-01-01"}
    )
    assert ok.status_code == 302
    assert LeadingCadre.objects.filter(committee=world.county).count() == 2
    assert leader.pk in LeadingCadre.objects.values_list("pk", flat=True)
    # A branch has no leading cadres: the page says so, and offers no form.
    branch_page = client_for(world.secretary).get(f"/orgs/{world.branch.pk}/leaders/").content.decode()
    assert 'id="not-committee"' in branch_page and 'id="appoint"' not in branch_page


def test_leader_page_scope_and_self(world: World) -> None:
    leader = _leader(world)
    url = f"/leaders/{leader.pk}/"
    for persona in ("county_staff", "province_staff", "member_user"):  # member_user is 张伟
        assert client_for(world.users[persona]).get(url).status_code == 200, persona
    for persona in ("outsider", "secretary", "auditor"):
        assert client_for(world.users[persona]).get(url).status_code == 404, persona
    own = client_for(world.member_user)
    assert own.get("/my/leader/").url == url
    page = own.get(url).content.decode()
    assert 'id="work-form"' in page and "leader_edit" not in page and "/edit/" not in page
    assert own.get(f"/leaders/{leader.pk}/edit/").status_code == 404  # only staff edit the post
    none = client_for(world.secretary).get("/my/leader/")
    assert none.status_code == 200 and 'id="not-leader"' in none.content.decode()


def test_leader_page_lists_lectures_and_branch_meetings_with_links(world: World) -> None:
    leader = _leader(world)
    year = timezone.localdate().year - 1
    held = meeting(
        world.branch, "party_lecture", date(year, 5, 1), present=[world.member], lecturer=world.member
    )
    democratic = meeting(
        world.county, "democratic_life", date(year, 12, 1), guests=[world.member], present=[world.member]
    )
    staff = client_for(world.county_staff).get(f"/leaders/{leader.pk}/?year={year}").content.decode()
    assert f'href="/meetings/{held.pk}/"' in staff and f'href="/meetings/{democratic.pk}/"' in staff
    # The leader sees their branch's meeting linked, the committee's one only by name.
    own = client_for(world.member_user).get(f"/leaders/{leader.pk}/?year={year}").content.decode()
    assert f'href="/meetings/{held.pk}/"' in own and f'href="/meetings/{democratic.pk}/"' not in own
    assert democratic.topic in own


def test_plan_edit(world: World) -> None:
    leader = _leader(world)
    url = f"/leaders/{leader.pk}/plan/?year=2025"
    client = client_for(world.member_user)
    assert client.get(url).status_code == 200
    form = {
        "items-TOTAL_FORMS": "3",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "60",
    }
    empty = client.post(url, form)
    assert empty.status_code == 400 and "at least one item" in empty.content.decode()
    saved = client.post(
        url,
        form | {"items-0-month": "3", "items-0-theme": "学习党章", "items-1-month": "", "items-1-theme": ""},
    )
    assert saved.status_code == 302
    plan = LeaderStudyPlan.objects.get(leader=leader, year=2025)
    assert [(i.month, i.theme) for i in plan.items.all()] == [(3, "学习党章")]
    no_month = client.post(url, form | {"items-0-theme": "党史"})
    assert no_month.status_code == 400
    assert client_for(world.outsider).get(url).status_code == 404
    assert client_for(world.secretary).post(url, form).status_code == 404


def test_submit_work_with_file_download_and_remove(world: World, settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    leader = _leader(world)
    url = f"/leaders/{leader.pk}/"
    client = client_for(world.member_user)
    today = timezone.localdate().isoformat()
    data = {"kind": "research_report", "title": "调研报告", "written_on": today, "body": ""}
    refused = client.post(url, data | {"attachment": SimpleUploadedFile("报告.pdf", EXE)})
    assert refused.status_code == 400 and "not accepted" in refused.content.decode()
    assert not LeaderWork.objects.exists() and not any(p.is_file() for p in tmp_path.rglob("*"))
    ok = client.post(url, data | {"attachment": SimpleUploadedFile("报告.pdf", PDF)})
    assert ok.status_code == 302
    work = LeaderWork.objects.get()
    assert work.created_by == world.member_user

    download = client_for(world.county_staff).get(f"/leader-works/{work.pk}/file/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF  # type: ignore[attr-defined]
    assert "attachment" in download["Content-Disposition"]
    assert AuditEntry.objects.filter(action="leader.work_download").count() == 1
    assert client_for(world.outsider).get(f"/leader-works/{work.pk}/file/").status_code == 404
    assert client_for(world.secretary).post(f"/leader-works/{work.pk}/remove/").status_code == 404
    assert client.post(f"/leader-works/{work.pk}/remove/").status_code == 302
    assert not LeaderWork.objects.exists()


def test_edit_and_end_by_staff(world: World) -> None:
    leader = _leader(world)
    staff = client_for(world.county_staff)
    edited = staff.post(
        f"/leaders/{leader.pk}/edit/", {"post": "党委书记", "principal": "on", "since": "2020-01-01"}
    )
    assert edited.status_code == 302
    assert LeadingCadre.objects.get(pk=leader.pk).post == "党委书记"
    assert client_for(world.member_user).post(f"/leaders/{leader.pk}/end/").status_code == 404
    assert staff.post(f"/leaders/{leader.pk}/end/").status_code == 302
    assert not LeadingCadre.objects.get(pk=leader.pk).active


def test_leaders_are_offered_as_lecturers_below_their_committee(world: World) -> None:
    _leader(world)
    assert world.member.pk in set(lecturer_candidates(world.branch2).values_list("pk", flat=True))
    assert world.member.pk not in set(lecturer_candidates(world.branch_b).values_list("pk", flat=True))
