"""The entry point of the import's worker processes (see `checking`).

This module imports nothing of Django at module level: a new worker unpickles the task (this
function and its plain arguments) before anything is set up. Set-up happens at the first chunk,
so a failure there reaches the parent as that chunk's error instead of a pool that restarts
failing workers for ever.
"""

from typing import Any

from .plain import Branch, Config

_checker: Any = None


def check(config: Config, chunk: list[tuple[int, list[Any], Branch | str]]) -> list[Any]:
    global _checker
    if _checker is None:
        import django

        django.setup()
        from django.utils import translation

        from .checking import Checker

        translation.activate(config.language)
        _checker = Checker(config)
    return _checker.check_chunk(chunk)  # type: ignore[no-any-return]
