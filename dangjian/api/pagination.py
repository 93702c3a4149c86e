from rest_framework.pagination import CursorPagination


class IdCursorPagination(CursorPagination):
    """Stable, index-backed paging for lists of millions of rows (no COUNT, no OFFSET)."""

    ordering = "id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class PathCursorPagination(IdCursorPagination):
    ordering = "path"
