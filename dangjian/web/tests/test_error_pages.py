"""Error pages are styled, in Chinese, say what to do and lead home; the API keeps answering JSON."""

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import translation

from dangjian.api.errors import server_error_page
from dangjian.testing.world import World

pytestmark = pytest.mark.django_db


def assert_styled(page: str, heading: str) -> None:
    assert '<html lang="zh-CN">' in page and "dangjian.css" in page
    assert f'<h1 class="h3">{heading}</h1>' in page
    assert 'href="/"' in page and "返回首页" in page
    assert "Not Found" not in page


def test_missing_page_is_a_chinese_page_with_a_way_home(world: World) -> None:
    client = Client()
    client.force_login(world.users["member_user"])
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert_styled(response.content.decode(), "页面不存在")


def test_an_organization_outside_the_scope_reads_the_same_as_a_missing_one(world: World) -> None:
    client = Client()
    client.force_login(world.users["outsider"])
    response = client.get(f"/orgs/{world.branch.pk}/")
    assert response.status_code == 404
    page = response.content.decode()
    assert_styled(page, "页面不存在")
    assert world.branch.name not in page


def test_api_errors_stay_json(world: World) -> None:
    client = Client()
    response = client.get("/api/v1/no-such-endpoint/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "未找到。"}
    error = server_error_page(RequestFactory().get("/api/v1/meetings/"))
    assert error.status_code == 500 and error["Content-Type"] == "application/json"


def test_server_error_page_needs_no_database() -> None:
    with CaptureQueriesContext(connection) as queries, translation.override("zh-hans"):
        response = server_error_page(RequestFactory().get("/meetings/"))
    assert len(queries) == 0
    assert response.status_code == 500
    assert_styled(response.content.decode(), "出错了")


@override_settings(DEBUG=False)
def test_csrf_failure_explains_what_to_do(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "member_user", "password": "x"})
    assert response.status_code == 403
    page = response.content.decode()
    assert_styled(page, "表单已过期")
    assert "重新" in page
