# The browser test uses the same Chromium set-up as the web app's browser tests.
from dangjian.web.tests.conftest import browser_context_args, browser_type_launch_args  # noqa: F401
