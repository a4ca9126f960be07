"""UN member states as actors, generated from ISO 3166-1 (the pycountry package), never typed by hand.

ISO 3166-1 lists 249 countries and territories. The 193 UN member states are those entries less the
territories, dependencies and non-member states below, which the UN does not count as members.
Roll calls since 1945 also name member states that no longer exist; those whose seat no successor
continued are taken from ISO 3166-3 (pycountry's historic countries). The USSR, the Byelorussian SSR
and Serbia and Montenegro are not among them: Russia, Belarus and Serbia continued their seats.
"""

from __future__ import annotations

# ISO 3166-1 entries that are not UN member states: dependent territories and areas of special
# sovereignty, Antarctica, and the non-member states and entities (Holy See, Palestine, Taiwan,
# Western Sahara, Cook Islands, Niue).
NOT_UN_MEMBERS = frozenset(
    "ABW AIA ALA ASM ATA ATF BES BLM BMU BVT CCK COK CUW CXR CYM ESH FLK FRO GGY GIB GLP GRL GUF GUM "
    "HKG HMD IMN IOT JEY MAC MAF MNP MSR MTQ MYT NCL NFK NIU PCN PRI PSE PYF REU SGS SHN SJM SPM SXM "
    "TCA TKL TWN UMI VAT VGB VIR WLF".split()
)
UN_MEMBER_COUNT = 193


def un_member_states() -> list[tuple[str, str]]:
    """(ISO 3166-1 alpha-3 code, ISO short name) of every UN member state, sorted by code."""
    import pycountry

    return sorted(
        (c.alpha_3, c.name) for c in pycountry.countries if c.alpha_3 not in NOT_UN_MEMBERS
    )


# Former UN member states whose membership ended with the state (ISO 3166-3 codes):
# Czechoslovakia (1945-1992), the German Democratic Republic (1973-1990), Democratic Yemen
# (1967-1990) and the Socialist Federal Republic of Yugoslavia (1945-1992).
FORMER_UN_MEMBERS = ("CSK", "DDR", "YMD", "YUG")


def former_un_member_states() -> list[tuple[str, str]]:
    """(ISO 3166-3 alpha-3 code, name) of the former member states in FORMER_UN_MEMBERS."""
    import pycountry

    by_code = {c.alpha_3: c.name for c in pycountry.historic_countries}
    return [(code, by_code[code]) for code in FORMER_UN_MEMBERS]
