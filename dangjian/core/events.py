"""Change events: how a domain's services tell whoever listens that an organization's records
changed, without knowing who listens.

A service calls `changed("orglife.meeting", org_id)` inside its transaction; subscribers run
after commit, never for a rolled-back write. The compliance engine subscribes and queues a refresh of
that organization's results; lower apps never import it.
"""

from collections import defaultdict
from collections.abc import Callable
from datetime import date

from django.db import transaction

Handler = Callable[[str, int, date | None], None]

_subscribers: dict[str, list[Handler]] = defaultdict(list)
_WILDCARD = "*"


def subscribe(topic: str, handler: Handler) -> None:
    """`topic` is a name like "orglife.meeting", or "*" for every topic."""
    if handler not in _subscribers[topic]:
        _subscribers[topic].append(handler)


def unsubscribe(topic: str, handler: Handler) -> None:
    if handler in _subscribers[topic]:
        _subscribers[topic].remove(handler)


def changed(topic: str, org_id: int, on: date | None = None) -> None:
    """Records of organization `org_id` changed; `on` is the date they concern (a meeting's
    day, a payment's month), so listeners know which year to refresh. Listeners must be
    idempotent: a write that calls this twice queues the same work twice."""
    handlers = [*_subscribers.get(topic, []), *_subscribers.get(_WILDCARD, [])]
    for handler in handlers:
        transaction.on_commit(lambda h=handler: h(topic, org_id, on))  # type: ignore[misc]
