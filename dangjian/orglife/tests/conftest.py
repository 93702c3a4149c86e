from pathlib import Path

import pytest

# The real-browser test of the minutes editor uses the same Chromium set-up as the web app's.
from dangjian.web.tests.conftest import browser_context_args, browser_type_launch_args  # noqa: F401


@pytest.fixture
def media(settings: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """Stored files go to a fresh directory, never into the repository."""
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]
    return tmp_path
