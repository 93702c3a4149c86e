"""Who may do what (docs/villagework.md, "Who may do what"), cell by cell: each persona's page
reads and each write (rolled back), as "read"/"404" for pages and "ok"/"refused"/"404" for
writes."""

from datetime import date

import pytest
from django.utils import timezone

from dangjian.testing.world import World
from dangjian.villagework import services
from dangjian.villagework.models import TrainingSession

from .helpers import START, add_villages, client, first_secretary, flagged, outcome

PERSONAS = (
    "county_staff",
    "province_staff",
    "town_staff",
    "village_secretary",
    "first_secretary",
    "village_member",
    "outsider",
)


def _row(*cells: str) -> dict[str, str]:
    return dict(zip(PERSONAS, cells, strict=True))


PAGES = {
    "overview": _row("read", "read", "404", "404", "404", "404", "404"),
    "town_overview": _row("read", "read", "read", "404", "404", "404", "404"),
    "village": _row("read", "read", "read", "read", "404", "404", "404"),
    "assignment": _row("read", "read", "read", "read", "read", "404", "404"),
    "trainings": _row("read", "read", "404", "404", "404", "404", "404"),
}
WRITES = {
    "flag": _row("ok", "ok", "404", "404", "404", "404", "404"),
    "assign": _row("ok", "ok", "404", "404", "404", "404", "404"),
    "hand_over": _row("ok", "ok", "refused", "refused", "404", "404", "404"),
    "log": _row("refused", "refused", "refused", "ok", "ok", "404", "404"),
    "assess": _row("ok", "ok", "refused", "refused", "404", "404", "404"),
    "training": _row("ok", "ok", "404", "404", "404", "404", "404"),
    "attendance": _row("ok", "ok", "404", "404", "404", "404", "404"),
}


@pytest.fixture
def setup(world: World) -> tuple[World, dict[str, str], dict]:  # type: ignore[type-arg]
    v = add_villages(world)
    flagged(world, v)
    row = first_secretary(world, v)
    session = services.create_training(
        world.county,
        {"title": "示范培训班", "start": date(2024, 5, 6), "end": date(2024, 5, 8), "hours": 24},
        acting_user=world.county_staff,
    )
    urls = {
        "overview": f"/orgs/{world.county.pk}/first-secretaries/",
        "town_overview": f"/orgs/{v.town.pk}/first-secretaries/",
        "village": f"/orgs/{v.village.pk}/village-work/",
        "assignment": f"/village-assignments/{row.pk}/",
        "trainings": f"/village-training/{session.pk}/",
    }
    today = timezone.localdate()

    def writes(user):  # type: ignore[no-untyped-def]
        return {
            "flag": lambda: services.flag_village(
                world.county, v.village2, START, "贫困村", acting_user=user
            ),
            "assign": lambda: services.assign(
                world.county,
                v.village,
                {
                    "role": "team_member",
                    "name": "陈东",
                    "sending_unit": "县交通局",
                    "phone": "13900001111",
                    "start": START,
                },
                acting_user=user,
            ),
            "hand_over": lambda: services.hand_over(row, today, "已交接", acting_user=user),
            "log": lambda: services.add_log(
                row, {"on": today, "kind": "visit", "note": "入户走访", "households": 2}, acting_user=user
            ),
            "assess": lambda: services.assess(row, 2024, 1, "competent", acting_user=user),
            "training": lambda: services.create_training(
                world.county,
                {"title": "培训", "start": date(2024, 6, 1), "end": date(2024, 6, 1), "hours": 8},
                acting_user=user,
            ),
            "attendance": lambda: services.record_attendance(
                TrainingSession.objects.get(pk=session.pk), v.village, "赵书记", acting_user=user
            ),
        }

    return world, urls, {"writes": writes}


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_reads_and_writes_as_the_matrix_says(setup, persona: str) -> None:  # type: ignore[no-untyped-def]
    world, urls, extra = setup
    c = client(world, persona)
    for page, expected in PAGES.items():
        code = c.get(urls[page]).status_code
        assert ("read" if code == 200 else str(code)) == expected[persona], (page, persona)
    user = world.users[persona]
    for name, write in extra["writes"](user).items():
        assert outcome(write) == WRITES[name][persona], (name, persona)
