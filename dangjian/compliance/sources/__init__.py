"""The facts of each domain, registered by name. Each module reads one domain's querysets."""

from . import (  # noqa: F401
    campaigns,
    community,
    dues,
    evaluation,
    honours,
    identity,
    leaders,
    lectures,
    members,
    online,
    organizations,
    orglife,
    points,
    rectification,
    study,
    supervision,
    transfers,
    weakorgs,
)
