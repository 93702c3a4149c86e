from pathlib import Path

import pytest


@pytest.fixture
def media(settings: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """Stored files go to a fresh directory, never into the repository."""
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]
    return tmp_path
