"""Production smoke test: the documented production install, from a clean checkout, serves pages.

Runs the steps of "Production install" in docs/operations.md against a PostgreSQL database of its
own, dropped and recreated: generated keys, `check --deploy` (any warning fails), `migrate`,
`collectstatic`, the county demo (loaded with the development profile, the only one that creates
demo accounts), then gunicorn with the production profile on a loopback port. Every persona logs
in through the real login form (password and TOTP) and walks the pages its menu and home page
link to: each must answer 200 with HTML and a Content-Security-Policy; the static files the pages
name must be served; each persona's bearer token must open the API. Requests carry the header a
TLS proxy sets (X-Forwarded-Proto: https) so the HTTPS-only settings stay as they are.

    uv run python scripts/smoke.py        (or: bash scripts/dev.sh smoke)

Environment: SMOKE_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/dangjian_smoke; the
database is DROPPED), SMOKE_TIMEOUT (seconds for the whole run, default 1800), SMOKE_MAX_PAGES
(pages per persona, default 60), SMOKE_SCALE (demo scale, default county). Exit status 0 = passed.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import psycopg
import pyotp

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get("SMOKE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dangjian_smoke")
DEADLINE = time.monotonic() + int(os.environ.get("SMOKE_TIMEOUT", "1800"))
MAX_PAGES = int(os.environ.get("SMOKE_MAX_PAGES", "60"))
SCALE = os.environ.get("SMOKE_SCALE", "county")
HTTP_TIMEOUT = 120
# Not pages: form targets, downloads (PDF, Excel, iCalendar, attachments) and the API, checked apart.
SKIP = re.compile(
    r"^/(logout|i18n|static|api)/|/(export|download|file|pdf|xlsx|ics|feed|photo)\b|\.(pdf|xlsx|ics|csv)$"
)
# The API lists every persona may read (others are role-dependent: refused is fine, a 5xx is not).
API_FOR_EVERYONE = ["/api/v1/notifications/", "/api/v1/schema/"]
API_PROBES = [
    "/api/v1/organizations/",
    "/api/v1/members/",
    "/api/v1/meetings/",
    "/api/v1/users/",
    "/api/v1/dues/mine/",
    "/api/v1/study-plans/",
]


class SmokeFailure(Exception):
    pass


def log(message: str) -> None:
    print(f"[smoke {time.strftime('%H:%M:%S')}] {message}", flush=True)


def remaining() -> float:
    left = DEADLINE - time.monotonic()
    if left <= 0:
        raise SmokeFailure("time budget (SMOKE_TIMEOUT) exhausted")
    return left


# --- the install -----------------------------------------------------------------------------


def new_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def production_env(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DANGJIAN_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "dangjian.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "FIELD_ENCRYPTION_KEYS": f"k1:{new_key()}",
            "BLIND_INDEX_KEY": new_key(),
            "AUDIT_CHAIN_KEY": new_key(),
            "DATABASE_URL": DATABASE_URL,
            "ALLOWED_HOSTS": "127.0.0.1",
            "DANGJIAN_VAR_DIR": str(var_dir),
        }
    )
    return env


def run(args: list[str], env: dict[str, str], *, limit: float = 900) -> str:
    """A `dangjian` command; its output is returned, and shown when it fails."""
    log("dangjian " + " ".join(args))
    try:
        result = subprocess.run(  # noqa: S603 - fixed argument lists
            [sys.executable, str(ROOT / "manage.py"), *args],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=min(limit, remaining()),
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise SmokeFailure(f"dangjian {' '.join(args)} did not finish in time") from exc
    if result.returncode != 0:
        raise SmokeFailure(f"dangjian {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout + result.stderr


def recreate_database() -> None:
    parts = urlsplit(DATABASE_URL)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"\w+", name):
        raise SmokeFailure(f"unexpected database name {name!r}")
    admin = parts._replace(path="/postgres").geturl()
    log(f"dropping and creating database {name}")
    with psycopg.connect(admin, autocommit=True, connect_timeout=10) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


@dataclass
class Persona:
    username: str
    role: str
    password: str
    two_factor: bool


def parse_accounts(output: str) -> tuple[list[Persona], str]:
    """The account table and the TOTP secret `dangjian demo` prints."""
    match = re.search(r"uses the TOTP secret (\w+)", output)
    if not match:
        raise SmokeFailure(f"the demo printed no TOTP secret:\n{output}")
    personas = [
        Persona(m["user"], m["role"], m["password"], m["fa"] == "yes")
        for m in re.finditer(
            r"^(?P<user>[a-z_]+)  +(?P<role>[a-z_]+)  +.+?  +(?P<password>\S+)  +(?P<fa>yes|no)$",
            output,
            re.MULTILINE,
        )
    ]
    if len(personas) < 5:
        raise SmokeFailure(f"the demo printed too few accounts:\n{output}")
    return personas, match[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def gunicorn(env: dict[str, str], port: int, log_path: Path) -> Iterator[None]:
    """gunicorn as docs/operations.md runs it, stopped (its whole process group) whatever happens."""
    args = [sys.executable, "-m", "gunicorn", "dangjian.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}"]
    args += ["--timeout", "120", "--graceful-timeout", "5"]
    log(" ".join(["gunicorn", *args[3:]]))
    with log_path.open("wb") as out:
        proc = subprocess.Popen(  # noqa: S603 - fixed argument list
            args, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        wait_for_port(port, proc)
        yield
    finally:
        stop(proc)


def wait_for_port(port: int, proc: subprocess.Popen[bytes]) -> None:
    until = time.monotonic() + min(120, remaining())
    while time.monotonic() < until:
        if proc.poll() is not None:
            raise SmokeFailure(f"gunicorn exited with {proc.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.5)
    raise SmokeFailure("gunicorn did not listen within 120 s")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=20)
    except ProcessLookupError:
        pass
    log("gunicorn stopped")


# --- a small HTTPS-behind-a-proxy browser ----------------------------------------------------


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def is_html(self) -> bool:
        return self.headers.get("content-type", "").startswith("text/html") and b"<html" in self.body[:2000]


@dataclass
class Client:
    """Keeps cookies (secure ones too: the proxy would have spoken TLS) and sends what a browser
    behind the TLS proxy sends: X-Forwarded-Proto, and Origin/Referer for CSRF on HTTPS."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    bearer: str = ""

    @property
    def origin(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def request(self, method: str, path: str, body: bytes | None = None, ctype: str = "") -> Response:
        headers = {"Host": f"127.0.0.1:{self.port}", "X-Forwarded-Proto": "https", "Accept-Language": "zh-CN"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.bearer:
            headers["Authorization"] = f"Bearer {self.bearer}"
        if method != "GET":
            headers.update({"Origin": self.origin, "Referer": self.origin + path, "Content-Type": ctype})
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=min(HTTP_TIMEOUT, remaining()))
        try:
            conn.request(method, path, body=body, headers=headers)
            raw = conn.getresponse()
            response = Response(raw.status, {k.lower(): v for k, v in raw.getheaders()}, raw.read())
            for value in raw.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(value).items():
                    self.cookies[name] = morsel.value
        finally:
            conn.close()
        return response

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post_form(self, path: str, data: dict[str, str]) -> Response:
        return self.request("POST", path, urlencode(data).encode(), "application/x-www-form-urlencoded")

    def post_json(self, path: str, data: dict[str, str]) -> Response:
        return self.request("POST", path, json.dumps(data).encode(), "application/json")


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.pages: list[str] = []
        self.assets: list[str] = []
        self.csrf = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.pages.append(a["href"] or "")
        elif tag == "script" and a.get("src"):
            self.assets.append(a["src"] or "")
        elif tag == "link" and a.get("rel") in ("stylesheet", "icon") and a.get("href"):
            self.assets.append(a["href"] or "")
        elif tag == "input" and a.get("name") == "csrfmiddlewaretoken":
            self.csrf = a.get("value") or ""


def parse(html: str) -> Links:
    links = Links()
    links.feed(html)
    return links


def local_page(href: str) -> str | None:
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return None if SKIP.search(parts.path) else path


# --- the walk --------------------------------------------------------------------------------


class Totp:
    """One code per account and 30-second step: the server refuses a code used before."""

    def __init__(self, secret: str) -> None:
        self.totp = pyotp.TOTP(secret)
        self.used: dict[str, int] = {}

    def code_for(self, username: str) -> str:
        while int(time.time() // 30) <= self.used.get(username, -1) or 30 - time.time() % 30 < 2:
            remaining()
            time.sleep(1)
        self.used[username] = int(time.time() // 30)
        return self.totp.now()


def log_in(client: Client, persona: Persona, totp: Totp) -> None:
    form = client.get("/login/")
    check(form.status == 200 and form.is_html, f"{persona.username}: login page answered {form.status}")
    fields = {"username": persona.username, "password": persona.password, "otp": ""}
    if persona.two_factor:
        fields["otp"] = totp.code_for(persona.username)
    done = client.post_form("/login/", {**fields, "csrfmiddlewaretoken": parse(form.text).csrf})
    check(
        done.status == 302 and done.headers.get("location") == "/",
        f"{persona.username}: login answered {done.status} {done.headers.get('location')}",
    )


def walk(client: Client, persona: Persona, assets: set[str]) -> int:
    """Home, then every page its links lead to, breadth first, up to MAX_PAGES."""
    queue, seen, count = ["/"], {"/"}, 0
    while queue and count < MAX_PAGES:
        path = queue.pop(0)
        page = client.get(path)
        count += 1
        if page.status == 302 and path.startswith("/go/"):
            # The header's sections resolve to the user's own organization when followed: the
            # page it leads to is walked like any other (a redirect to the login page is not).
            location = page.headers.get("location", "")
            target = local_page(location)
            check(
                target is not None and not target.startswith("/login/"),
                f"{persona.username}: GET {path} redirected to {location!r}",
            )
            if target and target not in seen:
                seen.add(target)
                queue.append(target)
            continue
        check(page.status == 200, f"{persona.username}: GET {path} answered {page.status}")
        if not page.is_html:
            continue
        check(
            "default-src" in page.headers.get("content-security-policy", ""),
            f"{persona.username}: GET {path} has no Content-Security-Policy",
        )
        links = parse(page.text)
        assets.update(a for a in links.assets if a.startswith("/static/"))
        for href in links.pages:
            target = local_page(href)
            if target and target not in seen:
                seen.add(target)
                queue.append(target)
    return count


def check_api(port: int, persona: Persona, totp: Totp) -> str:
    client = Client(port)
    fields = {"username": persona.username, "password": persona.password}
    if persona.two_factor:
        fields["otp"] = totp.code_for(persona.username)
    issued = client.post_json("/api/v1/auth/token", fields)
    check(issued.status == 200, f"{persona.username}: token request answered {issued.status} {issued.text}")
    client.bearer = json.loads(issued.body)["token"]
    summary = []
    for path in API_FOR_EVERYONE + API_PROBES:
        answer = client.get(path)
        check(answer.status < 500, f"{persona.username}: API GET {path} answered {answer.status}")
        if path in API_FOR_EVERYONE:
            check(answer.status == 200, f"{persona.username}: API GET {path} answered {answer.status}")
        if answer.status == 200 and path != "/api/v1/schema/":
            check(answer.headers.get("content-type", "").startswith("application/json"), f"{path}: not JSON")
        summary.append(f"{path.removeprefix('/api/v1/').rstrip('/')}={answer.status}")
    anonymous = Client(port).get("/api/v1/members/")
    check(anonymous.status in (401, 403), f"API without a token answered {anonymous.status}")
    return " ".join(summary)


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SmokeFailure(message)


def smoke(var_dir: Path) -> None:
    env = production_env(var_dir)
    recreate_database()
    deploy = run(["check", "--deploy", "--fail-level", "WARNING"], env)
    check("no issues" in deploy, f"check --deploy reported issues:\n{deploy}")
    run(["migrate", "--noinput"], env)
    run(["collectstatic", "--noinput"], env, limit=1200)
    # Only the development profile creates demo accounts (with a printed password); the data it
    # writes is encrypted with the same keys, which is all production needs to read it.
    demo_env = {**env, "DJANGO_SETTINGS_MODULE": "dangjian.settings", "DANGJIAN_DEMO": "1"}
    started = time.monotonic()
    personas, secret = parse_accounts(run(["demo", "--scale", SCALE], demo_env, limit=1800))
    log(f"demo loaded in {time.monotonic() - started:.0f} s; {len(personas)} personas")
    totp = Totp(secret)
    port = free_port()
    with gunicorn(env, port, var_dir / "gunicorn.log"):
        plain = Client(port).get("/login/")
        check(plain.status == 200 and plain.is_html, f"login page answered {plain.status}")
        insecure = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        insecure.request("GET", "/login/", headers={"Host": f"127.0.0.1:{port}"})
        redirect = insecure.getresponse()
        check(redirect.status == 301, f"plain HTTP was not redirected to HTTPS ({redirect.status})")
        insecure.close()
        assets: set[str] = set()
        for persona in personas:
            client = Client(port)
            log_in(client, persona, totp)
            pages = walk(client, persona, assets)
            log(f"{persona.username} ({persona.role}): {pages} pages answered 200")
        for asset in sorted(assets):
            served = Client(port).get(asset)
            check(served.status == 200 and served.body, f"static {asset} answered {served.status}")
        check(
            any(re.search(r"\.[0-9a-f]{12}\.", a) for a in assets), "static files are not the hashed names"
        )
        log(f"{len(assets)} static files served")
        for persona in personas:
            log(f"{persona.username}: API {check_api(port, persona, totp)}")


def main() -> int:
    var_dir = Path(tempfile.mkdtemp(prefix="dangjian-smoke-"))
    started = time.monotonic()
    try:
        smoke(var_dir)
    except SmokeFailure as exc:
        log(f"FAILED: {exc}")
        server_log = var_dir / "gunicorn.log"
        if server_log.exists():
            log("gunicorn log (last 60 lines):")
            print("\n".join(server_log.read_text(errors="replace").splitlines()[-60:]), flush=True)
        return 1
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    log(f"passed in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
