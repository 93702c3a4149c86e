from collections.abc import Callable, Iterator

import pytest
from django.core.cache import cache
from django.utils import translation
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient

from dangjian.testing.api import english_client
from dangjian.testing.world import World, build_world

# Property tests draw the same examples on every run and every machine: a failure seen once is
# seen again, and nothing is remembered between runs (no .hypothesis/ example database). No
# deadline: on a loaded 2-core CI machine an example taking over 200 ms is slowness, not a bug.
hypothesis_settings.register_profile(
    "dangjian", derandomize=True, database=None, deadline=None, print_blob=True
)
hypothesis_settings.load_profile("dangjian")

# Browser assertions wait up to 20 s (Playwright's default is 5 s): CI runs two browsers beside
# two test workers and the live server on 2 cores, where a page may take seconds to answer. A
# wrong page still fails, only later.
try:
    from playwright.sync_api import expect as _playwright_expect

    _playwright_expect.set_options(timeout=20_000)
except ImportError:  # pragma: no cover - playwright is a test dependency
    pass


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    # Each test starts with an empty cache: the database rolls back after a test, the cache
    # does not. A value cached by an earlier test on the same worker (the login policy's idle
    # setting, cached on first use) would otherwise make a test's queries depend on which
    # tests ran before it and how long ago — query budgets that are 8 on one run and 9 on
    # the next, or a policy a previous test changed and rolled back still in force.
    cache.clear()


@pytest.fixture(autouse=True)
def _english_outside_requests() -> Iterator[None]:
    # Services called directly by tests speak the active language; tests compare English text.
    # Requests still go through the middleware, which defaults to Chinese.
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True, scope="session")
def _huey_immediate() -> None:
    # Tasks run inline, for real, in the test's process and transaction; nothing is queued in
    # the var/ file a developer's worker reads (immediate mode queues in memory).
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: pytest.FixtureRequest) -> None:
    # PBKDF2 at production strength costs ~0.3 s a hash; tests create many accounts.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@pytest.fixture
def api(world: World) -> Callable[[str], APIClient]:
    """`api("secretary")`: a JSON API client signed in as a persona of the test world."""

    def client_for(persona: str) -> APIClient:
        client = english_client()
        client.default_format = "json"
        client.force_authenticate(user=world.users[persona])
        return client

    return client_for


@pytest.fixture(autouse=True)
def _fresh_login_policy_cache() -> None:
    # The idle limits are cached until the policy changes; a test's database starts without a
    # policy row (the settings' defaults), so its cache starts from them too — warm, so a test's
    # first request costs what every later one does.
    from django.core.cache import cache

    from dangjian.accounts.models import IDLE_CACHE_KEY, default_idle_limits

    cache.set(IDLE_CACHE_KEY, default_idle_limits(), None)


# Every app's real-browser tests use the web app's Chromium set-up (Debian's /usr/bin/chromium).
from dangjian.web.tests.conftest import browser_context_args, browser_type_launch_args  # noqa: E402, F401
