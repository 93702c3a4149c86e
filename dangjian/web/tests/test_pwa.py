"""The installable app's manifest, service worker and offline page, as the browser fetches them."""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from PIL import Image

from dangjian.testing.world import World

pytestmark = pytest.mark.django_db


def test_the_manifest_names_the_app_and_its_icons() -> None:
    response = Client().get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["name"] == "智慧党建" and data["lang"] == "zh-CN"
    assert (data["start_url"], data["scope"], data["display"]) == ("/", "/", "standalone")
    assert data["theme_color"] == "#b3151b"
    seen = set()
    for icon in data["icons"]:
        path = finders.find(icon["src"].removeprefix("/static/"))
        assert path, icon["src"]
        with Image.open(path) as image:
            assert f"{image.width}x{image.height}" == icon["sizes"] and image.format == "PNG"
        seen.add((icon["sizes"], icon["purpose"]))
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= seen


def test_the_service_worker_is_served_from_the_root_and_precaches_the_shell() -> None:
    response = Client().get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert "no-cache" in response["Cache-Control"]
    config = json.loads(re.search(r"const CONFIG = (\{.*?\});", response.content.decode()).group(1))
    assert "/offline/" in config["precache"]
    assert any(url.endswith("dangjian.css") for url in config["precache"])
    assert config["pages"] == ["/my/card/", "/my/meetings/", "/notifications/"]


def test_the_policy_lets_the_worker_and_manifest_load_from_this_site_only() -> None:
    policy = Client().get("/login/")["Content-Security-Policy"]
    assert "worker-src 'self'" in policy and "manifest-src 'self'" in policy


def test_the_offline_page_is_chinese_and_carries_nothing_of_the_user(world: World) -> None:
    client = Client()
    client.force_login(world.member_user)
    response = client.get("/offline/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "暂时无法连接" in body and 'lang="zh-CN"' in body
    assert "member_user" not in body and world.member.name not in body
    assert "csrfmiddlewaretoken" not in body and "X-CSRFToken" not in body


def test_every_page_links_the_manifest_and_the_registration_script(world: World) -> None:
    body = Client().get("/login/").content.decode()
    assert 'rel="manifest" href="/manifest.webmanifest"' in body
    assert re.search(r'<script src="/static/dj/pwa[^"]*\.js" defer>', body)
