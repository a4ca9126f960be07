"""Every UN member state is an actor, generated from ISO 3166-1 (pycountry), names included."""

from __future__ import annotations

import csv

import pycountry
from helpers import ROOT

from toolkit.rollcall.states import (
    FORMER_UN_MEMBERS,
    NOT_UN_MEMBERS,
    UN_MEMBER_COUNT,
    former_un_member_states,
    un_member_states,
)


def state_actors():
    with (ROOT / "data/actors.csv").open(encoding="utf-8", newline="") as fh:
        return {r["actor_id"]: r for r in csv.DictReader(fh) if r["actor_type"] == "state"}


def test_the_generated_list_has_the_193_members():
    states = un_member_states()
    assert len(states) == UN_MEMBER_COUNT
    codes = {c for c, _ in states}
    assert {"RUS", "BLR", "ARM", "KAZ", "KGZ", "TJK", "UKR", "SSD"} <= codes
    assert not codes & {"TWN", "VAT", "PSE", "PRI", "GRL"}


def test_every_exclusion_is_an_iso_code():
    assert all(pycountry.countries.get(alpha_3=c) is not None for c in NOT_UN_MEMBERS)


def test_actors_carry_every_member_state_with_its_iso_name():
    actors = state_actors()
    for code, name in un_member_states():
        assert code in actors, code
        assert actors[code]["name"] == name, code
        assert actors[code]["country_iso3"] == code


def test_former_members_come_from_iso_3166_3():
    actors = state_actors()
    for code, name in former_un_member_states():
        assert pycountry.historic_countries.get(alpha_3=code).name == name
        assert actors[code]["name"] == name and actors[code]["role"] == "Former state (ISO 3166-3)"
    assert not set(FORMER_UN_MEMBERS) & {c for c, _ in un_member_states()}


def test_no_state_actor_outside_the_un_membership():
    members = {c for c, _ in un_member_states()} | set(FORMER_UN_MEMBERS)
    assert set(state_actors()) == members
