"""What a member's phone downloads: bytes transferred on the first and on a repeat visit.

    uv run python bench/page_weight.py            # prints a Markdown table for docs/benchmarks.md

The production profile in a throw-away directory (fresh keys, its own SQLite file, `collectstatic`
with the compressed manifest storage), served by gunicorn on a loopback port; the test world's
member (`dangjian.testing.world`) logs in from a real Chromium. Bytes are what the network
delivered (CDP `Network.loadingFinished.encodedDataLength`: compressed bodies plus headers),
counted for each page twice:

* first visit: browser cache and service worker storage emptied, the page opened;
* repeat visit: the same page opened again (a navigation, not a reload: static files with hashed
  names are cached far-future and not asked for again; the page itself is always fetched).

The service worker is blocked while measuring, so its precache fetches (which go through the same
HTTP cache) are not counted twice; it would answer static files from its own cache on repeat
visits, which can only lower the figure.
"""

import base64
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from _harness import ROOT, machine, row

CHROMIUM = "/usr/bin/chromium"
PAGES = ["/", "/my/meetings/", "/my/card/", "/my/dues/", "/my/"]
BUDGET_FIRST_KB = 150
BUDGET_REPEAT_KB = 20


def production_env(var_dir: Path) -> dict[str, str]:
    def key() -> str:
        return base64.b64encode(secrets.token_bytes(32)).decode()

    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DANGJIAN_", "DATABASE_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "dangjian.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "FIELD_ENCRYPTION_KEYS": f"k1:{key()}",
            "BLIND_INDEX_KEY": key(),
            "AUDIT_CHAIN_KEY": key(),
            "ALLOWED_HOSTS": "localhost",
            "DANGJIAN_VAR_DIR": str(var_dir),
            # Plain HTTP on loopback: Chromium treats http://localhost as a secure context (the
            # session cookie's Secure flag and the service worker both work there).
            "SECURE_SSL_REDIRECT": "0",
        }
    )
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, check=True)  # noqa: S603


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def gunicorn(env: dict[str, str], port: int) -> Iterator[None]:
    args = [sys.executable, "-m", "gunicorn", "dangjian.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}"]
    proc = subprocess.Popen(args, env=env, cwd=ROOT, start_new_session=True)  # noqa: S603
    try:
        until = time.monotonic() + 60
        while time.monotonic() < until:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.3)
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=20)


class Meter:
    """Bytes and requests the page's network stack finished, from the DevTools protocol."""

    def __init__(self, cdp: Any) -> None:
        self.bytes = 0
        self.requests: dict[str, str] = {}
        self.sizes: dict[str, int] = {}
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.loadingFinished", self._finished)

    def _sent(self, event: dict[str, Any]) -> None:
        self.requests[event["requestId"]] = event["request"]["url"]

    def _finished(self, event: dict[str, Any]) -> None:
        self.bytes += int(event["encodedDataLength"])
        url = self.requests.get(event["requestId"], "?")
        self.sizes[url] = self.sizes.get(url, 0) + int(event["encodedDataLength"])

    def reset(self) -> None:
        self.bytes, self.sizes = 0, {}


def network(sizes: dict[str, int]) -> int:
    """Requests that reached the server (one answered from the browser's cache moves no bytes)."""
    return sum(1 for size in sizes.values() if size > 0)


def measure(base: str, password: str) -> list[tuple[str, int, int, int, int, dict[str, int]]]:
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(service_workers="block", locale="zh-CN")
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        meter = Meter(cdp)
        page.goto(f"{base}/login/")
        page.fill("#id_username", "member_user")
        page.fill("#id_password", password)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(f"{base}/")
        for path in PAGES:
            cdp.send("Network.clearBrowserCache")
            meter.reset()
            page.goto(base + path, wait_until="networkidle")
            first, first_sizes = meter.bytes, dict(meter.sizes)
            meter.reset()
            page.goto(base + path, wait_until="networkidle")
            results.append(
                (path, first, network(first_sizes), meter.bytes, network(meter.sizes), first_sizes)
            )
        browser.close()
    return results


def main() -> int:
    var_dir = Path(tempfile.mkdtemp(prefix="dangjian-weight-"))
    try:
        env = production_env(var_dir)
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "collectstatic", "--noinput", "-v", "0")
        # The test world: a county, branches, and the member `member_user` (no second factor).
        world = subprocess.run(
            [
                sys.executable,
                "-c",
                "import django; django.setup(); "
                "from dangjian.testing.world import PASSWORD, build_world; build_world(); print(PASSWORD)",
            ],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        password = world.stdout.strip().splitlines()[-1]
        port = free_port()
        with gunicorn(env, port):
            results = measure(f"http://localhost:{port}", password)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    print(f"Machine: {machine()}; production profile, gunicorn, Chromium {CHROMIUM}\n")
    print(row("member page", "first visit (KB)", "requests", "repeat visit (KB)", "requests"))
    print(row("---", "---:", "---:", "---:", "---:"))
    failed = False
    for path, first, n_first, repeat, n_repeat, _sizes in results:
        print(row(f"`{path}`", f"{first / 1024:.1f}", n_first, f"{repeat / 1024:.1f}", n_repeat))
        failed |= first > BUDGET_FIRST_KB * 1024 or repeat > BUDGET_REPEAT_KB * 1024
    print("\nLargest transfers on the first visit of the home page:")
    for url, size in sorted(results[0][5].items(), key=lambda kv: -kv[1])[:8]:
        print(f"- {url.split('/', 3)[-1]}: {size / 1024:.1f} KB")
    print(
        f"\nBudgets: first visit ≤ {BUDGET_FIRST_KB} KB, repeat ≤ {BUDGET_REPEAT_KB} KB: "
        + ("EXCEEDED" if failed else "met")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
