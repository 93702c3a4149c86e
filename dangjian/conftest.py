from collections.abc import Iterator

import pytest
from django.utils import translation

from dangjian.testing.world import World, build_world


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture(autouse=True)
def _english_outside_requests() -> Iterator[None]:
    # Services called directly by tests speak the active language; tests compare English text.
    # Requests still go through the middleware, which defaults to Chinese.
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: pytest.FixtureRequest) -> None:
    # PBKDF2 at production strength costs ~0.3 s a hash; tests create many accounts.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]
