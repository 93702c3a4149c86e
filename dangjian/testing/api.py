"""API clients for tests."""

from rest_framework.test import APIClient


def english_client() -> APIClient:
    """An anonymous client reading English messages (assertions compare English text;
    web/tests/test_language.py checks that the default is Chinese)."""
    client = APIClient()
    client.cookies["django_language"] = "en"
    return client
