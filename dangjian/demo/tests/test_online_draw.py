"""The demo's online space is drawn from its seed: the same seed on the same day, the same space.
(Apart from test_online.py, whose tests run inside one loaded demo.)"""

from typing import Any

from dangjian.demo.life import create_county_life
from dangjian.demo.online import create_county_online
from dangjian.discussion.models import Thread
from dangjian.notices.models import Notice, NoticeRead
from dangjian.polls.models import Poll
from dangjian.testing.world import World, make_member, make_org


def test_same_seed_same_space(world: World) -> None:
    for i in range(12):
        branch = make_org(world.township, f"第{i + 3}党支部", f"4301020019{i:02d}", "branch", "community")
        for j in range(4):
            make_member(branch, f"党员{i}-{j}")
    profiles: dict[int, str] = {}
    create_county_life(world.county, seed=5, profiles=profiles)
    assert set(profiles.values()) <= {"steady", "lagging", "weak"} and len(profiles) >= 12

    def space() -> tuple[list[Any], list[Any], int]:
        create_county_online(world.county, profiles, seed=5)
        notices = list(
            Notice.objects.order_by("organization_id", "sent_at").values_list(
                "organization_id", "title", "sent_at", "must_read"
            )
        )
        threads = list(
            Thread.objects.order_by("organization_id", "created_at").values_list("title", "reply_count")
        )
        return notices, threads, NoticeRead.objects.count()

    first = space()
    Notice.objects.all().delete()
    Thread.objects.all().delete()
    Poll.objects.all().delete()
    assert space() == first
    notices, threads, reads = first
    assert len(notices) > 30 and threads and reads > len(notices)  # every branch, month by month
