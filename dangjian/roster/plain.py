"""Values that travel to the import's worker processes, defined without importing Django models:
a fresh worker unpickles its arguments before it has set Django up."""

from datetime import date
from typing import Any, NamedTuple


class Branch(NamedTuple):
    pk: int
    path: str
    name: str


class Config(NamedTuple):
    columns: dict[str, int]
    headers: dict[str, str]
    today: date
    language: str
    copy: bool
    stamp: Any
    compared: tuple[str, ...]  # fields compared with an existing member (the file's columns)
