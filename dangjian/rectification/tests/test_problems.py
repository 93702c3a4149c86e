"""Problem lists and rectification (points 19, 13): who may take each move, per persona; a
member's own problems stay with the member and the branch; problems from a life meeting in one
step; evidence checked by content; deadlines reminded; the evaluation column fed."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from django.utils import timezone

from dangjian.accounts.roles import Role
from dangjian.core.exceptions import OutOfScope
from dangjian.core.models import AuditEntry, StateChange
from dangjian.core.scoping import SYSTEM as SYSTEM_ACTOR
from dangjian.evaluation.queries import rectification_status
from dangjian.notifications.deadlines import send_deadline_reminders
from dangjian.notifications.models import Notification
from dangjian.orglife.tests.helpers import EXE, closed_meeting, jpeg_bytes, past_meeting, pixels, upload
from dangjian.rectification import services
from dangjian.rectification.models import Problem, ProblemSource, ProblemState
from dangjian.rectification.workflows import PROBLEM_FLOW
from dangjian.testing.world import World, make_user

YEAR = timezone.localdate().year


def _data(**extra: Any) -> dict[str, Any]:
    return {
        "description": "三会一课记录不规范",
        "measure": "逐月补齐会议记录",
        "owner": "支部书记",
        "deadline": date(YEAR, 12, 31),
    } | extra


def _problem(world: World, **kw: Any) -> Problem:
    return services.create_problem(world.branch, _data(), year=YEAR, acting_user=world.secretary, **kw)


def _outcome(problem: Problem, name: str, user: Any, note: str = "理由") -> str:
    """What move `name` does for `user`: "ok" or the refusal's code; always rolled back."""
    try:
        with transaction.atomic():
            PROBLEM_FLOW.move(problem, name, acting_user=user, note=note)
            transaction.set_rollback(True)
    except OutOfScope:
        return "404"
    except ValidationError as exc:
        return str(exc.code or "invalid")
    return "ok"


def _submitted(world: World, problem: Problem) -> Problem:
    return services.submit_problem(problem, acting_user=world.secretary)


def test_who_may_take_each_move_of_a_branch_problem(world: World) -> None:
    township_staff = make_user("township_staff", Role.COMMITTEE_STAFF, world.township)
    problem = _problem(world)
    owner_moves = {
        "secretary": "ok",  # the branch's own officer
        "county_staff": "actor",  # above: accepts, does not rectify
        "member_user": "actor",  # reads the branch's list, does not act on it
        "outsider": "404",
        "auditor": "404",
    }
    for persona, outcome in owner_moves.items():
        for move in ("start", "submit"):
            assert (persona, move, _outcome(problem, move, world.users[persona])) == (persona, move, outcome)
    submitted = _submitted(world, problem)
    accept = {
        "secretary": "actor",  # the branch accepts nothing of its own
        "member_user": "actor",
        "outsider": "404",
        "county_staff": "ok",  # covers the township, one level up
        "province_staff": "ok",
    }
    for persona, outcome in accept.items():
        assert (persona, _outcome(submitted, "accept", world.users[persona])) == (persona, outcome)
    assert _outcome(submitted, "accept", township_staff) == "ok"
    assert [t.name for t in PROBLEM_FLOW.allowed(township_staff, submitted)] == ["accept", "return"]
    assert PROBLEM_FLOW.allowed(world.secretary, submitted) == []


def test_not_the_submitter_and_not_whoever_writes_inside(world: World) -> None:
    double_hat = make_user("double_hat", Role.COMMITTEE_STAFF, world.township)
    from dangjian.accounts.services import grant_role
    from dangjian.core.scoping import SYSTEM

    grant_role(double_hat, world.branch, Role.SECRETARY, acting_user=SYSTEM)
    problem = _problem(world)
    submitted = services.submit_problem(problem, acting_user=world.secretary)
    assert _outcome(submitted, "accept", double_hat) == "excluded"  # writes inside, whatever it holds above
    assert _outcome(submitted, "accept", world.county_staff) == "ok"
    own = services.create_problem(world.township, _data(), year=YEAR, acting_user=double_hat)
    own = services.submit_problem(own, acting_user=double_hat)  # the township's own officer
    assert _outcome(own, "accept", double_hat) == "actor"  # nothing above the township
    assert _outcome(own, "accept", world.county_staff) == "ok"  # the county is above the township


