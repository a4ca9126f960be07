"""The site's two charts as Vega-Lite specifications, written with Altair.

Each mark carries a `description` (its ARIA label in the drawn SVG), so that a screen reader, and
the browser tests, read what the mark shows.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from typing import Any

from toolkit.site.data import SiteData, href, when

# yes / no / abstain / did not vote: the Okabe-Ito palette (distinguishable with the common kinds
# of colour blindness), and every cell also says its vote in words.
VOTES = ("yes", "no", "abstain", "non_voting")
VOTE_WORDS = {"yes": "yes", "no": "no", "abstain": "abstain", "non_voting": "did not vote"}
VOTE_FILL = ("#0072B2", "#D55E00", "#F0E442", "#DDDDDD")
VOTE_TEXT = ("#FFFFFF", "#FFFFFF", "#000000", "#000000")

KINDS = ("meeting", "statement", "exercise")
KIND_COLOURS = ("#0072B2", "#D55E00", "#009E73")
ALL = "(all)"
RANGES = ("exact span", "somewhere within")


ROWS = "rows"  # the name the charts give their data until with_rows puts the rows in


def with_rows(spec: Any, rows: list[dict[str, Any]]) -> Any:
    """`spec` with its data named ROWS replaced by the rows themselves. Altair checks and converts
    every value handed to it one by one (minutes for a few thousand votes); the rows are plain JSON
    already, so the chart is made without them and they are put in afterwards."""
    if isinstance(spec, dict):
        if spec.get("data") == {"name": ROWS}:
            spec = {**spec, "data": {"values": rows}}
        return {k: v if k == "data" else with_rows(v, rows) for k, v in spec.items()}
    if isinstance(spec, list):
        return [with_rows(v, rows) for v in spec]
    return spec


def _range_legend():
    """The one 'Date range' legend that the fill and the outline of a range share."""
    import altair as alt

    return alt.Legend(
        title="Date range",
        orient="top",
        symbolType="square",
        symbolFillColor="#777777",
        symbolStrokeColor="#000000",
        symbolSize=220,
    )


def _readable(chart):
    """Labels near the page's own text size (Vega-Lite's 10-11 px are hard to read)."""
    return chart.configure_axis(labelFontSize=12, titleFontSize=13).configure_legend(
        labelFontSize=12, titleFontSize=13
    )


def _votes_with_russia(data: SiteData) -> dict[str, int]:
    """For each state, on how many resolutions its recorded vote was Russia's recorded vote."""
    russia = {
        v["resolution_id"]: v["vote"]
        for v in data.rows.get("un_votes", [])
        if v["country_iso3"] == "RUS"
    }
    counts: dict[str, int] = {}
    for v in data.rows.get("un_votes", []):
        same = russia.get(v["resolution_id"]) == v["vote"] and v["country_iso3"] != "RUS"
        counts[v["country_iso3"]] = counts.get(v["country_iso3"], 0) + int(same)
    return counts


def vote_matrix_rows(data: SiteData) -> list[dict[str, Any]]:
    """One row per recorded vote, with the labels, link and sort keys the matrix shows."""
    members = data.csto_members()
    resolutions = {r["resolution_id"]: r for r in data.rows.get("un_resolutions", [])}
    states = {v["country_iso3"] for v in data.rows.get("un_votes", [])}
    by_name = {s: i for i, s in enumerate(sorted(states, key=lambda s: (data.name(s), s)))}
    with_russia = _votes_with_russia(data)
    rows = []
    for v in data.rows.get("un_votes", []):
        res = resolutions[v["resolution_id"]]
        state = v["country_iso3"]
        label = f"{data.name(state)}{' (CSTO)' if state in members else ''}"
        rows.append(
            {
                "state": state,
                "state_label": label,
                "csto": state in members,
                "name_rank": by_name[state],
                "with_russia": with_russia.get(state, 0),
                "resolution": v["resolution_id"],
                "resolution_label": f"{v['resolution_id']} ({res['date'].isoformat()})",
                "date": res["date"].isoformat(),
                "vote": v["vote"],
                "vote_words": VOTE_WORDS[v["vote"]],
                "href": f"{href('un_resolutions', v['resolution_id'])}#vote-{state}",
                "aria": f"vote: {v['resolution_id']}, {state}: {v['vote']}",
            }
        )
    rows.sort(key=lambda r: (r["state"] not in members, data.name(r["state"]), r["date"]))
    return rows


