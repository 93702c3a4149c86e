from rest_framework.pagination import CursorPagination


class IdCursorPagination(CursorPagination):
    """Stable, index-backed paging for lists of millions of rows (no COUNT, no OFFSET)."""

    ordering: str | tuple[str, ...] = "id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class PathCursorPagination(IdCursorPagination):
    ordering = "path"


class TreeOrderCursorPagination(IdCursorPagination):
    """For rows annotated with their organization's path (`org_path`): organization by
    organization, as the HTML lists show them; ties within one organization page by offset."""

    ordering = ("org_path", "id")