def test_a_problem_moves_through_its_states_with_history(world: World) -> None:
    problem = _problem(world)
    services.start_problem(problem, acting_user=world.secretary)
    services.submit_problem(problem, acting_user=world.secretary)
    with pytest.raises(ValidationError) as info:  # a reason is needed to return it
        services.return_problem(problem, note=" ", acting_user=world.county_staff)
    assert "note" in info.value.message_dict
    services.return_problem(problem, note="记录仍不完整", acting_user=world.county_staff)
    services.submit_problem(problem, acting_user=world.secretary)
    done = services.accept_problem(problem, note="同意销号", acting_user=world.county_staff)
    assert (done.state, done.decided_by_id, done.version) == (ProblemState.ACCEPTED, world.county_staff.pk, 5)
    steps = list(StateChange.of(problem).values_list("move", "target"))
    assert steps == [
        ("create", "open"),
        ("start", "in_progress"),
        ("submit", "submitted"),
        ("return", "returned"),
        ("submit", "submitted"),
        ("accept", "accepted"),
    ]
    assert AuditEntry.objects.filter(action="problem.accept", success=True).count() == 1
    with pytest.raises(ValidationError):  # accepted: nothing more to do
        services.carry_over_problem(problem, note="x", acting_user=world.county_staff)


def test_carrying_over_needs_a_reason_and_keeps_it(world: World) -> None:
    problem = _problem(world)
    with pytest.raises(ValidationError):
        services.carry_over_problem(problem, acting_user=world.county_staff)
    done = services.carry_over_problem(problem, note="需跨年度完成的村部改造", acting_user=world.county_staff)
    assert (done.state, done.carry_reason) == (ProblemState.CARRIED_OVER, "需跨年度完成的村部改造")


def test_submitting_needs_a_measure_and_bad_input_changes_nothing(world: World) -> None:
    problem = services.create_problem(world.branch, _data(measure=""), year=YEAR, acting_user=world.secretary)
    with pytest.raises(ValidationError) as info:
        services.submit_problem(problem, acting_user=world.secretary)
    assert "measure" in info.value.message_dict
    for bad in (
        {"description": " "},
        {"description": "问" * 1001},
        {"owner": ""},
        {"deadline": date(YEAR - 1, 1, 1)},
        {"deadline": "明天"},
    ):
        with pytest.raises(ValidationError):
            services.create_problem(world.branch, _data(**bad), year=YEAR, acting_user=world.secretary)
    with pytest.raises(OutOfScope):
        services.create_problem(world.branch_b, _data(), year=YEAR, acting_user=world.secretary)
    assert Problem.objects.count() == 1
    with pytest.raises(ValidationError) as info:  # a stale page
        services.update_problem(problem, _data(owner="张三"), expected_version=9, acting_user=world.secretary)
    assert info.value.code == "stale"
    services.update_problem(problem, _data(owner="张三"), expected_version=0, acting_user=world.secretary)
    assert Problem.objects.get().owner == "张三"


def test_a_members_own_problem_stays_with_the_member_and_the_branch(world: World) -> None:
    mine = _problem(world, member=world.member, source=ProblemSource.EVALUATION)
    theirs = _problem(world, member=world.member2, source=ProblemSource.EVALUATION)
    visible = set(Problem.objects.restrict(world.member_user, "view").values_list("pk", flat=True))
    assert mine.pk in visible and theirs.pk not in visible
    assert _outcome(theirs, "submit", world.member_user) == "404"
    assert _outcome(mine, "submit", world.member_user) == "ok"  # the member rectifies their own
    submitted = services.submit_problem(mine, acting_user=world.member_user)
    assert rectification_status([world.member.pk, world.member2.pk], YEAR) == {
        world.member.pk: "problems: 1, accepted: 0",
        world.member2.pk: "problems: 1, accepted: 0",
    }
    assert _outcome(submitted, "accept", world.member_user) == "actor"
    assert _outcome(submitted, "accept", world.secretary) == "ok"  # the branch accepts a member's
    client = Client()
    client.force_login(world.member_user)
    assert client.get(f"/problems/{theirs.pk}/").status_code == 404
    page = client.get("/my/problems/").content.decode()
    assert f"/problems/{mine.pk}/" in page and f"/problems/{theirs.pk}/" not in page
    listed = client.get(f"/orgs/{world.branch.pk}/problems/").content.decode()
    assert f"/problems/{theirs.pk}/" not in listed and f"/problems/{mine.pk}/" not in listed


