"""Turning operator-typed guide text into HTML that is safe to show to anyone.

The catalog stores guide text as the operator typed it (Markdown). Every HTML
rendering goes through ``render_markdown``, which converts Markdown and then
runs the result through ``clean_html``. Sanitising on output rather than on
input means the raw text stays editable and a stricter allow-list applies to
old rows at once. Markdown may contain raw HTML and reference-style links, so
the sanitiser runs *after* the conversion, never before.
"""

from __future__ import annotations

import re
from functools import lru_cache

import markdown
import nh3

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "ul", "ol", "li", "strong", "em", "a", "h3", "h4",
        "table", "thead", "tbody", "tr", "th", "td",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href"}}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Dropped together with their content, not just unwrapped, so no script text leaks out.
DROPPED_WITH_CONTENT = frozenset({"script", "style", "template", "iframe", "object", "noscript", "textarea"})
LINK_REL = "noopener noreferrer"
_ABSOLUTE_URL = re.compile(r"^(https?://[^/\s]|mailto:\S)", re.IGNORECASE)

MARKDOWN_EXTENSIONS = ["tables", "sane_lists", "nl2br"]
# Guides sit under a page's own headings, so Markdown's top levels are shifted down.
_HEADING_SHIFT = {"h1": "h3", "h2": "h3", "h3": "h3", "h4": "h4", "h5": "h4", "h6": "h4"}
_BARE_HEADING = re.compile(r"<(/?)(h[1-6])>")


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    # nh3 already refuses unknown schemes; this also drops relative and
    # protocol-relative links ("/x", "//evil.example"), which would point
    # somewhere different depending on which site shows the guide.
    if tag == "a" and attribute == "href" and not _ABSOLUTE_URL.match(value):
        return None
    return value


def clean_html(text: str) -> str:
    """Keep a small safe subset of HTML; strip every other tag and attribute."""
    if not text:
        return ""
    return nh3.clean(
        text,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_keep_attribute,
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )


@lru_cache(maxsize=2048)
def render_markdown(text: str) -> str:
    """Markdown → HTML → ``clean_html``. Pure, so it is memoised per text."""
    if not text or not text.strip():
        return ""
    html = markdown.markdown(text, extensions=MARKDOWN_EXTENSIONS, output_format="html")
    html = _BARE_HEADING.sub(lambda m: f"<{m.group(1)}{_HEADING_SHIFT[m.group(2)]}>", html)
    return clean_html(html)
