from pathlib import Path
from typing import Any

import pytest

# The browser test uses the same Chromium set-up as the web app's browser tests.
from dangjian.web.tests.conftest import browser_context_args, browser_type_launch_args  # noqa: F401


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path  # evidence and report files are stored files
