"""Writes: who may appoint and record, the one-principal rule, and refused uploads."""

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from dangjian.core.exceptions import OutOfScope
from dangjian.core.models import AuditEntry
from dangjian.core.scoping import SYSTEM
from dangjian.leaders.models import LeaderStudyPlan, LeaderWork, LeadingCadre
from dangjian.leaders.services import (
    appoint_leader,
    end_leader,
    remove_work,
    set_plan,
    submit_work,
    update_leader,
)
from dangjian.testing.world import World

from .helpers import EXE, PDF

NOTE = {"kind": "study_note", "title": "学习心得", "body": "学习体会"}


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def test_appoint_is_refused_outside_scope_and_for_bad_input(world: World) -> None:
    staff = world.county_staff
    with pytest.raises(OutOfScope):  # another county
        appoint_leader(world.county_b, world.member_b, "书记", acting_user=staff)
    with pytest.raises(OutOfScope):  # a branch secretary has no change scope on the committee
        appoint_leader(world.county, world.member, "书记", acting_user=world.secretary)
    with pytest.raises(OutOfScope):  # a member outside the user's reach
        appoint_leader(world.county, world.member_b, "书记", acting_user=staff)
    with pytest.raises(ValidationError) as exc:  # a branch is not a committee
        appoint_leader(world.branch, world.member, "书记", acting_user=staff)
    assert "committee" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:  # own branch not under the committee
        appoint_leader(world.county_b, world.member, "书记", acting_user=world.province_staff)
    assert "member" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        appoint_leader(
            world.county, world.member, " ", since=date.today() + timedelta(days=3), acting_user=staff
        )
    assert set(exc.value.message_dict) == {"post", "since"}
    assert not LeadingCadre.objects.exists()
    assert AuditEntry.objects.filter(action="leader.appoint", success=False).count() == 6


def test_one_principal_per_committee(world: World) -> None:
    staff = world.county_staff
    first = appoint_leader(world.county, world.member, "书记", principal=True, acting_user=staff)
    with pytest.raises(ValidationError) as exc:
        appoint_leader(world.county, world.member2, "副书记", principal=True, acting_user=staff)
    assert "principal" in exc.value.message_dict
    with pytest.raises(ValidationError):  # the same person twice in one committee
        appoint_leader(world.county, world.member, "常委", acting_user=staff)
    deputy = appoint_leader(world.county, world.member2, "副书记", acting_user=staff)
    with pytest.raises(ValidationError):
        update_leader(deputy, {"principal": True}, acting_user=staff)
    # The database holds the rule even for a write that bypasses the services.
    with pytest.raises(IntegrityError), transaction.atomic():
        LeadingCadre.objects.filter(pk=deputy.pk).update(principal=True)
    # Once the first principal's post has ended, the deputy may become principal.
    end_leader(first, acting_user=staff)
    deputy = update_leader(deputy, {"principal": True, "post": "书记"}, acting_user=staff)
    assert deputy.principal and deputy.post == "书记"
    # Another committee has its own principal.
    township = appoint_leader(world.township, world.member, "书记", principal=True, acting_user=staff)
    assert township.principal
    with pytest.raises(ValidationError):  # an ended post no longer changes
        update_leader(first, {"post": "x"}, acting_user=staff)
    with pytest.raises(ValidationError):
        end_leader(first, acting_user=staff)


def test_end_keeps_the_record(world: World) -> None:
    leader = appoint_leader(
        world.county, world.member, "书记", since=date(2024, 1, 1), acting_user=world.county_staff
    )
    with pytest.raises(ValidationError):
        end_leader(leader, ended_on=date(2023, 1, 1), acting_user=world.county_staff)
    with pytest.raises(OutOfScope):
        end_leader(leader, acting_user=world.outsider)
    leader = end_leader(leader, ended_on=date(2025, 3, 1), acting_user=world.province_staff)
    assert (leader.active, leader.ended_on) == (False, date(2025, 3, 1))
    assert LeadingCadre.objects.filter(pk=leader.pk).exists()


