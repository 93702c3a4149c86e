"""The installable app: web manifest, service worker and offline page (docs/navigation.md, "Installable app").

The service worker is a view, not a static file: it must be served from `/sw.js` to control the
whole site (scope `/`), and it names the shell's files by their hashed production names
(`static()` resolves them through the manifest storage), so a deployment with new files gives a
new worker, which drops the old caches.
"""

import hashlib
import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from dangjian.core.icons import ICON_SPRITE

THEME_COLOR = "#b3151b"  # the Party red of the header
BACKGROUND_COLOR = "#f6f6f4"

# What every page needs: cached when the worker installs, so a page cached for offline reading
# renders with its styles. Keep in step with base.html's <link> and <script> tags.
SHELL_STATIC = [
    "vendor/bootstrap/bootstrap.min.css",
    "dangjian.css",
    ICON_SPRITE,
    "nav.css",
    "vendor/bootstrap/bootstrap.bundle.min.js",
    "vendor/htmx/htmx.min.js",
    "dj/app.js",
    "dj/pwa.js",
    "favicon.svg",
    "pwa/icon-192.png",
]

# A member's own pages kept for reading offline: network first, the last copy when offline.
# Only pages about the signed-in member themself; never a list of other people's data. The
# caches are emptied on logout and whenever a signed-out page is shown (pwa.js).
OFFLINE_PAGES = ["/my/card/", "/my/meetings/", "/notifications/"]


@require_GET
@cache_control(public=True, max_age=3600)
def manifest(request: HttpRequest) -> HttpResponse:
    icons = [
        {
            "src": static(f"pwa/icon-{size}.png"),
            "sizes": f"{size}x{size}",
            "type": "image/png",
            "purpose": "any",
        }
        for size in (192, 512)
    ] + [
        {
            "src": static(f"pwa/maskable-{size}.png"),
            "sizes": f"{size}x{size}",
            "type": "image/png",
            "purpose": "maskable",
        }
        for size in (192, 512)
    ]
    data = {
        "id": "/",
        "name": "智慧党建",
        "short_name": "智慧党建",
        "description": "智慧党建工作平台：会议、学习、党费、积分、党员证。",
        "lang": "zh-CN",
        "dir": "ltr",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "orientation": "any",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "icons": icons,
    }
    return JsonResponse(
        data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False}
    )


def _worker_config() -> dict[str, object]:
    offline = reverse("pwa_offline")
    precache = [offline, *(static(name) for name in SHELL_STATIC)]
    version = hashlib.sha256(json.dumps(precache).encode()).hexdigest()[:12]
    return {
        "version": version,
        "precache": precache,
        "offline": offline,
        "pages": OFFLINE_PAGES,
        "static": static(""),
        "login": reverse("login"),
    }


@require_GET
@cache_control(no_cache=True)
def service_worker(request: HttpRequest) -> HttpResponse:
    # Revalidated on every check (no-cache), so a new deployment reaches phones at once.
    body = render(request, "web/sw.js", {"config": json.dumps(_worker_config())}).content
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
@cache_control(public=True, max_age=3600)
def offline(request: HttpRequest) -> HttpResponse:
    """Shown by the service worker when a page cannot be loaded. Rendered without the user (it is
    cached once for whoever uses the phone next), so it carries no name and no token."""
    return render(request, "web/offline.html")
