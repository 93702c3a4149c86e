"""Property-based test of the whole API against its own OpenAPI schema (schemathesis).

Every operation gets generated inputs (valid by the schema: types, enums, bounds) sent as
committee staff of the test world, signed in with a bearer token like a real client. Checks: no
5xx, the status code is one the schema documents, the body matches the documented schema, the
content type is the documented one. The operations are split into shards so xdist spreads them
over its workers; each shard builds the world once and every example writes into the same test
database (a generated POST that succeeds leaves a row the next example can meet).

Deterministic (`derandomize`, no example database) and bounded: EXAMPLES per operation.
"""

import json
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from dangjian.accounts.credential_services import issue_api_token
from dangjian.accounts.models import User
from dangjian.testing.world import World

EXAMPLES = 6
SHARDS = 8
PERSONA = "county_staff"
COOKIES = {"django_language": "en"}  # messages in failures readable by everyone
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _schema() -> Any:
    raw = SchemaGenerator().get_schema(request=None, public=True)
    return schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(raw)))


SCHEMA = _schema()
OPERATIONS = sorted(
    (result.ok() for result in SCHEMA.get_all_operations()), key=lambda op: (op.path, op.method)
)


@pytest.fixture
def wsgi_app() -> Iterator[WSGIHandler]:
    # Like Django's test client: the end of a request must not close the connection holding
    # the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _strategy(operation: Any) -> Any:
    generated = operation.as_strategy()
    if "{id}" not in operation.path:
        return generated
    # Generated ids are mostly unknown (404); half the examples name rows the world holds.
    known = st.sampled_from([1, 2, 3, 5]).flatmap(
        lambda pk: operation.as_strategy(path_parameters={"id": pk})
    )
    return st.one_of(generated, known)


def _exercise(operation: Any, app: WSGIHandler, user: User) -> None:
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=_strategy(operation))
    def check(case: Any) -> None:
        # A fresh token each example (issued after a second-factor login, as the persona needs):
        # a generated logout or revocation ends the token it came with.
        token, _row = issue_api_token(user, second_factor=True)
        headers = {"Authorization": f"Bearer {token}"}
        case.call_and_validate(app=app, headers=headers, cookies=COOKIES, checks=CHECKS)

    check()


@pytest.mark.parametrize("shard", range(SHARDS))
def test_every_operation_keeps_its_schema(world: World, wsgi_app: WSGIHandler, shard: int) -> None:
    failures = []
    for operation in OPERATIONS[shard::SHARDS]:
        try:
            _exercise(operation, wsgi_app, world.users[PERSONA])
        except Exception as exc:  # collect all, report together
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert not failures, "\n\n".join(failures)
