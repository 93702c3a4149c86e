"""The suite gives the same answer on every run: no randomness or wall-clock limit in property tests."""

from django.core.cache import cache
from hypothesis import given, settings
from hypothesis import strategies as st


def test_property_tests_are_seeded_and_remember_nothing() -> None:
    profile = settings.default
    assert profile.derandomize is True
    assert profile.database is None
    assert profile.deadline is None


def test_two_runs_draw_the_same_examples() -> None:
    runs: list[list[int]] = []

    @given(st.integers())
    def draw(value: int) -> None:
        runs[-1].append(value)

    for _ in range(2):
        runs.append([])
        draw()
    assert runs[0] == runs[1]


def test_a_value_cached_by_a_test_is_gone_in_the_next_1() -> None:
    # This pair runs in order on one worker (same module): the first leaves a value behind.
    cache.set("dangjian-test-leftover", "from an earlier test", 3600)


def test_a_value_cached_by_a_test_is_gone_in_the_next_2() -> None:
    assert cache.get("dangjian-test-leftover") is None
