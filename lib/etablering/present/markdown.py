"""The library's Markdown as HTML, with everything from data shown as text.

Kept apart from display.py (which loads pyplot and IPython) so the batch runner can render a
notebook's Markdown headings into the page without loading the plotting stack.
"""

import re
from functools import cache

SAFE_SCHEMES = ("http:", "https:", "mailto:")


@cache
def _markdown():
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    # Raw HTML is off above; links, images and <autolinks> are off too, and any link that a
    # later rule makes must still have a safe scheme (no javascript:, data:, vbscript:, file:).
    md.disable(["link", "image", "autolink", "html_inline", "html_block"])
    md.validateLink = _safe_link
    return md


def _safe_link(url: str) -> bool:
    target = re.sub(r"[\x00-\x20]", "", url).lower()
    scheme = re.match(r"[a-z][a-z0-9+.-]*:", target)
    return scheme is None or scheme.group(0) in SAFE_SCHEMES


def markdown_html(markdown: str) -> str:
    """The library's Markdown as HTML, with everything from data shown as text."""
    return _markdown().render(str(markdown))
