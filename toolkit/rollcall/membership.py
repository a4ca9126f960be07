"""Who is a UN member state on a given day: defined once, here, from the package's own rows.

The package holds no UN membership rows yet: `actors` lists every state of actor_type `state` (the
193 current members, generated from ISO 3166-1 in toolkit/rollcall/states.py, and the former states of
ISO 3166-3 whose role starts with "Former"). `memberships` rows with organisation_id `un` take precedence
wherever a state has any, so that dates of admission and of the end of a membership can be added
later without changing this rule.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from toolkit.package.tableschema import Package

UN = "un"  # organisation_id of the United Nations in actors and memberships
FORMER_ROLE = "former"  # an actor role starting with this marks a state that no longer exists


def read_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a package CSV file as dicts (UTF-8, with or without a BOM); [] if it is missing."""
    if not path.exists():
        return []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _on(day: date, start: str, end: str) -> bool:
    """Whether `day` falls in [start, end): date_end is the day the status ended."""
    try:
        first = date.fromisoformat(start)
        last = date.fromisoformat(end) if end else None
    except ValueError:
        return False  # a malformed date is validate's to report; it proves no membership
    return first <= day and (last is None or day < last)


def un_members_on(package: Package, day: date) -> dict[str, str]:
    """The UN member states on `day`, as {ISO 3166 alpha-3 code: name in actors}.

    A state with any `memberships` row whose organisation_id is `un` is a member on the days one
    of its `member` rows covers (date_start inclusive, date_end exclusive; an empty date_end means
    the membership lasts). A state with no such row is a member unless its actor role marks it a
    former state (a role starting with "Former").
    """
    states = {
        r["actor_id"]: r
        for r in read_rows(package.data_path("actors"))
        if r.get("actor_type") == "state"
    }
    un_rows: dict[str, list[dict[str, str]]] = {}
    if "memberships" in package.resources:
        for r in read_rows(package.data_path("memberships")):
            if r.get("organisation_id") == UN:
                un_rows.setdefault(r.get("country_iso3", ""), []).append(r)
    members = {}
    for code, actor in states.items():
        if code in un_rows:
            member = any(
                r.get("status") == "member"
                and _on(day, r.get("date_start", ""), r.get("date_end", ""))
                for r in un_rows[code]
            )
        else:
            member = not (actor.get("role") or "").lower().startswith(FORMER_ROLE)
        if member:
            members[code] = actor.get("name", code)
    return members
