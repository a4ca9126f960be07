"""Links that open a page with an excerpt highlighted: URL text fragments (`#:~:text=`).

The syntax is `#:~:text=[prefix-,]textStart[,textEnd][,-suffix]`. The URL Fragment Text Directives
draft (https://wicg.github.io/scroll-to-text-fragment/) says the text parameters are percent-decoded
before matching, and that dash (-), ampersand (&) and comma (,) inside them must be percent-encoded
so that they are not read as the directive's own syntax. A long excerpt is linked as `start,end`:
its first and last words, which highlight everything between them without a bloated URL. An excerpt
quoted with an ellipsis ("...", "…") is linked from before the first ellipsis to after the last.
"""

from __future__ import annotations

import re
from urllib.parse import quote

DELIMITER = ":~:"
# An excerpt of more words than this is linked as start,end with EDGE words at each end.
LONG = 10
EDGE = 4
_ELLIPSIS = re.compile(r"\s*(?:\[\s*(?:\.\s*\.\s*\.|…)\s*\]|\.\.\.|…)\s*")


def encode(words: str) -> str:
    """One text parameter, percent-encoded: every character but letters, digits and `_.~`
    (quote's safe set less `-`, which the directive reads as a prefix or suffix marker)."""
    return quote(words, safe="").replace("-", "%2D")


def text_directive(excerpt: str) -> str | None:
    """`text=...` for the excerpt's words (whitespace collapsed), or None when it has none."""
    parts = [p for p in _ELLIPSIS.split(excerpt) if p.strip()]
    if not parts:
        return None
    words = " ".join(parts).split()
    first, last = parts[0].split(), parts[-1].split()
    if len(parts) > 1:  # an elided quotation: from its first words to its last
        start, end = first[:EDGE], last[-EDGE:]
    elif len(words) > LONG:
        start, end = words[:EDGE], words[-EDGE:]
    else:
        return "text=" + encode(" ".join(words))
    return "text=" + encode(" ".join(start)) + "," + encode(" ".join(end))


def highlight_url(url: str, excerpt: str) -> str | None:
    """`url` with a text directive that highlights `excerpt`; None without a url or words.

    A URL that already has a fragment keeps it (`#section:~:text=...`); one that already has a
    fragment directive gets the text directive added to it (`&text=...`).
    """
    if not url or not url.startswith(("http://", "https://")):
        return None
    directive = text_directive(excerpt or "")
    if directive is None:
        return None
    if "#" not in url:
        return f"{url}#{DELIMITER}{directive}"
    if DELIMITER in url.split("#", 1)[1]:
        return f"{url}&{directive}"
    return f"{url}{DELIMITER}{directive}"
