"""Settings: everything that differs between installations comes from the environment.

`dangjian.settings` is the default profile (development, demo, tests);
`dangjian.settings.production` tightens it for a real deployment.
"""

from .base import *  # noqa: F403