def test_problems_from_a_closed_life_meeting_in_one_step(world: World) -> None:
    meeting = closed_meeting(world, kind="org_life", topic="年度组织生活会")
    made = services.problems_from_meeting(
        meeting,
        "学习不够深入\n\n  联系群众不够紧密  \n",
        owner="支委会",
        deadline=date(YEAR, 12, 31),
        acting_user=world.secretary,
    )
    assert [p.description for p in made] == ["学习不够深入", "联系群众不够紧密"]
    assert {(p.source, p.source_ref) for p in made} == {(ProblemSource.LIFE_MEETING, f"meeting:{meeting.pk}")}
    open_assembly = past_meeting(world)
    with pytest.raises(ValidationError):  # not a life meeting, not closed
        services.problems_from_meeting(
            open_assembly, "x", owner="支委会", deadline=date(YEAR, 12, 31), acting_user=world.secretary
        )
    with pytest.raises(OutOfScope):
        services.problems_from_meeting(
            meeting, "x", owner="支委会", deadline=date(YEAR, 12, 31), acting_user=world.member_user
        )
    client = Client()
    client.force_login(world.secretary)
    assert f"/meetings/{meeting.pk}/problems/" in client.get(f"/meetings/{meeting.pk}/").content.decode()
    response = client.post(
        f"/meetings/{meeting.pk}/problems/",
        {"lines": "作风不够扎实", "owner": "书记", "deadline": f"{YEAR}-12-31"},
    )
    assert response.status_code == 302 and Problem.objects.count() == 3


