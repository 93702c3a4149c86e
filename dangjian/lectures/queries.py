"""Reads for supervision: how many lectures each reporter gave, which branches were reached."""

from django.db.models import Count

from dangjian.core.tree import subtree_q

from .models import DispatchStatus, LectureDispatch

# Each party-spirit education reporter is expected to give at least this many lectures a year.
REPORTER_YEARLY_TARGET = 3


def reporter_lecture_counts(org_path: str, year: int) -> dict[int, int]:
    """Held lectures in `year` of each reporter kept in the subtree (one query; reporters with
    none are absent)."""
    rows = (
        LectureDispatch.objects.filter(
            subtree_q(org_path, "lecturer__organization__path"),
            lecturer__is_reporter=True,
            status=DispatchStatus.HELD,
            date__year=year,
        )
        .values("lecturer_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["lecturer_id"]: row["n"] for row in rows}


def lecture_counts(lecturer_ids: list[int], year: int) -> dict[int, int]:
    """Held lectures in `year` of the given lecturers, reporters or not (one query)."""
    rows = (
        LectureDispatch.objects.filter(
            lecturer_id__in=lecturer_ids, status=DispatchStatus.HELD, date__year=year
        )
        .values("lecturer_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["lecturer_id"]: row["n"] for row in rows}


def branches_with_dispatch(org_path: str, year: int) -> set[int]:
    """Ids of the branches in the subtree that received a lecture held in `year`."""
    qs = LectureDispatch.objects.filter(
        subtree_q(org_path, "branch__path"), status=DispatchStatus.HELD, date__year=year
    )
    # order_by(): the model's default ordering would make DISTINCT keep one row per dispatch.
    return set(qs.order_by().values_list("branch_id", flat=True).distinct())
