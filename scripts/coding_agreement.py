"""Measure the agreement of the stored codings and regenerate everything that shows it.

    python scripts/coding_agreement.py

If `coding/second/` holds a coding, writes `coding/agreement.json` (what `csto-alignment agreement
coding/first coding/second --format json` prints); then regenerates, from that file, the agreement
table in docs/researchers.md and docs/coding.md and the codebook (docs/codebook.md), which names
every field whose alpha is under 0.8. `tests/test_coding_agreement.py` fails when any of them drifts from the codings.
"""

from __future__ import annotations

import json
from pathlib import Path

from toolkit.coding.agreement import agreement
from toolkit.coding.fields import FIELDS_FILE, load_fields
from toolkit.docgen.agreement import AGREEMENT_FILE, agreement_block, replace_block, stored
from toolkit.docgen.codebook import PAGE, codebook_markdown, replace_codebook
from toolkit.package.tableschema import load_package

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    second = ROOT / "coding" / "second"
    if second.is_dir() and any(second.glob("*.csv")):
        result = agreement(ROOT / "coding" / "first", second, load_fields(ROOT / FIELDS_FILE))
        if not result.valid:
            raise SystemExit("\n".join(i.message for i in result.issues))
        text = json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"
        (ROOT / AGREEMENT_FILE).write_text(text, encoding="utf-8")
    block = agreement_block(stored(ROOT))
    for doc in (ROOT / "docs" / "researchers.md", ROOT / "docs" / "coding.md"):
        doc.write_text(replace_block(doc.read_text(encoding="utf-8"), block), encoding="utf-8")
    page = ROOT / PAGE
    text = page.read_text(encoding="utf-8")
    page.write_text(replace_codebook(text, codebook_markdown(load_package(ROOT))), encoding="utf-8")


if __name__ == "__main__":
    main()
