"""Plain-text rendering of reports and tables for the terminal."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from toolkit.report import Issue, Report


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A fixed-width text table."""
    cells = [[("" if v is None else str(v)) for v in r] for r in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    line = "  ".join("-" * w for w in widths)
    out = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)), line]
    out += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join(s.rstrip() for s in out)


def issue_line(issue: Issue, kind: str) -> str:
    where = f"{issue.resource}" + (f", line {issue.row}" if issue.row else "")
    where += f", {issue.field}" if issue.field else ""
    return f"{kind} [{issue.code}] {issue.message}\n    where: {where}\n    fix: {issue.hint}"


def report_text(report: Report) -> tuple[str, str]:
    """(stdout, stderr) for a report in text form: findings to stderr, the summary to stdout."""
    diag = [issue_line(e, "error") for e in report.errors]
    diag += [issue_line(w, "warning") for w in report.warnings]
    rows = [
        (name, s.get("rows", ""), s.get("errors", 0), s.get("warnings", 0))
        for name, s in report.summary.items()
    ]
    verdict = "valid" if report.valid else f"invalid: {len(report.errors)} error(s)"
    out = (
        table(["resource", "rows", "errors", "warnings"], rows)
        + f"\n{verdict}, {len(report.warnings)} warning(s)"
    )
    return out, "\n".join(diag)


def report_json(report: Report) -> str:
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False, default=str)
