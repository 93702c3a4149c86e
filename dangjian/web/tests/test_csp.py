"""Content-Security-Policy: the header on every kind of response, and templates it lets through.

The policy allows scripts and styles from the site's own files only, so a template with an inline
<script>, an on*= handler or a style="" attribute would break in the browser (and an injected one
would not run). The browser walk is in test_browser_csp.py.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from dangjian.orglife.records import add_attachment
from dangjian.orglife.tests.helpers import past_meeting, png_bytes
from dangjian.testing.world import World

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# WeasyPrint renders these to PDF on the server; no browser ever applies a policy to them.
NOT_SERVED = ("pdf",)


def policy(response: object) -> dict[str, str]:
    header = response["Content-Security-Policy"]  # type: ignore[index]
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


def assert_strict(response: object) -> None:
    directives = policy(response)
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in response["Content-Security-Policy"]  # type: ignore[index]


def signed_in(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


def test_pages_fragments_errors_and_api_carry_the_policy(world: World) -> None:
    anonymous = Client()
    assert_strict(anonymous.get("/login/"))
    staff = signed_in(world, "county_staff")
    for path in ["/", "/orgs/", "/members/", f"/orgs/{world.county.pk}/supervision/", "/no-such-page/"]:
        response = staff.get(path)
        assert response.status_code in (200, 404), path
        assert_strict(response)
    fragment = staff.get("/members/?q=张", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.content.decode()
    assert_strict(fragment)
    api = staff.get("/api/v1/organizations/")
    assert api.status_code == 200
    assert_strict(api)


def test_the_api_docs_page_loads_its_script_from_a_file(world: World) -> None:
    response = signed_in(world, "county_staff").get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"<script>(?!\s*</script>)", html), "inline script on the API docs page"
    # Swagger UI styles itself inline: allowed on this page, scripts still only from files.
    assert policy(response)["script-src"] == "'self'"


def test_attachment_downloads_keep_their_own_stricter_policy(
    world: World, tmp_path: Path, settings: pytest.FixtureRequest
) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]
    meeting = past_meeting(world)
    row = add_attachment(
        meeting, SimpleUploadedFile("合影.png", png_bytes(), "image/png"), acting_user=world.secretary
    )
    response = signed_in(world, "secretary").get(f"/meeting-attachments/{row.pk}/")
    assert response.status_code == 200
    assert policy(response)["default-src"] == "'none'"


def served_templates() -> list[Path]:
    return [p for p in TEMPLATES.rglob("*.html") if not set(p.relative_to(TEMPLATES).parts) & set(NOT_SERVED)]


@pytest.mark.parametrize(
    ("what", "pattern"),
    [
        ("inline <script>", re.compile(r"<script(?![^>]*\ssrc=)(?![^>]*type=\"application/json\")[^>]*>")),
        ("event-handler attribute", re.compile(r"<[a-zA-Z][^>]*\son[a-z]+\s*=", re.S)),
        ("style attribute", re.compile(r"<[a-zA-Z][^>]*\sstyle\s*=", re.S)),
        ("<style> element", re.compile(r"<style[\s>]")),
        ("javascript: URL", re.compile(r"javascript:", re.I)),
    ],
)
def test_templates_hold_nothing_the_policy_blocks(what: str, pattern: re.Pattern[str]) -> None:
    offenders = [
        str(path.relative_to(TEMPLATES))
        for path in served_templates()
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert not offenders, f"{what} in {offenders}: move it into a file under dangjian/static/"
