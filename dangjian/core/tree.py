"""Subtree lookups on materialized paths as index range scans.

A subtree of path `p` is every path with prefix `p`; with a fixed alphabet that is exactly the
half-open range [p, successor(p)). A range uses the b-tree index on every database, where
`LIKE 'p%'` does not on SQLite (and not under a non-C collation on PostgreSQL).
"""

from django.db.models import Q

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # treebeard MP_Node's default alphabet
STEPLEN = 4


def path_successor(path: str) -> str:
    """The smallest string greater than every string with prefix `path` (over ALPHABET)."""
    chars = list(path)
    for i in range(len(chars) - 1, -1, -1):
        pos = ALPHABET.index(chars[i])
        if pos + 1 < len(ALPHABET):
            chars[i] = ALPHABET[pos + 1]
            return "".join(chars[: i + 1])
        chars[i] = ALPHABET[0]
    raise ValueError("path has no successor")  # only an all-'Z' path; never issued


def subtree_q(path: str, field: str = "path") -> Q:
    return Q(**{f"{field}__gte": path, f"{field}__lt": path_successor(path)})


def subtrees_q(paths: list[str], field: str = "path") -> Q:
    """OR of subtree ranges; callers pass minimal prefixes (see `minimal_prefixes`)."""
    q = Q()
    for path in paths:
        q |= subtree_q(path, field)
    return q


def minimal_prefixes(paths: list[str]) -> list[str]:
    """Drop paths covered by another path in the list (a grant below a grant adds nothing)."""
    result: list[str] = []
    for path in sorted(set(paths)):
        if not result or not path.startswith(result[-1]):
            result.append(path)
    return result


def ancestor_paths(path: str) -> list[str]:
    """Paths of all ancestors of `path`, root first, excluding `path` itself."""
    return [path[:i] for i in range(STEPLEN, len(path), STEPLEN)]