def test_the_leader_themself_keeps_their_own_plan_and_works(world: World) -> None:
    leader = appoint_leader(world.county, world.member, "书记", acting_user=world.county_staff)
    me = world.member_user  # the account linked to 张伟
    year = timezone.localdate().year
    plan = set_plan(leader, year, [{"month": 3, "theme": "学习党章", "readings": "党章"}], acting_user=me)
    plan = set_plan(
        leader, year, [{"month": 4, "theme": "党史"}, {"month": 5, "theme": "理论"}], acting_user=me
    )
    assert [(i.month, i.theme) for i in plan.items.all()] == [(4, "党史"), (5, "理论")]  # replaced
    assert LeaderStudyPlan.objects.count() == 1
    work = submit_work(leader, NOTE, acting_user=me)
    assert work.created_by == me and work.written_on == timezone.localdate()
    # Others may not; nor may the leader once the post has ended.
    for other in (world.secretary, world.outsider):
        with pytest.raises(OutOfScope):
            submit_work(leader, NOTE, acting_user=other)
        with pytest.raises(OutOfScope):
            set_plan(leader, year, [{"month": 1, "theme": "x"}], acting_user=other)
        with pytest.raises(OutOfScope):
            remove_work(work, acting_user=other)
    end_leader(leader, acting_user=world.county_staff)
    with pytest.raises(OutOfScope):
        submit_work(leader, NOTE, acting_user=me)
    remove_work(work, acting_user=world.county_staff)  # staff still may
    assert not LeaderWork.objects.exists()


def test_bad_plans_and_works_are_refused(world: World) -> None:
    leader = appoint_leader(world.county, world.member, "书记", acting_user=world.county_staff)
    staff = world.county_staff
    with pytest.raises(ValidationError):
        set_plan(leader, 2025, [], acting_user=staff)
    with pytest.raises(ValidationError):
        set_plan(leader, 2025, [{"month": 13, "theme": "x"}], acting_user=staff)
    with pytest.raises(ValidationError):
        set_plan(leader, 1990, [{"month": 1, "theme": "x"}], acting_user=staff)
    with pytest.raises(ValidationError) as exc:
        submit_work(
            leader,
            {"kind": "poem", "title": "", "written_on": date.today() + timedelta(days=1)},
            acting_user=staff,
        )
    assert set(exc.value.message_dict) == {"kind", "title", "written_on", "body"}
    assert not LeaderStudyPlan.objects.exists() and not LeaderWork.objects.exists()


def test_attachments_are_checked_and_refused_ones_store_nothing(
    world: World, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    leader = appoint_leader(world.county, world.member, "书记", acting_user=world.county_staff)
    staff = world.county_staff
    for name, content in [("心得.pdf", EXE), ("心得.docx", PDF), ("empty.pdf", b"")]:
        with pytest.raises(ValidationError) as exc:
            submit_work(leader, NOTE, SimpleUploadedFile(name, content), acting_user=staff)
        assert "attachment" in exc.value.message_dict
    settings_limit = SimpleUploadedFile("big.pdf", PDF + b"0" * (21 * 1024 * 1024))
    with pytest.raises(ValidationError) as exc:
        submit_work(leader, NOTE, settings_limit, acting_user=staff)
    assert "too large" in str(exc.value)
    assert not LeaderWork.objects.exists() and _files(tmp_path) == []

    work = submit_work(
        leader, {**NOTE, "body": ""}, SimpleUploadedFile("../调研报告.pdf", PDF), acting_user=staff
    )
    assert work.attachment_name == "调研报告.pdf"
    stored = _files(tmp_path)
    assert len(stored) == 1 and stored[0].suffix == ".pdf" and "调研" not in str(stored[0])
    assert stored[0].read_bytes() == PDF
    remove_work(work, acting_user=staff)  # the file goes once the removal is committed
    assert not LeaderWork.objects.exists()


def test_removal_deletes_the_file_on_commit(
    world: World, settings: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    leader = appoint_leader(world.county, world.member, "书记", acting_user=SYSTEM)
    work = submit_work(leader, NOTE, SimpleUploadedFile("a.pdf", PDF), acting_user=SYSTEM)
    assert len(_files(tmp_path)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        remove_work(work, acting_user=SYSTEM)
    assert _files(tmp_path) == []
    assert AuditEntry.objects.filter(action="leader.work_remove", success=True).count() == 1
