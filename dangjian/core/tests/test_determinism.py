"""The suite gives the same answer on every run: no randomness or wall-clock limit in property tests."""

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
