"""API test helpers: a JSON client signed in as a persona of the test world."""

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from dangjian.testing.world import World


@pytest.fixture
def api(world: World) -> Callable[[str], APIClient]:
    def client_for(persona: str) -> APIClient:
        client = APIClient()
        client.default_format = "json"
        client.force_authenticate(user=world.users[persona])
        return client

    return client_for
