"""The county flags villages, assigns first secretaries and teams, hands them over and assesses
them; the work log with photos; training. Bad input is refused whole, with Chinese messages."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone, translation

from dangjian.core.audit import AuditEntry
from dangjian.orglife.tests.helpers import PDF, jpeg_bytes, upload
from dangjian.testing.world import World
from dangjian.villagework import services
from dangjian.villagework.models import Assessment, Assignment, AssignmentState, PovertyVillage, WorkLog

from .helpers import PHONE, START, add_villages, first_secretary, flagged


def test_one_current_first_secretary_and_the_handover(world: World) -> None:
    v = add_villages(world)
    flagged(world, v)
    first = first_secretary(world, v)
    with pytest.raises(ValidationError) as refused:
        first_secretary(world, v, name="王明", start=date(2025, 3, 1), member=None)
    assert "刘强" in str(refused.value) and "Hand that assignment over first" in str(refused.value)
    # A work team member is no first secretary: several at a time.
    services.assign(
        world.county,
        v.village,
        {
            "role": "team_member",
            "name": "陈东",
            "sending_unit": "县交通局",
            "phone": "13900001111",
            "start": START,
        },
        acting_user=world.county_staff,
    )
    with pytest.raises(ValidationError):  # the note is required
        services.hand_over(first, date(2025, 2, 28), "", acting_user=world.county_staff)
    ended = services.hand_over(first, date(2025, 2, 28), "工作台账已移交", acting_user=world.county_staff)
    assert ended.state == AssignmentState.ENDED and ended.end == date(2025, 2, 28)
    with pytest.raises(ValidationError):  # the predecessor's last day
        first_secretary(world, v, name="王明", start=date(2025, 2, 28), member=None)
    successor = first_secretary(world, v, name="王明", start=date(2025, 3, 1), member=None)
    assert successor.state == AssignmentState.ACTIVE
    assert AuditEntry.objects.filter(action="village_assignment.hand_over", success=True).count() == 1


def test_the_phone_is_encrypted_at_rest_and_masked(world: World) -> None:
    v = add_villages(world)
    flagged(world, v)
    row = first_secretary(world, v)
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM villagework_assignment WHERE id = %s", [row.pk])
        stored = cursor.fetchone()[0]
    assert PHONE not in stored
    assert Assignment.objects.get(pk=row.pk).phone == PHONE
    assert row.phone_masked != PHONE and row.phone_masked.startswith("138")


def test_bad_input_is_refused_with_chinese_messages_and_nothing_changes(world: World) -> None:
    v = add_villages(world)
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as not_flagged:
            first_secretary(world, v)
        assert "贫困村" in str(not_flagged.value)
        with pytest.raises(ValidationError) as not_village:
            services.flag_village(world.county, world.branch, START, "理由", acting_user=world.county_staff)
        assert "村" in str(not_village.value)
        flagged(world, v)
        with pytest.raises(ValidationError) as bad:
            services.assign(
                world.county,
                v.village,
                {"role": "boss", "name": "", "sending_unit": "x" * 200, "phone": "123", "start": START},
                acting_user=world.county_staff,
            )
        errors = bad.value.message_dict
        assert set(errors) == {"role", "name", "sending_unit", "phone"}
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m[0]) for m in errors.values())
    assert Assignment.objects.count() == 0 and PovertyVillage.objects.count() == 1
    with pytest.raises(ValidationError):  # overlapping flag
        flagged(world, v)
    assert PovertyVillage.objects.count() == 1


def test_the_work_log_takes_photos_checked_by_content(world: World, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    v = add_villages(world)
    flagged(world, v)
    row = first_secretary(world, v)
    today = timezone.localdate()
    data = {"on": today, "kind": "visit", "note": "走访脱贫户5户", "households": 5}
    log = services.add_log(row, data, [upload("走访.jpg", jpeg_bytes())], acting_user=world.first_secretary)
    assert log.photos.count() == 1 and log.households == 5
    with pytest.raises(ValidationError):  # a PDF is no photo
        services.add_log(row, data, [upload("台账.pdf", PDF)], acting_user=world.first_secretary)
    with pytest.raises(ValidationError):  # a file named as a photo that is none
        services.add_log(row, data, [upload("假.jpg", PDF)], acting_user=world.village_secretary)
    with pytest.raises(ValidationError):  # the future
        services.add_log(row, {**data, "on": today + timedelta(days=1)}, acting_user=world.village_secretary)
    with pytest.raises(ValidationError):  # before the assignment
        services.add_log(row, {**data, "on": START - timedelta(days=1)}, acting_user=world.village_secretary)
    assert WorkLog.objects.count() == 1
    services.add_log(row, {**data, "kind": "project"}, acting_user=world.village_secretary)
    assert WorkLog.objects.count() == 2


def test_one_assessment_per_assignment_and_quarter(world: World) -> None:
    v = add_villages(world)
    flagged(world, v)
    row = first_secretary(world, v)
    services.assess(row, 2024, 1, "excellent", "成效明显", acting_user=world.county_staff)
    with pytest.raises(ValidationError):
        services.assess(row, 2024, 1, "competent", acting_user=world.county_staff)
    with pytest.raises(ValidationError):  # before the assignment
        services.assess(row, 2023, 4, "competent", acting_user=world.county_staff)
    with pytest.raises(ValidationError):  # not begun
        services.assess(row, timezone.localdate().year + 1, 1, "competent", acting_user=world.county_staff)
    with pytest.raises(ValidationError):
        services.assess(row, 2024, 2, "great", acting_user=world.county_staff)
    with pytest.raises(ValidationError):
        services.assess(row, 2024, 5, "competent", acting_user=world.county_staff)
    assert Assessment.objects.count() == 1


def test_training_sessions_and_attendance(world: World) -> None:
    v = add_villages(world)
    data = {
        "title": "村党组织书记示范培训班",
        "start": date(2024, 5, 6),
        "end": date(2024, 5, 10),
        "hours": "32",
    }
    session = services.create_training(world.county, data, acting_user=world.county_staff)
    assert session.hours == Decimal("32.0")
    services.record_attendance(session, v.village, "赵书记", acting_user=world.county_staff)
    with pytest.raises(ValidationError):
        services.record_attendance(session, v.village, "赵书记", acting_user=world.county_staff)
    with pytest.raises(ValidationError):  # not a village
        services.record_attendance(session, world.branch, "钱书记", acting_user=world.county_staff)
    for bad in ({"hours": "0"}, {"end": date(2024, 5, 1)}, {"title": ""}):
        with pytest.raises(ValidationError):
            services.create_training(world.county, {**data, **bad}, acting_user=world.county_staff)
    assert session.attendance.count() == 1
