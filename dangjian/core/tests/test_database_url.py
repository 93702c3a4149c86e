"""Two connections in production: migrations as the tables' owner, everything else as the
application's role (docs/operations.md, "Database roles")."""

import pytest

from dangjian.settings.env import database_url

APP, OWNER, DEFAULT = "postgres://app@db/dj", "postgres://owner@db/dj", "sqlite:///x"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["dangjian", "migrate"], OWNER),
        (["manage.py", "dbroles", "--app-role", "app"], OWNER),
        (["dangjian", "runserver"], APP),
        (["gunicorn", "dangjian.wsgi"], APP),
        (["dangjian", "audit", "verify"], APP),
    ],
)
def test_only_schema_commands_connect_as_the_owner(
    monkeypatch: pytest.MonkeyPatch, argv: list[str], expected: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", APP)
    monkeypatch.setenv("MIGRATE_DATABASE_URL", OWNER)
    assert database_url(DEFAULT, argv) == expected


def test_without_an_owner_url_everything_uses_database_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", APP)
    monkeypatch.delenv("MIGRATE_DATABASE_URL", raising=False)
    assert database_url(DEFAULT, ["dangjian", "migrate"]) == APP
    monkeypatch.delenv("DATABASE_URL")
    assert database_url(DEFAULT, ["dangjian", "migrate"]) == DEFAULT
