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