# How the matrix's rows can be ordered (the `order` control): a number per row, smallest first.
ORDERS = {
    "CSTO members first, then by name": "(datum.csto ? 0 : 100000) + datum.name_rank",
    "by name": "datum.name_rank",
    # Russia, the yardstick, heads this order
    "most votes as Russia's first": "(datum.state == 'RUS' ? -1000000 : 0) "
    "- 1000 * datum.with_russia + datum.name_rank",
}
SHOW = ("all states", "CSTO members only")
# Up to this many resolutions the matrix fits the page's width; beyond, it keeps a readable width
# per resolution and scrolls sideways inside its frame.
FIT_RESOLUTIONS = 8


def vote_matrix_spec(data: SiteData, rows: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The matrix of recorded votes: states by resolutions, with controls to find a state (name),
    to show the CSTO members only, and to order the states; the legend lists only the votes the
    data records."""
    import altair as alt

    rows = vote_matrix_rows(data) if rows is None else rows
    res_sort = [
        f"{r['resolution_id']} ({r['date'].isoformat()})"
        for r in sorted(
            data.rows.get("un_resolutions", []), key=lambda r: (r["date"], r["resolution_id"])
        )
    ]
    # Symbols that all start alike (A/RES/...) are labelled by what differs, the common part
    # said once in the axis' title: narrow columns keep their labels apart.
    ids = [r["resolution_id"] for r in data.rows.get("un_resolutions", [])]
    common = os.path.commonprefix(ids) if len(ids) > 1 else ""
    common = common[: common.rfind("/") + 1]
    while common and any("/" not in i[len(common) :] for i in ids):  # keep "ES-11/1", not "1"
        common = common[: common[:-1].rfind("/") + 1]
    recorded = {r["vote"] for r in rows}
    present = [v for v in VOTES if v in recorded] or list(VOTES)
    fills = [VOTE_FILL[VOTES.index(v)] for v in present]
    inks = [VOTE_TEXT[VOTES.index(v)] for v in present]
    show = alt.param(
        name="show", value=SHOW[0], bind=alt.binding_radio(options=list(SHOW), name="Show ")
    )
    search = alt.param(
        name="search",
        value="",
        bind=alt.binding(input="search", placeholder="a state's name", name="Find a state "),
    )
    order = alt.param(
        name="order",
        value=next(iter(ORDERS)),
        bind=alt.binding_select(options=list(ORDERS), name="Order "),
    )
    order_expr = (
        " : ".join(f"order == '{name}' ? ({expr})" for name, expr in list(ORDERS.items())[:-1])
        + f" : ({list(ORDERS.values())[-1]})"
    )
    keep = (
        f"(show == '{SHOW[0]}' || datum.csto) && "
        "(search == '' || indexof(lower(datum.state_label), lower(search)) >= 0)"
    )
    base = (
        alt.Chart(alt.Data(name=ROWS))
        .transform_filter(keep)
        .transform_calculate(sortkey=order_expr)
        .encode(
            x=alt.X(
                "resolution_label:N",
                sort=res_sort,
                title=f"Resolution ({common}…, date of the vote)"
                if common
                else "Resolution (date of the vote)",
                axis=alt.Axis(
                    orient="top",
                    labelAngle=0,
                    labelLimit=160,
                    # two lines, the symbol over the date, stacked up from the plot's edge
                    labelExpr=f"[replace(split(datum.label, ' (')[0], {json.dumps(common)}, ''), "
                    "replace(split(datum.label, ' (')[1], ')', '')]",
                    labelPadding=16,  # room for the second line above the plot
                ),
            ),
            y=alt.Y(
                "state_label:N",
                sort=alt.EncodingSortField("sortkey", op="min"),
                title=None,
                axis=alt.Axis(labelLimit=220),
            ),
            href="href:N",
            description="aria:N",
            tooltip=[
                alt.Tooltip("state_label:N", title="state"),
                alt.Tooltip("resolution:N", title="resolution"),
                alt.Tooltip("date:N", title="date"),
                alt.Tooltip("vote_words:N", title="vote"),
            ],
        )
    )
    cells = base.mark_rect(stroke="#FFFFFF", strokeWidth=2, cursor="pointer").encode(
        color=alt.Color(
            "vote:N",
            scale=alt.Scale(domain=present, range=fills),
            legend=alt.Legend(
                title="Vote",
                orient="top",
                symbolType="square",
                symbolStrokeColor="#555555",
                labelExpr="datum.label == 'non_voting' ? 'did not vote' : datum.label",
            ),
        )
    )
    words = base.mark_text(fontSize=12, fontWeight="bold", cursor="pointer").encode(
        text="vote_words:N",
        color=alt.Color("vote:N", scale=alt.Scale(domain=present, range=inks), legend=None),
    )
    fit = len(res_sort) <= FIT_RESOLUTIONS
    chart = (
        alt.layer(cells, words)
        .add_params(show, search, order)
        .resolve_scale(color="independent")
        .properties(
            width="container" if fit else alt.Step(100),
            height=alt.Step(24),
        )
    )
    spec = with_rows(_readable(chart).to_dict(), rows)
    if fit:
        spec["autosize"] = {"type": "fit-x", "contains": "padding"}
    return spec


def _known_dates(rows: list[dict[str, Any]]) -> list[dt.date]:
    return [r[k] for r in rows for k in ("date_start", "date_end") if r.get(k) is not None]


def timeline_rows(data: SiteData) -> list[dict[str, Any]]:
    """Meetings, statements and exercises with a drawable date, in date order.

    An open bound is drawn to the edge of the chart (marked open); a row with neither bound
    (precision `unknown`) is not drawn: the page lists it instead.
    """
    items: list[tuple[Any, ...]] = []
    for m in data.rows.get("meetings", []):
        actors = [
            p["actor_id"] for p in data.where("meeting_participants", meeting_id=m["meeting_id"])
        ]
        items.append(("meeting", m, m["meeting_id"], m["name"], actors, []))
    for s in data.rows.get("statements", []):
        label = f"{data.name(s['speaker_id'])}: {s['summary']}"
        items.append(
            (
                "statement",
                s,
                s["statement_id"],
                label,
                [s["speaker_id"]],
                (s["topics"] or "").split(";"),
            )
        )
    for e in data.rows.get("military_exercises", []):
        items.append(("exercise", e, e["exercise_id"], e["name"], [e["conducting_actor_id"]], []))
    dates = _known_dates([i[1] for i in items])
    if not dates:
        return []
    lo, hi = min(dates) - dt.timedelta(days=7), max(dates) + dt.timedelta(days=7)
    resource = {"meeting": "meetings", "statement": "statements", "exercise": "military_exercises"}
    rows = []
    for kind, row, key, label, actors, topics in items:
        start, end = row.get("date_start"), row.get("date_end")
        if start is None and end is None:
            continue
        precision = row["date_precision"]
        exact = precision == "day"
        short = label if len(label) <= 70 else label[:69] + "…"
        rows.append(
            {
                "id": key,
                "kind": kind,
                "label": f"{short} [{key}]",
                "precision": precision,
                "when": when(row),
                "drawn": "day"
                if exact
                else ("exact span" if precision == "span" else "somewhere within"),
                "start": (start or lo).isoformat(),
                "end": (end or hi).isoformat(),
                "open_start": start is None,
                "open_end": end is None,
                "sort": (start or end).isoformat(),
                "actors": "|" + "|".join(actors) + "|",
                "topics": "|" + "|".join(topics) + "|",
                "href": href(resource[kind], key),
                "aria": f"{kind} {key}: {when(row)}",
            }
        )
    rows.sort(key=lambda r: (r["sort"], r["end"], r["kind"], r["id"]))
    return rows


def timeline_spec(data: SiteData, rows: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    import altair as alt

    rows = timeline_rows(data) if rows is None else rows  # the rows drawn (default: all)
    actor_ids = sorted(
        {a for r in rows for a in r["actors"].strip("|").split("|") if a}, key=data.name
    )
    topics = sorted({t for r in rows for t in r["topics"].strip("|").split("|") if t})
    actor = alt.param(
        name="actor",
        value=ALL,
        bind=alt.binding_select(
            options=[ALL, *actor_ids],
            labels=[ALL, *(data.name(a) for a in actor_ids)],
            name="Actor ",
        ),
    )
    topic = alt.param(
        name="topic",
        value=ALL,
        bind=alt.binding_select(options=[ALL, *topics], name="Topic (statements) "),
    )
    keep = (
        f"(actor == '{ALL}' || indexof(datum.actors, '|' + actor + '|') >= 0) && "
        f"(topic == '{ALL}' || indexof(datum.topics, '|' + topic + '|') >= 0)"
    )
    order = [r["label"] for r in rows]
    kind_colour = alt.Color(
        "kind:N",
        scale=alt.Scale(domain=list(KINDS), range=list(KIND_COLOURS)),
        legend=alt.Legend(title="What", orient="top"),
    )
    base = (
        alt.Chart(alt.Data(name=ROWS))
        .transform_filter(keep)
        .encode(
            y=alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=300)),
            color=kind_colour,
            href="href:N",
            description="aria:N",
            tooltip=[
                alt.Tooltip("kind:N"),
                alt.Tooltip("id:N"),
                alt.Tooltip("when:N", title="date"),
            ],
        )
    )
    x = alt.X(
        "start:T",
        title="Date",
        # as many day labels as fit side by side: none runs into the next
        axis=alt.Axis(format="%Y-%m-%d", orient="top", labelOverlap="greedy", labelSeparation=8),
    )
    ranges = (
        base.transform_filter("datum.precision != 'day'")
        .mark_bar(height=12, strokeWidth=1.5, strokeOpacity=1, cursor="pointer")
        .encode(
            x=x,
            x2="end:T",
            # One legend (Vega-Lite merges the two encodings of `drawn`): fill and outline.
            fillOpacity=alt.FillOpacity(
                "drawn:N",
                scale=alt.Scale(domain=list(RANGES), range=[0.9, 0.25]),
                legend=_range_legend(),
            ),
            strokeDash=alt.StrokeDash(
                "drawn:N",
                scale=alt.Scale(domain=list(RANGES), range=[[1, 0], [4, 3]]),
                legend=_range_legend(),
            ),
            stroke=alt.Color(
                "kind:N", scale=alt.Scale(domain=list(KINDS), range=list(KIND_COLOURS)), legend=None
            ),
        )
    )
    days = (
        base.transform_filter("datum.precision == 'day'")
        .mark_point(filled=True, size=90, shape="diamond", opacity=1, cursor="pointer")
        .encode(x=x)
    )
    open_end = (
        base.transform_filter("datum.open_end")
        .mark_point(filled=True, size=120, shape="triangle-right", opacity=1, aria=False)
        .encode(x=alt.X("end:T"))
    )
    open_start = (
        base.transform_filter("datum.open_start")
        .mark_point(filled=True, size=120, shape="triangle-left", opacity=1, aria=False)
        .encode(x=alt.X("start:T"))
    )
    chart = (
        alt.layer(ranges, days, open_end, open_start)
        .add_params(actor, topic)
        .properties(width="container", height=max(80, 22 * len(rows)))
    )
    spec = with_rows(_readable(chart).to_dict(), rows)
    spec["autosize"] = {"type": "fit-x", "contains": "padding"}  # the page's width, down to 800 px
    return spec