def test_evidence_is_checked_and_photos_written_anew(world: World, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    problem = _problem(world)
    with pytest.raises(ValidationError):
        services.add_evidence(problem, [upload("scan.jpg", EXE)], acting_user=world.secretary)
    with pytest.raises(OutOfScope):
        services.add_evidence(problem, [upload("p.jpg", jpeg_bytes())], acting_user=world.outsider)
    photo = jpeg_bytes()
    [row] = services.add_evidence(problem, [upload("整改照片.jpg", photo)], acting_user=world.secretary)
    assert row.original_name == "整改照片.jpg"
    with row.file.open("rb") as stored:
        assert pixels(stored.read()) == pixels(photo)
    client = Client()
    client.force_login(world.county_staff)
    assert client.get(f"/problems/{problem.pk}/evidence/{row.pk}/").status_code == 200
    outsider = Client()
    outsider.force_login(world.outsider)
    assert outsider.get(f"/problems/{problem.pk}/evidence/{row.pk}/").status_code == 404


def test_pages_take_moves_and_refuse_stale_ones(world: World) -> None:
    client = Client()
    client.force_login(world.secretary)
    response = client.post(
        f"/orgs/{world.branch.pk}/problems/",
        {
            "description": "发展党员程序不规范",
            "measure": "逐项对照细则整改",
            "owner": "组织委员",
            "deadline": f"{YEAR}-12-31",
            "source": "inspection",
        },
    )
    problem = Problem.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/problems/{problem.pk}/"
    page = client.get(f"/problems/{problem.pk}/").content.decode()
    assert f"/problems/{problem.pk}/submit/" in page and "办理记录" in page
    stale = client.post(f"/problems/{problem.pk}/submit/", {"version": "3"}, follow=True)
    assert "刷新页面" in stale.content.decode()
    assert client.post(f"/problems/{problem.pk}/submit/", {"version": "0"}).status_code == 302
    staff = Client()
    staff.force_login(world.county_staff)
    above = staff.get(f"/orgs/{world.township.pk}/problems/").content.decode()
    assert f"/problems/{problem.pk}/" in above  # waiting for the level above
    outsider = Client()
    outsider.force_login(world.outsider)
    assert outsider.post(f"/problems/{problem.pk}/accept/", {"version": "1"}).status_code == 404
    assert outsider.get(f"/orgs/{world.branch.pk}/problems/").status_code == 404
    assert staff.post(f"/problems/{problem.pk}/accept/", {"version": "1"}).status_code == 302
    assert Problem.objects.get().state == ProblemState.ACCEPTED


def test_deadlines_are_reminded_to_the_officers_and_the_member(world: World) -> None:
    today = timezone.localdate()
    problem = services.create_problem(
        world.branch,
        _data(deadline=today + timedelta(days=7)),
        year=today.year,
        member=world.member,
        acting_user=world.secretary,
    )
    assert send_deadline_reminders(today) >= 2
    reminded = set(
        Notification.objects.filter(url=f"/problems/{problem.pk}/").values_list("user__username", flat=True)
    )
    assert reminded == {"secretary", "member_user"}
    assert send_deadline_reminders(today) == 0


def test_problems_from_a_below_standard_assessment_and_an_unqualified_member(world: World) -> None:
    from dangjian.evaluation import services as evaluation
    from dangjian.evaluation.tests.helpers import graded, new_campaign
    from dangjian.supervision.services import decide_assessment
    from dangjian.supervision.tests.helpers import submitted

    assessment = submitted(
        world.branch, world.secretary, venue_rating="does_not_meet", venue_note="活动室未挂牌"
    )
    client = Client()
    client.force_login(world.secretary)
    url = f"/orgs/{world.branch.pk}/five-standards/problems/"
    client.post(url, {"year": assessment.year})  # still submitted: refused with a message
    assert not Problem.objects.exists()
    decide_assessment(assessment, "below_standard", comment="阵地建设不达标", acting_user=world.county_staff)
    assert "rectify-assessment" in client.get(f"/orgs/{world.branch.pk}/five-standards/").content.decode()
    assert client.post(url, {"year": assessment.year}).status_code == 302
    [problem] = Problem.objects.all()
    assert (problem.source, problem.member_id) == (ProblemSource.FIVE_STANDARDS, None)
    assert "活动室未挂牌" in problem.description
    client.post(url, {"year": assessment.year})  # taken once only
    assert Problem.objects.count() == 1
    outsider = Client()
    outsider.force_login(world.outsider)
    assert outsider.post(url, {"year": assessment.year}).status_code == 404

    campaign = new_campaign(world.branch)
    graded(campaign, {world.member.pk: "unqualified", world.member2.pk: "qualified"})
    evaluation.propose(campaign, acting_user=SYSTEM_ACTOR)
    evaluation.approve(campaign, acting_user=SYSTEM_ACTOR)
    page = client.get(f"/orgs/{world.branch.pk}/evaluation/").content.decode()
    assert f"rectify-{world.member.pk}" in page and f"rectify-{world.member2.pk}" not in page
    target = f"/evaluation/{campaign.pk}/problems/"
    assert client.post(target, {"member": world.member2.pk}).status_code == 302  # qualified: refused
    assert client.post(target, {"member": world.member.pk}).status_code == 302
    own = Problem.objects.get(member=world.member)
    assert own.source == ProblemSource.EVALUATION and "长期不参加组织生活" in own.description
    assert outsider.post(target, {"member": world.member.pk}).status_code == 404
    assert Problem.objects.count() == 2


def test_evidence_uploaded_by_mistake_can_be_removed(
    world: World, settings: Any, tmp_path: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    problem = _problem(world)
    [row] = services.add_evidence(problem, [upload("错传.jpg", jpeg_bytes())], acting_user=world.secretary)
    url = f"/problems/{problem.pk}/evidence/{row.pk}/remove/"
    outsider = Client()
    outsider.force_login(world.outsider)
    assert outsider.post(url).status_code == 404
    member = Client()
    member.force_login(world.member_user)  # reads the branch's list, may not change its evidence
    member.post(url)
    assert problem.evidence.count() == 1
    secretary = Client()
    secretary.force_login(world.secretary)
    with django_capture_on_commit_callbacks(execute=True):  # the file goes once committed
        assert secretary.post(url).status_code == 302
    assert not problem.evidence.exists()
    assert not list(tmp_path.rglob("*.jpg"))  # the file went with it
    assert AuditEntry.objects.filter(action="problem.evidence_remove", success=True).count() == 1


def test_a_problem_still_open_when_the_year_is_over_is_overdue(world: World) -> None:
    """The engine judges a past year on its last day: a problem unfinished then is overdue, one
    accepted is met, and in December it is at risk."""
    from pathlib import Path

    from dangjian.compliance import engine
    from dangjian.compliance.models import Result, Status
    from dangjian.compliance.tests.factories import load

    load((Path(__file__).resolve().parents[2] / "compliance" / "rulesets" / "hunan-2017.yaml").read_text())
    services.create_problem(
        world.branch, _data(deadline=date(2017, 12, 31)), year=2017, acting_user=world.secretary
    )

    def status() -> str:
        return Result.objects.get(
            rule__code="problems-closed-by-year-end", organization=world.branch, year=2017
        ).status

    engine.recompute(2017, today=date(2017, 12, 10))
    assert status() == Status.AT_RISK
    engine.recompute(2017, today=date(2018, 1, 10))
    assert status() == Status.OVERDUE
