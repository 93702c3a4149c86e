"""API test helpers: a JSON client signed in as a persona of the test world."""

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from dangjian.testing.world import World


def english_client() -> APIClient:
    """An anonymous client reading English messages (the assertions compare English text;
    web/tests/test_language.py checks that the default is Chinese)."""
    client = APIClient()
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def api(world: World) -> Callable[[str], APIClient]:
    def client_for(persona: str) -> APIClient:
        client = english_client()
        client.default_format = "json"
        client.force_authenticate(user=world.users[persona])
        return client

    return client_for
