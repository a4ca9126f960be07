"""CHANGELOG.md in Keep a Changelog form. Between releases only people write in it (notes under
*Unreleased*, as prose); `release` moves those notes under the new version and adds the diff since
the last release, which lists every row and cell that changed."""

from __future__ import annotations

import re

UNRELEASED = "## [Unreleased]"


def add_unreleased(text: str, section: str, line: str) -> str:
    """Add `- line` under '### section' of the Unreleased block, creating the block or section if needed."""
    if UNRELEASED not in text:
        m = re.search(r"^## ", text, flags=re.M)
        at = m.start() if m else len(text)
        text = text[:at] + f"{UNRELEASED}\n\n" + text[at:]
    start = text.index(UNRELEASED) + len(UNRELEASED)
    nxt = re.search(r"^## ", text[start:], flags=re.M)
    end = start + nxt.start() if nxt else len(text)
    block = text[start:end]
    heading = f"### {section}\n"
    if heading in block:
        i = block.index(heading) + len(heading)
        i += 1 if block[i : i + 1] == "\n" else 0
        j = re.search(r"^(### |\Z)", block[i:], flags=re.M)
        k = i + (j.start() if j else len(block) - i)
        body = block[i:k].rstrip("\n")
        block = block[:i] + (body + "\n" if body else "") + f"- {line}\n\n" + block[k:].lstrip("\n")
    else:
        block = block.rstrip("\n") + f"\n\n{heading}\n- {line}\n\n"
    return text[:start] + block + text[end:]


def release_unreleased(text: str, version: str, date: str, extra: str = "") -> str:
    """Move the Unreleased entries under '## [version] - date', followed by `extra`."""
    if UNRELEASED not in text:
        text = add_unreleased(text, "Changed", "No recorded changes.")
    start = text.index(UNRELEASED)
    body_start = start + len(UNRELEASED)
    nxt = re.search(r"^## ", text[body_start:], flags=re.M)
    end = body_start + nxt.start() if nxt else len(text)
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
