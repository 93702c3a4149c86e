"""The demo county's honours (point 25), so the honours pages, the branches' feed and the rule of
point 25 have something to show.

The county's 七一 call for 优秀共产党员 / 优秀党务工作者 / 先进基层党组织 of the year (of last year
before July): nominations from the personas' branch (recommended by its township), from the
township itself (straight to the county), and from branches of other townships — one rejected —
a public notice with one objection, answered, and the honours published in June. A second call
of the county is still open, with a draft nomination of the personas' branch.

Everything goes through the services, as the personas (or the system, for organizations without
demo accounts) would take each step; the finished call is then dated back to June (its dates,
stamps, history, objection and feed items), since the services date what they do today.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.core.models import StateChange
from dangjian.core.scoping import SYSTEM
from dangjian.core.tree import subtree_q
from dangjian.feed.models import FeedItem
from dangjian.honours import services
from dangjian.honours.models import Call, Nomination, Objection
from dangjian.leaders.models import LeadingCadre
from dangjian.members.models import Member, MemberStatus
from dangjian.organizations.models import BRANCH_KINDS, Organization

CATEGORIES = ["member", "leader", "branch"]
CRITERIA = (
    "理想信念坚定，对党忠诚；立足岗位、履职尽责，在推动发展、服务群众、促进和谐中起先锋模范作用；"
    "党组织班子坚强、制度健全、作用突出，群众公认。"
)
STORIES = {
    "member": "扎根基层二十年，带头发展特色种植，帮助十余户群众稳定增收；防汛期间连续值守，群众称赞。",
    "leader": "抓党建促发展思路清晰，推动“五化”支部建设全覆盖，亲自讲党课，联系困难群众，作风扎实。",
    "branch": "支部班子团结，三会一课规范，主题党日特色鲜明，党员积分管理全覆盖，为民办实事成效显著。",
}


def _user(username: str) -> Any:
    return User.objects.filter(username=username).first() or SYSTEM


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _member_of(branch: Organization, skip: set[int]) -> Member | None:
    return (
        Member.objects.filter(organization=branch, status=MemberStatus.ACTIVE)
        .exclude(pk__in=skip)
        .order_by("id")
        .first()
    )


def create_county_honours(root: Organization, *, lively: Organization, today: date | None = None) -> int:
    """The county's finished 七一 call and one open call; returns how many nominations."""
    today = today or timezone.localdate()
    year = today.year if today >= date(today.year, 7, 1) else today.year - 1
    county_staff, township_staff, secretary = (
        _user("county_staff"),
        _user("township_staff"),
        _user("secretary"),
    )
    member_user = User.objects.filter(username="member").select_related("member").first()
    township = Organization.objects.get_parent(lively)
    now = timezone.localdate()
    call = services.create_call(
        root,
        {
            "title": f"{year}年“两优一先”评选表彰",
            "criteria": CRITERIA,
            "categories": CATEGORIES,
            "nominations_due": now + timedelta(days=1),
            "publish_by": now + timedelta(days=30),
        },
        acting_user=county_staff,
    )
    services.open_call(call, acting_user=county_staff)
    skip = {member_user.member_id} if member_user is not None and member_user.member_id else set()
    made: list[Nomination] = []

    def nominate(org: Organization, by: Any, category: str, **nominee: Any) -> Nomination:
        nomination = services.create_nomination(
            call, org, {"category": category, "story": STORIES[category], **nominee}, acting_user=by
        )
        made.append(services.submit_nomination(nomination, acting_user=by))
        return made[-1]

    # The personas' branch: a member, recommended by the township, approved by the county.
    honoured = _member_of(lively, skip)
    if honoured is not None:
        ours = nominate(lively, secretary, "member", nominee_member=honoured)
        services.recommend_nomination(ours, acting_user=township_staff)
        services.approve_nomination(ours, acting_user=county_staff)
    # The township: the personas' branch as an advanced organization, and a leading cadre.
    services.approve_nomination(
        nominate(township, township_staff, "branch", nominee_organization=lively), acting_user=county_staff
    )
    cadre = LeadingCadre.objects.filter(committee=township, active=True).select_related("member").first()
    if cadre is not None:
        services.approve_nomination(
            nominate(township, township_staff, "leader", nominee_member=cadre.member),
            acting_user=county_staff,
        )
    # Branches of the other townships, by the system: two approved, the last rejected.
    others = (
        Organization.objects.filter(subtree_q(root.path), kind__in=BRANCH_KINDS)
        .exclude(subtree_q(township.path))
        .filter(depth__gt=root.depth + 1)  # below a township (or general branch), which recommends
        .order_by("path")[:3]
    )
    for i, branch in enumerate(others):
        nominee = _member_of(branch, skip)
        if nominee is None:
            continue
        nomination = nominate(branch, SYSTEM, "member", nominee_member=nominee)
        services.recommend_nomination(nomination, acting_user=SYSTEM)
        if i < 2:
            services.approve_nomination(nomination, acting_user=county_staff)
        else:
            services.reject_nomination(
                nomination, note="事迹材料不够具体，群众公认度不高", acting_user=county_staff
            )
    services.close_call(call, acting_user=county_staff)
    services.publicise_call(call, acting_user=county_staff)
    if made and member_user is not None and member_user.member_id:
        objection = services.raise_objection(
            made[0], "该同志去年曾有一次缺席组织生活会。", acting_user=member_user
        )
        services.answer_objection(
            objection,
            "经核实，该同志当次因公出差并已请假，不影响评选。",
            upheld=False,
            acting_user=county_staff,
        )
    Call.objects.filter(pk=call.pk).update(publicity_until=now - timedelta(days=1))
    services.publish_call(call, acting_user=county_staff)
    _date_back(call, year)
    _open_call(root, lively, county_staff, secretary, now)
    return len(made)


