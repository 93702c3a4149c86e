"""The production static storage: collectstatic succeeds and every `{% static %}` name resolves.

With the manifest storage, a file that collectstatic could not process leaves no manifest, and then
every page that names a static file answers 500 — what a fresh production install did when the
Bootstrap source map was not shipped.
"""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from dangjian.core.icons import ICON_SPRITE

# The production backend is whitenoise's CompressedManifestStaticFilesStorage: Django's manifest
# storage (what refused the missing map) plus compression, which takes minutes and is left out here.
MANIFEST_STORAGE = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
STATIC_TAG = re.compile(r"""\{%\s*static\s+['"]([^'"]+)['"]\s*%\}""")


def template_static_names() -> set[str]:
    names: set[str] = set()
    for template in (Path(settings.BASE_DIR) / "templates").rglob("*.html"):
        names.update(STATIC_TAG.findall(template.read_text(encoding="utf-8")))
    return names


def test_collectstatic_with_the_manifest_storage_resolves_every_template_name(tmp_path: Path) -> None:
    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": MANIFEST_STORAGE}}
    with override_settings(STORAGES=storages, STATIC_ROOT=tmp_path, WHITENOISE_USE_FINDERS=False):
        call_command("collectstatic", "--noinput", verbosity=0)
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    names = template_static_names() | {ICON_SPRITE}  # the {% icon %} tag names the sprite
    assert "vendor/bootstrap/bootstrap.bundle.min.js" in names
    assert not [name for name in manifest if "bootstrap-icons" in name]  # the icon font is not shipped
    missing = sorted(name for name in names if name not in manifest)
    assert not missing, f"templates name static files collectstatic did not produce: {missing}"
    # The hashed bundle points at the hashed map, which is served too.
    bundle = (tmp_path / manifest["vendor/bootstrap/bootstrap.bundle.min.js"]).read_text()
    map_name = manifest["vendor/bootstrap/bootstrap.bundle.min.js.map"]
    assert Path(map_name).name in bundle
    assert (tmp_path / map_name).is_file()


@pytest.mark.parametrize("name", ["vendor/bootstrap/bootstrap.min.css", "vendor/htmx/htmx.min.js"])
def test_vendor_assets_are_installed(name: str) -> None:
    # scripts/dev.sh setup copies them from node_modules; without them the check above is moot.
    assert (Path(settings.BASE_DIR) / "dangjian" / "static" / name).is_file()
