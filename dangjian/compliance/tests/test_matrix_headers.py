"""The supervision matrix names its columns: each rule's title (never its code), with its work
point below, so several rules of one point read apart; the trend chart names its axes."""

import json
import re

from django.test import Client

from dangjian.testing.world import World

from .test_pages import dues_metric, measured  # noqa: F401  (fixtures)


def _headers(body: str) -> list[str]:
    head = body[body.index('<table class="table table-sm table-bordered mb-0 align-middle dj-matrix"') :]
    head = head[: head.index("</thead>")]
    cells = re.findall(r'<th scope="col" class="dj-rule-head">(.*?)</th>', head, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip() for c in cells]


def _page(world: World, lang: str) -> str:
    client = Client()
    client.cookies["django_language"] = lang
    client.force_login(world.county_staff)
    return client.get(f"/orgs/{world.township.pk}/supervision/?year=2026").content.decode()


def test_headers_are_rule_names_with_their_point(measured: World) -> None:  # noqa: F811
    headers = _headers(_page(measured, "zh-hans"))
    assert headers == [
        "每季度召开支部党员大会 第12项",
        "每年至少一次党课 第12项",
        "按期换届 第16项",
        "党费六个月未交 第16项",
    ]
    assert len(set(headers)) == len(headers)  # two rules of one point read apart
    english = _headers(_page(measured, "en"))
    assert english[0] == "Quarterly branch assembly Pt 12"
    body = _page(measured, "zh-hans")
    for code in ("assembly", "lecture", "terms", "dues"):  # codes stay ids, never text
        assert f">{code}<" not in body


def test_chart_axes_are_named(measured: World) -> None:  # noqa: F811
    body = _page(measured, "zh-hans")
    raw = body[body.index('id="trend-data"') :]
    data = json.loads(raw[raw.index(">") + 1 : raw.index("</script>")])
    assert data["axes"] == {"x": "月份", "y": "党组织数", "share": "完成率（%）"}
