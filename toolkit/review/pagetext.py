"""The text of a fetched page, as a reader sees it: HTML parsed by selectolax (its lexbor engine),
scripts, styles and other unseen elements dropped, block elements (paragraphs, headings, list items,
table cells, line breaks) separated, and runs of spaces, tabs and line breaks collapsed to one
space, as a browser renders them. No-break spaces are kept: they are characters of the page.

selectolax is the optional `verify` extra; plain-text pages need nothing.
"""

from __future__ import annotations

import re

HTML_TYPES = ("text/html", "application/xhtml+xml")
TEXT_TYPES = ("text/plain",)
UNSEEN = ["script", "style", "noscript", "template", "svg", "canvas", "iframe", "object", "head"]
BLOCKS = {
    "address", "article", "aside", "blockquote", "br", "dd", "details", "div", "dl", "dt",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
    "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "td", "th", "tr", "ul",
    "title", "caption",
}  # fmt: skip
_SPACE = re.compile(r"[ \t\n\r\f]+")


class MissingDependency(Exception):
    """The optional library that reads HTML is not installed."""


def require_html_parser() -> None:
    try:
        import selectolax.lexbor  # noqa: F401
    except ImportError:
        raise MissingDependency(
            "reading web pages needs selectolax, the 'verify' extra: "
            "pip install -c constraints.txt -e '.[verify]'"
        ) from None


def decode(body: bytes, charset: str | None) -> str:
    """The body as text: in the charset the server named, else UTF-8, else Windows-1252."""
    for encoding in (charset, "utf-8"):
        if encoding:
            try:
                return body.decode(encoding)
            except (LookupError, UnicodeDecodeError):
                continue
    return body.decode("cp1252", "replace")


def html_text(html: str) -> str:
    """The visible text of an HTML document, blocks on lines of their own, whitespace collapsed."""
    require_html_parser()
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html)
    title = tree.css_first("title")
    heading = title.text() if title is not None else ""
    tree.strip_tags(UNSEEN, recursive=True)
    root = tree.body or tree.root
    if root is None:
        return collapse(heading)
    parts: list[str] = [heading, "\n"]
    # Depth first, with a marker to close each block element, so that text on either side of a
    # block boundary never runs together (selectolax's own text() joins them or spaces every node).
    stack: list[object] = [root]
    while stack:
        node = stack.pop()
        if node is None:
            parts.append("\n")
            continue
        if node.is_text_node:  # type: ignore[attr-defined]
            parts.append(_SPACE.sub(" ", node.text_content or ""))  # type: ignore[attr-defined]
            continue
        tag = node.tag  # type: ignore[attr-defined]
        if tag in BLOCKS:
            parts.append("\n")
            stack.append(None)
        children = []
        child = node.child  # type: ignore[attr-defined]
        while child is not None:
            children.append(child)
            child = child.next
        stack.extend(reversed(children))
    return "\n".join(collapse(line) for line in "".join(parts).split("\n") if collapse(line))


def collapse(text: str) -> str:
    return _SPACE.sub(" ", text).strip(" ")


def page_text(body: bytes, content_type: str, charset: str | None) -> str | None:
    """The page's text, or None when it is neither HTML nor plain text (a PDF, an image)."""
    if content_type in HTML_TYPES:
        return html_text(decode(body, charset))
    if content_type in TEXT_TYPES:
        return "\n".join(
            collapse(line) for line in decode(body, charset).splitlines() if collapse(line)
        )
    return None
