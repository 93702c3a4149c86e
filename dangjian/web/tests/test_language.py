from django.test import Client

from dangjian.testing.world import World


def test_chinese_by_default_even_for_an_english_browser(world: World) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    body = client.get("/login/").content.decode()
    assert '<html lang="zh-CN">' in body


def test_switch_to_english_and_back(world: World) -> None:
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert response.status_code == 302
    assert '<html lang="en">' in client.get("/login/").content.decode()
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/login/"})
    assert '<html lang="zh-CN">' in client.get("/login/").content.decode()


def test_the_chinese_catalogue_is_compiled_and_used(world: World) -> None:
    body = Client().get("/login/").content.decode()
    assert "登录" in body and "用户名" in body


def test_api_errors_speak_chinese_by_default(world: World) -> None:
    client = Client()
    client.force_login(world.secretary)
    response = client.post(
        "/api/v1/members/",
        {
            "organization": world.branch.code,
            "name": "某某",
            "id_number": "12345",
            "category": "full",
            "join_date": "2010-01-01",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "18" in response.json()["id_number"][0] and "位" in response.json()["id_number"][0]
