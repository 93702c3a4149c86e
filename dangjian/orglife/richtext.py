"""Minutes as rich text: the small set of formatting an organizer needs, and nothing that runs.

Minutes are written in the browser (a contenteditable editor) or sent by API clients, so they
are untrusted HTML. They are sanitized on write and again on display: rows written before the
sanitizer existed (plain text) and any future change of the allowed set stay safe.
"""

import re

import nh3
from django.utils.html import escape, linebreaks
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "ul",
    "ol",
    "li",
    "h3",
    "h4",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
# Dropped with their content, not just unwrapped: a script's text is not part of the minutes.
DROPPED_WITH_CONTENT = {"script", "style", "template", "iframe", "object", "noscript", "title"}
_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")


def looks_like_html(text: str) -> bool:
    return bool(_TAG.search(text))


def sanitize(html: str) -> str:
    """Only ALLOWED_TAGS, no attributes at all (so no event handlers, styles or links), no
    comments. Text outside allowed tags is kept, escaped."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes={},
        url_schemes=set(),
        link_rel=None,
        strip_comments=True,
    ).strip()


def to_html(text: str) -> str:
    """What to store for minutes as typed: HTML is sanitized; plain text (an API client, the
    no-JavaScript textarea, rows from before rich text) becomes paragraphs, keeping its lines."""
    text = (text or "").strip()
    if not text:
        return ""
    if not looks_like_html(text):
        return sanitize(linebreaks(escape(text)))
    return sanitize(text)


def render(text: str) -> SafeString:
    """Minutes ready for a template or a PDF: sanitized again, whatever is stored."""
    return mark_safe(to_html(text))  # noqa: S308 - sanitized by nh3 just above


def plain_lines(text: str) -> list[str]:
    """One item per non-blank line, trimmed (resolutions are written one a line)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]
