"""CHANGELOG.md in Keep a Changelog form. Between releases only people write in it (notes under
*Unreleased*, as prose); `release` moves those notes under the new version and adds the diff since
the last release, which lists every row and cell that changed."""

from __future__ import annotations

import re

UNRELEASED = "## [Unreleased]"
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def _headings(text: str, level: str) -> list[tuple[int, str]]:
    """(offset, line) of each heading of `level` ('## ', '### ') outside fenced code blocks: a
    heading quoted in a code block is text, not the changelog's structure."""
    found, fence, offset = [], "", 0
    for line in text.splitlines(keepends=True):
        m = FENCE.match(line)
        if m and (not fence or (m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence))):
            fence = "" if fence else m.group(1)
        elif not fence and line.startswith(level):
            found.append((offset, line.rstrip("\n")))
        offset += len(line)
    return found


def _unreleased(text: str) -> int | None:
    """Where the Unreleased heading starts (outside code blocks), or None."""
    return next((at for at, line in _headings(text, "## ") if line.strip() == UNRELEASED), None)


def _next(text: str, start: int, level: str) -> int:
    """The offset of the first heading of `level` at or after `start` (outside code blocks)."""
    return next((at for at, _ in _headings(text, level) if at >= start), len(text))


def add_unreleased(text: str, section: str, line: str) -> str:
    """Add `- line` under '### section' of the Unreleased block, creating the block or section if needed."""
    if _unreleased(text) is None:
        at = _next(text, 0, "## ")
        text = text[:at] + f"{UNRELEASED}\n\n" + text[at:]
    start = _unreleased(text) + len(UNRELEASED)  # type: ignore[operator]
    end = _next(text, start, "## ")
    block = text[start:end]
    heading = f"### {section}"
    found = [at for at, h in _headings(block, "### ") if h.strip() == heading]
    if found:
        eol = block.find("\n", found[0])
        i = len(block) if eol < 0 else eol + 1
        i += 1 if block[i : i + 1] == "\n" else 0
        k = _next(block, i, "### ")
        body = block[i:k].rstrip("\n")
        block = block[:i] + (body + "\n" if body else "") + f"- {line}\n\n" + block[k:].lstrip("\n")
    else:
        block = block.rstrip("\n") + f"\n\n{heading}\n\n- {line}\n\n"
    return text[:start] + block + text[end:]


def release_unreleased(text: str, version: str, date: str, extra: str = "") -> str:
    """Move the Unreleased entries under '## [version] - date', followed by `extra`."""
    if _unreleased(text) is None:
        text = add_unreleased(text, "Changed", "No recorded changes.")
    start = _unreleased(text)
    assert start is not None
    body_start = start + len(UNRELEASED)
    end = _next(text, body_start, "## ")
    body = text[body_start:end].strip("\n")
    new = f"{UNRELEASED}\n\n## [{version}] - {date}\n\n"
    if body:
        new += body + "\n\n"
    if extra:
        new += extra.rstrip("\n") + "\n\n"
    return text[:start] + new + text[end:]


def section(text: str, version: str) -> str:
    """The entry of `version` (what follows its `## [version]` heading, up to the next `## `), or ''."""
    m = re.search(rf"^## \[{re.escape(version)}\][^\n]*\n", text, flags=re.M)
    if m is None:
        return ""
    nxt = re.search(r"^## ", text[m.end() :], flags=re.M)
    return text[m.end() : m.end() + nxt.start() if nxt else len(text)].strip("\n") + "\n"