def _date_back(call: Call, year: int) -> None:
    """The finished call as it happened in June: its dates, stamps, history, objection and feed."""
    day = {
        "create": date(year, 5, 15),
        "open": date(year, 5, 15),
        "submit": date(year, 6, 5),
        "recommend": date(year, 6, 9),
        "close": date(year, 6, 11),
        "approve": date(year, 6, 14),
        "reject": date(year, 6, 14),
        "publicise": date(year, 6, 18),
        "publish": date(year, 6, 28),
    }
    published = _at(day["publish"], 16)
    Call.objects.filter(pk=call.pk).update(
        year=year,
        nominations_due=date(year, 6, 10),
        publish_by=date(year, 6, 30),
        publicity_from=day["publicise"],
        publicity_until=date(year, 6, 24),
        created_at=_at(day["create"], 9),
        opened_at=_at(day["open"]),
        published_at=published,
    )
    nominations = Nomination.objects.filter(call=call)
    nominations.update(
        created_at=_at(day["create"]),
        submitted_at=_at(day["submit"]),
        decided_at=_at(day["approve"], 15),
    )
    nominations.filter(recommended_at__isnull=False).update(recommended_at=_at(day["recommend"]))
    nominations.filter(published_at__isnull=False).update(published_at=published)
    Objection.objects.filter(nomination__call=call).update(
        raised_at=_at(date(year, 6, 20)), answered_at=_at(date(year, 6, 22))
    )
    ids = list(nominations.values_list("pk", flat=True))
    FeedItem.objects.filter(
        source_type=ContentType.objects.get_for_model(Nomination), source_id__in=ids
    ).update(occurred_at=published)
    for model, pks in ((Call, [call.pk]), (Nomination, ids)):
        kind = ContentType.objects.get_for_model(model)
        for move, when in day.items():
            StateChange.objects.filter(content_type=kind, object_id__in=pks, move=move).update(
                at=_at(when, 11)
            )


def _open_call(
    root: Organization, lively: Organization, county_staff: Any, secretary: Any, now: date
) -> None:
    """A call still taking nominations, with a draft of the personas' branch."""
    call = services.create_call(
        root,
        {
            "title": f"{now.year}年度“最美党员”推选",
            "criteria": "在志愿服务、邻里互助、乡村振兴中事迹感人、群众认可的普通党员。",
            "categories": ["member"],
            "nominations_due": now + timedelta(days=20),
            "publish_by": now + timedelta(days=50),
        },
        acting_user=county_staff,
    )
    services.open_call(call, acting_user=county_staff)
    nominee = Member.objects.filter(organization=lively, status=MemberStatus.ACTIVE).order_by("-id").first()
    if nominee is not None:
        services.create_nomination(
            call,
            lively,
            {
                "category": "member",
                "nominee_member": nominee,
                "story": "常年义务照顾村里孤寡老人，组织党员志愿服务队。",
            },
            acting_user=secretary,
        )
