import re
from collections.abc import Callable

from rest_framework.test import APIClient

from dangjian.testing.world import World

Api = Callable[[str], APIClient]


def test_schema_for_signed_in_users(api: Api, world: World) -> None:
    response = api("member_user").get("/api/v1/schema/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "/api/v1/members/{id}/reveal/" in body and "bearerAuth" in body
    assert APIClient().get("/api/v1/schema/").status_code in (401, 403)


def test_docs_page_loads_only_local_assets(api: Api, world: World) -> None:
    response = api("member_user").get("/api/docs/")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert sources, html
    assert all(src.startswith("/") and not src.startswith("//") for src in sources), sources
    assert "http://" not in html and "https://" not in html
