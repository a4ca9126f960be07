"""Write a contribution CSV of the UN member states (current and former) missing from actors.

Usage: python scripts/state_actors.py [PACKAGE_DIR] > states.csv
       csto-alignment add states.csv --resource actors
"""

from __future__ import annotations

import csv
import sys

from toolkit.package.tableschema import load_package
from toolkit.rollcall.states import former_un_member_states, un_member_states
from toolkit.store.merge import read_rows

SOURCE_ID = "iso-3166-pycountry"
FORMER_SOURCE_ID = SOURCE_ID


def main(root: str = ".") -> None:
    package = load_package(root)
    actors = package.resource("actors")
    at = actors.field_names.index("actor_id")
    have = {r[at] for r in read_rows(package.data_path("actors"), actors)}
    w = csv.DictWriter(sys.stdout, actors.field_names, lineterminator="\n")
    w.writeheader()
    rows = [(c, n, "", SOURCE_ID) for c, n in un_member_states()]
    rows += [
        (c, n, "Former state (ISO 3166-3)", FORMER_SOURCE_ID) for c, n in former_un_member_states()
    ]
    for code, name, role, source in rows:
        if code not in have:
            w.writerow(
                {
                    "actor_id": code,
                    "name": name,
                    "actor_type": "state",
                    "country_iso3": code,
                    "role": role,
                    "source_id": source,
                    "source_excerpt": "",
                }
            )


if __name__ == "__main__":
    main(*sys.argv[1:])
